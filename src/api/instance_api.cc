// Instance metadata (v1 and v2) and the health check.
#include "api/handlers.h"

namespace plaza::api {
namespace {
using http::Method;
using http::Request;
using http::Response;

constexpr std::string_view kVersion = "4.3.0 (compatible; Plaza 0.1.0)";
}  // namespace

void Api::Handlers::RegisterInstance(http::Router& r) {
  r.Add(Method::kGet, "/health", [](Request&) {
    return JsonResponse(200, [](JsonWriter& w) { w.BeginObject().Field("status", "ok").EndObject(); });
  }, {.tag = "none"});

  auto limits = [this](JsonWriter& w) {
    const auto& c = d_.config();
    w.Key("statuses")
        .BeginObject()
        .Field("max_characters", c.max_status_chars)
        .Field("max_media_attachments", 0)
        .Field("characters_reserved_per_url", 23)
        .EndObject();
    w.Key("media_attachments")
        .BeginObject()
        .Key("supported_mime_types").BeginArray().EndArray()
        .Field("image_size_limit", 0)
        .Field("image_matrix_limit", 0)
        .Field("video_size_limit", 0)
        .Field("video_frame_rate_limit", 0)
        .Field("video_matrix_limit", 0)
        .EndObject();
    w.Key("polls")
        .BeginObject()
        .Field("max_options", 0)
        .Field("max_characters_per_option", 0)
        .Field("min_expiration", 0)
        .Field("max_expiration", 0)
        .EndObject();
  };
  auto length_rule = [this](JsonWriter& w) {
    w.Key("plaza")
        .BeginObject()
        .Key("length_rule")
        .BeginObject()
        .Field("max_weighted_length", d_.config().max_status_chars)
        .Field("cjk_weight", "1")
        .Field("latin_weight", "0.5")
        .Field("url_weight", "11.5")
        .Field("reference", "twitter-text v3 weighted length / 2")
        .EndObject()
        .EndObject();
  };

  r.Add(Method::kGet, "/api/v2/instance", [this, limits, length_rule](Request&) {
    return JsonResponse(200, [&](JsonWriter& w) {
      w.BeginObject()
          .Field("domain", options_.domain)
          .Field("title", options_.title)
          .Field("version", kVersion)
          .Field("source_url", "https://example.invalid/plaza")
          .Field("description", "A microblogging square with social commerce built in.");
      w.Key("usage").BeginObject().Key("users").BeginObject().Field("active_month", 0).EndObject().EndObject();
      w.Key("thumbnail").BeginObject().Field("url", options_.base_url + "/thumbnail.png").EndObject();
      w.Key("languages").BeginArray().String("zh").String("en").EndArray();
      w.Key("configuration").BeginObject();
      w.Key("urls").BeginObject().Field("streaming", "").EndObject();
      w.Key("accounts").BeginObject().Field("max_featured_tags", 0).Field("max_pinned_statuses", 0).EndObject();
      limits(w);
      w.Key("translation").BeginObject().Field("enabled", false).EndObject();
      w.EndObject();
      w.Key("registrations")
          .BeginObject()
          .Field("enabled", true)
          .Field("approval_required", false)
          .Key("message").Null()
          .EndObject();
      w.Key("contact").BeginObject().Field("email", options_.contact_email).Key("account").Null().EndObject();
      w.Key("rules").BeginArray().EndArray();
      length_rule(w);
      w.EndObject();
    });
  }, {.tag = "none"});

  r.Add(Method::kGet, "/api/v1/instance", [this, limits](Request&) {
    return JsonResponse(200, [&](JsonWriter& w) {
      w.BeginObject()
          .Field("uri", options_.domain)
          .Field("title", options_.title)
          .Field("short_description", "A microblogging square with social commerce built in.")
          .Field("description", "")
          .Field("email", options_.contact_email)
          .Field("version", kVersion)
          .Key("urls").BeginObject().Field("streaming_api", "").EndObject()
          .Key("stats").BeginObject().Field("user_count", 0).Field("status_count", 0).Field("domain_count", 0).EndObject()
          .Key("thumbnail").Null()
          .Key("languages").BeginArray().String("zh").String("en").EndArray()
          .Field("registrations", true)
          .Field("approval_required", false)
          .Field("invites_enabled", false);
      w.Key("configuration").BeginObject();
      limits(w);
      w.EndObject();
      w.Key("contact_account").Null();
      w.Key("rules").BeginArray().EndArray();
      w.EndObject();
    });
  }, {.tag = "none"});
}

}  // namespace plaza::api
