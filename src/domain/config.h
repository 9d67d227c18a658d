// Settings of the domain services, with the defaults Plaza ships.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "domain/moderation_config.h"

namespace plaza::domain {

struct DomainConfig {
  // Weibo length rule: CJK counts 1, Latin 1/2, a URL a fixed amount.
  int max_status_chars = 140;
  int max_display_name_chars = 30;
  int max_note_chars = 500;
  // Home timelines keep this many entries in memory.
  size_t home_timeline_cap = 800;
  // At most this many home timelines are kept in memory (0: no limit), ~7 KB each at the default
  // cap; past it, those read longest ago are dropped and built again on their next read.
  size_t home_timelines_max = 200'000;
  // Authors with more followers than this are merged in at read time instead of pushed.
  int64_t celebrity_threshold = 10000;
  size_t fanout_queue_capacity = 100000;
  // `status` notifications (a follow with notify) made in a post's own write; past this many
  // followers to notify, all of them are made after the post, this many to a write (at least 1).
  size_t status_notify_inline = 256;
  size_t status_notify_batch = 1024;
  // Failed sign-ins allowed per account per hour.
  int max_failed_logins_per_hour = 100;
  // Base URL used in links and entity `url` fields.
  std::string base_url = "http://127.0.0.1:8080";
  std::string domain = "127.0.0.1:8080";
  // argon2id cost; tests may lower it, production never should.
  unsigned long long password_ops = 2;
  size_t password_mem_bytes = 19u << 20;
  int64_t idempotency_ttl_ms = 3600 * 1000;
  ModerationConfig moderation;
};

}  // namespace plaza::domain
