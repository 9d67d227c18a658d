// Accounts, relationships and the follow graph (Mastodon-compatible).
#include "api/handlers.h"
#include "common/ascii.h"
#include "domain/content.h"
#include "domain/timelines.h"

namespace plaza::api {
namespace {

using http::Method;
using http::Request;
using http::Response;

constexpr size_t kAccountsDefault = 40;
constexpr size_t kAccountsMax = 80;
constexpr size_t kStatusesDefault = 20;
constexpr size_t kStatusesMax = 40;

}  // namespace

void Api::Handlers::RegisterAccounts(http::Router& r) {
  r.Add(Method::kPost, "/api/v1/accounts", [this](Request& req) {
    domain::SignUp in;
    in.username = ParamString(req, "username");
    in.email = ParamString(req, "email");
    in.password = ParamString(req, "password");
    in.agreement = req.params().GetBool("agreement", false);
    auto account = d_.accounts().Register(in);
    if (!account.ok()) return Fail(account.status());
    auto caller = CallerOf(req);
    auto app = d_.auth().FindAppById(caller.app_id);
    auto token = d_.auth().IssueToken(caller.app_id, account->rec->id,
                                      app ? app->scopes : std::string("read write follow"));
    if (!token.ok()) return Fail(token.status());
    return JsonResponse(200, [&](JsonWriter& w) {
      w.BeginObject()
          .Field("access_token", token->access_token)
          .Field("token_type", "Bearer")
          .Field("scope", token->scopes)
          .Field("created_at", token->created_at_ms / 1000)
          .EndObject();
    });
  }, {.blocking = true, .tag = "app write:accounts"});

  r.Add(Method::kGet, "/api/v1/accounts/verify_credentials", [this](Request& req) {
    auto a = d_.accounts().Get(CallerOf(req).account_id);
    if (!a) return Response::Error(401, "The access token is invalid");
    return JsonResponse(200, [&](JsonWriter& w) { WriteCredentialAccount(w, *a, ctx_); });
  }, {.tag = "user read:accounts"});

  r.Add(Method::kPatch, "/api/v1/accounts/update_credentials", [this](Request& req) {
    domain::ProfileUpdate u;
    if (auto v = req.params().Get("display_name")) u.display_name = std::string(*v);
    if (auto v = req.params().Get("note")) u.note = std::string(*v);
    if (req.params().Has("locked")) u.locked = req.params().GetBool("locked", false);
    if (req.params().Has("bot")) u.bot = req.params().GetBool("bot", false);
    auto a = d_.accounts().UpdateProfile(CallerOf(req).account_id, u);
    if (!a.ok()) return Fail(a.status());
    return JsonResponse(200, [&](JsonWriter& w) { WriteCredentialAccount(w, *a, ctx_); });
  }, {.blocking = true, .tag = "user write:accounts"});

  r.Add(Method::kGet, "/api/v1/accounts/lookup", [this](Request& req) {
    std::string acct = ParamString(req, "acct");
    if (!acct.empty() && acct.front() == '@') acct.erase(0, 1);
    auto at = acct.find('@');
    if (at != std::string::npos) {
      if (AsciiToLower(acct.substr(at + 1)) != AsciiToLower(options_.domain)) {
        return Response::Error(404, "Record not found");
      }
      acct.resize(at);
    }
    auto a = d_.accounts().FindByUsername(acct);
    if (!a) return Response::Error(404, "Record not found");
    return OneAccount(*a);
  }, {.tag = "public read:accounts"});

  r.Add(Method::kGet, "/api/v1/accounts/search", [this](Request& req) {
    std::string q = ParamString(req, "q");
    if (!q.empty() && q.front() == '@') q.erase(0, 1);
    auto limit = ParsePage(req, kAccountsDefault, kAccountsMax);
    if (!limit.ok()) return Fail(limit.status());
    auto found = d_.accounts().SearchByPrefix(q.substr(0, q.find('@')), limit->limit);
    return JsonResponse(200, [&](JsonWriter& w) {
      w.BeginArray();
      for (const auto& a : found) WriteAccount(w, a, ctx_);
      w.EndArray();
    });
  }, {.tag = "user read:accounts"});

  r.Add(Method::kGet, "/api/v1/accounts/relationships", [this](Request& req) {
    Id me = CallerOf(req).account_id;
    auto ids = req.params().GetAll("id");
    if (ids.size() > 100) return Response::Error(422, "too many ids");
    return JsonResponse(200, [&](JsonWriter& w) {
      w.BeginArray();
      for (auto s : ids) {
        auto id = ParseId(s);
        if (!id || !d_.accounts().Get(*id)) continue;
        WriteRelationship(w, d_.graph().Get(me, *id));
      }
      w.EndArray();
    });
  }, {.tag = "user read:follows"});

  r.Add(Method::kGet, "/api/v1/accounts/:id", [this](Request& req) {
    auto id = PathId(req);
    if (!id.ok()) return Fail(id.status());
    auto a = d_.accounts().Get(*id);
    if (!a) return Response::Error(404, "Record not found");
    return OneAccount(*a);
  }, {.tag = "public read:accounts"});

  r.Add(Method::kGet, "/api/v1/accounts/:id/statuses", [this](Request& req) {
    auto id = PathId(req);
    if (!id.ok()) return Fail(id.status());
    auto page = ParsePage(req, kStatusesDefault, kStatusesMax);
    if (!page.ok()) return Fail(page.status());
    domain::AccountTimelineOptions opts;
    opts.exclude_replies = req.params().GetBool("exclude_replies", false);
    opts.exclude_reblogs = req.params().GetBool("exclude_reblogs", false);
    if (req.params().GetBool("pinned", false) || req.params().GetBool("only_media", false)) {
      return JsonResponse(200, [](JsonWriter& w) { w.BeginArray().EndArray(); });
    }
    std::string tagged = ParamString(req, "tagged");
    if (!tagged.empty()) opts.tagged = domain::NormalizeTopic(tagged);
    auto views = d_.timelines().AccountViews(CallerOf(req).account_id, *id, *page, opts);
    if (!views.ok()) return Fail(views.status());
    return StatusViewList(req, *views);
  }, {.tag = "public read:statuses"});

  auto list_route = [this, &r](std::string_view path, std::string_view tag, bool followers) {
    r.Add(Method::kGet, path, [this, followers](Request& req) {
      auto id = PathId(req);
      if (!id.ok()) return Fail(id.status());
      if (!d_.accounts().Get(*id)) return Response::Error(404, "Record not found");
      auto page = ParsePage(req, kAccountsDefault, kAccountsMax);
      if (!page.ok()) return Fail(page.status());
      Id me = CallerOf(req).account_id;
      if (me != 0 && me != *id && d_.graph().Get(*id, me).blocking) {
        return JsonResponse(200, [](JsonWriter& w) { w.BeginArray().EndArray(); });
      }
      auto items = followers ? d_.graph().Followers(*id, *page) : d_.graph().Following(*id, *page);
      return AccountPage(req, items);
    }, {.tag = std::string(tag)});
  };
  list_route("/api/v1/accounts/:id/followers", "public read:accounts", true);
  list_route("/api/v1/accounts/:id/following", "public read:accounts", false);

  using Action = std::function<Result<domain::Relationship>(Id me, Id target, const Request&)>;
  auto relation_route = [this, &r](std::string_view path, std::string_view tag, Action action) {
    r.Add(Method::kPost, path, [this, action](Request& req) {
      auto id = PathId(req);
      if (!id.ok()) return Fail(id.status());
      auto rel = action(CallerOf(req).account_id, *id, req);
      if (!rel.ok()) return Fail(rel.status());
      return JsonResponse(200, [&](JsonWriter& w) { WriteRelationship(w, *rel); });
    }, {.blocking = true, .tag = std::string(tag)});
  };
  relation_route("/api/v1/accounts/:id/follow", "user write:follows",
                 [this](Id me, Id target, const Request& req) {
                   return d_.graph().Follow(me, target, req.params().GetBool("reblogs"),
                                            req.params().GetBool("notify"));
                 });
  relation_route("/api/v1/accounts/:id/unfollow", "user write:follows",
                 [this](Id me, Id target, const Request&) { return d_.graph().Unfollow(me, target); });
  relation_route("/api/v1/accounts/:id/remove_from_followers", "user write:follows",
                 [this](Id me, Id target, const Request&) {
                   return d_.graph().RemoveFollower(me, target);
                 });
  relation_route("/api/v1/accounts/:id/block", "user write:blocks",
                 [this](Id me, Id target, const Request&) { return d_.graph().Block(me, target); });
  relation_route("/api/v1/accounts/:id/unblock", "user write:blocks",
                 [this](Id me, Id target, const Request&) { return d_.graph().Unblock(me, target); });
  relation_route("/api/v1/accounts/:id/mute", "user write:mutes",
                 [this](Id me, Id target, const Request& req) {
                   return d_.graph().Mute(me, target,
                                          req.params().GetBool("notifications", true));
                 });
  relation_route("/api/v1/accounts/:id/unmute", "user write:mutes",
                 [this](Id me, Id target, const Request&) { return d_.graph().Unmute(me, target); });

  r.Add(Method::kGet, "/api/v1/blocks", [this](Request& req) {
    auto page = ParsePage(req, kAccountsDefault, kAccountsMax);
    if (!page.ok()) return Fail(page.status());
    return AccountPage(req, d_.graph().Blocked(CallerOf(req).account_id, *page));
  }, {.tag = "user read:blocks"});
  r.Add(Method::kGet, "/api/v1/mutes", [this](Request& req) {
    auto page = ParsePage(req, kAccountsDefault, kAccountsMax);
    if (!page.ok()) return Fail(page.status());
    return AccountPage(req, d_.graph().Muted(CallerOf(req).account_id, *page));
  }, {.tag = "user read:mutes"});
}

}  // namespace plaza::api
