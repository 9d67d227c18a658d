#include "domain/moderation.h"

#include <algorithm>
#include <functional>

#include "common/clock.h"
#include "common/utf8.h"
#include "domain/accounts.h"

namespace plaza::domain {
namespace {

using safety::Action;
using storage::AppealRecord;
using storage::AppealState;
using storage::AuditRecord;
using storage::HoldKind;
using storage::HoldRecord;
using storage::HoldState;
using storage::ModerationRuleRecord;
using storage::ReportRecord;

constexpr size_t kMaxComment = 1000;
constexpr size_t kMaxReportStatuses = 50;

std::string_view BoundaryName(safety::WordBoundary b) {
  switch (b) {
    case safety::WordBoundary::kAuto: return "auto";
    case safety::WordBoundary::kAlways: return "always";
    case safety::WordBoundary::kNever: return "never";
  }
  return "auto";
}

Result<safety::WordBoundary> ParseBoundary(std::string_view s) {
  if (s.empty() || s == "auto") return safety::WordBoundary::kAuto;
  if (s == "always") return safety::WordBoundary::kAlways;
  if (s == "never") return safety::WordBoundary::kNever;
  return Status::Unprocessable("boundary must be auto, always or never");
}

// The engine rule of a stored record (not for "allow" records).
Result<safety::Rule> ToRule(const ModerationRuleRecord& r) {
  safety::Rule rule;
  rule.id = IdToString(r.id);
  rule.pattern = r.pattern;
  rule.kind = r.kind == "regex" ? safety::RuleKind::kRegex : safety::RuleKind::kLiteral;
  rule.category = r.category;
  auto action = safety::ParseAction(r.action);
  if (!action.ok()) return Status::Unprocessable(action.status().message());
  rule.action = *action;
  PLAZA_ASSIGN_OR_RETURN(rule.word_boundary, ParseBoundary(r.boundary));
  return rule;
}

RuleView ViewOf(const ModerationRuleRecord& r) {
  return {IdToString(r.id), r.kind,    r.pattern, r.category,     r.action,
          r.boundary,       r.comment, "api",     r.created_at_ms, r.updated_at_ms};
}

RuleView ViewOf(const safety::Rule& r) {
  return {r.id,
          r.kind == safety::RuleKind::kRegex ? "regex" : "literal",
          r.pattern,
          r.category,
          std::string(safety::ActionName(r.action)),
          std::string(BoundaryName(r.word_boundary)),
          "",
          "file",
          0,
          0};
}

// Applies `in` onto `r`, checking every field.
Status ApplyRuleInput(const RuleInput& in, ModerationRuleRecord& r) {
  if (in.kind) r.kind = *in.kind;
  if (in.pattern) r.pattern = *in.pattern;
  if (in.category) r.category = *in.category;
  if (in.action) r.action = *in.action;
  if (in.boundary) r.boundary = *in.boundary;
  if (in.comment) r.comment = *in.comment;
  if (r.kind.empty()) r.kind = "literal";
  if (r.kind != "literal" && r.kind != "regex" && r.kind != "allow") {
    return Status::Unprocessable("kind must be literal, regex or allow");
  }
  if (r.pattern.empty()) return Status::Unprocessable("pattern can't be blank");
  if (!IsValidUtf8(r.pattern) || !IsValidUtf8(r.comment) || !IsValidUtf8(r.category)) {
    return Status::Unprocessable("rule fields must be valid UTF-8");
  }
  if (r.comment.size() > kMaxComment) return Status::Unprocessable("comment is too long");
  if (r.kind == "allow") {
    r.category.clear();
    r.action.clear();
    r.boundary.clear();
    return Status::Ok();
  }
  if (r.category.empty()) r.category = "custom";
  if (r.action.empty()) r.action = "reject";
  if (r.boundary.empty()) r.boundary = "auto";
  auto action = safety::ParseAction(r.action);
  if (!action.ok()) return Status::Unprocessable(action.status().message());
  return ParseBoundary(r.boundary).status();
}

std::string MatchReason(const safety::Verdict& v) {
  std::string out;
  for (size_t i = 0; i < v.rules.size(); ++i) {
    const safety::Rule& r = v.rule(i);
    if (r.action != v.action) continue;
    if (!out.empty()) out += ", ";
    out += r.category + " (rule " + r.id + ")";
  }
  return out;
}

}  // namespace

Result<AccountActionType> ParseAccountAction(std::string_view name) {
  if (name == "none") return AccountActionType::kNone;
  if (name == "warn") return AccountActionType::kWarn;
  if (name == "silence") return AccountActionType::kSilence;
  if (name == "suspend") return AccountActionType::kSuspend;
  if (name == "unsilence") return AccountActionType::kUnsilence;
  if (name == "unsuspend") return AccountActionType::kUnsuspend;
  return Status::Unprocessable("type must be none, warn, silence or suspend");
}

Moderation::Moderation(State& state, Notifications& notifications, HomeFeed& home,
                       Accounts& accounts)
    : s_(state),
      notifications_(notifications),
      home_(home),
      accounts_(accounts),
      config_(state.config.moderation) {}

Moderation::~Moderation() = default;

Status Moderation::Load() {
  PLAZA_ASSIGN_OR_RETURN(engine_, safety::ModerationEngine::Create());
  if (!config_.rules_file.empty()) {
    PLAZA_ASSIGN_OR_RETURN(file_rules_, safety::LoadRulesFile(config_.rules_file));
  }
  std::map<Id, ModerationRuleRecord> rules;
  std::map<Id, HoldRecord> holds;
  std::map<Id, ReportRecord> reports;
  std::map<Id, AppealRecord> appeals;
  std::vector<AuditRecord> audit;
  storage::Storage& st = s_.storage;
  PLAZA_RETURN_IF_ERROR(st.ForEachModerationRule([&](const ModerationRuleRecord& r) {
    rules[r.id] = r;
    s_.ids.AdvancePast(r.id);
    return Status::Ok();
  }));
  PLAZA_RETURN_IF_ERROR(st.ForEachHold([&](const HoldRecord& h) {
    holds[h.target_id] = h;
    return Status::Ok();
  }));
  PLAZA_RETURN_IF_ERROR(st.ForEachReport([&](const ReportRecord& r) {
    reports[r.id] = r;
    s_.ids.AdvancePast(r.id);
    return Status::Ok();
  }));
  PLAZA_RETURN_IF_ERROR(st.ForEachAppeal([&](const AppealRecord& a) {
    appeals[a.id] = a;
    s_.ids.AdvancePast(a.id);
    return Status::Ok();
  }));
  PLAZA_RETURN_IF_ERROR(st.ForEachAudit([&](const AuditRecord& a) {
    audit.push_back(a);
    s_.ids.AdvancePast(a.id);
    return Status::Ok();
  }));
  PLAZA_RETURN_IF_ERROR(Recompile(rules));
  std::unique_lock state_lock(s_.mu);
  std::lock_guard lock(mu_);
  for (const auto& [target, h] : holds) {
    if (h.kind == HoldKind::kStatus) s_.held_statuses.insert(target);
  }
  rules_ = std::move(rules);
  holds_ = std::move(holds);
  reports_ = std::move(reports);
  appeals_ = std::move(appeals);
  audit_ = std::move(audit);
  return Status::Ok();
}

// ---- roles -------------------------------------------------------------------------------------

Role Moderation::RoleOf(Id account) const {
  std::shared_lock lock(s_.mu);
  const AccountEntry* e = s_.FindAccount(account);
  return e == nullptr || e->rec->suspended ? Role::kUser : e->rec->role;
}

Status Moderation::RequireRole(Id actor, Role min) const {
  Role role = RoleOf(actor);
  if (static_cast<int>(role) < static_cast<int>(min)) {
    return Status::Forbidden(min == Role::kAdmin ? "this action requires the admin role"
                                                 : "this action requires the moderator role");
  }
  return Status::Ok();
}

// ---- audit -------------------------------------------------------------------------------------

AuditRecord Moderation::MakeAudit(Id actor, std::string action, std::string target_type,
                                  Id target_id, Id target_account, std::string reason) {
  AuditRecord a;
  a.id = s_.ids.Next();
  a.actor_id = actor;
  a.action = std::move(action);
  a.target_type = std::move(target_type);
  a.target_id = target_id;
  a.target_account_id = target_account;
  a.reason = std::move(reason);
  a.created_at_ms = NowUnixMs();
  return a;
}

Status Moderation::CommitAudit(AuditRecord rec) {
  storage::WriteBatch batch;
  batch.Put(rec);
  PLAZA_RETURN_IF_ERROR(s_.storage.Commit(batch));
  std::lock_guard lock(mu_);
  AppendAuditLocked(std::move(rec));
  return Status::Ok();
}

Status Moderation::AuditSystem(std::string action, std::string target_type, Id target_id,
                               Id target_account, std::string reason) {
  return CommitAudit(MakeAudit(0, std::move(action), std::move(target_type), target_id,
                               target_account, std::move(reason)));
}

Result<std::vector<AuditRecord>> Moderation::AuditLog(Id actor, const Page& page) const {
  PLAZA_RETURN_IF_ERROR(RequireRole(actor, Role::kAdmin));
  std::lock_guard lock(mu_);
  return PageSorted(audit_, page, [](const AuditRecord& a) { return a.id; },
                    [](const AuditRecord&) { return true; });
}

// ---- content checks ----------------------------------------------------------------------------

Result<ContentDecision> Moderation::Decide(std::string_view text, std::string_view field) {
  ContentDecision d;
  d.text = std::string(text);
  if (!config_.enabled || engine_ == nullptr || text.empty()) return d;
  auto verdict = engine_->Check(text);
  if (!verdict.ok()) return Status::Invalid(std::string(field) + ": " + verdict.status().message());
  d.action = verdict->action;
  if (d.action == Action::kAllow) return d;
  d.reason = MatchReason(*verdict);
  // Masked matches are masked whatever the strongest action is.
  d.text = safety::Mask(text, *verdict);
  return d;
}

Result<ContentDecision> Moderation::CheckStatus(Id author, std::string_view text,
                                                std::string_view spoiler_text, bool is_new) {
  PLAZA_ASSIGN_OR_RETURN(ContentDecision d, Decide(text, "status"));
  PLAZA_ASSIGN_OR_RETURN(ContentDecision cw, Decide(spoiler_text, "spoiler_text"));
  d.spoiler_text = cw.text;
  if (cw.action > d.action) {
    d.action = cw.action;
    d.reason = cw.reason;
  }
  if (d.action == Action::kReject) {
    PLAZA_RETURN_IF_ERROR(AuditSystem("status.auto_reject", "status", 0, author, d.reason));
    return Status::Unprocessable("rejected by the moderation policy: " + d.reason);
  }
  if (d.action == Action::kLabel) {
    d.sensitive = true;
    if (d.spoiler_text.empty()) d.spoiler_text = "Content warning: " + d.reason;
  }
  if (is_new && config_.enabled && config_.spam_limits && engine_ != nullptr) {
    std::string canonical = engine_->normalizer().Canonical(text);
    d.canonical_hash = std::hash<std::string_view>{}(canonical);
    PLAZA_RETURN_IF_ERROR(CheckVelocity(author, *d.canonical_hash, canonical.empty()));
  }
  return d;
}

Status Moderation::CheckVelocity(Id author, size_t canonical_hash, bool canonical_empty) {
  int64_t created_at = 0;
  {
    std::shared_lock lock(s_.mu);
    if (const AccountEntry* e = s_.FindAccount(author)) created_at = e->rec->created_at_ms;
  }
  int64_t now = NowUnixMs();
  bool young = now - created_at < config_.new_account_age_ms;
  size_t max_posts = static_cast<size_t>(young ? config_.new_account_max_posts : config_.max_posts);
  size_t max_dups =
      static_cast<size_t>(young ? config_.new_account_max_duplicates : config_.max_duplicates);
  std::lock_guard lock(mu_);
  Recent& r = recent_[author];
  while (!r.posts.empty() && r.posts.front() <= now - config_.window_ms) r.posts.pop_front();
  while (!r.texts.empty() && r.texts.front().first <= now - config_.duplicate_window_ms) {
    r.texts.pop_front();
  }
  if (max_posts > 0 && r.posts.size() >= max_posts) {
    return Status::RateLimited("posting too fast: at most " + std::to_string(max_posts) +
                               " statuses per " + std::to_string(config_.window_ms / 1000) +
                               " seconds" + (young ? " for new accounts" : ""));
  }
  if (max_dups > 0 && !canonical_empty) {
    size_t same = std::count_if(r.texts.begin(), r.texts.end(),
                                [&](const auto& t) { return t.second == canonical_hash; });
    if (same >= max_dups) {
      return Status::Unprocessable("spam: the same text was already posted " +
                                   std::to_string(same) + " times recently");
    }
  }
  return Status::Ok();
}

void Moderation::NotePosted(Id author, const ContentDecision& decision) {
  if (!decision.canonical_hash) return;  // the limits were off when it was checked
  size_t hash = *decision.canonical_hash;
  int64_t now = NowUnixMs();
  std::lock_guard lock(mu_);
  Recent& r = recent_[author];
  r.posts.push_back(now);
  r.texts.emplace_back(now, hash);
}

void Moderation::AddStatusDecision(ContentDecision& d, Id status_id, Id author,
                                   storage::WriteBatch& batch) {
  if (d.action == Action::kAllow) return;
  if (d.held()) {
    HoldRecord h;
    h.target_id = status_id;
    h.kind = HoldKind::kStatus;
    h.account_id = author;
    h.reason = d.reason;
    h.created_at_ms = NowUnixMs();
    batch.Put(h);
    d.hold = std::move(h);
  }
  std::string action = d.held()                      ? "status.hold"
                       : d.action == Action::kLabel ? "status.label"
                                                    : "status.mask";
  d.audit = MakeAudit(0, std::move(action), "status", status_id, author, d.reason);
  batch.Put(*d.audit);
}

void Moderation::ApplyStatusDecisionLocked(const ContentDecision& d) {
  std::lock_guard lock(mu_);
  if (d.hold) {
    s_.held_statuses.insert(d.hold->target_id);
    holds_[d.hold->target_id] = *d.hold;
  }
  if (d.audit) AppendAuditLocked(*d.audit);
}

void Moderation::AddDeleteHold(Id status_id, storage::WriteBatch& batch) {
  std::lock_guard lock(mu_);
  if (holds_.count(status_id) != 0) batch.Put(storage::DeleteHold{status_id});
}

void Moderation::ApplyDeleteHoldLocked(Id status_id) {
  s_.held_statuses.erase(status_id);
  std::lock_guard lock(mu_);
  holds_.erase(status_id);
}

void Moderation::AppendAuditLocked(storage::AuditRecord rec) {
  if (audit_.empty() || audit_.back().id < rec.id) {
    audit_.push_back(std::move(rec));
    return;
  }
  auto it = std::lower_bound(audit_.begin(), audit_.end(), rec.id,
                             [](const AuditRecord& a, Id id) { return a.id < id; });
  audit_.insert(it, std::move(rec));
}

Result<ContentDecision> Moderation::CheckProfile(Id account, std::string_view field,
                                                 std::string_view text) {
  PLAZA_ASSIGN_OR_RETURN(ContentDecision d, Decide(text, field));
  if (d.action == Action::kReject ||
      (field == "username" && d.action != Action::kAllow && d.action != Action::kLabel)) {
    PLAZA_RETURN_IF_ERROR(AuditSystem("profile.auto_reject", "account", account, account,
                                      std::string(field) + ": " + d.reason));
    return Status::Unprocessable(std::string(field) + " rejected by the moderation policy: " +
                                 d.reason);
  }
  return d;
}

Status Moderation::HoldProfile(Id account, const std::optional<std::string>& display_name,
                               const std::optional<std::string>& note, const std::string& reason) {
  HoldRecord h;
  {
    std::lock_guard lock(mu_);
    auto it = holds_.find(account);
    if (it != holds_.end()) h = it->second;  // merge with a change already waiting
  }
  h.target_id = account;
  h.kind = HoldKind::kProfile;
  h.account_id = account;
  h.state = HoldState::kPending;
  h.reason = reason;
  if (display_name) {
    h.has_display_name = true;
    h.display_name = *display_name;
  }
  if (note) {
    h.has_note = true;
    h.note = *note;
  }
  h.created_at_ms = NowUnixMs();
  AuditRecord a = MakeAudit(0, "profile.hold", "account", account, account, reason);
  storage::WriteBatch batch;
  batch.Put(h);
  batch.Put(a);
  PLAZA_RETURN_IF_ERROR(s_.storage.Commit(batch));
  std::lock_guard lock(mu_);
  holds_[account] = h;
  AppendAuditLocked(std::move(a));
  return Status::Ok();
}

std::optional<HoldRecord> Moderation::PendingProfile(Id account) const {
  std::lock_guard lock(mu_);
  auto it = holds_.find(account);
  if (it == holds_.end() || it->second.kind != HoldKind::kProfile ||
      it->second.state != HoldState::kPending) {
    return std::nullopt;
  }
  return it->second;
}

// ---- rules -------------------------------------------------------------------------------------

Status Moderation::Recompile(const std::map<Id, ModerationRuleRecord>& rules) {
  safety::RuleSet set = file_rules_;
  for (const auto& [id, r] : rules) {
    if (r.kind == "allow") {
      set.allow.push_back(r.pattern);
      continue;
    }
    PLAZA_ASSIGN_OR_RETURN(safety::Rule rule, ToRule(r));
    set.rules.push_back(std::move(rule));
  }
  Status st = engine_->Replace(set);
  if (!st.ok()) return Status::Unprocessable(st.message());
  return Status::Ok();
}

Result<std::vector<RuleView>> Moderation::ListRules(Id actor) const {
  PLAZA_RETURN_IF_ERROR(RequireRole(actor, Role::kModerator));
  std::vector<RuleView> out;
  for (const auto& r : file_rules_.rules) out.push_back(ViewOf(r));
  std::lock_guard lock(mu_);
  for (const auto& [id, r] : rules_) out.push_back(ViewOf(r));
  return out;
}

Result<RuleView> Moderation::GetRule(Id actor, std::string_view id) const {
  PLAZA_ASSIGN_OR_RETURN(auto all, ListRules(actor));
  for (auto& r : all) {
    if (r.id == id) return std::move(r);
  }
  return Status::NotFound("rule not found");
}

Result<RuleView> Moderation::CreateRule(Id actor, const RuleInput& in) {
  PLAZA_RETURN_IF_ERROR(RequireRole(actor, Role::kAdmin));
  ModerationRuleRecord r;
  PLAZA_RETURN_IF_ERROR(ApplyRuleInput(in, r));
  r.id = s_.ids.Next();
  r.created_by = actor;
  r.created_at_ms = r.updated_at_ms = NowUnixMs();
  std::lock_guard rules_lock(rules_mu_);
  std::map<Id, ModerationRuleRecord> next;
  {
    std::lock_guard lock(mu_);
    next = rules_;
  }
  next[r.id] = r;
  PLAZA_RETURN_IF_ERROR(Recompile(next));
  AuditRecord a = MakeAudit(actor, "rule.create", "rule", r.id, 0,
                            r.kind + " " + r.action + " " + r.category + ": " + r.pattern);
  storage::WriteBatch batch;
  batch.Put(r);
  batch.Put(a);
  Status committed = s_.storage.Commit(batch);
  std::lock_guard lock(mu_);
  if (!committed.ok()) {
    (void)Recompile(rules_);  // back to the stored set
    return committed;
  }
  rules_ = std::move(next);
  AppendAuditLocked(std::move(a));
  return ViewOf(r);
}

Result<RuleView> Moderation::UpdateRule(Id actor, Id id, const RuleInput& in) {
  PLAZA_RETURN_IF_ERROR(RequireRole(actor, Role::kAdmin));
  std::lock_guard rules_lock(rules_mu_);
  std::map<Id, ModerationRuleRecord> next;
  {
    std::lock_guard lock(mu_);
    next = rules_;
  }
  auto it = next.find(id);
  if (it == next.end()) return Status::NotFound("rule not found");
  ModerationRuleRecord r = it->second;
  PLAZA_RETURN_IF_ERROR(ApplyRuleInput(in, r));
  r.updated_at_ms = NowUnixMs();
  it->second = r;
  PLAZA_RETURN_IF_ERROR(Recompile(next));
  AuditRecord a = MakeAudit(actor, "rule.update", "rule", r.id, 0,
                            r.kind + " " + r.action + " " + r.category + ": " + r.pattern);
  storage::WriteBatch batch;
  batch.Put(r);
  batch.Put(a);
  Status committed = s_.storage.Commit(batch);
  std::lock_guard lock(mu_);
  if (!committed.ok()) {
    (void)Recompile(rules_);
    return committed;
  }
  rules_ = std::move(next);
  AppendAuditLocked(std::move(a));
  return ViewOf(r);
}

Status Moderation::DeleteRule(Id actor, Id id) {
  PLAZA_RETURN_IF_ERROR(RequireRole(actor, Role::kAdmin));
  std::lock_guard rules_lock(rules_mu_);
  std::map<Id, ModerationRuleRecord> next;
  {
    std::lock_guard lock(mu_);
    next = rules_;
  }
  auto it = next.find(id);
  if (it == next.end()) return Status::NotFound("rule not found");
  std::string what = it->second.kind + " " + it->second.action + " " + it->second.category + ": " +
                     it->second.pattern;
  next.erase(it);
  PLAZA_RETURN_IF_ERROR(Recompile(next));
  AuditRecord a = MakeAudit(actor, "rule.delete", "rule", id, 0, std::move(what));
  storage::WriteBatch batch;
  batch.Put(storage::DeleteModerationRule{id});
  batch.Put(a);
  Status committed = s_.storage.Commit(batch);
  std::lock_guard lock(mu_);
  if (!committed.ok()) {
    (void)Recompile(rules_);
    return committed;
  }
  rules_ = std::move(next);
  AppendAuditLocked(std::move(a));
  return Status::Ok();
}

// ---- review queue ------------------------------------------------------------------------------

Result<std::vector<HoldRecord>> Moderation::ListHolds(Id actor, bool rejected) const {
  PLAZA_RETURN_IF_ERROR(RequireRole(actor, Role::kModerator));
  std::vector<HoldRecord> out;
  std::lock_guard lock(mu_);
  for (auto it = holds_.rbegin(); it != holds_.rend(); ++it) {
    if ((it->second.state == HoldState::kRejected) == rejected) out.push_back(it->second);
  }
  return out;
}

Status Moderation::Release(const HoldRecord& hold, storage::WriteBatch batch) {
  batch.Put(storage::DeleteHold{hold.target_id});
  if (hold.kind == HoldKind::kProfile) {
    PLAZA_RETURN_IF_ERROR(accounts_.Modify(
        hold.target_id,
        [&](AccountRecord& rec) {
          if (hold.has_display_name) rec.display_name = hold.display_name;
          if (hold.has_note) rec.note = hold.note;
          return Status::Ok();
        },
        std::move(batch)).status());
    std::lock_guard lock(mu_);
    holds_.erase(hold.target_id);
    return Status::Ok();
  }
  PLAZA_RETURN_IF_ERROR(s_.storage.Commit(batch));
  {
    std::unique_lock state_lock(s_.mu);
    s_.held_statuses.erase(hold.target_id);
    std::lock_guard lock(mu_);
    holds_.erase(hold.target_id);
  }
  home_.Enqueue(hold.target_id);
  return NotifyPublished(hold.target_id);
}

Status Moderation::NotifyPublished(Id status_id) {
  storage::WriteBatch batch;
  bool notify_later = false;
  {
    std::shared_lock lock(s_.mu);
    const StatusEntry* st = s_.FindStatus(status_id);
    if (st == nullptr) return Status::Ok();
    notify_later = notifications_.AddPublishedLocked(batch, *st->rec);
  }
  PLAZA_RETURN_IF_ERROR(s_.storage.Commit(batch));
  if (notify_later) notifications_.Deliver(status_id);
  return Status::Ok();
}

Result<HoldRecord> Moderation::ApproveHold(Id actor, Id target, const std::string& reason) {
  PLAZA_RETURN_IF_ERROR(RequireRole(actor, Role::kModerator));
  HoldRecord hold;
  {
    std::lock_guard lock(mu_);
    auto it = holds_.find(target);
    if (it == holds_.end()) return Status::NotFound("no held content with this id");
    hold = it->second;
  }
  AuditRecord a = MakeAudit(actor, hold.kind == HoldKind::kStatus ? "status.approve"
                                                                  : "profile.approve",
                            hold.kind == HoldKind::kStatus ? "status" : "account", target,
                            hold.account_id, reason);
  storage::WriteBatch batch;
  batch.Put(a);
  PLAZA_RETURN_IF_ERROR(Release(hold, std::move(batch)));
  {
    std::lock_guard lock(mu_);
    AppendAuditLocked(std::move(a));
  }
  hold.decided_by = actor;
  hold.decided_at_ms = NowUnixMs();
  return hold;
}

Result<HoldRecord> Moderation::RejectHold(Id actor, Id target, const std::string& reason) {
  PLAZA_RETURN_IF_ERROR(RequireRole(actor, Role::kModerator));
  HoldRecord hold;
  {
    std::lock_guard lock(mu_);
    auto it = holds_.find(target);
    if (it == holds_.end() || it->second.state != HoldState::kPending) {
      return Status::NotFound("no pending held content with this id");
    }
    hold = it->second;
  }
  hold.state = HoldState::kRejected;
  hold.decided_by = actor;
  hold.decided_at_ms = NowUnixMs();
  AuditRecord a = MakeAudit(actor, hold.kind == HoldKind::kStatus ? "status.reject"
                                                                  : "profile.reject",
                            hold.kind == HoldKind::kStatus ? "status" : "account", target,
                            hold.account_id, reason);
  storage::WriteBatch batch;
  batch.Put(hold);
  batch.Put(a);
  PLAZA_RETURN_IF_ERROR(s_.storage.Commit(batch));
  std::lock_guard lock(mu_);
  holds_[target] = hold;
  AppendAuditLocked(std::move(a));
  return hold;
}

// ---- reports -----------------------------------------------------------------------------------

Result<ReportRecord> Moderation::CreateReport(Id reporter, const ReportInput& in) {
  if (in.category != "spam" && in.category != "legal" && in.category != "violation" &&
      in.category != "other") {
    return Status::Unprocessable("category must be spam, legal, violation or other");
  }
  if (!IsValidUtf8(in.comment)) return Status::Invalid("comment is not valid UTF-8");
  if (in.comment.size() > kMaxComment) return Status::Unprocessable("comment is too long");
  if (in.status_ids.size() > kMaxReportStatuses) {
    return Status::Unprocessable("too many statuses in one report");
  }
  if (in.target_account_id == reporter) return Status::Unprocessable("you cannot report yourself");
  {
    std::shared_lock lock(s_.mu);
    if (s_.FindAccount(in.target_account_id) == nullptr) {
      return Status::NotFound("account not found");
    }
    for (Id sid : in.status_ids) {
      const StatusEntry* st = s_.FindStatus(sid);
      if (st == nullptr || st->rec->account_id != in.target_account_id ||
          !s_.CanSee(reporter, *st->rec)) {
        return Status::NotFound("status " + IdToString(sid) + " not found for this account");
      }
    }
  }
  ReportRecord r;
  r.id = s_.ids.Next();
  r.account_id = reporter;
  r.target_account_id = in.target_account_id;
  r.status_ids = in.status_ids;
  r.category = in.category;
  r.comment = in.comment;
  r.created_at_ms = r.updated_at_ms = NowUnixMs();
  storage::WriteBatch batch;
  batch.Put(r);
  PLAZA_RETURN_IF_ERROR(s_.storage.Commit(batch));
  std::lock_guard lock(mu_);
  reports_[r.id] = r;
  return r;
}

Result<std::vector<ReportRecord>> Moderation::ListReports(Id actor, const ReportFilter& f,
                                                          const Page& page) const {
  PLAZA_RETURN_IF_ERROR(RequireRole(actor, Role::kModerator));
  std::vector<ReportRecord> all;
  {
    std::lock_guard lock(mu_);
    all.reserve(reports_.size());
    for (const auto& [id, r] : reports_) all.push_back(r);
  }
  return PageSorted(all, page, [](const ReportRecord& r) { return r.id; },
                    [&](const ReportRecord& r) {
                      if (f.resolved && r.action_taken != *f.resolved) return false;
                      if (f.account_id != 0 && r.account_id != f.account_id) return false;
                      return f.target_account_id == 0 || r.target_account_id == f.target_account_id;
                    });
}

Result<ReportRecord> Moderation::GetReport(Id actor, Id id) const {
  PLAZA_RETURN_IF_ERROR(RequireRole(actor, Role::kModerator));
  std::lock_guard lock(mu_);
  auto it = reports_.find(id);
  if (it == reports_.end()) return Status::NotFound("report not found");
  return it->second;
}

Result<ReportRecord> Moderation::CommitReportChange(ReportRecord r, AuditRecord a) {
  storage::WriteBatch batch;
  batch.Put(r);
  batch.Put(a);
  PLAZA_RETURN_IF_ERROR(s_.storage.Commit(batch));
  std::lock_guard lock(mu_);
  reports_[r.id] = r;
  AppendAuditLocked(std::move(a));
  return r;
}

Result<ReportRecord> Moderation::AssignReport(Id actor, Id id, bool to_self) {
  PLAZA_ASSIGN_OR_RETURN(ReportRecord r, GetReport(actor, id));
  r.assigned_account_id = to_self ? actor : 0;
  r.updated_at_ms = NowUnixMs();
  AuditRecord a = MakeAudit(actor, to_self ? "report.assign" : "report.unassign", "report", id,
                            r.target_account_id, "");
  return CommitReportChange(std::move(r), std::move(a));
}

Result<ReportRecord> Moderation::ResolveReport(Id actor, Id id, bool resolved) {
  PLAZA_ASSIGN_OR_RETURN(ReportRecord r, GetReport(actor, id));
  r.action_taken = resolved;
  r.action_taken_by = resolved ? actor : 0;
  r.action_taken_at_ms = resolved ? NowUnixMs() : 0;
  r.updated_at_ms = NowUnixMs();
  AuditRecord a = MakeAudit(actor, resolved ? "report.resolve" : "report.reopen", "report", id,
                            r.target_account_id, "");
  return CommitReportChange(std::move(r), std::move(a));
}

// ---- account actions ---------------------------------------------------------------------------

Status Moderation::ActOnAccount(Id actor, Id target, AccountActionType type,
                                const std::string& text, Id report_id) {
  PLAZA_RETURN_IF_ERROR(RequireRole(actor, Role::kModerator));
  if (!IsValidUtf8(text)) return Status::Invalid("text is not valid UTF-8");
  if (text.size() > kMaxComment) return Status::Unprocessable("text is too long");
  Role actor_role = RoleOf(actor);
  {
    std::shared_lock lock(s_.mu);
    const AccountEntry* e = s_.FindAccount(target);
    if (e == nullptr) return Status::NotFound("account not found");
    if (static_cast<int>(e->rec->role) >= static_cast<int>(actor_role)) {
      return Status::Forbidden("staff cannot act on an account with an equal or higher role");
    }
  }
  std::optional<ReportRecord> report;
  if (report_id != 0) {
    std::lock_guard lock(mu_);
    auto it = reports_.find(report_id);
    if (it == reports_.end()) return Status::NotFound("report not found");
    report = it->second;
  }
  std::string action;
  switch (type) {
    case AccountActionType::kNone: action = "account.none"; break;
    case AccountActionType::kWarn: action = "account.warn"; break;
    case AccountActionType::kSilence: action = "account.silence"; break;
    case AccountActionType::kSuspend: action = "account.suspend"; break;
    case AccountActionType::kUnsilence: action = "account.unsilence"; break;
    case AccountActionType::kUnsuspend: action = "account.unsuspend"; break;
  }
  AuditRecord a = MakeAudit(actor, action, "account", target, target, text);
  storage::WriteBatch batch;
  batch.Put(a);
  if (report) {
    report->action_taken = true;
    report->action_taken_by = actor;
    report->action_taken_at_ms = report->updated_at_ms = NowUnixMs();
    batch.Put(*report);
  }
  bool changes_account = type == AccountActionType::kSilence ||
                         type == AccountActionType::kSuspend ||
                         type == AccountActionType::kUnsilence ||
                         type == AccountActionType::kUnsuspend;
  if (changes_account) {
    PLAZA_RETURN_IF_ERROR(accounts_
                              .Modify(
                                  target,
                                  [&](AccountRecord& rec) {
                                    if (type == AccountActionType::kSilence) rec.silenced = true;
                                    if (type == AccountActionType::kUnsilence) rec.silenced = false;
                                    if (type == AccountActionType::kSuspend) rec.suspended = true;
                                    if (type == AccountActionType::kUnsuspend) {
                                      rec.suspended = false;
                                    }
                                    return Status::Ok();
                                  },
                                  std::move(batch))
                              .status());
  } else {
    PLAZA_RETURN_IF_ERROR(s_.storage.Commit(batch));
  }
  std::lock_guard lock(mu_);
  AppendAuditLocked(std::move(a));
  if (report) reports_[report->id] = *report;
  return Status::Ok();
}

// ---- appeals -----------------------------------------------------------------------------------

Result<AppealRecord> Moderation::CreateAppeal(Id account, std::string_view target_type,
                                              Id target_id, const std::string& text) {
  if (!IsValidUtf8(text)) return Status::Invalid("text is not valid UTF-8");
  if (text.size() > kMaxComment) return Status::Unprocessable("text is too long");
  {
    std::lock_guard lock(mu_);
    if (target_type == "status" || target_type == "profile") {
      auto it = holds_.find(target_id);
      if (it == holds_.end() || it->second.account_id != account ||
          (it->second.kind == HoldKind::kStatus) != (target_type == "status")) {
        return Status::NotFound("no moderation decision on this " + std::string(target_type));
      }
    } else if (target_type == "warning") {
      auto it = std::lower_bound(audit_.begin(), audit_.end(), target_id,
                                 [](const AuditRecord& a, Id id) { return a.id < id; });
      if (it == audit_.end() || it->id != target_id || it->target_account_id != account ||
          it->action != "account.warn") {
        return Status::NotFound("no warning with this id");
      }
    } else {
      return Status::Unprocessable("target_type must be status, profile or warning");
    }
    for (const auto& [id, a] : appeals_) {
      if (a.account_id == account && a.target_id == target_id &&
          a.state == AppealState::kPending) {
        return Status::Unprocessable("this decision already has a pending appeal");
      }
    }
  }
  AppealRecord a;
  a.id = s_.ids.Next();
  a.account_id = account;
  a.target_type = std::string(target_type);
  a.target_id = target_id;
  a.text = text;
  a.created_at_ms = NowUnixMs();
  storage::WriteBatch batch;
  batch.Put(a);
  PLAZA_RETURN_IF_ERROR(s_.storage.Commit(batch));
  std::lock_guard lock(mu_);
  appeals_[a.id] = a;
  return a;
}

std::vector<AppealRecord> Moderation::AppealsOf(Id account) const {
  std::vector<AppealRecord> out;
  std::lock_guard lock(mu_);
  for (auto it = appeals_.rbegin(); it != appeals_.rend(); ++it) {
    if (it->second.account_id == account) out.push_back(it->second);
  }
  return out;
}

Result<std::vector<AppealRecord>> Moderation::ListAppeals(Id actor, bool pending_only) const {
  PLAZA_RETURN_IF_ERROR(RequireRole(actor, Role::kModerator));
  std::vector<AppealRecord> out;
  std::lock_guard lock(mu_);
  for (auto it = appeals_.rbegin(); it != appeals_.rend(); ++it) {
    if (!pending_only || it->second.state == AppealState::kPending) out.push_back(it->second);
  }
  return out;
}

Result<AppealRecord> Moderation::DecideAppeal(Id actor, Id id, bool approve,
                                              const std::string& text) {
  PLAZA_RETURN_IF_ERROR(RequireRole(actor, Role::kModerator));
  if (!IsValidUtf8(text)) return Status::Invalid("text is not valid UTF-8");
  AppealRecord appeal;
  std::optional<HoldRecord> hold;
  {
    std::lock_guard lock(mu_);
    auto it = appeals_.find(id);
    if (it == appeals_.end()) return Status::NotFound("appeal not found");
    if (it->second.state != AppealState::kPending) {
      return Status::Unprocessable("this appeal was already decided");
    }
    appeal = it->second;
    auto h = holds_.find(appeal.target_id);
    if (h != holds_.end()) hold = h->second;
  }
  appeal.state = approve ? AppealState::kApproved : AppealState::kRejected;
  appeal.decided_by = actor;
  appeal.decision_text = text;
  appeal.decided_at_ms = NowUnixMs();
  AuditRecord a = MakeAudit(actor, approve ? "appeal.approve" : "appeal.reject", "appeal", id,
                            appeal.account_id, text);
  storage::WriteBatch batch;
  batch.Put(appeal);
  batch.Put(a);
  if (approve && hold) {
    // Upholding the appeal releases the held or rejected content.
    PLAZA_RETURN_IF_ERROR(Release(*hold, std::move(batch)));
  } else {
    PLAZA_RETURN_IF_ERROR(s_.storage.Commit(batch));
  }
  std::lock_guard lock(mu_);
  appeals_[id] = appeal;
  AppendAuditLocked(std::move(a));
  return appeal;
}

}  // namespace plaza::domain
