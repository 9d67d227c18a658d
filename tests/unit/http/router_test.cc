#include "http/router.h"

#include <gtest/gtest.h>

namespace plaza::http {
namespace {

Handler Named(std::string name) {
  return [name](Request&) { return Response::Json(200, name); };
}

class RouterTest : public ::testing::Test {
 protected:
  RouterTest() {
    router_.Add(Method::kGet, "/api/v1/statuses/:id", Named("show"));
    router_.Add(Method::kDelete, "/api/v1/statuses/:id", Named("delete"));
    router_.Add(Method::kGet, "/api/v1/statuses/:id/context", Named("context"));
    router_.Add(Method::kGet, "/api/v1/statuses/lookup", Named("lookup"));
    RouteOptions blocking;
    blocking.blocking = true;
    router_.Add(Method::kPost, "/api/v1/statuses", Named("create"), blocking);
    router_.Add(Method::kGet, "/api/v1/accounts/:account_id/statuses", Named("account"));
    router_.Add(Method::kGet, "/api/v1/accounts/relationships", Named("relationships"));
    router_.Add(Method::kGet, "/", Named("root"));
    router_.Add(Method::kGet, "/a/fixed/x", Named("fixed"));
    router_.Add(Method::kGet, "/a/:p/y", Named("param-y"));
  }

  // Returns the handler's name, or "404"/"405:<Allow>".
  std::string Resolve(Method m, std::string_view path, Request* req = nullptr) {
    Request local;
    Request& r = req ? *req : local;
    Result<Router::Match> match = router_.Find(m, path, &r);
    if (!match.ok()) return "invalid";
    switch (match->outcome) {
      case Router::Outcome::kNotFound: return "404";
      case Router::Outcome::kMethodNotAllowed:
        return "405:" + Router::AllowHeader(match->allowed_methods);
      case Router::Outcome::kFound: return match->route->handler(r).body;
    }
    return "?";
  }

  Router router_;
};

TEST_F(RouterTest, ParamsAreCapturedAndDecoded) {
  Request r;
  EXPECT_EQ(Resolve(Method::kGet, "/api/v1/statuses/123/context", &r), "context");
  EXPECT_EQ(r.PathParam("id"), "123");
  EXPECT_EQ(r.route_pattern(), "/api/v1/statuses/:id/context");
  Request r2;
  EXPECT_EQ(Resolve(Method::kGet, "/api/v1/accounts/%E5%8C%97%2F1/statuses", &r2), "account");
  EXPECT_EQ(r2.PathParam("account_id"), "北/1");
  EXPECT_EQ(r2.PathParam("id"), "");
}

TEST_F(RouterTest, LiteralsWinOverParams) {
  EXPECT_EQ(Resolve(Method::kGet, "/api/v1/statuses/lookup"), "lookup");
  EXPECT_EQ(Resolve(Method::kGet, "/api/v1/statuses/look"), "show");
  EXPECT_EQ(Resolve(Method::kGet, "/api/v1/accounts/relationships"), "relationships");
}

TEST_F(RouterTest, BacktracksFromALiteralDeadEnd) {
  EXPECT_EQ(Resolve(Method::kGet, "/a/fixed/x"), "fixed");
  Request r;
  EXPECT_EQ(Resolve(Method::kGet, "/a/fixed/y", &r), "param-y");
  EXPECT_EQ(r.PathParam("p"), "fixed");
  // A literal path lacking the method falls back to the parameter route that has it.
  EXPECT_EQ(Resolve(Method::kDelete, "/api/v1/statuses/lookup"), "delete");
}

TEST_F(RouterTest, NotFoundAndMethodNotAllowed) {
  EXPECT_EQ(Resolve(Method::kGet, "/api/v1/nothing"), "404");
  EXPECT_EQ(Resolve(Method::kGet, "/api/v1/statuses/1/context/extra"), "404");
  EXPECT_EQ(Resolve(Method::kGet, "/api/v1/statuses//context"), "404");
  EXPECT_EQ(Resolve(Method::kPut, "/api/v1/statuses/1"), "405:GET, HEAD, DELETE");
  EXPECT_EQ(Resolve(Method::kGet, "/api/v1/statuses"), "405:POST");
  EXPECT_EQ(Resolve(Method::kOther, "/api/v1/statuses"), "405:POST");
}

TEST_F(RouterTest, HeadIsServedByGetAndTrailingSlashIgnored) {
  EXPECT_EQ(Resolve(Method::kHead, "/api/v1/statuses/9"), "show");
  EXPECT_EQ(Resolve(Method::kGet, "/api/v1/statuses/9/"), "show");
  EXPECT_EQ(Resolve(Method::kGet, "/"), "root");
}

TEST_F(RouterTest, MalformedEscapesAreInvalid) {
  EXPECT_EQ(Resolve(Method::kGet, "/api/v1/statuses/%zz"), "invalid");
  EXPECT_EQ(Resolve(Method::kGet, "/api/v1/statuses/%ff"), "invalid");
}

TEST_F(RouterTest, RouteOptionsAreKept) {
  Result<Router::Match> m = router_.Find(Method::kPost, "/api/v1/statuses", nullptr);
  ASSERT_TRUE(m.ok());
  ASSERT_EQ(m->outcome, Router::Outcome::kFound);
  EXPECT_TRUE(m->route->options.blocking);
}

TEST(RouterDeathTest, DuplicateRouteAborts) {
  Router router;
  router.Add(Method::kGet, "/x/:id", Named("a"));
  EXPECT_DEATH(router.Add(Method::kGet, "/x/:id", Named("b")), "registered twice");
  EXPECT_DEATH(router.Add(Method::kGet, "no-slash", Named("b")), "must start");
}

}  // namespace
}  // namespace plaza::http
