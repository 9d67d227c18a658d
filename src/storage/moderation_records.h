// The records of Plaza's trust-and-safety workflow: moderation rules managed at run time, holds
// (statuses and profile changes waiting for a moderator), user reports, appeals, and the
// append-only audit log. Plain values like records.h; the domain owns their meaning
// (domain/moderation.h), record_codec/moderation_codec own their encoding.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/id.h"

namespace plaza::storage {

// One moderation rule or allow-list term, as an admin wrote it. Kind, action and boundary are
// kept as the words of the rule format (safety/rules.h) so the record never needs re-encoding
// when the engine learns a new value.
struct ModerationRuleRecord {
  Id id = 0;
  std::string kind;      // "literal", "regex" or "allow"
  std::string pattern;
  std::string category;  // empty for "allow"
  std::string action;    // reject | review | label | mask; empty for "allow"
  std::string boundary;  // auto | always | never
  std::string comment;
  Id created_by = 0;
  int64_t created_at_ms = 0;
  int64_t updated_at_ms = 0;
};

enum class HoldKind : uint8_t { kStatus = 0, kProfile = 1 };
enum class HoldState : uint8_t { kPending = 0, kRejected = 1 };

// Content held for review. For a status, `target_id` is the status id and the status record is
// stored as written but shown only to its author and moderators. For a profile change,
// `target_id` is the account id and the proposed fields wait here, unapplied.
struct HoldRecord {
  Id target_id = 0;  // primary key
  HoldKind kind = HoldKind::kStatus;
  Id account_id = 0;  // the author
  HoldState state = HoldState::kPending;
  std::string reason;  // what the engine matched ("spam: rule 123")
  bool has_display_name = false;
  std::string display_name;
  bool has_note = false;
  std::string note;
  int64_t created_at_ms = 0;
  Id decided_by = 0;
  int64_t decided_at_ms = 0;
};

// A report of an account (and some of its statuses) by another account.
struct ReportRecord {
  Id id = 0;
  Id account_id = 0;         // reporter
  Id target_account_id = 0;
  std::vector<Id> status_ids;
  std::string category;  // spam | legal | violation | other
  std::string comment;
  Id assigned_account_id = 0;
  bool action_taken = false;
  Id action_taken_by = 0;
  int64_t action_taken_at_ms = 0;
  int64_t created_at_ms = 0;
  int64_t updated_at_ms = 0;
};

enum class AppealState : uint8_t { kPending = 0, kApproved = 1, kRejected = 2 };

// An author's appeal against a moderation decision: a held or rejected status (target = status
// id), a held profile change (target = account id) or a warning (target = audit entry id).
struct AppealRecord {
  Id id = 0;
  Id account_id = 0;
  std::string target_type;  // "status", "profile" or "warning"
  Id target_id = 0;
  std::string text;
  AppealState state = AppealState::kPending;
  Id decided_by = 0;
  std::string decision_text;
  int64_t created_at_ms = 0;
  int64_t decided_at_ms = 0;
};

// One moderation decision. Written once, never changed or deleted.
struct AuditRecord {
  Id id = 0;  // time-ordered
  Id actor_id = 0;  // the moderator; 0 = the rule engine acting on its own
  std::string action;       // "status.reject", "status.hold", "report.resolve", "account.suspend", ...
  std::string target_type;  // "status", "account", "report", "rule", "appeal"
  Id target_id = 0;
  Id target_account_id = 0;
  std::string reason;
  int64_t created_at_ms = 0;
};

struct DeleteModerationRule { Id id = 0; };
struct DeleteHold { Id target_id = 0; };

}  // namespace plaza::storage
