// Shared helpers for the storage tests: fully populated sample records (every field set to a
// value distinct from its default and derived from a seed, so a dropped or swapped field shows),
// field-by-field equality, and a scoped temporary directory.
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <ostream>
#include <string>
#include <tuple>

#include <gtest/gtest.h>

#include "storage/records.h"

namespace plaza::storage {

inline auto Tie(const AccountRecord& r) {
  return std::tie(r.id, r.username, r.email, r.password_hash, r.display_name, r.note,
                  r.created_at_ms, r.role, r.locked, r.bot, r.silenced, r.suspended);
}
inline auto Tie(const AppRecord& r) {
  return std::tie(r.id, r.client_id, r.client_secret_hash, r.name, r.website, r.redirect_uris,
                  r.scopes, r.created_at_ms);
}
inline auto Tie(const TokenRecord& r) {
  return std::tie(r.token_hash, r.app_id, r.account_id, r.scopes, r.created_at_ms);
}
inline auto Tie(const AuthCodeRecord& r) {
  return std::tie(r.code_hash, r.app_id, r.account_id, r.scopes, r.redirect_uri,
                  r.code_challenge, r.code_challenge_method, r.expires_at_ms);
}
inline auto Tie(const StatusRecord& r) {
  return std::tie(r.id, r.account_id, r.text, r.content_html, r.spoiler_text, r.visibility,
                  r.sensitive, r.language, r.in_reply_to_id, r.in_reply_to_account_id,
                  r.reblog_of_id, r.quote_of_id, r.app_id, r.mention_ids, r.tags, r.created_at_ms,
                  r.edited_at_ms);
}
inline auto Tie(const StatusEditRecord& r) {
  return std::tie(r.status_id, r.version, r.text, r.content_html, r.spoiler_text, r.sensitive,
                  r.created_at_ms);
}
inline auto Tie(const EdgeRecord& r) {
  return std::tie(r.kind, r.source, r.target, r.id, r.notifications, r.reblogs);
}
inline auto Tie(const MarkRecord& r) { return std::tie(r.kind, r.account_id, r.status_id, r.id); }
inline auto Tie(const NotificationRecord& r) {
  return std::tie(r.id, r.account_id, r.type, r.from_account_id, r.status_id, r.created_at_ms);
}
inline auto Tie(const IdempotencyRecord& r) {
  return std::tie(r.account_id, r.key, r.status_id, r.created_at_ms);
}
inline auto Tie(const PendingNotifyRecord& r) { return std::tie(r.status_id, r.after); }

#define PLAZA_RECORD_EQ(T)                                                      \
  inline bool operator==(const T& a, const T& b) { return Tie(a) == Tie(b); }  \
  inline void PrintTo(const T&, std::ostream* os) { *os << #T "{...}"; }
PLAZA_RECORD_EQ(AccountRecord)
PLAZA_RECORD_EQ(AppRecord)
PLAZA_RECORD_EQ(TokenRecord)
PLAZA_RECORD_EQ(AuthCodeRecord)
PLAZA_RECORD_EQ(StatusRecord)
PLAZA_RECORD_EQ(StatusEditRecord)
PLAZA_RECORD_EQ(EdgeRecord)
PLAZA_RECORD_EQ(MarkRecord)
PLAZA_RECORD_EQ(NotificationRecord)
PLAZA_RECORD_EQ(IdempotencyRecord)
PLAZA_RECORD_EQ(PendingNotifyRecord)
#undef PLAZA_RECORD_EQ

// Strings with multi-byte UTF-8, an embedded NUL and a 0xff byte, so nothing assumes C strings.
inline std::string Text(const char* what, uint64_t seed) {
  std::string s = std::string(what) + "-" + std::to_string(seed) + " 微博 ";
  s.push_back('\0');
  s.push_back('\xff');
  return s;
}

inline AccountRecord SampleAccount(Id id) {
  AccountRecord r;
  r.id = id;
  r.username = Text("user", id);
  r.email = Text("email", id);
  r.password_hash = Text("$argon2id$", id);
  r.display_name = Text("名字", id);
  r.note = Text("note", id);
  r.created_at_ms = 1700000000000 + static_cast<int64_t>(id);
  r.role = Role::kModerator;
  r.locked = true;
  r.bot = false;
  r.silenced = true;
  r.suspended = true;
  return r;
}

inline AppRecord SampleApp(Id id) {
  AppRecord r;
  r.id = id;
  r.client_id = Text("client", id);
  r.client_secret_hash = Text("secret", id);
  r.name = Text("app", id);
  r.website = Text("https://example.com/", id);
  r.redirect_uris = "urn:ietf:wg:oauth:2.0:oob\nhttps://a.example/cb";
  r.scopes = "read write follow push";
  r.created_at_ms = -5;  // negative times survive too
  return r;
}

inline TokenRecord SampleToken(uint64_t seed) {
  TokenRecord r;
  r.token_hash = "tok" + std::to_string(seed);
  r.app_id = 1000 + seed;
  r.account_id = 2000 + seed;
  r.scopes = "read write";
  r.created_at_ms = 1700000000123;
  return r;
}

inline AuthCodeRecord SampleAuthCode(uint64_t seed) {
  AuthCodeRecord r;
  r.code_hash = "code" + std::to_string(seed);
  r.app_id = 11 + seed;
  r.account_id = 12 + seed;
  r.scopes = "read";
  r.redirect_uri = "https://a.example/cb";
  r.code_challenge = Text("challenge", seed);
  r.code_challenge_method = "S256";
  r.expires_at_ms = INT64_MAX;
  return r;
}

inline StatusRecord SampleStatus(Id id) {
  StatusRecord r;
  r.id = id;
  r.account_id = 7 + id;
  r.text = Text("hello #话题# @someone", id);
  r.content_html = Text("<p>hello</p>", id);
  r.spoiler_text = Text("cw", id);
  r.visibility = Visibility::kDirect;
  r.sensitive = true;
  r.language = "zh";
  r.in_reply_to_id = UINT64_MAX;
  r.in_reply_to_account_id = 1;
  r.reblog_of_id = 2;
  r.quote_of_id = 3;
  r.app_id = 4;
  r.mention_ids = {5, UINT64_MAX, 0, 1ull << 63};
  r.tags = {"话题", "", Text("tag", id)};
  r.created_at_ms = 1700000000000 + static_cast<int64_t>(id % 1000);
  r.edited_at_ms = INT64_MIN;
  return r;
}

inline StatusEditRecord SampleEdit(Id status_id, uint32_t version) {
  StatusEditRecord r;
  r.status_id = status_id;
  r.version = version;
  r.text = Text("edit", version);
  r.content_html = Text("<p>edit</p>", version);
  r.spoiler_text = Text("cw", version);
  r.sensitive = true;
  r.created_at_ms = 1700000000000 + version;
  return r;
}

inline EdgeRecord SampleEdge(EdgeKind kind, Id source, Id target) {
  EdgeRecord r;
  r.kind = kind;
  r.source = source;
  r.target = target;
  r.id = source * 1000 + target;
  r.notifications = true;
  r.reblogs = false;
  return r;
}

inline MarkRecord SampleMark(MarkKind kind, Id account_id, Id status_id) {
  MarkRecord r;
  r.kind = kind;
  r.account_id = account_id;
  r.status_id = status_id;
  r.id = account_id * 1000 + status_id + 1;
  return r;
}

inline NotificationRecord SampleNotification(Id account_id, Id id) {
  NotificationRecord r;
  r.id = id;
  r.account_id = account_id;
  r.type = NotificationType::kUpdate;
  r.from_account_id = id + 1;
  r.status_id = id + 2;
  r.created_at_ms = 1700000000000 + static_cast<int64_t>(id % 1000);
  return r;
}

inline IdempotencyRecord SampleIdempotency(Id account_id, std::string key) {
  IdempotencyRecord r;
  r.account_id = account_id;
  r.key = std::move(key);
  r.status_id = account_id + 99;
  r.created_at_ms = 1700000000999;
  return r;
}

// A fresh directory under the test temp dir, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = ::testing::TempDir() + "plaza_storage_XXXXXX";
    char* made = mkdtemp(tmpl.data());
    if (made == nullptr) std::abort();
    path_ = made;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace plaza::storage
