// The API's handlers, grouped by resource. Internal to src/api; see api.h.
#pragma once

#include <memory>

#include "api/api.h"
#include "api/entities.h"
#include "api/support.h"
#include "http/rate_limiter.h"

namespace plaza::api {

class Api::Handlers {
 public:
  Handlers(domain::Domain& domain, ApiOptions options, domain::commerce::Commerce* commerce);

  void RegisterOAuth(http::Router& r);
  void RegisterAccounts(http::Router& r);
  void RegisterStatuses(http::Router& r);
  void RegisterTimelines(http::Router& r);
  void RegisterNotifications(http::Router& r);
  void RegisterInstance(http::Router& r);
  void RegisterModeration(http::Router& r);
  void RegisterCommerce(http::Router& r);

  // The before-hook: authentication, scopes, per-token rate limit.
  std::optional<http::Response> Authenticate(http::Request& req);

  // Renders a list of statuses for the caller.
  http::Response StatusList(const http::Request& req, const std::vector<Id>& ids);
  // The same for statuses the domain has already made into views (newest first).
  http::Response StatusViewList(const http::Request& req,
                                const std::vector<domain::StatusView>& views);
  // A JSON array of `views`, no Link header.
  http::Response StatusViews(const std::vector<domain::StatusView>& views);
  // Renders accounts for paged items (cursor = edge id), with a Link header.
  http::Response AccountPage(const http::Request& req, const std::vector<domain::PageItem>& items);
  // Renders statuses with a Link header whose cursors are the given ones.
  http::Response RenderStatuses(const http::Request& req, const std::vector<Id>& ids,
                                Id newest_cursor, Id oldest_cursor);
  http::Response StatusPage(const http::Request& req, const std::vector<domain::PageItem>& items);
  http::Response OneStatus(const Result<domain::StatusView>& s);
  http::Response OneAccount(const domain::AccountView& a);

  domain::Domain& d_;
  domain::commerce::Commerce* const commerce_;  // may be null
  const ApiOptions options_;
  RenderContext ctx_;
  http::RateLimiter token_limiter_;
};

}  // namespace plaza::api
