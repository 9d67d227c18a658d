#include "domain/auth.h"

#include <algorithm>
#include <array>
#include <set>
#include <sstream>

#include "common/clock.h"
#include "common/utf8.h"
#include "domain/crypto.h"

namespace plaza::domain {
namespace {

constexpr int64_t kCodeTtlMs = 10 * 60 * 1000;
constexpr std::array<std::string_view, 4> kTopScopes = {"read", "write", "follow", "push"};
constexpr std::array<std::string_view, 11> kReadScopes = {
    "accounts", "blocks", "bookmarks", "favourites", "filters", "follows",
    "lists",    "mutes",  "notifications", "search", "statuses"};
constexpr std::array<std::string_view, 14> kWriteScopes = {
    "accounts",      "blocks",  "bookmarks", "conversations", "favourites", "filters", "follows",
    "lists",         "media",   "mutes",     "notifications", "reports",    "statuses", "orders"};

// Calls `fn` on each scope of a space/plus/comma separated list, in place, until it returns true;
// returns whether one did.
template <typename Fn>
bool AnyScope(std::string_view s, Fn&& fn) {
  auto is_sep = [](char c) { return c == ' ' || c == '+' || c == ',' || c == '\t'; };
  for (size_t i = 0; i < s.size();) {
    if (is_sep(s[i])) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < s.size() && !is_sep(s[j])) ++j;
    if (fn(s.substr(i, j - i))) return true;
    i = j;
  }
  return false;
}

std::vector<std::string> SplitScopes(std::string_view s) {
  std::vector<std::string> out;
  AnyScope(s, [&](std::string_view scope) {
    out.emplace_back(scope);
    return false;
  });
  return out;
}

bool IsKnownScope(std::string_view s) {
  if (std::find(kTopScopes.begin(), kTopScopes.end(), s) != kTopScopes.end()) return true;
  if (s == "profile" || s == "admin:read" || s == "admin:write") return true;
  auto colon = s.find(':');
  if (colon == std::string_view::npos) return false;
  auto head = s.substr(0, colon);
  auto tail = s.substr(colon + 1);
  if (head == "read") {
    return std::find(kReadScopes.begin(), kReadScopes.end(), tail) != kReadScopes.end();
  }
  if (head == "write") {
    return std::find(kWriteScopes.begin(), kWriteScopes.end(), tail) != kWriteScopes.end();
  }
  if (head == "admin") {
    return tail.starts_with("read:") || tail.starts_with("write:");
  }
  return false;
}

bool FollowFamily(std::string_view required) {
  static constexpr std::array<std::string_view, 6> kFollow = {
      "read:follows", "write:follows", "read:blocks", "write:blocks", "read:mutes", "write:mutes"};
  return std::find(kFollow.begin(), kFollow.end(), required) != kFollow.end();
}

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) {
    if (!out.empty()) out += ' ';
    out += s;
  }
  return out;
}

}  // namespace

Status Auth::Load() {
  std::unique_lock lock(mu_);
  PLAZA_RETURN_IF_ERROR(s_.storage.ForEachApp([this](const storage::AppRecord& app) {
    apps_[app.client_id] = app;
    app_client_ids_[app.id] = app.client_id;
    s_.ids.AdvancePast(app.id);
    return Status::Ok();
  }));
  return s_.storage.ForEachToken([this](const storage::TokenRecord& rec) {
    IndexTokenLocked(rec);
    return Status::Ok();
  });
}

std::optional<Auth::TokenKey> Auth::KeyOf(std::string_view hex) {
  if (hex.size() < 32) return std::nullopt;
  uint64_t words[2] = {0, 0};
  for (size_t i = 0; i < 32; ++i) {
    char c = hex[i];
    uint64_t v;
    if (c >= '0' && c <= '9') {
      v = static_cast<uint64_t>(c - '0');
    } else if (c >= 'a' && c <= 'f') {
      v = static_cast<uint64_t>(c - 'a' + 10);
    } else {
      return std::nullopt;
    }
    words[i / 16] = words[i / 16] << 4 | v;
  }
  return TokenKey{words[0], words[1]};
}

Auth::TokenKey Auth::KeyOf(const Sha256Digest& digest) {
  uint64_t words[2] = {0, 0};
  for (size_t i = 0; i < 16; ++i) words[i / 8] = words[i / 8] << 8 | digest[i];
  return TokenKey{words[0], words[1]};
}

void Auth::IndexTokenLocked(const storage::TokenRecord& rec) {
  auto key = KeyOf(rec.token_hash);
  if (!key) return;  // not a hash this code wrote; it can never match a bearer token
  auto [it, added] = scope_set_ids_.try_emplace(rec.scopes, static_cast<uint32_t>(scope_sets_.size()));
  if (added) scope_sets_.push_back(rec.scopes);
  tokens_[*key] = TokenEntry{rec.account_id, rec.app_id, it->second};
}

size_t Auth::TokenCount() const {
  std::shared_lock lock(mu_);
  return tokens_.size();
}

bool Auth::ScopeAllows(std::string_view granted, std::string_view required) {
  // Runs on every authenticated request: no allocation.
  return AnyScope(granted, [&](std::string_view g) {
    if (g == required) return true;
    bool parent = g == "read" || g == "write" || g == "admin:read" || g == "admin:write";
    if (parent && required.size() > g.size() && required.starts_with(g) &&
        required[g.size()] == ':') {
      return true;  // "read" covers "read:statuses", "admin:read" covers "admin:read:accounts"
    }
    return g == "follow" && FollowFamily(required);
  });
}

Result<std::string> Auth::NormalizeScopes(std::string_view scopes, std::string_view fallback) {
  auto list = SplitScopes(scopes);
  if (list.empty()) list = SplitScopes(fallback);
  std::vector<std::string> out;
  for (auto& s : list) {
    if (!IsKnownScope(s)) return Status::Invalid("unknown scope: " + s);
    if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
  }
  return Join(out);
}

bool Auth::ScopesSubset(std::string_view requested, std::string_view allowed) {
  for (const auto& r : SplitScopes(requested)) {
    if (!ScopeAllows(allowed, r)) return false;
  }
  return true;
}

Result<CreatedApp> Auth::CreateApp(std::string_view name, std::string_view redirect_uris,
                                   std::string_view scopes, std::string_view website) {
  if (name.empty() || name.size() > 200 || !IsValidUtf8(name)) {
    return Status::Unprocessable("client_name must be 1 to 200 bytes of UTF-8");
  }
  if (redirect_uris.empty()) return Status::Unprocessable("redirect_uris is required");
  if (redirect_uris.size() > 2000 || !IsValidUtf8(redirect_uris) || website.size() > 2000 ||
      !IsValidUtf8(website)) {
    return Status::Unprocessable("redirect_uris or website is invalid");
  }
  std::istringstream uris{std::string(redirect_uris)};
  for (std::string line; std::getline(uris, line);) {
    if (line.empty()) continue;
    if (line != "urn:ietf:wg:oauth:2.0:oob" && line.find("://") == std::string::npos) {
      return Status::Unprocessable("redirect_uris must be absolute URIs");
    }
  }
  PLAZA_ASSIGN_OR_RETURN(std::string normalized, NormalizeScopes(scopes, "read"));
  CreatedApp out;
  out.rec.id = s_.ids.Next();
  out.rec.client_id = RandomToken(32);
  out.client_secret = RandomToken(32);
  out.rec.client_secret_hash = Sha256Hex(out.client_secret);
  out.rec.name = std::string(name);
  out.rec.website = std::string(website);
  out.rec.redirect_uris = std::string(redirect_uris);
  out.rec.scopes = normalized;
  out.rec.created_at_ms = NowUnixMs();
  storage::WriteBatch batch;
  batch.Put(out.rec);
  PLAZA_RETURN_IF_ERROR(s_.storage.Commit(batch));
  std::unique_lock lock(mu_);
  apps_[out.rec.client_id] = out.rec;
  app_client_ids_[out.rec.id] = out.rec.client_id;
  return out;
}

std::optional<storage::AppRecord> Auth::FindApp(std::string_view client_id) const {
  std::shared_lock lock(mu_);
  auto it = apps_.find(std::string(client_id));
  if (it == apps_.end()) return std::nullopt;
  return it->second;
}

std::optional<storage::AppRecord> Auth::FindAppById(Id app_id) const {
  std::optional<storage::AppRecord> app;
  WithApp(app_id, [&app](const storage::AppRecord& found) { app = found; });
  return app;
}

bool Auth::WithApp(Id app_id, const std::function<void(const storage::AppRecord&)>& fn) const {
  std::shared_lock lock(mu_);
  auto it = app_client_ids_.find(app_id);
  if (it == app_client_ids_.end()) return false;
  fn(apps_.at(it->second));
  return true;
}

Result<storage::AppRecord> Auth::VerifyClient(std::string_view client_id,
                                              const std::string* secret) const {
  auto app = FindApp(client_id);
  if (!app) return Status::Unauthorized("invalid client");
  if (secret != nullptr && !ConstantTimeEquals(Sha256Hex(*secret), app->client_secret_hash)) {
    return Status::Unauthorized("invalid client");
  }
  return *app;
}

Result<std::string> Auth::CheckRequestedScopes(const storage::AppRecord& app,
                                               std::string_view scopes) {
  PLAZA_ASSIGN_OR_RETURN(std::string normalized, NormalizeScopes(scopes, app.scopes));
  if (!ScopesSubset(normalized, app.scopes)) {
    return Status::Invalid("requested scopes exceed the app's scopes");
  }
  return normalized;
}

Result<std::string> Auth::IssueCode(const storage::AppRecord& app, Id account_id,
                                    std::string_view scopes, std::string_view redirect_uri,
                                    std::string_view code_challenge,
                                    std::string_view code_challenge_method) {
  PLAZA_ASSIGN_OR_RETURN(std::string normalized, CheckRequestedScopes(app, scopes));
  if (!code_challenge.empty() && code_challenge_method != "S256" &&
      code_challenge_method != "plain") {
    return Status::Invalid("unsupported code_challenge_method");
  }
  std::string code = RandomToken(32);
  storage::AuthCodeRecord rec;
  rec.code_hash = Sha256Hex(code);
  rec.app_id = app.id;
  rec.account_id = account_id;
  rec.scopes = normalized;
  rec.redirect_uri = std::string(redirect_uri);
  rec.code_challenge = std::string(code_challenge);
  rec.code_challenge_method =
      code_challenge.empty() ? "" : std::string(code_challenge_method.empty() ? "plain"
                                                                              : code_challenge_method);
  rec.expires_at_ms = NowUnixMs() + kCodeTtlMs;
  storage::WriteBatch batch;
  batch.Put(rec);
  PLAZA_RETURN_IF_ERROR(s_.storage.Commit(batch));
  return code;
}

Result<IssuedToken> Auth::ExchangeCode(std::string_view client_id,
                                       const std::string* client_secret, std::string_view code,
                                       std::string_view redirect_uri,
                                       std::string_view code_verifier) {
  PLAZA_ASSIGN_OR_RETURN(storage::AppRecord app, VerifyClient(client_id, client_secret));
  std::string hash = Sha256Hex(code);
  auto guard = s_.locks.Lock({KeyLocks::Key(7, std::hash<std::string>{}(hash))});
  auto rec = s_.storage.GetAuthCode(hash);
  if (!rec.ok()) {
    if (rec.status().IsNotFound()) return Status::Invalid("invalid_grant: unknown or used code");
    return rec.status();
  }
  // A code is single-use whatever happens next.
  storage::WriteBatch burn;
  burn.Put(storage::DeleteAuthCode{hash});
  PLAZA_RETURN_IF_ERROR(s_.storage.Commit(burn));
  if (rec->app_id != app.id) return Status::Invalid("invalid_grant: code was issued to another client");
  if (rec->expires_at_ms < NowUnixMs()) return Status::Invalid("invalid_grant: code expired");
  if (!rec->redirect_uri.empty() && rec->redirect_uri != redirect_uri) {
    return Status::Invalid("invalid_grant: redirect_uri mismatch");
  }
  if (!rec->code_challenge.empty()) {
    std::string derived = rec->code_challenge_method == "S256" ? Sha256Base64Url(code_verifier)
                                                               : std::string(code_verifier);
    if (code_verifier.empty() || !ConstantTimeEquals(derived, rec->code_challenge)) {
      return Status::Invalid("invalid_grant: code_verifier does not match");
    }
  } else if (client_secret == nullptr) {
    return Status::Unauthorized("client_secret is required");
  }
  return IssueToken(app.id, rec->account_id, rec->scopes);
}

Result<IssuedToken> Auth::PasswordGrant(std::string_view client_id,
                                        const std::string& client_secret, std::string_view login,
                                        std::string_view password, std::string_view scopes) {
  PLAZA_ASSIGN_OR_RETURN(storage::AppRecord app, VerifyClient(client_id, &client_secret));
  PLAZA_ASSIGN_OR_RETURN(std::string normalized, CheckRequestedScopes(app, scopes));
  PLAZA_ASSIGN_OR_RETURN(Id account_id, accounts_.CheckPassword(login, password));
  return IssueToken(app.id, account_id, normalized);
}

Result<IssuedToken> Auth::ClientCredentials(std::string_view client_id,
                                            const std::string& client_secret,
                                            std::string_view scopes) {
  PLAZA_ASSIGN_OR_RETURN(storage::AppRecord app, VerifyClient(client_id, &client_secret));
  PLAZA_ASSIGN_OR_RETURN(std::string normalized, CheckRequestedScopes(app, scopes));
  return IssueToken(app.id, 0, normalized);
}

Result<IssuedToken> Auth::IssueToken(Id app_id, Id account_id, std::string_view scopes) {
  IssuedToken out;
  out.access_token = RandomToken(32);
  out.scopes = std::string(scopes);
  out.created_at_ms = NowUnixMs();
  storage::TokenRecord rec;
  rec.token_hash = Sha256Hex(out.access_token);
  rec.app_id = app_id;
  rec.account_id = account_id;
  rec.scopes = out.scopes;
  rec.created_at_ms = out.created_at_ms;
  storage::WriteBatch batch;
  batch.Put(rec);
  PLAZA_RETURN_IF_ERROR(s_.storage.Commit(batch));
  std::unique_lock lock(mu_);
  IndexTokenLocked(rec);
  return out;
}

Status Auth::Revoke(std::string_view client_id, const std::string& client_secret,
                    std::string_view token) {
  PLAZA_ASSIGN_OR_RETURN(storage::AppRecord app, VerifyClient(client_id, &client_secret));
  Sha256Digest digest = Sha256(token);
  std::string hash = HexOf(digest);
  auto rec = s_.storage.GetToken(hash);
  if (!rec.ok()) return rec.status().IsNotFound() ? Status::Ok() : rec.status();
  if (rec->app_id != app.id) return Status::Forbidden("token belongs to another client");
  storage::WriteBatch batch;
  batch.Put(storage::DeleteToken{hash});
  PLAZA_RETURN_IF_ERROR(s_.storage.Commit(batch));
  std::unique_lock lock(mu_);
  tokens_.erase(KeyOf(digest));
  return Status::Ok();
}

std::optional<TokenInfo> Auth::Authenticate(std::string_view bearer) {
  if (bearer.empty() || bearer.size() > 512) return std::nullopt;
  Sha256Digest digest = Sha256(bearer);
  TokenInfo info;
  {
    std::shared_lock lock(mu_);
    auto it = tokens_.find(KeyOf(digest));
    if (it == tokens_.end()) return std::nullopt;
    info.account_id = it->second.account_id;
    info.app_id = it->second.app_id;
    info.scopes = scope_sets_[it->second.scopes];
  }
  info.token_digest = digest;
  // A suspension takes effect on the next request. (Tokens are issued only to existing accounts,
  // and accounts are never removed.)
  if (info.account_id != 0 && accounts_.IsSuspended(info.account_id)) return std::nullopt;
  return info;
}

}  // namespace plaza::domain
