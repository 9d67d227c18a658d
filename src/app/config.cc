#include "app/config.h"

#include <toml++/toml.h>

#include <fmt/format.h>

namespace plaza::app {
namespace {

template <typename T>
Status Read(const toml::table& t, std::string_view section, std::string_view key, T& out) {
  auto node = t[section][key];
  if (!node) return Status::Ok();
  if constexpr (std::is_same_v<T, bool>) {
    auto v = node.template value<bool>();
    if (!v) return Status::Invalid(fmt::format("{}.{} must be a boolean", section, key));
    out = *v;
  } else if constexpr (std::is_integral_v<T>) {
    auto v = node.template value<int64_t>();
    if (!v || *v < 0) return Status::Invalid(fmt::format("{}.{} must be a non-negative integer", section, key));
    out = static_cast<T>(*v);
  } else if constexpr (std::is_floating_point_v<T>) {
    auto v = node.template value<double>();
    if (!v || *v <= 0) return Status::Invalid(fmt::format("{}.{} must be a positive number", section, key));
    out = *v;
  } else {
    auto v = node.template value<std::string>();
    if (!v) return Status::Invalid(fmt::format("{}.{} must be a string", section, key));
    out = *v;
  }
  return Status::Ok();
}

}  // namespace

Status LoadConfigFile(const std::string& path, Config& c) {
  toml::table t;
  try {
    t = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    return Status::Invalid(fmt::format("{}:{}: {}", path, e.source().begin.line, e.description()));
  }
  static const std::vector<std::string_view> kSections = {
      "server",        "storage",  "limits", "statuses", "timelines",
      "notifications", "instance", "log",    "commerce", "moderation"};
  for (const auto& [k, v] : t) {
    if (std::find(kSections.begin(), kSections.end(), k.str()) == kSections.end()) {
      return Status::Invalid(fmt::format("{}: unknown section [{}]", path, k.str()));
    }
  }
  int64_t ms = 0;
  PLAZA_RETURN_IF_ERROR(Read(t, "server", "listen", c.server.listen));
  PLAZA_RETURN_IF_ERROR(Read(t, "server", "threads", c.server.threads));
  PLAZA_RETURN_IF_ERROR(Read(t, "server", "blocking_threads", c.server.blocking_threads));
  PLAZA_RETURN_IF_ERROR(Read(t, "server", "max_body_bytes", c.server.max_body_bytes));
  PLAZA_RETURN_IF_ERROR(Read(t, "server", "max_header_bytes", c.server.max_header_bytes));
  PLAZA_RETURN_IF_ERROR(Read(t, "server", "access_log", c.server.access_log));
  PLAZA_RETURN_IF_ERROR(Read(t, "server", "trust_proxy", c.server.trust_proxy));
  if (t["server"]["request_timeout_ms"]) {
    PLAZA_RETURN_IF_ERROR(Read(t, "server", "request_timeout_ms", ms));
    c.server.request_timeout = std::chrono::milliseconds(ms);
  }
  PLAZA_RETURN_IF_ERROR(Read(t, "storage", "data_dir", c.data_dir));
  PLAZA_RETURN_IF_ERROR(Read(t, "storage", "sync", c.sync));
  PLAZA_RETURN_IF_ERROR(Read(t, "storage", "block_cache_mb", c.block_cache_mb));
  PLAZA_RETURN_IF_ERROR(Read(t, "storage", "prepared_wal_mb", c.prepared_wal_mb));
  PLAZA_RETURN_IF_ERROR(Read(t, "limits", "ip_enabled", c.server.ip_rate_limit_enabled));
  PLAZA_RETURN_IF_ERROR(Read(t, "limits", "ip_per_second", c.server.ip_rate_limit.rate_per_second));
  PLAZA_RETURN_IF_ERROR(Read(t, "limits", "ip_burst", c.server.ip_rate_limit.burst));
  PLAZA_RETURN_IF_ERROR(Read(t, "limits", "token_enabled", c.api.token_rate_limit_enabled));
  PLAZA_RETURN_IF_ERROR(Read(t, "limits", "token_per_second", c.api.token_rate_limit.rate_per_second));
  PLAZA_RETURN_IF_ERROR(Read(t, "limits", "token_burst", c.api.token_rate_limit.burst));
  PLAZA_RETURN_IF_ERROR(Read(t, "limits", "failed_logins_per_hour", c.domain.max_failed_logins_per_hour));
  PLAZA_RETURN_IF_ERROR(Read(t, "statuses", "max_chars", c.domain.max_status_chars));
  PLAZA_RETURN_IF_ERROR(Read(t, "timelines", "celebrity_threshold", c.domain.celebrity_threshold));
  PLAZA_RETURN_IF_ERROR(Read(t, "timelines", "home_cap", c.domain.home_timeline_cap));
  PLAZA_RETURN_IF_ERROR(Read(t, "timelines", "home_timelines_max", c.domain.home_timelines_max));
  PLAZA_RETURN_IF_ERROR(Read(t, "timelines", "fanout_queue", c.domain.fanout_queue_capacity));
  PLAZA_RETURN_IF_ERROR(Read(t, "notifications", "status_inline", c.domain.status_notify_inline));
  PLAZA_RETURN_IF_ERROR(Read(t, "notifications", "status_batch", c.domain.status_notify_batch));
  PLAZA_RETURN_IF_ERROR(Read(t, "instance", "base_url", c.api.base_url));
  PLAZA_RETURN_IF_ERROR(Read(t, "instance", "domain", c.api.domain));
  PLAZA_RETURN_IF_ERROR(Read(t, "instance", "title", c.api.title));
  PLAZA_RETURN_IF_ERROR(Read(t, "instance", "contact_email", c.api.contact_email));
  PLAZA_RETURN_IF_ERROR(Read(t, "log", "level", c.log_level));
  domain::ModerationConfig& m = c.domain.moderation;
  PLAZA_RETURN_IF_ERROR(Read(t, "moderation", "enabled", m.enabled));
  PLAZA_RETURN_IF_ERROR(Read(t, "moderation", "rules_file", m.rules_file));
  PLAZA_RETURN_IF_ERROR(Read(t, "moderation", "spam_limits", m.spam_limits));
  PLAZA_RETURN_IF_ERROR(Read(t, "moderation", "max_posts", m.max_posts));
  PLAZA_RETURN_IF_ERROR(Read(t, "moderation", "window_ms", m.window_ms));
  PLAZA_RETURN_IF_ERROR(Read(t, "moderation", "new_account_max_posts", m.new_account_max_posts));
  PLAZA_RETURN_IF_ERROR(Read(t, "moderation", "new_account_age_ms", m.new_account_age_ms));
  PLAZA_RETURN_IF_ERROR(Read(t, "moderation", "max_duplicates", m.max_duplicates));
  PLAZA_RETURN_IF_ERROR(
      Read(t, "moderation", "new_account_max_duplicates", m.new_account_max_duplicates));
  PLAZA_RETURN_IF_ERROR(Read(t, "moderation", "duplicate_window_ms", m.duplicate_window_ms));
  PLAZA_RETURN_IF_ERROR(Read(t, "commerce", "default_currency", c.commerce.default_currency));
  PLAZA_RETURN_IF_ERROR(Read(t, "commerce", "order_ttl_ms", c.commerce.order_ttl_ms));
  PLAZA_RETURN_IF_ERROR(Read(t, "commerce", "platform_fee_bp", c.commerce.platform_fee_bp));
  PLAZA_RETURN_IF_ERROR(Read(t, "commerce", "webhook_secret", c.commerce.webhook_secret));
  return Status::Ok();
}

void FinishConfig(Config& c) {
  if (c.api.domain.empty()) c.api.domain = c.server.listen;
  if (c.api.base_url.empty()) c.api.base_url = "http://" + c.api.domain;
  c.domain.base_url = c.api.base_url;
  c.domain.domain = c.api.domain;
  if (c.domain.max_status_chars < 1) c.domain.max_status_chars = 1;
  if (c.domain.home_timeline_cap < 20) c.domain.home_timeline_cap = 20;
}

}  // namespace plaza::app
