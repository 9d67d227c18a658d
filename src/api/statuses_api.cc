// Statuses: create (with Idempotency-Key), read, edit, delete, reply, repost, quote, like,
// bookmark, thread context and history (Mastodon-compatible).
#include "api/handlers.h"
#include "domain/statuses.h"

namespace plaza::api {
namespace {

using http::Method;
using http::Request;
using http::Response;

constexpr size_t kDefault = 20;
constexpr size_t kMax = 40;

Result<Id> OptionalId(const Request& req, std::string_view key) {
  auto v = req.params().Get(key);
  if (!v || v->empty()) return Id{0};
  auto id = ParseId(*v);
  if (!id) return Status::NotFound(std::string(key) + " does not name a status");
  return *id;
}

}  // namespace

void Api::Handlers::RegisterStatuses(http::Router& r) {
  const http::RouteOptions write_statuses{.blocking = true, .tag = "user write:statuses"};

  // Asynchronous: the post is checked, rendered and queued for the group commit on the io thread,
  // and answered from the storage's committer once durable, so no thread waits for the fsync.
  r.AddAsync(Method::kPost, "/api/v1/statuses", [this](Request& req, http::Responder respond) {
    const Caller& caller = CallerOf(req);
    if (!req.params().GetAll("media_ids").empty()) {
      return respond(Response::Error(422, "media attachments are not supported yet"));
    }
    if (req.params().Has("poll[options]")) {
      return respond(Response::Error(422, "polls are not supported yet"));
    }
    domain::NewStatus in;
    in.text = ParamString(req, "status");
    in.spoiler_text = ParamString(req, "spoiler_text");
    in.sensitive = req.params().GetBool("sensitive", false);
    in.language = ParamString(req, "language");
    in.app_id = caller.app_id;
    in.idempotency_key = std::string(req.Header("Idempotency-Key"));
    if (auto v = req.params().Get("visibility"); v && !v->empty()) {
      auto vis = domain::ParseVisibility(*v);
      if (!vis.ok()) return respond(Fail(vis.status()));
      in.visibility = *vis;
    }
    auto reply = OptionalId(req, "in_reply_to_id");
    if (!reply.ok()) return respond(Fail(reply.status()));
    in.in_reply_to_id = *reply;
    auto quote = OptionalId(req, req.params().Has("quoted_status_id") ? "quoted_status_id" : "quote_id");
    if (!quote.ok()) return respond(Fail(quote.status()));
    in.quote_of_id = *quote;
    // Plaza extension: a merchant's post may carry up to 9 of its products (product_ids[]).
    std::vector<Id> products;
    for (auto s : req.params().GetAll("product_ids")) {
      auto pid = ParseId(s);
      if (!pid || commerce_ == nullptr) {
        return respond(Response::Error(422, "product_ids must be product ids"));
      }
      products.push_back(*pid);
    }
    // The products are committed in the post's own batch: both are durable or neither is.
    if (!products.empty()) commerce_->CarryProducts(caller.account_id, std::move(products), in);
    d_.statuses().CreateAsync(
        caller.account_id, in,
        [this, respond = std::move(respond)](Result<domain::StatusView> created) {
          respond(OneStatus(created));
        });
  }, {.tag = "user write:statuses"});

  // Plaza extension, for operators and the benchmark suite: the home fan-out queue, and the posts
  // whose `status` notifications are still being made after them.
  r.Add(Method::kGet, "/api/plaza/v1/fanout", [this](Request&) {
    domain::FanoutStats st = d_.home().Stats();
    return JsonResponse(200, [&](JsonWriter& w) {
      w.BeginObject()
          .Field("enqueued", static_cast<int64_t>(st.enqueued))
          .Field("delivered", static_cast<int64_t>(st.delivered))
          .Field("queue_depth", static_cast<int64_t>(st.queue_depth))
          .Field("lag_ms", st.lag_ms)
          .Field("max_lag_ms", st.max_lag_ms)
          .Field("status_notify_pending",
                 static_cast<int64_t>(d_.notifications().PendingDeliveries()))
          .Field("home_timelines", static_cast<int64_t>(st.home_timelines))
          .Field("home_timelines_dropped", static_cast<int64_t>(st.home_timelines_dropped))
          .EndObject();
    });
  }, {.tag = "public"});

  r.Add(Method::kGet, "/api/v1/statuses", [this](Request& req) {
    std::vector<Id> ids;
    for (auto s : req.params().GetAll("id")) {
      if (auto id = ParseId(s)) ids.push_back(*id);
      if (ids.size() > 100) return Response::Error(422, "too many ids");
    }
    return StatusViews(d_.statuses().GetMany(CallerOf(req).account_id, ids));
  }, {.tag = "public read:statuses"});

  r.Add(Method::kGet, "/api/v1/statuses/:id", [this](Request& req) {
    auto id = PathId(req);
    if (!id.ok()) return Fail(id.status());
    return OneStatus(d_.statuses().Get(CallerOf(req).account_id, *id));
  }, {.tag = "public read:statuses"});

  r.Add(Method::kDelete, "/api/v1/statuses/:id", [this](Request& req) {
    auto id = PathId(req);
    if (!id.ok()) return Fail(id.status());
    auto deleted = d_.statuses().Delete(CallerOf(req).account_id, *id);
    if (!deleted.ok()) return Fail(deleted.status());
    // Mastodon returns the source text so clients can "delete and redraft".
    return JsonResponse(200, [&](JsonWriter& w) { WriteStatus(w, *deleted, ctx_, true); });
  }, write_statuses);

  r.Add(Method::kPut, "/api/v1/statuses/:id", [this](Request& req) {
    auto id = PathId(req);
    if (!id.ok()) return Fail(id.status());
    if (!req.params().GetAll("media_ids").empty()) {
      return Response::Error(422, "media attachments are not supported yet");
    }
    domain::StatusEdit e;
    e.text = ParamString(req, "status");
    e.spoiler_text = ParamString(req, "spoiler_text");
    e.sensitive = req.params().GetBool("sensitive", false);
    if (auto v = req.params().Get("language")) e.language = std::string(*v);
    return OneStatus(d_.statuses().Edit(CallerOf(req).account_id, *id, e));
  }, write_statuses);

  r.Add(Method::kGet, "/api/v1/statuses/:id/history", [this](Request& req) {
    auto id = PathId(req);
    if (!id.ok()) return Fail(id.status());
    Id viewer = CallerOf(req).account_id;
    auto view = d_.statuses().Get(viewer, *id);
    if (!view.ok()) return Fail(view.status());
    auto edits = d_.statuses().History(viewer, *id);
    if (!edits.ok()) return Fail(edits.status());
    return JsonResponse(200, [&](JsonWriter& w) {
      w.BeginArray();
      for (const auto& e : *edits) WriteStatusEdit(w, e, *view, ctx_);
      w.EndArray();
    });
  }, {.tag = "public read:statuses"});

  r.Add(Method::kGet, "/api/v1/statuses/:id/source", [this](Request& req) {
    auto id = PathId(req);
    if (!id.ok()) return Fail(id.status());
    auto view = d_.statuses().GetWithBody(CallerOf(req).account_id, *id);
    if (!view.ok()) return Fail(view.status());
    if (view->rec->account_id != CallerOf(req).account_id) {
      return Response::Error(403, "only the author can read the source");
    }
    return JsonResponse(200, [&](JsonWriter& w) {
      w.BeginObject()
          .Field("id", IdToString(view->rec->id))
          .Field("text", view->body->text)
          .Field("spoiler_text", view->body->spoiler_text)
          .EndObject();
    });
  }, {.tag = "user read:statuses"});

  r.Add(Method::kGet, "/api/v1/statuses/:id/context", [this](Request& req) {
    auto id = PathId(req);
    if (!id.ok()) return Fail(id.status());
    auto ctx = d_.statuses().GetContext(CallerOf(req).account_id, *id);
    if (!ctx.ok()) return Fail(ctx.status());
    return JsonResponse(200, [&](JsonWriter& w) {
      w.BeginObject().Key("ancestors").BeginArray();
      for (const auto& s : ctx->ancestors) WriteStatus(w, s, ctx_);
      w.EndArray().Key("descendants").BeginArray();
      for (const auto& s : ctx->descendants) WriteStatus(w, s, ctx_);
      w.EndArray().EndObject();
    });
  }, {.tag = "public read:statuses"});

  using Action = std::function<Result<domain::StatusView>(Id me, Id id, const Request&)>;
  auto action_route = [this, &r](std::string_view path, std::string_view tag, Action action) {
    r.Add(Method::kPost, path, [this, action](Request& req) {
      auto id = PathId(req);
      if (!id.ok()) return Fail(id.status());
      return OneStatus(action(CallerOf(req).account_id, *id, req));
    }, {.blocking = true, .tag = std::string(tag)});
  };
  action_route("/api/v1/statuses/:id/reblog", "user write:statuses",
               [this](Id me, Id id, const Request& req) -> Result<domain::StatusView> {
                 std::optional<domain::Visibility> vis;
                 if (auto v = req.params().Get("visibility"); v && !v->empty()) {
                   auto parsed = domain::ParseVisibility(*v);
                   if (!parsed.ok()) return parsed.status();
                   vis = *parsed;
                 }
                 return d_.statuses().Reblog(me, id, vis);
               });
  action_route("/api/v1/statuses/:id/unreblog", "user write:statuses",
               [this](Id me, Id id, const Request&) { return d_.statuses().Unreblog(me, id); });
  action_route("/api/v1/statuses/:id/favourite", "user write:favourites",
               [this](Id me, Id id, const Request&) { return d_.statuses().Favourite(me, id); });
  action_route("/api/v1/statuses/:id/unfavourite", "user write:favourites",
               [this](Id me, Id id, const Request&) { return d_.statuses().Unfavourite(me, id); });
  action_route("/api/v1/statuses/:id/bookmark", "user write:bookmarks",
               [this](Id me, Id id, const Request&) { return d_.statuses().Bookmark(me, id); });
  action_route("/api/v1/statuses/:id/unbookmark", "user write:bookmarks",
               [this](Id me, Id id, const Request&) { return d_.statuses().Unbookmark(me, id); });

  auto by_route = [this, &r](std::string_view path, bool favourites) {
    r.Add(Method::kGet, path, [this, favourites](Request& req) {
      auto id = PathId(req);
      if (!id.ok()) return Fail(id.status());
      Id viewer = CallerOf(req).account_id;
      if (!d_.statuses().Get(viewer, *id).ok()) return Response::Error(404, "Record not found");
      auto page = ParsePage(req, 40, 80);
      if (!page.ok()) return Fail(page.status());
      auto items = favourites ? d_.statuses().FavouritedBy(viewer, *id, *page)
                              : d_.statuses().RebloggedBy(viewer, *id, *page);
      return AccountPage(req, items);
    }, {.tag = "public read:accounts"});
  };
  by_route("/api/v1/statuses/:id/favourited_by", true);
  by_route("/api/v1/statuses/:id/reblogged_by", false);

  r.Add(Method::kGet, "/api/v1/favourites", [this](Request& req) {
    auto page = ParsePage(req, kDefault, kMax);
    if (!page.ok()) return Fail(page.status());
    return StatusPage(req, d_.statuses().FavouritesOf(CallerOf(req).account_id, *page));
  }, {.tag = "user read:favourites"});
  r.Add(Method::kGet, "/api/v1/bookmarks", [this](Request& req) {
    auto page = ParsePage(req, kDefault, kMax);
    if (!page.ok()) return Fail(page.status());
    return StatusPage(req, d_.statuses().BookmarksOf(CallerOf(req).account_id, *page));
  }, {.tag = "user read:bookmarks"});
}

}  // namespace plaza::api
