// OAuth 2 as Mastodon speaks it: registered apps, authorization codes (with optional PKCE),
// the password and client_credentials grants, bearer tokens and scopes. Tokens and secrets are
// stored only as SHA-256 hashes. Thread-safe.
//
// Every live token is indexed in memory (loaded at start, kept in step by issue and revoke), so
// authenticating a request reads no storage: a flash sale's first request from each of a million
// accounts costs a hash and one table probe, and an unknown token is refused just as cheaply.
// About 60 bytes per token (the first 128 bits of its hash, the account, the app and an interned
// scope set).
#pragma once

#include <boost/unordered/unordered_flat_map.hpp>
#include <deque>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "domain/accounts.h"
#include "domain/crypto.h"
#include "domain/state.h"

namespace plaza::domain {

struct CreatedApp {
  storage::AppRecord rec;
  std::string client_secret;  // shown once
};

struct IssuedToken {
  std::string access_token;  // shown once
  std::string scopes;
  int64_t created_at_ms = 0;
};

struct TokenInfo {
  Id account_id = 0;  // 0 for an app-only token
  Id app_id = 0;
  // The token's scopes, interned by Auth for as long as it lives: reading them costs no copy.
  std::string_view scopes;
  Sha256Digest token_digest;  // SHA-256 of the bearer token (the per-token rate limit's key)
};

class Auth {
 public:
  Auth(State& state, Accounts& accounts) : s_(state), accounts_(accounts) {}

  Status Load();

  Result<CreatedApp> CreateApp(std::string_view name, std::string_view redirect_uris,
                               std::string_view scopes, std::string_view website);
  std::optional<storage::AppRecord> FindApp(std::string_view client_id) const;
  std::optional<storage::AppRecord> FindAppById(Id app_id) const;
  // Calls `fn` with app `app_id`'s record, under the lock that keeps it (no copy), and returns
  // true; false when there is no such app. `fn` must not call back into Auth.
  bool WithApp(Id app_id, const std::function<void(const storage::AppRecord&)>& fn) const;
  // kUnauthorized unless the client exists and (when `secret` is non-null) the secret matches.
  Result<storage::AppRecord> VerifyClient(std::string_view client_id,
                                          const std::string* secret) const;

  // Issues a one-time code for the consent page (valid 10 minutes).
  Result<std::string> IssueCode(const storage::AppRecord& app, Id account_id,
                                std::string_view scopes, std::string_view redirect_uri,
                                std::string_view code_challenge,
                                std::string_view code_challenge_method);
  Result<IssuedToken> ExchangeCode(std::string_view client_id, const std::string* client_secret,
                                   std::string_view code, std::string_view redirect_uri,
                                   std::string_view code_verifier);
  Result<IssuedToken> PasswordGrant(std::string_view client_id, const std::string& client_secret,
                                    std::string_view login, std::string_view password,
                                    std::string_view scopes);
  Result<IssuedToken> ClientCredentials(std::string_view client_id,
                                        const std::string& client_secret, std::string_view scopes);
  Result<IssuedToken> IssueToken(Id app_id, Id account_id, std::string_view scopes);
  // Revokes `token` if it belongs to the client. Unknown tokens are not an error (RFC 7009).
  Status Revoke(std::string_view client_id, const std::string& client_secret,
                std::string_view token);

  // Resolves a bearer token; nullopt when unknown, revoked, or its account is suspended.
  std::optional<TokenInfo> Authenticate(std::string_view bearer);
  // Live tokens in the index.
  size_t TokenCount() const;

  // Scope rules: "read" covers "read:*", "write" covers "write:*", "follow" covers the follow
  // family, "admin:read" covers "admin:read:*".
  static bool ScopeAllows(std::string_view granted, std::string_view required);
  // Normalizes a space/plus separated scope list; kInvalid for unknown scopes.
  static Result<std::string> NormalizeScopes(std::string_view scopes, std::string_view fallback);
  // True when every scope in `requested` is allowed by `allowed`.
  static bool ScopesSubset(std::string_view requested, std::string_view allowed);

 private:
  Result<std::string> CheckRequestedScopes(const storage::AppRecord& app, std::string_view scopes);

  // The index key of a token: the first 128 bits of its SHA-256 (from the stored hex form).
  struct TokenKey {
    uint64_t hi = 0;
    uint64_t lo = 0;
    bool operator==(const TokenKey&) const = default;
  };
  struct TokenKeyHash {
    using is_avalanching = void;  // the bits of a SHA-256 are already uniform
    size_t operator()(const TokenKey& k) const noexcept { return k.hi; }
  };
  struct TokenEntry {
    Id account_id = 0;
    Id app_id = 0;
    uint32_t scopes = 0;  // index into scope_sets_
  };
  static std::optional<TokenKey> KeyOf(std::string_view token_hash_hex);
  static TokenKey KeyOf(const Sha256Digest& digest);
  // Adds a stored token to the index; callers hold mu_ exclusively.
  void IndexTokenLocked(const storage::TokenRecord& rec);

  State& s_;
  Accounts& accounts_;
  mutable std::shared_mutex mu_;
  // ---- guarded by mu_ ----
  std::unordered_map<std::string, storage::AppRecord> apps_;  // by client_id
  std::unordered_map<Id, std::string> app_client_ids_;
  boost::unordered_flat_map<TokenKey, TokenEntry, TokenKeyHash> tokens_;
  // Distinct scope strings, interned: tokens share a handful of them. A deque, so that a string
  // stays where it is as more are added (TokenInfo::scopes points into it), and none is removed.
  std::deque<std::string> scope_sets_;
  std::unordered_map<std::string, uint32_t> scope_set_ids_;
};

}  // namespace plaza::domain
