// Moderation: the trust-and-safety workflow around the rule engine (safety/moderation_engine.h).
//
// - Content checks. Everything people write (status text and content warning, edits, replies,
//   quotes, display names, bios, usernames) goes through Check*() before it is stored. The
//   strongest matched action decides: `reject` fails the write with 422 naming the category and
//   rule; `review` stores a status but holds it (visible only to its author and to staff, not
//   fanned out, no notifications, not in public or tag timelines) until a moderator approves,
//   which publishes it as if it were posted then; a held profile change
//   waits unapplied in the hold; `mask` stores the text with every match replaced by `***`;
//   `label` publishes a status behind a content warning (spoiler_text, sensitive) — profiles have
//   no content warning, so a label there is only recorded in the audit log.
// - Anti-spam: per-account posting velocity, the same normalized text posted too often, and
//   stricter limits for new accounts (ModerationConfig).
// - Rules live in storage (ModerationRuleRecord) plus an optional read-only rule file; every
//   change compiles a new engine database and swaps it in; a change that does not compile is
//   refused (kUnprocessable naming the rule) and the running set stays.
// - Reports, the review queue, account actions (warn, silence, suspend), appeals, and an
//   append-only audit log of every decision (who, what, when, why), all stored durably.
//
// Roles: every staff method takes the acting account and checks its role itself (kForbidden
// otherwise). Moderators and admins handle reports, the review queue, appeals and account
// actions; only admins create, change or delete rules and read the audit log; staff cannot act
// on an account whose role is at least their own.
//
// Thread-safety: all methods are thread-safe. Lock order: State::mu before Moderation::mu_.
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "domain/home_feed.h"
#include "domain/model.h"
#include "domain/notifications.h"
#include "domain/state.h"
#include "safety/moderation_engine.h"
#include "storage/moderation_records.h"

namespace plaza::domain {

class Accounts;

// What a content check decided for a text about to be stored.
struct ContentDecision {
  safety::Action action = safety::Action::kAllow;
  std::string text;          // the text to store (masked when the action masks)
  std::string spoiler_text;  // the content warning to store (set by `label`)
  bool sensitive = false;
  std::string reason;        // "spam (rule 123)" when a rule matched
  // Filled by AddStatusDecision: what was added to the status's batch.
  std::optional<storage::HoldRecord> hold;
  std::optional<storage::AuditRecord> audit;
  // Set by CheckStatus for a new status while the anti-spam limits are on: the hash of the
  // status text's canonical form, for the duplicate limit (normalized once, used by the check
  // and by NotePosted).
  std::optional<size_t> canonical_hash;
  bool held() const { return action == safety::Action::kReview; }
};

struct RuleInput {
  std::optional<std::string> kind;  // literal | regex | allow (default literal)
  std::optional<std::string> pattern;
  std::optional<std::string> category;  // default custom
  std::optional<std::string> action;    // default reject
  std::optional<std::string> boundary;  // default auto
  std::optional<std::string> comment;
};

// A rule as listed: stored ones carry their record, file rules only the engine rule.
struct RuleView {
  std::string id;
  std::string kind;
  std::string pattern;
  std::string category;
  std::string action;
  std::string boundary;
  std::string comment;
  std::string source;  // "api" or "file"
  int64_t created_at_ms = 0;
  int64_t updated_at_ms = 0;
};

struct ReportInput {
  Id target_account_id = 0;
  std::vector<Id> status_ids;
  std::string category = "other";  // spam | legal | violation | other
  std::string comment;
};

struct ReportFilter {
  std::optional<bool> resolved;
  Id account_id = 0;         // reporter, 0 = any
  Id target_account_id = 0;  // 0 = any
};

enum class AccountActionType { kNone, kWarn, kSilence, kSuspend, kUnsilence, kUnsuspend };
Result<AccountActionType> ParseAccountAction(std::string_view name);

class Moderation {
 public:
  Moderation(State& state, Notifications& notifications, HomeFeed& home, Accounts& accounts);
  ~Moderation();

  // Builds the engine, loads rules, holds, reports and appeals from storage (and the rule file of
  // the config), and compiles the rules. Called once by Domain::Start.
  Status Load();

  // ---- content checks (called by Statuses and Accounts) ----
  // Checks a new status (`is_new`: velocity and duplicate limits apply) or an edit.
  // kUnprocessable when a rule rejects it or it repeats a text too often, kRateLimited when the
  // author posts too fast; an automatic rejection is written to the audit log.
  Result<ContentDecision> CheckStatus(Id author, std::string_view text,
                                      std::string_view spoiler_text, bool is_new);
  // Checks one profile field ("display_name", "note", "username") of `account` (0 at sign-up).
  Result<ContentDecision> CheckProfile(Id account, std::string_view field, std::string_view text);
  // Adds the hold and audit records of `decision` about status `status_id` to `batch` (and
  // keeps them in `decision`).
  void AddStatusDecision(ContentDecision& decision, Id status_id, Id author,
                         storage::WriteBatch& batch);
  // Applies a committed decision to memory. REQUIRES: State::mu held exclusively.
  void ApplyStatusDecisionLocked(const ContentDecision& decision);
  // A deleted status takes its hold with it: adds the delete to the status's `batch`, then
  // (after the commit) forgets the hold. REQUIRES (Locked): State::mu held exclusively.
  void AddDeleteHold(Id status_id, storage::WriteBatch& batch);
  void ApplyDeleteHoldLocked(Id status_id);
  // Remembers a committed new status, checked by CheckStatus as `decision`, for the velocity and
  // duplicate limits.
  void NotePosted(Id author, const ContentDecision& decision);
  // Stores a held profile change; the account stays as it was.
  Status HoldProfile(Id account, const std::optional<std::string>& display_name,
                     const std::optional<std::string>& note, const std::string& reason);
  // The proposed change waiting in a pending profile hold, if any.
  std::optional<storage::HoldRecord> PendingProfile(Id account) const;
  // Writes an audit entry by the engine (actor 0), e.g. a label on a profile.
  Status AuditSystem(std::string action, std::string target_type, Id target_id, Id target_account,
                     std::string reason);

  // ---- rules (list: staff; changes: admins) ----
  Result<std::vector<RuleView>> ListRules(Id actor) const;
  Result<RuleView> GetRule(Id actor, std::string_view id) const;
  Result<RuleView> CreateRule(Id actor, const RuleInput& input);
  Result<RuleView> UpdateRule(Id actor, Id id, const RuleInput& input);
  Status DeleteRule(Id actor, Id id);

  // ---- review queue (staff) ----
  // Pending holds (or rejected ones), newest first.
  Result<std::vector<storage::HoldRecord>> ListHolds(Id actor, bool rejected) const;
  Result<storage::HoldRecord> ApproveHold(Id actor, Id target, const std::string& reason);
  Result<storage::HoldRecord> RejectHold(Id actor, Id target, const std::string& reason);

  // ---- reports ----
  Result<storage::ReportRecord> CreateReport(Id reporter, const ReportInput& input);
  Result<std::vector<storage::ReportRecord>> ListReports(Id actor, const ReportFilter& filter,
                                                         const Page& page) const;
  Result<storage::ReportRecord> GetReport(Id actor, Id id) const;
  Result<storage::ReportRecord> AssignReport(Id actor, Id id, bool to_self);
  Result<storage::ReportRecord> ResolveReport(Id actor, Id id, bool resolved);

  // ---- account actions (staff) ----
  // Warn, silence (hidden from public timelines), suspend (cannot sign in, tokens stop working,
  // account and statuses hidden) or undo; `report_id` (0 = none) is resolved with it.
  Status ActOnAccount(Id actor, Id target, AccountActionType type, const std::string& text,
                      Id report_id);

  // ---- appeals ----
  // By an author: against a hold or rejection of their status ("status"), of their profile
  // change ("profile", target = own account id) or a warning ("warning", target = audit id).
  Result<storage::AppealRecord> CreateAppeal(Id account, std::string_view target_type,
                                             Id target_id, const std::string& text);
  std::vector<storage::AppealRecord> AppealsOf(Id account) const;
  Result<std::vector<storage::AppealRecord>> ListAppeals(Id actor, bool pending_only) const;
  Result<storage::AppealRecord> DecideAppeal(Id actor, Id id, bool approve,
                                             const std::string& text);

  // ---- audit log (admins) ----
  Result<std::vector<storage::AuditRecord>> AuditLog(Id actor, const Page& page) const;

  const safety::ModerationEngine* engine() const { return engine_.get(); }
  // kForbidden unless `actor` has at least role `min` (and is not suspended).
  Status RequireRole(Id actor, Role min) const;

 private:
  Role RoleOf(Id account) const;
  Result<ContentDecision> Decide(std::string_view text, std::string_view field);
  // Builds the engine rule set from `rules` plus the file rules and swaps it in.
  Status Recompile(const std::map<Id, storage::ModerationRuleRecord>& rules);
  storage::AuditRecord MakeAudit(Id actor, std::string action, std::string target_type,
                                 Id target_id, Id target_account, std::string reason);
  Status CommitAudit(storage::AuditRecord rec);
  // Keeps audit_ in id order. REQUIRES: mu_ held.
  void AppendAuditLocked(storage::AuditRecord rec);
  // Stores a changed report with the audit entry that records the change, then applies both.
  Result<storage::ReportRecord> CommitReportChange(storage::ReportRecord r, storage::AuditRecord a);
  // Publishes a held status or applies a held profile change; commits `batch` with it.
  Status Release(const storage::HoldRecord& hold, storage::WriteBatch batch);
  // `canonical_hash` is the hash of the text's canonical form; an empty form is never a duplicate.
  Status CheckVelocity(Id author, size_t canonical_hash, bool canonical_empty);
  // Sends the notifications a status held at creation did not send (mentions, reply, quote).
  Status NotifyPublished(Id status_id);

  // Set at construction.
  State& s_;
  Notifications& notifications_;
  HomeFeed& home_;
  Accounts& accounts_;
  const ModerationConfig& config_;

  std::unique_ptr<safety::ModerationEngine> engine_;  // set by Load
  safety::RuleSet file_rules_;                        // set by Load

  std::mutex rules_mu_;  // serializes rule changes (compile + commit)

  mutable std::mutex mu_;
  // ---- guarded by mu_ ----
  std::map<Id, storage::ModerationRuleRecord> rules_;
  std::map<Id, storage::HoldRecord> holds_;  // by target id
  std::map<Id, storage::ReportRecord> reports_;
  std::map<Id, storage::AppealRecord> appeals_;
  std::vector<storage::AuditRecord> audit_;  // ascending ids
  struct Recent {
    std::deque<int64_t> posts;  // times of recent new statuses
    std::deque<std::pair<int64_t, size_t>> texts;  // (time, hash of canonical text)
  };
  std::unordered_map<Id, Recent> recent_;
};

}  // namespace plaza::domain
