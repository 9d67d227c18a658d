// Plaza's HTTP API: the Mastodon client API (v1/v2, OAuth 2) and Plaza extensions under
// /api/plaza/v1, registered on a generic http::Router. Handlers are thin: they parse and validate
// parameters, call the domain, and write entities with JsonWriter. Every failure is a
// plaza::Status answered through http::Response::FromStatus.
//
// Authentication: each route's tag says who may call it ("public", "user <scope>",
// "app <scope>"); a before-hook resolves the bearer token, enforces the scope, applies the
// per-token rate limit and leaves the Caller in the request context.
#pragma once

#include <memory>
#include <string>

#include "domain/commerce/commerce.h"
#include "domain/domain.h"
#include "http/rate_limiter.h"
#include "http/router.h"
#include "http/server.h"

namespace plaza::api {

struct ApiOptions {
  std::string base_url = "http://127.0.0.1:8080";
  std::string domain = "127.0.0.1:8080";
  std::string title = "Plaza";
  std::string contact_email = "admin@localhost";
  bool token_rate_limit_enabled = true;
  http::RateLimitConfig token_rate_limit{.rate_per_second = 300.0 / 300.0 * 10, .burst = 3000};
  // Rendered JSON kept in memory (render_cache.h): at most this many accounts and statuses
  // (about 1 KB each); 0 renders every time.
  size_t render_cache_accounts = 50'000;
  size_t render_cache_statuses = 200'000;
};

// Who is calling: set by the auth hook.
struct Caller {
  Id account_id = 0;  // 0 = anonymous or app-only token
  Id app_id = 0;
};

class Api {
 public:
  // `commerce` may be null (no commerce routes, statuses render without products).
  Api(domain::Domain& domain, ApiOptions options, domain::commerce::Commerce* commerce = nullptr);
  ~Api();

  // Adds every route to `router`.
  void Register(http::Router& router);
  // Installs the authentication / rate-limit hook on `server`.
  void Install(http::Server& server);

  class Handlers;

 private:
  std::unique_ptr<Handlers> handlers_;
};

}  // namespace plaza::api
