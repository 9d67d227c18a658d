// Socket-free tests of the full request pipeline: raw HTTP bytes in, raw HTTP bytes out, through
// the same parser and dispatcher the server runs.
#include "http/dispatcher.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace plaza::http {
namespace {

struct Parsed {
  int status = 0;
  std::string head;
  std::string body;
};

// Splits a byte stream of HTTP/1.1 responses (all with Content-Length or no body).
std::vector<Parsed> ParseResponses(std::string_view wire) {
  std::vector<Parsed> out;
  while (!wire.empty()) {
    size_t end = wire.find("\r\n\r\n");
    if (end == std::string_view::npos) break;
    Parsed p;
    p.head = std::string(wire.substr(0, end + 4));
    p.status = std::stoi(p.head.substr(9, 3));
    size_t cl = p.head.find("Content-Length: ");
    size_t len = cl == std::string::npos ? 0 : std::stoul(p.head.substr(cl + 16));
    wire.remove_prefix(end + 4);
    p.body = std::string(wire.substr(0, len));
    wire.remove_prefix(std::min(len, wire.size()));
    out.push_back(std::move(p));
  }
  return out;
}

class DispatcherTest : public ::testing::Test {
 protected:
  DispatcherTest() {
    router_.Add(Method::kGet, "/hello/:name", [](Request& r) {
      return Response::Json(200, "{\"hi\":\"" + std::string(r.PathParam("name")) + "\"}");
    });
    router_.Add(Method::kPost, "/echo", [](Request& r) {
      std::string out;
      r.params().ForEach([&](std::string_view k, std::string_view v) {
        out += k;
        out += '=';
        out += v;
        out += ';';
      });
      return Response::Json(200, out);
    });
    router_.Add(Method::kGet, "/throw", [](Request&) -> Response {
      throw std::runtime_error("boom");
    });
    router_.Add(Method::kGet, "/whoami", [](Request& r) {
      const auto* who = std::any_cast<std::string>(&r.context());
      return Response::Json(200, who ? *who : "nobody");
    });
    RouteOptions upload;
    upload.max_body_bytes = 4096;
    router_.Add(Method::kPost, "/upload", [](Request& r) {
      return Response::Json(200, std::to_string(r.body().size()));
    }, upload);
    router_.Add(Method::kGet, "/split", [](Request&) {
      Response resp = Response::Json(200, "{}");
      resp.SetHeader("X-Bad", "a\r\nInjected: yes");
      resp.SetHeader("X-Lf", "a\nLfInjected: yes");
      resp.SetHeader("X-Cr", "a\rCrInjected: yes");
      resp.SetHeader("X-Nul", std::string("a\0NulInjected", 14));
      resp.SetHeader("X-Good", "fine");
      return resp;
    });
    options_.max_body_bytes = 64;
    options_.max_header_bytes = 1024;
    options_.access_log = false;
  }

  std::vector<Parsed> Serve(std::string_view input) {
    if (!dispatcher_) dispatcher_ = std::make_unique<Dispatcher>(router_, options_);
    return ParseResponses(ServeRaw(*dispatcher_, input));
  }

  Router router_;
  ServerOptions options_;
  std::unique_ptr<Dispatcher> dispatcher_;
};

TEST_F(DispatcherTest, PipelinedRequestsAreAnsweredInOrder) {
  auto rs = Serve(
      "GET /hello/a HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /hello/b HTTP/1.1\r\nHost: x\r\n\r\n"
      "POST /echo?q=1 HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
      "Content-Length: 7\r\n\r\na[]=1&b"
      "GET /hello/c HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
      "GET /hello/never HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_EQ(rs.size(), 4u);
  EXPECT_EQ(rs[0].body, R"({"hi":"a"})");
  EXPECT_EQ(rs[1].body, R"({"hi":"b"})");
  EXPECT_EQ(rs[2].body, "q=1;a=1;b=;");
  EXPECT_EQ(rs[3].body, R"({"hi":"c"})");
  EXPECT_NE(rs[3].head.find("Connection: close"), std::string::npos);
  EXPECT_NE(rs[0].head.find("Access-Control-Allow-Origin: *"), std::string::npos);
  EXPECT_NE(rs[0].head.find("Content-Type: application/json; charset=utf-8"), std::string::npos);
}

TEST_F(DispatcherTest, UnknownPathIsJson404AndWrongMethodIs405) {
  auto rs = Serve("GET /nope HTTP/1.1\r\n\r\nDELETE /echo HTTP/1.1\r\n\r\n");
  ASSERT_EQ(rs.size(), 2u);
  EXPECT_EQ(rs[0].status, 404);
  EXPECT_EQ(rs[0].body, R"({"error":"Not found"})");
  EXPECT_EQ(rs[1].status, 405);
  EXPECT_NE(rs[1].head.find("Allow: POST\r\n"), std::string::npos);
  EXPECT_EQ(rs[1].body, R"({"error":"Method not allowed"})");
}

TEST_F(DispatcherTest, ThrowingHandlerGives500AndServingContinues) {
  auto rs = Serve("GET /throw HTTP/1.1\r\n\r\nGET /hello/z HTTP/1.1\r\n\r\n");
  ASSERT_EQ(rs.size(), 2u);
  EXPECT_EQ(rs[0].status, 500);
  EXPECT_EQ(rs[0].body, R"({"error":"Internal server error"})");
  EXPECT_EQ(rs[1].status, 200);
}

TEST_F(DispatcherTest, OversizedBodyIs413AndCloses) {
  std::string body(65, 'a');
  auto rs = Serve("POST /echo HTTP/1.1\r\nContent-Length: 65\r\n\r\n" + body +
                  "GET /hello/a HTTP/1.1\r\n\r\n");
  ASSERT_EQ(rs.size(), 1u);
  EXPECT_EQ(rs[0].status, 413);
  EXPECT_NE(rs[0].head.find("Connection: close"), std::string::npos);
}

TEST_F(DispatcherTest, OversizedChunkedBodyIs413) {
  auto rs = Serve(
      "POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
      "40\r\n" + std::string(64, 'a') + "\r\n1\r\nb\r\n0\r\n\r\n");
  ASSERT_EQ(rs.size(), 1u);
  EXPECT_EQ(rs[0].status, 413);
}

TEST_F(DispatcherTest, ChunkedBodyWithinLimitIsDecoded) {
  auto rs = Serve(
      "POST /echo HTTP/1.1\r\nContent-Type: application/json\r\n"
      "Transfer-Encoding: chunked\r\n\r\n"
      "4\r\n{\"a\"\r\n5\r\n:\"b\"}\r\n0\r\n\r\n");
  ASSERT_EQ(rs.size(), 1u);
  EXPECT_EQ(rs[0].body, "a=b;");
}

TEST_F(DispatcherTest, RouteCanRaiseTheBodyLimit) {
  std::string body(1000, 'x');
  auto rs = Serve("POST /upload HTTP/1.1\r\nContent-Length: 1000\r\n\r\n" + body);
  ASSERT_EQ(rs.size(), 1u);
  EXPECT_EQ(rs[0].status, 200);
  EXPECT_EQ(rs[0].body, "1000");
}

TEST_F(DispatcherTest, HugeHeaderIs431) {
  auto rs = Serve("GET /hello/a HTTP/1.1\r\nX-Big: " + std::string(2000, 'a') + "\r\n\r\n");
  ASSERT_EQ(rs.size(), 1u);
  EXPECT_EQ(rs[0].status, 431);
}

TEST_F(DispatcherTest, MalformedRequestIs400) {
  auto rs = Serve("GARBAGE\r\n\r\n");
  ASSERT_EQ(rs.size(), 1u);
  EXPECT_EQ(rs[0].status, 400);
}

TEST_F(DispatcherTest, InvalidUtf8AndBadEscapesAre400BeforeTheHandler) {
  auto rs = Serve(
      "POST /echo HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 9\r\n\r\n"
      "{\"a\":\"\xff\"}"
      "POST /echo HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
      "Content-Length: 6\r\n\r\na=%C3("
      "GET /hello/%zz HTTP/1.1\r\n\r\n"
      "GET /hello/%ff HTTP/1.1\r\n\r\n"
      "POST /echo?x=%G1 HTTP/1.1\r\n\r\n"
      "POST /echo HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 5\r\n\r\n{bad}");
  ASSERT_EQ(rs.size(), 6u);
  for (const Parsed& p : rs) {
    EXPECT_EQ(p.status, 400) << p.head << p.body;
    EXPECT_EQ(p.body.rfind("{\"error\":", 0), 0u) << p.body;
  }
}

TEST_F(DispatcherTest, HeadGetsHeadersWithoutBody) {
  dispatcher_ = std::make_unique<Dispatcher>(router_, options_);
  // The HEAD response announces 10 bytes it does not send, so look at the raw bytes.
  std::string wire = ServeRaw(*dispatcher_, "HEAD /hello/a HTTP/1.1\r\n\r\n");
  EXPECT_NE(wire.find("Content-Length: 10\r\n"), std::string::npos);
  EXPECT_EQ(wire.substr(wire.size() - 4), "\r\n\r\n");
}

TEST_F(DispatcherTest, BeforeHooksCanAnswerOrPassContext) {
  dispatcher_ = std::make_unique<Dispatcher>(router_, options_);
  dispatcher_->AddBefore([](Request& r) -> std::optional<Response> {
    std::string_view auth = r.Header("Authorization");
    if (auth == "Bearer bad") return Response::Error(401, "The access token is invalid");
    if (auth == "Bearer good") r.context() = std::string("alice");
    return std::nullopt;
  });
  dispatcher_->AddAfter([](const Request&, Response& resp) { resp.SetHeader("X-After", "1"); });
  auto rs = Serve(
      "GET /whoami HTTP/1.1\r\nAuthorization: Bearer good\r\n\r\n"
      "GET /whoami HTTP/1.1\r\nAuthorization: Bearer bad\r\n\r\n"
      "GET /whoami HTTP/1.1\r\n\r\n");
  ASSERT_EQ(rs.size(), 3u);
  EXPECT_EQ(rs[0].body, "alice");
  EXPECT_EQ(rs[1].status, 401);
  EXPECT_EQ(rs[2].body, "nobody");
  for (const Parsed& p : rs) EXPECT_NE(p.head.find("X-After: 1"), std::string::npos);
}

TEST_F(DispatcherTest, CorsPreflightIsAnswered) {
  auto rs = Serve(
      "OPTIONS /hello/a HTTP/1.1\r\nOrigin: https://app.example\r\n"
      "Access-Control-Request-Method: GET\r\n"
      "Access-Control-Request-Headers: authorization, content-type\r\n\r\n"
      "OPTIONS /nope HTTP/1.1\r\nOrigin: https://app.example\r\n\r\n");
  ASSERT_EQ(rs.size(), 2u);
  EXPECT_EQ(rs[0].status, 204);
  EXPECT_NE(rs[0].head.find("Access-Control-Allow-Origin: *"), std::string::npos);
  EXPECT_NE(rs[0].head.find("Access-Control-Allow-Methods: GET, HEAD, OPTIONS"),
            std::string::npos);
  EXPECT_NE(rs[0].head.find("Access-Control-Allow-Headers: authorization, content-type"),
            std::string::npos);
  EXPECT_EQ(rs[1].status, 404);
}

TEST_F(DispatcherTest, PerIpRateLimitAnswers429WithHeaders) {
  options_.ip_rate_limit = {.rate_per_second = 0.001, .burst = 2};
  auto rs = Serve(
      "GET /hello/a HTTP/1.1\r\n\r\nGET /hello/a HTTP/1.1\r\n\r\nGET /hello/a HTTP/1.1\r\n\r\n");
  ASSERT_EQ(rs.size(), 3u);
  EXPECT_EQ(rs[1].status, 200);
  EXPECT_EQ(rs[2].status, 429);
  EXPECT_NE(rs[2].head.find("X-RateLimit-Limit: 2\r\n"), std::string::npos);
  EXPECT_NE(rs[2].head.find("X-RateLimit-Remaining: 0\r\n"), std::string::npos);
  EXPECT_NE(rs[2].head.find("X-RateLimit-Reset: "), std::string::npos);
  // Another address has its own bucket.
  std::string other = ServeRaw(*dispatcher_, "GET /hello/a HTTP/1.1\r\n\r\n", "10.0.0.2");
  EXPECT_EQ(other.substr(0, 12), "HTTP/1.1 200");
}

TEST_F(DispatcherTest, TrustedProxyAddressIsTheRateLimitKey) {
  options_.ip_rate_limit = {.rate_per_second = 0.001, .burst = 1};
  options_.trust_proxy = true;
  auto rs = Serve(
      "GET /hello/a HTTP/1.1\r\nX-Forwarded-For: 1.1.1.1, 10.0.0.1\r\n\r\n"
      "GET /hello/a HTTP/1.1\r\nX-Forwarded-For: 1.1.1.1, 10.0.0.2\r\n\r\n"
      "GET /hello/a HTTP/1.1\r\nX-Forwarded-For: 10.0.0.2\r\n\r\n"
      "GET /hello/a HTTP/1.1\r\nX-Forwarded-For: <script>\r\n\r\n"
      "GET /hello/a HTTP/1.1\r\n\r\n");
  ASSERT_EQ(rs.size(), 5u);
  EXPECT_EQ(rs[0].status, 200);
  EXPECT_EQ(rs[1].status, 200);
  EXPECT_EQ(rs[2].status, 429);  // same right-most address as the previous request
  EXPECT_EQ(rs[3].status, 200);  // junk is ignored: the socket address is used
  EXPECT_EQ(rs[4].status, 429);
}

TEST_F(DispatcherTest, RateLimitCanBeDisabled) {
  options_.ip_rate_limit = {.rate_per_second = 0.001, .burst = 1};
  options_.ip_rate_limit_enabled = false;
  auto rs = Serve("GET /hello/a HTTP/1.1\r\n\r\nGET /hello/a HTTP/1.1\r\n\r\n");
  ASSERT_EQ(rs.size(), 2u);
  EXPECT_EQ(rs[1].status, 200);
}

TEST_F(DispatcherTest, ResponseSplittingHeadersAreDropped) {
  auto rs = Serve("GET /split HTTP/1.1\r\n\r\n");
  ASSERT_EQ(rs.size(), 1u);
  EXPECT_EQ(rs[0].head.find("Injected"), std::string::npos);  // CR, LF or NUL: dropped
  EXPECT_NE(rs[0].head.find("X-Good: fine"), std::string::npos);
}

TEST_F(DispatcherTest, Http10ClosesUnlessKeepAlive) {
  auto rs = Serve("GET /hello/a HTTP/1.0\r\n\r\nGET /hello/b HTTP/1.0\r\n\r\n");
  ASSERT_EQ(rs.size(), 1u);
  auto ka = Serve(
      "GET /hello/a HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /hello/b HTTP/1.0\r\n\r\n");
  ASSERT_EQ(ka.size(), 2u);
  EXPECT_NE(ka[0].head.find("Connection: keep-alive"), std::string::npos);
}

}  // namespace
}  // namespace plaza::http
