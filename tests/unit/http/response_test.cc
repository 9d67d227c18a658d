#include "http/response.h"

#include <gtest/gtest.h>

namespace plaza::http {
namespace {

TEST(ResponseTest, StatusMapping) {
  struct Case {
    Status status;
    int http;
  };
  std::vector<Case> cases = {
      {Status::Invalid("x"), 400},       {Status::Unauthorized("x"), 401},
      {Status::Forbidden("x"), 403},     {Status::NotFound("x"), 404},
      {Status::Conflict("x"), 409},      {Status::SoldOut(), 409},
      {Status::TooLarge("x"), 413},      {Status::Unprocessable("x"), 422},
      {Status::RateLimited("x"), 429},   {Status::Unavailable("x"), 503},
      {Status::IOError("disk /var/x"), 500}, {Status::Internal("bug in y"), 500},
  };
  for (const Case& c : cases) {
    Response r = Response::FromStatus(c.status);
    EXPECT_EQ(r.status, c.http) << c.status.ToString();
    EXPECT_EQ(r.ContentType(), kJsonContentType);
  }
}

TEST(ResponseTest, ErrorBodiesAreJson) {
  EXPECT_EQ(Response::FromStatus(Status::NotFound("Record not found")).body,
            R"({"error":"Record not found"})");
  EXPECT_EQ(Response::FromStatus(Status::SoldOut("whatever")).body, R"({"error":"sold out"})");
  EXPECT_EQ(Response::Error(422, "Validation failed: \"x\"").body,
            R"({"error":"Validation failed: \"x\""})");
}

TEST(ResponseTest, InternalMessagesAreNotLeaked) {
  Response r = Response::FromStatus(Status::IOError("rocksdb: /secret/path corrupted"));
  EXPECT_EQ(r.body.find("secret"), std::string::npos);
  EXPECT_EQ(r.body, R"({"error":"Internal server error"})");
  r = Response::FromStatus(Status::Internal("invariant in foo.cc"));
  EXPECT_EQ(r.body.find("foo"), std::string::npos);
}

TEST(ResponseTest, HeadersAndContentType) {
  Response r = Response::Json(201, "{}");
  EXPECT_EQ(r.status, 201);
  r.SetHeader("Link", "<a>; rel=\"next\"");
  EXPECT_EQ(r.Header("link"), "<a>; rel=\"next\"");
  EXPECT_EQ(r.Header("missing"), "");
  r.content_type = "text/html";
  EXPECT_EQ(r.ContentType(), "text/html");
  EXPECT_EQ(Response::NoContent().status, 204);
  EXPECT_EQ(ReasonPhrase(404), "Not Found");
}

}  // namespace
}  // namespace plaza::http
