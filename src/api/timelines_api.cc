// Timelines: home (hybrid fan-out), public, tag (#topic#) — Mastodon-compatible.
#include "api/handlers.h"
#include "domain/content.h"

namespace plaza::api {
namespace {
using http::Method;
using http::Request;
using http::Response;
}  // namespace

void Api::Handlers::RegisterTimelines(http::Router& r) {
  r.Add(Method::kGet, "/api/v1/timelines/home", [this](Request& req) {
    auto page = ParsePage(req, 20, 40);
    if (!page.ok()) return Fail(page.status());
    return StatusViewList(req, d_.timelines().HomeViews(CallerOf(req).account_id, *page));
  }, {.tag = "user read:statuses"});

  r.Add(Method::kGet, "/api/v1/timelines/public", [this](Request& req) {
    auto page = ParsePage(req, 20, 40);
    if (!page.ok()) return Fail(page.status());
    if (req.params().GetBool("remote", false) || req.params().GetBool("only_media", false)) {
      // Plaza has no federated peers and no media yet.
      return JsonResponse(200, [](JsonWriter& w) { w.BeginArray().EndArray(); });
    }
    return StatusList(req, d_.timelines().Public(CallerOf(req).account_id, *page));
  }, {.tag = "public read:statuses"});

  r.Add(Method::kGet, "/api/v1/timelines/tag/:hashtag", [this](Request& req) {
    auto page = ParsePage(req, 20, 40);
    if (!page.ok()) return Fail(page.status());
    std::string tag = domain::NormalizeTopic(req.PathParam("hashtag"));
    if (tag.empty()) return Response::Error(404, "Record not found");
    return StatusList(req, d_.timelines().Tag(CallerOf(req).account_id, tag, *page));
  }, {.tag = "public read:statuses"});
}

}  // namespace plaza::api
