// Settings of the moderation workflow and the anti-spam limits (TOML section [moderation]).
#pragma once

#include <cstdint>
#include <string>

namespace plaza::domain {

struct ModerationConfig {
  // Optional rule file (Plaza or plain format) loaded at start-up beside the rules stored through
  // the admin API. Its rules are read-only at run time; empty = none.
  std::string rules_file;
  // Off: no rule checks and no anti-spam limits (the rule engine is still built).
  bool enabled = true;
  // Off: no velocity or duplicate limits (`plaza serve --no-rate-limit` turns them off too).
  bool spam_limits = true;
  // Posting velocity: at most `max_posts` new statuses per `window_ms` per account; accounts
  // younger than `new_account_age_ms` get `new_account_max_posts` instead.
  int max_posts = 30;
  int64_t window_ms = 60 * 1000;
  int new_account_max_posts = 10;
  int64_t new_account_age_ms = 24 * 3600 * 1000;
  // The same text (after moderation normalization: case, width, spacing, look-alikes) may be
  // posted at most this many times per `duplicate_window_ms`; 0 disables the check.
  int max_duplicates = 3;
  int new_account_max_duplicates = 2;
  int64_t duplicate_window_ms = 3600 * 1000;
};

}  // namespace plaza::domain
