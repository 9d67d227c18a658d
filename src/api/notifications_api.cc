// Notifications (Mastodon-compatible): list with pagination and type filters, one, dismiss,
// clear, unread count, and the notifications read marker.
#include "api/handlers.h"
#include "common/clock.h"
#include "domain/notifications.h"

namespace plaza::api {
namespace {
using http::Method;
using http::Request;
using http::Response;

std::vector<domain::NotificationType> ParseTypes(const Request& req, std::string_view key) {
  std::vector<domain::NotificationType> out;
  for (auto t : req.params().GetAll(key)) {
    auto parsed = domain::Notifications::ParseType(t);
    if (parsed) out.push_back(*parsed);  // unknown types are ignored, as Mastodon does
  }
  return out;
}
}  // namespace

void Api::Handlers::RegisterNotifications(http::Router& r) {
  auto hydrate = [this](Id me, const storage::NotificationRecord& n)
      -> std::optional<domain::NotificationView> {
    domain::NotificationView v;
    v.rec = n;
    auto from = d_.accounts().Get(n.from_account_id);
    if (!from) return std::nullopt;
    v.from = *from;
    if (n.status_id != 0) {
      auto s = d_.statuses().Get(me, n.status_id);
      if (!s.ok()) return std::nullopt;
      v.status = std::move(*s);
    }
    return v;
  };

  r.Add(Method::kGet, "/api/v1/notifications", [this, hydrate](Request& req) {
    Id me = CallerOf(req).account_id;
    auto page = ParsePage(req, 40, 80);
    if (!page.ok()) return Fail(page.status());
    domain::NotificationFilter filter;
    filter.types = ParseTypes(req, "types");
    filter.exclude_types = ParseTypes(req, "exclude_types");
    if (auto a = req.params().Get("account_id"); a && !a->empty()) {
      auto id = ParseId(*a);
      if (!id) return Response::Error(400, "account_id is not an id");
      filter.account_id = *id;
    }
    auto list = d_.notifications().List(me, *page, filter);
    if (!list.ok()) return Fail(list.status());
    auto resp = JsonResponse(200, [&](JsonWriter& w) {
      w.BeginArray();
      for (const auto& n : *list) {
        if (auto v = hydrate(me, n)) WriteNotification(w, *v, ctx_);
      }
      w.EndArray();
    });
    if (!list->empty()) AddLinkHeader(resp, req, ctx_, list->front().id, list->back().id);
    return resp;
  }, {.tag = "user read:notifications"});

  r.Add(Method::kGet, "/api/v1/notifications/unread_count", [this](Request& req) {
    int64_t limit = 100;
    if (req.params().Has("limit")) {
      auto l = req.params().GetInt("limit");
      if (!l.ok()) return Fail(l.status());
      limit = std::clamp<int64_t>(*l, 1, 1000);
    }
    auto count = d_.notifications().UnreadCount(CallerOf(req).account_id, limit);
    if (!count.ok()) return Fail(count.status());
    return JsonResponse(200, [&](JsonWriter& w) { w.BeginObject().Field("count", *count).EndObject(); });
  }, {.tag = "user read:notifications"});

  r.Add(Method::kPost, "/api/v1/notifications/clear", [this](Request& req) {
    auto st = d_.notifications().Clear(CallerOf(req).account_id);
    if (!st.ok()) return Fail(st);
    return JsonResponse(200, [](JsonWriter& w) { w.BeginObject().EndObject(); });
  }, {.blocking = true, .tag = "user write:notifications"});

  r.Add(Method::kGet, "/api/v1/notifications/:id", [this, hydrate](Request& req) {
    auto id = PathId(req);
    if (!id.ok()) return Fail(id.status());
    Id me = CallerOf(req).account_id;
    auto n = d_.notifications().Get(me, *id);
    if (!n.ok()) return Fail(n.status());
    auto v = hydrate(me, *n);
    if (!v) return Response::Error(404, "Record not found");
    return JsonResponse(200, [&](JsonWriter& w) { WriteNotification(w, *v, ctx_); });
  }, {.tag = "user read:notifications"});

  r.Add(Method::kPost, "/api/v1/notifications/:id/dismiss", [this](Request& req) {
    auto id = PathId(req);
    if (!id.ok()) return Fail(id.status());
    auto st = d_.notifications().Dismiss(CallerOf(req).account_id, *id);
    if (!st.ok()) return Fail(st);
    return JsonResponse(200, [](JsonWriter& w) { w.BeginObject().EndObject(); });
  }, {.blocking = true, .tag = "user write:notifications"});

  r.Add(Method::kGet, "/api/v1/markers", [this](Request& req) {
    Id me = CallerOf(req).account_id;
    bool want = false;
    for (auto t : req.params().GetAll("timeline")) want |= t == "notifications";
    auto marker = d_.notifications().ReadMarker(me);
    if (!marker.ok()) return Fail(marker.status());
    return JsonResponse(200, [&](JsonWriter& w) {
      w.BeginObject();
      if (want && *marker != 0) {
        w.Key("notifications")
            .BeginObject()
            .Field("last_read_id", IdToString(*marker))
            .Field("version", 1)
            .Field("updated_at", FormatIso8601(NowUnixMs()))
            .EndObject();
      }
      w.EndObject();
    });
  }, {.tag = "user read:statuses"});

  r.Add(Method::kPost, "/api/v1/markers", [this](Request& req) {
    Id me = CallerOf(req).account_id;
    auto v = req.params().Get("notifications[last_read_id]");
    if (!v) {
      return JsonResponse(200, [](JsonWriter& w) { w.BeginObject().EndObject(); });
    }
    auto id = ParseId(*v);
    if (!id) return Response::Error(422, "last_read_id is not an id");
    auto st = d_.notifications().SetReadMarker(me, *id);
    if (!st.ok()) return Fail(st);
    return JsonResponse(200, [&](JsonWriter& w) {
      w.BeginObject()
          .Key("notifications")
          .BeginObject()
          .Field("last_read_id", IdToString(*id))
          .Field("version", 1)
          .Field("updated_at", FormatIso8601(NowUnixMs()))
          .EndObject()
          .EndObject();
    });
  }, {.blocking = true, .tag = "user write:statuses"});
}

}  // namespace plaza::api
