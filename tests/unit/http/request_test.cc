#include "http/request.h"

#include <gtest/gtest.h>

namespace plaza::http {
namespace {

TEST(RequestTest, TargetSplitsAndDecodesPath) {
  Request r;
  ASSERT_TRUE(r.SetTarget("/api/v1/tags/%E5%8C%97%E4%BA%AC?limit=20&q=a+b").ok());
  EXPECT_EQ(r.path(), "/api/v1/tags/北京");
  EXPECT_EQ(r.raw_path(), "/api/v1/tags/%E5%8C%97%E4%BA%AC");
  EXPECT_EQ(r.raw_query(), "limit=20&q=a+b");
  ASSERT_TRUE(r.DecodeParams({}).ok());
  EXPECT_EQ(r.params().Get("limit"), "20");
  EXPECT_EQ(r.params().Get("q"), "a b");
}

TEST(RequestTest, AbsoluteFormTargetKeepsPathAndQuery) {
  Request r;
  ASSERT_TRUE(r.SetTarget("http://example.com:8080/a/b?x=1").ok());
  EXPECT_EQ(r.path(), "/a/b");
  EXPECT_EQ(r.raw_query(), "x=1");
}

TEST(RequestTest, MalformedTargetsAreInvalid) {
  Request r;
  EXPECT_FALSE(r.SetTarget("*").ok());
  EXPECT_FALSE(r.SetTarget("relative").ok());
  EXPECT_FALSE(r.SetTarget("/a%zz").ok());
  EXPECT_FALSE(r.SetTarget("/a%2").ok());
  EXPECT_FALSE(r.SetTarget("/%ff").ok());
  EXPECT_FALSE(r.SetTarget("/a%00b").ok());
}

TEST(RequestTest, HeadersAreCaseInsensitive) {
  Request r;
  r.AddHeader("Content-Type", "application/json");
  r.AddHeader("X-Thing", "1");
  r.AddHeader("x-thing", "2");
  EXPECT_EQ(r.Header("content-type"), "application/json");
  EXPECT_EQ(r.Header("X-THING"), "1");
  EXPECT_TRUE(r.HasHeader("x-Thing"));
  EXPECT_EQ(r.Header("Authorization"), "");
  EXPECT_FALSE(r.HasHeader("Authorization"));
  int count = 0;
  r.ForEachHeader([&](std::string_view, std::string_view) { ++count; });
  EXPECT_EQ(count, 3);
}

TEST(RequestTest, BodyParamsOverrideQueryParams) {
  Request r;
  ASSERT_TRUE(r.SetTarget("/x?limit=1&only_query=q").ok());
  r.AddHeader("Content-Type", "application/json");
  r.SetBody(R"({"limit":5,"only_body":"b"})");
  ASSERT_TRUE(r.DecodeParams({}).ok());
  EXPECT_EQ(r.params().Get("limit"), "5");
  EXPECT_EQ(r.params().Get("only_query"), "q");
  EXPECT_EQ(r.params().Get("only_body"), "b");
}

TEST(RequestTest, DecodeFailureLeavesNoParams) {
  Request r;
  ASSERT_TRUE(r.SetTarget("/x?a=1").ok());
  r.AddHeader("Content-Type", "application/json");
  r.SetBody("{nope");
  Status st = r.DecodeParams({});
  EXPECT_EQ(st.code(), StatusCode::kInvalid);
  EXPECT_TRUE(r.params().empty());
}

TEST(RequestTest, BodyDecodeFailureLeavesNoParams) {
  // No query, so the body is decoded straight into the request's parameters: a failure part
  // way through must not leave the values read before it.
  Request r;
  ASSERT_TRUE(r.SetTarget("/x").ok());
  r.AddHeader("Content-Type", "application/x-www-form-urlencoded");
  r.SetBody("status=hello&bad=%GG");
  EXPECT_EQ(r.DecodeParams({}).code(), StatusCode::kInvalid);
  EXPECT_TRUE(r.params().empty());
}

TEST(RequestTest, ReusedRequestDecodesOnlyItsOwnParams) {
  // A connection reuses one Request (Clear between requests); its parameters are decoded into
  // the room the previous request's made.
  Request r;
  ASSERT_TRUE(r.SetTarget("/x?limit=20&max_id=9").ok());
  ASSERT_TRUE(r.DecodeParams({}).ok());
  EXPECT_EQ(r.params().Get("max_id"), "9");
  r.Clear();
  ASSERT_TRUE(r.SetTarget("/y?limit=40").ok());
  ASSERT_TRUE(r.DecodeParams({}).ok());
  EXPECT_EQ(r.params().size(), 1u);
  EXPECT_EQ(r.params().Get("limit"), "40");
  EXPECT_FALSE(r.params().Has("max_id"));
  r.Clear();
  ASSERT_TRUE(r.SetTarget("/z").ok());
  r.AddHeader("Content-Type", "application/x-www-form-urlencoded");
  r.SetBody("status=hi&visibility=private");
  ASSERT_TRUE(r.DecodeParams({}).ok());
  EXPECT_EQ(r.params().size(), 2u);
  EXPECT_EQ(r.params().Get("status"), "hi");
  EXPECT_FALSE(r.params().Has("limit"));
}

TEST(RequestTest, QueryWithBadEscapeIsInvalid) {
  Request r;
  ASSERT_TRUE(r.SetTarget("/x?a=%GG").ok());
  EXPECT_EQ(r.DecodeParams({}).code(), StatusCode::kInvalid);
}

TEST(RequestTest, ClearForgetsEverything) {
  Request r;
  ASSERT_TRUE(r.SetTarget("/x?a=1").ok());
  r.AddHeader("A", "b");
  r.SetBody("body");
  r.AddPathParam("id", "7");
  ASSERT_TRUE(r.DecodeParams({}).ok());
  r.context() = 5;
  r.Clear();
  EXPECT_EQ(r.target(), "");
  EXPECT_EQ(r.Header("A"), "");
  EXPECT_EQ(r.body(), "");
  EXPECT_EQ(r.PathParam("id"), "");
  EXPECT_TRUE(r.params().empty());
  EXPECT_FALSE(r.context().has_value());
}

TEST(RequestTest, MethodNames) {
  EXPECT_EQ(ParseMethod("GET"), Method::kGet);
  EXPECT_EQ(ParseMethod("PATCH"), Method::kPatch);
  EXPECT_EQ(ParseMethod("get"), Method::kOther);
  EXPECT_EQ(ParseMethod("TRACE"), Method::kOther);
  EXPECT_EQ(MethodName(Method::kDelete), "DELETE");
}

}  // namespace
}  // namespace plaza::http
