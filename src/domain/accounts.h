// Accounts: sign-up, password sign-in (argon2id, with a failed-attempt limit per account and
// hour), profile updates and look-ups. Thread-safe.
#pragma once

#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/status.h"
#include "domain/model.h"
#include "domain/state.h"

namespace plaza::domain {

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

  // Creates an account. kUnprocessable with a message naming the field when input is invalid or
  // the username/email is taken.
  Result<AccountView> Register(const SignUp& input);
  // Checks a password for a username or an email. kUnauthorized when wrong, kRateLimited after too
  // many failures for this account in the last hour.
  Result<Id> CheckPassword(std::string_view login, std::string_view password);

  std::optional<AccountView> Get(Id id) const;
  std::optional<AccountView> FindByUsername(std::string_view username) const;
  Result<AccountView> UpdateProfile(Id id, const ProfileUpdate& update);
  Status SetRole(Id id, Role role);
  // Accounts whose username starts with `prefix` (case-insensitive), up to `limit`.
  std::vector<AccountView> SearchByPrefix(std::string_view prefix, size_t limit) const;

  static bool IsValidUsername(std::string_view username);

 private:
  bool AllowLoginAttempt(Id id);
  void RecordLoginFailure(Id id);
  Status ApplyAccount(const AccountRecord& rec);

  State& s_;
  std::mutex failures_mu_;
  std::unordered_map<Id, std::deque<int64_t>> failures_;  // guarded by failures_mu_
};

}  // namespace plaza::domain
