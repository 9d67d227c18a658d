#include "api/api.h"

#include <any>

#include "api/handlers.h"
#include "domain/auth.h"

namespace plaza::api {
namespace {

// "Bearer abc" -> "abc"; also accepts the access_token parameter as Mastodon does.
std::string_view BearerToken(const http::Request& req) {
  std::string_view h = req.Header("Authorization");
  if (h.size() > 7 && (h.substr(0, 7) == "Bearer " || h.substr(0, 7) == "bearer ")) {
    h.remove_prefix(7);
    while (!h.empty() && h.front() == ' ') h.remove_prefix(1);
    return h;
  }
  return {};
}

}  // namespace

Api::Handlers::Handlers(domain::Domain& domain, ApiOptions options,
                        domain::commerce::Commerce* commerce)
    : d_(domain),
      commerce_(commerce),
      options_(std::move(options)),
      ctx_{options_.base_url,
           options_.domain,
           &domain.auth(),
           commerce,
           &domain.statuses(),
           std::make_shared<RenderCaches>(options_.render_cache_accounts,
                                          options_.render_cache_statuses)},
      token_limiter_(options_.token_rate_limit) {}

std::optional<http::Response> Api::Handlers::Authenticate(http::Request& req) {
  std::string_view tag = req.route_tag();
  std::string_view mode = tag.substr(0, tag.find(' '));
  std::string_view scope = tag.find(' ') == std::string_view::npos ? std::string_view()
                                                                    : tag.substr(tag.find(' ') + 1);
  std::string_view token = BearerToken(req);
  if (token.empty() && mode == "public") return std::nullopt;
  if (token.empty() && (mode == "user" || mode == "app")) {
    return http::Response::Error(401, "The access token is invalid");
  }
  if (token.empty()) return std::nullopt;  // untagged routes (oauth endpoints)
  auto info = d_.auth().Authenticate(token);
  if (!info) {
    if (mode == "none" || mode.empty()) return std::nullopt;
    return http::Response::Error(401, "The access token is invalid");
  }
  if (mode == "user" && info->account_id == 0) {
    return http::Response::Error(422, "This method requires an authenticated user");
  }
  if (!scope.empty() && (mode == "user" || mode == "app" || mode == "public") &&
      !domain::Auth::ScopeAllows(info->scopes, scope)) {
    return http::Response::Error(403, "This action is outside the authorized scopes");
  }
  if (options_.token_rate_limit_enabled) {
    auto decision = token_limiter_.Acquire(std::string_view(
        reinterpret_cast<const char*>(info->token_digest.data()), info->token_digest.size()));
    if (!decision.allowed) return http::TooManyRequests(decision);
  }
  req.context() = Caller{info->account_id, info->app_id};
  return std::nullopt;
}

namespace {
// Room for a status with its author's account, in bytes of JSON: above most (1.9-2.3 KB with the
// bench's Weibo-shaped text), so that a page is written into one allocation and never grown, which
// would copy everything written so far.
constexpr size_t kStatusJsonBytes = 2560;

// An account alone (its note is most of it).
constexpr size_t kAccountJsonBytes = 2048;

size_t JsonBytesOf(const domain::StatusView& v) {
  return kStatusJsonBytes * (1 + (v.reblog != nullptr) + (v.quote != nullptr));
}

size_t JsonBytesOf(const std::vector<domain::StatusView>& views) {
  size_t n = 1024;
  for (const auto& v : views) n += JsonBytesOf(v);
  return n;
}
}  // namespace

http::Response Api::Handlers::OneStatus(const Result<domain::StatusView>& s) {
  if (!s.ok()) return Fail(s.status());
  return JsonResponse(
      200, [&](JsonWriter& w) { WriteStatus(w, *s, ctx_); }, JsonBytesOf(*s));
}

http::Response Api::Handlers::OneAccount(const domain::AccountView& a) {
  return JsonResponse(
      200, [&](JsonWriter& w) { WriteAccount(w, a, ctx_); }, kAccountJsonBytes);
}

http::Response Api::Handlers::StatusList(const http::Request& req, const std::vector<Id>& ids) {
  if (ids.empty()) return RenderStatuses(req, ids, 0, 0);
  return RenderStatuses(req, ids, ids.front(), ids.back());
}

http::Response Api::Handlers::RenderStatuses(const http::Request& req, const std::vector<Id>& ids,
                                             Id newest_cursor, Id oldest_cursor) {
  auto resp = StatusViews(d_.statuses().GetMany(CallerOf(req).account_id, ids));
  if (!ids.empty()) AddLinkHeader(resp, req, ctx_, newest_cursor, oldest_cursor);
  return resp;
}

http::Response Api::Handlers::StatusViews(const std::vector<domain::StatusView>& views) {
  return JsonResponse(
      200,
      [&](JsonWriter& w) {
        w.BeginArray();
        WriteStatuses(w, views, ctx_);
        w.EndArray();
      },
      JsonBytesOf(views));
}

http::Response Api::Handlers::StatusViewList(const http::Request& req,
                                             const std::vector<domain::StatusView>& views) {
  auto resp = StatusViews(views);
  if (!views.empty()) AddLinkHeader(resp, req, ctx_, views.front().rec->id, views.back().rec->id);
  return resp;
}

http::Response Api::Handlers::AccountPage(const http::Request& req,
                                          const std::vector<domain::PageItem>& items) {
  auto resp = JsonResponse(200, [&](JsonWriter& w) {
    w.BeginArray();
    for (const auto& item : items) {
      if (auto a = d_.accounts().Get(item.id)) WriteAccount(w, *a, ctx_);
    }
    w.EndArray();
  });
  if (!items.empty()) AddLinkHeader(resp, req, ctx_, items.front().cursor, items.back().cursor);
  return resp;
}

http::Response Api::Handlers::StatusPage(const http::Request& req,
                                         const std::vector<domain::PageItem>& items) {
  std::vector<Id> ids;
  ids.reserve(items.size());
  for (const auto& i : items) ids.push_back(i.id);
  if (items.empty()) return RenderStatuses(req, ids, 0, 0);
  return RenderStatuses(req, ids, items.front().cursor, items.back().cursor);
}

Api::Api(domain::Domain& domain, ApiOptions options, domain::commerce::Commerce* commerce)
    : handlers_(std::make_unique<Handlers>(domain, std::move(options), commerce)) {}

Api::~Api() = default;

void Api::Register(http::Router& router) {
  handlers_->RegisterOAuth(router);
  handlers_->RegisterAccounts(router);
  handlers_->RegisterStatuses(router);
  handlers_->RegisterTimelines(router);
  handlers_->RegisterNotifications(router);
  handlers_->RegisterInstance(router);
  handlers_->RegisterModeration(router);
  handlers_->RegisterCommerce(router);
}

void Api::Install(http::Server& server) {
  server.AddBefore([h = handlers_.get()](http::Request& req) { return h->Authenticate(req); });
}

}  // namespace plaza::api
