// Accounts: sign-up, password sign-in (argon2id, with a failed-attempt limit per account and
// hour), profile updates and look-ups. Thread-safe.
#pragma once

#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/status.h"
#include "domain/model.h"
#include "domain/state.h"

namespace plaza::domain {

class Moderation;

struct SignUp {
  std::string username;
  std::string email;
  std::string password;
  bool agreement = false;
};

struct ProfileUpdate {
  std::optional<std::string> display_name;
  std::optional<std::string> note;
  std::optional<bool> locked;
  std::optional<bool> bot;
};

class Accounts {
 public:
  explicit Accounts(State& state) : s_(state) {}

  // Profile text and usernames are checked by `moderation` when set (Domain sets it).
  void set_moderation(Moderation* moderation) { moderation_ = moderation; }

  // Creates an account. kUnprocessable with a message naming the field when input is invalid or
  // the username/email is taken.
  Result<AccountView> Register(const SignUp& input);
  // Checks a password for a username or an email. kUnauthorized when wrong, kRateLimited after too
  // many failures for this account in the last hour.
  Result<Id> CheckPassword(std::string_view login, std::string_view password);

  std::optional<AccountView> Get(Id id) const;
  // Cheap: no account record is read (every authenticated request asks).
  bool IsSuspended(Id id) const;
  std::optional<AccountView> FindByUsername(std::string_view username) const;
  Result<AccountView> UpdateProfile(Id id, const ProfileUpdate& update);
  Status SetRole(Id id, Role role);
  // Changes the stored account under its lock: `change` edits a copy, which is committed together
  // with `batch` and then applied. Used by moderation (suspensions, approved profile changes);
  // no content check runs here.
  Result<AccountView> Modify(Id id, const std::function<Status(AccountRecord&)>& change,
                             storage::WriteBatch batch = {});
  // Accounts whose username starts with `prefix` (case-insensitive), up to `limit`.
  std::vector<AccountView> SearchByPrefix(std::string_view prefix, size_t limit) const;

  static bool IsValidUsername(std::string_view username);

  // Puts a stored account record into memory (start-up load and every write), without its
  // password hash: that stays in storage, read by CheckPassword, so no view of an account holds
  // it (and a million accounts keep ~110 MB less; bench/README.md, session 12).
  // REQUIRES: State::mu held exclusively.
  void ApplyAccountLocked(AccountRecord rec);

 private:
  bool AllowLoginAttempt(Id id);
  void RecordLoginFailure(Id id);
  Status ApplyAccount(const AccountRecord& rec);
  // The stored record of account `id`, password hash included: what a write starts from.
  // REQUIRES: the account's key lock held, so that no other write of it is under way.
  Result<AccountRecord> ReadStored(Id id) const;
  // Stores a profile update that passed moderation.
  Result<AccountView> ApplyProfile(Id id, const ProfileUpdate& update);

  State& s_;
  Moderation* moderation_ = nullptr;
  std::mutex failures_mu_;
  std::unordered_map<Id, std::deque<int64_t>> failures_;  // guarded by failures_mu_
};

}  // namespace plaza::domain
