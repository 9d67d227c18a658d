#include "domain/accounts.h"

#include <algorithm>

#include "common/ascii.h"
#include "common/clock.h"
#include "common/utf8.h"
#include "domain/crypto.h"
#include "domain/moderation.h"

namespace plaza::domain {
namespace {

constexpr uint64_t kLockUsername = 1;
constexpr uint64_t kLockEmail = 2;
constexpr uint64_t kLockAccount = 3;
constexpr int64_t kHourMs = 3600 * 1000;

bool IsPlausibleEmail(std::string_view e) {
  if (e.size() < 3 || e.size() > 254) return false;
  auto at = e.find('@');
  if (at == std::string_view::npos || at == 0 || at + 1 >= e.size()) return false;
  if (e.find('@', at + 1) != std::string_view::npos) return false;
  auto domain = e.substr(at + 1);
  if (domain.find('.') == std::string_view::npos || domain.front() == '.' ||
      domain.back() == '.') {
    return false;
  }
  for (unsigned char c : e) {
    if (c <= 0x20 || c == 0x7F || c == '<' || c == '>' || c == '"' || c == ',') return false;
  }
  return true;
}

uint64_t StringKey(std::string_view s) { return std::hash<std::string_view>{}(s); }

Status ValidateProfileText(std::string_view value, int max_chars, const char* field) {
  if (!IsValidUtf8(value)) return Status::Invalid(std::string(field) + " is not valid UTF-8");
  if (HasControlChars(value) && std::string_view(field) == "display_name") {
    return Status::Unprocessable("display_name contains control characters");
  }
  if (CountCodePoints(value) > static_cast<size_t>(max_chars)) {
    return Status::Unprocessable(std::string(field) + " is too long (maximum " +
                                 std::to_string(max_chars) + " characters)");
  }
  return Status::Ok();
}

}  // namespace

bool Accounts::IsValidUsername(std::string_view u) {
  if (u.empty() || u.size() > 30) return false;
  return std::all_of(u.begin(), u.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

Result<AccountView> Accounts::Register(const SignUp& in) {
  if (!IsValidUsername(in.username)) {
    return Status::Unprocessable(
        "username must be 1 to 30 characters of letters, digits and underscores");
  }
  std::string email = AsciiToLower(in.email);
  if (!IsValidUtf8(email) || !IsPlausibleEmail(email)) {
    return Status::Unprocessable("email is not a valid address");
  }
  if (in.password.size() < 8 || in.password.size() > 72) {
    return Status::Unprocessable("password must be 8 to 72 bytes long");
  }
  if (!in.agreement) return Status::Unprocessable("agreement must be accepted");
  if (moderation_ != nullptr) {
    PLAZA_RETURN_IF_ERROR(moderation_->CheckProfile(0, "username", in.username).status());
  }

  std::string lower = AsciiToLower(in.username);
  // Hash before taking locks: argon2id is deliberately slow.
  PLAZA_ASSIGN_OR_RETURN(
      std::string hash,
      HashPassword(in.password, {s_.config.password_ops, s_.config.password_mem_bytes}));

  auto guard = s_.locks.Lock({KeyLocks::Key(kLockUsername, StringKey(lower)),
                              KeyLocks::Key(kLockEmail, StringKey(email))});
  {
    std::shared_lock lock(s_.mu);
    if (s_.account_by_username.count(lower)) {
      return Status::Unprocessable("username has already been taken");
    }
    if (s_.account_by_email.count(email)) {
      return Status::Unprocessable("email has already been taken");
    }
  }
  AccountRecord rec;
  rec.id = s_.ids.Next();
  rec.username = in.username;
  rec.email = email;
  rec.password_hash = std::move(hash);
  rec.created_at_ms = NowUnixMs();
  storage::WriteBatch batch;
  batch.Put(rec);
  PLAZA_RETURN_IF_ERROR(s_.storage.Commit(batch));
  PLAZA_RETURN_IF_ERROR(ApplyAccount(rec));
  return *Get(rec.id);
}

Status Accounts::ApplyAccount(const AccountRecord& rec) {
  std::unique_lock lock(s_.mu);
  ApplyAccountLocked(rec);
  return Status::Ok();
}

void Accounts::ApplyAccountLocked(AccountRecord rec) {
  rec.password_hash = std::string();
  auto& entry = s_.accounts[rec.id];
  entry.rec = std::make_shared<const AccountRecord>(rec);
  if (rec.suspended) {
    s_.suspended_accounts.insert(rec.id);
  } else {
    s_.suspended_accounts.erase(rec.id);
  }
  s_.account_by_username[AsciiToLower(rec.username)] = rec.id;
  if (!rec.email.empty()) s_.account_by_email[rec.email] = rec.id;
}

Result<Id> Accounts::CheckPassword(std::string_view login, std::string_view password) {
  std::string key = AsciiToLower(login);
  std::shared_ptr<const AccountRecord> rec;
  {
    std::shared_lock lock(s_.mu);
    auto it = key.find('@') != std::string::npos ? s_.account_by_email.find(key)
                                                 : s_.account_by_username.find(key);
    auto end = key.find('@') != std::string::npos ? s_.account_by_email.end()
                                                  : s_.account_by_username.end();
    if (it != end) rec = s_.accounts.at(it->second).rec;
  }
  if (rec == nullptr) {
    // Spend the same effort as a real check so response time does not reveal which logins exist.
    static const std::string kDummy =
        HashPassword("not a real password", {s_.config.password_ops, s_.config.password_mem_bytes})
            .value();
    VerifyPassword(password, kDummy);
    return Status::Unauthorized("invalid login or password");
  }
  if (!AllowLoginAttempt(rec->id)) {
    return Status::RateLimited("too many failed sign-in attempts; try again later");
  }
  // The hash is read from storage (ApplyAccountLocked): one point read beside argon2id's ~100 ms.
  PLAZA_ASSIGN_OR_RETURN(AccountRecord stored, s_.storage.GetAccount(rec->id));
  if (!VerifyPassword(password, stored.password_hash)) {
    RecordLoginFailure(rec->id);
    return Status::Unauthorized("invalid login or password");
  }
  if (rec->suspended) return Status::Forbidden("account is suspended");
  return rec->id;
}

bool Accounts::AllowLoginAttempt(Id id) {
  std::lock_guard lock(failures_mu_);
  auto it = failures_.find(id);
  if (it == failures_.end()) return true;
  int64_t cutoff = NowUnixMs() - kHourMs;
  while (!it->second.empty() && it->second.front() < cutoff) it->second.pop_front();
  return static_cast<int>(it->second.size()) < s_.config.max_failed_logins_per_hour;
}

void Accounts::RecordLoginFailure(Id id) {
  std::lock_guard lock(failures_mu_);
  failures_[id].push_back(NowUnixMs());
}

bool Accounts::IsSuspended(Id id) const {
  std::shared_lock lock(s_.mu);
  return s_.suspended_accounts.contains(id);
}

std::optional<AccountView> Accounts::Get(Id id) const {
  std::shared_lock lock(s_.mu);
  const AccountEntry* e = s_.FindAccount(id);
  if (e == nullptr) return std::nullopt;
  return s_.ViewAccount(*e);
}

std::optional<AccountView> Accounts::FindByUsername(std::string_view username) const {
  std::string lower = AsciiToLower(username);
  std::shared_lock lock(s_.mu);
  auto it = s_.account_by_username.find(lower);
  if (it == s_.account_by_username.end()) return std::nullopt;
  return s_.ViewAccount(s_.accounts.at(it->second));
}

Result<AccountView> Accounts::UpdateProfile(Id id, const ProfileUpdate& u) {
  if (u.display_name) {
    PLAZA_RETURN_IF_ERROR(
        ValidateProfileText(*u.display_name, s_.config.max_display_name_chars, "display_name"));
  }
  if (u.note) PLAZA_RETURN_IF_ERROR(ValidateProfileText(*u.note, s_.config.max_note_chars, "note"));
  ProfileUpdate checked = u;
  if (moderation_ != nullptr) {
    // Strongest decision over both fields: a held field holds the whole text change.
    std::optional<std::string> held_name, held_note;
    std::string reason;
    auto check = [&](std::optional<std::string>& field, std::optional<std::string>& held,
                     std::string_view name) -> Status {
      if (!field) return Status::Ok();
      PLAZA_ASSIGN_OR_RETURN(ContentDecision d, moderation_->CheckProfile(id, name, *field));
      if (d.held()) {
        held = std::move(field);
        field.reset();
        reason += std::string(name) + ": " + d.reason + "; ";
      } else if (d.action == safety::Action::kLabel) {
        PLAZA_RETURN_IF_ERROR(
            moderation_->AuditSystem("profile.label", "account", id, id,
                                     std::string(name) + ": " + d.reason));
      } else if (d.action == safety::Action::kMask) {
        field = std::move(d.text);
        PLAZA_RETURN_IF_ERROR(moderation_->AuditSystem("profile.mask", "account", id, id,
                                                       std::string(name) + ": " + d.reason));
      }
      return Status::Ok();
    };
    PLAZA_RETURN_IF_ERROR(check(checked.display_name, held_name, "display_name"));
    PLAZA_RETURN_IF_ERROR(check(checked.note, held_note, "note"));
    if (held_name || held_note) {
      PLAZA_RETURN_IF_ERROR(moderation_->HoldProfile(id, held_name, held_note, reason));
    }
  }
  PLAZA_ASSIGN_OR_RETURN(AccountView view, ApplyProfile(id, checked));
  if (moderation_ != nullptr) {
    // The author sees the change waiting for review; everyone else keeps seeing the old one.
    if (auto pending = moderation_->PendingProfile(id)) {
      auto rec = std::make_shared<AccountRecord>(*view.rec);
      if (pending->has_display_name) rec->display_name = pending->display_name;
      if (pending->has_note) rec->note = pending->note;
      view.rec = std::move(rec);
    }
  }
  return view;
}

Result<AccountView> Accounts::ApplyProfile(Id id, const ProfileUpdate& u) {
  auto guard = s_.locks.Lock({KeyLocks::Key(kLockAccount, id)});
  PLAZA_ASSIGN_OR_RETURN(AccountRecord rec, ReadStored(id));
  if (u.display_name) rec.display_name = *u.display_name;
  if (u.note) rec.note = *u.note;
  if (u.locked) rec.locked = *u.locked;
  if (u.bot) rec.bot = *u.bot;
  storage::WriteBatch batch;
  batch.Put(rec);
  PLAZA_RETURN_IF_ERROR(s_.storage.Commit(batch));
  PLAZA_RETURN_IF_ERROR(ApplyAccount(rec));
  return *Get(id);
}

Status Accounts::SetRole(Id id, Role role) {
  auto guard = s_.locks.Lock({KeyLocks::Key(kLockAccount, id)});
  PLAZA_ASSIGN_OR_RETURN(AccountRecord rec, ReadStored(id));
  rec.role = role;
  storage::WriteBatch batch;
  batch.Put(rec);
  PLAZA_RETURN_IF_ERROR(s_.storage.Commit(batch));
  return ApplyAccount(rec);
}

Result<AccountView> Accounts::Modify(Id id, const std::function<Status(AccountRecord&)>& change,
                                     storage::WriteBatch batch) {
  auto guard = s_.locks.Lock({KeyLocks::Key(kLockAccount, id)});
  PLAZA_ASSIGN_OR_RETURN(AccountRecord rec, ReadStored(id));
  PLAZA_RETURN_IF_ERROR(change(rec));
  batch.Put(rec);
  PLAZA_RETURN_IF_ERROR(s_.storage.Commit(batch));
  PLAZA_RETURN_IF_ERROR(ApplyAccount(rec));
  return *Get(id);
}

Result<AccountRecord> Accounts::ReadStored(Id id) const {
  {
    std::shared_lock lock(s_.mu);
    if (s_.FindAccount(id) == nullptr) return Status::NotFound("account not found");
  }
  return s_.storage.GetAccount(id);
}

std::vector<AccountView> Accounts::SearchByPrefix(std::string_view prefix, size_t limit) const {
  std::string lower = AsciiToLower(prefix);
  std::vector<AccountView> out;
  std::shared_lock lock(s_.mu);
  for (const auto& [name, id] : s_.account_by_username) {
    if (out.size() >= limit) break;
    if (name.compare(0, lower.size(), lower) == 0) out.push_back(s_.ViewAccount(s_.accounts.at(id)));
  }
  return out;
}

}  // namespace plaza::domain
