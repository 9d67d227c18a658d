// The records Plaza stores. Plain values with no behaviour; the domain owns their meaning and the
// storage adapters own their encoding. Times are Unix milliseconds; an Id of 0 means "none".
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/id.h"

namespace plaza::storage {

enum class Role : uint8_t { kUser = 0, kModerator = 1, kAdmin = 2 };

struct AccountRecord {
  Id id = 0;
  std::string username;       // as typed at sign-up; unique case-insensitively
  std::string email;          // lower-cased
  std::string password_hash;  // argon2id encoded string (libsodium crypto_pwhash_str)
  std::string display_name;
  std::string note;           // bio, plain text as written
  int64_t created_at_ms = 0;
  Role role = Role::kUser;
  bool locked = false;
  bool bot = false;
  bool silenced = false;
  bool suspended = false;
};

struct AppRecord {
  Id id = 0;
  std::string client_id;
  std::string client_secret_hash;  // hex SHA-256 of the secret
  std::string name;
  std::string website;
  std::string redirect_uris;  // newline-separated
  std::string scopes;         // space-separated
  int64_t created_at_ms = 0;
};

// An access token. Only the hash of the token is stored.
struct TokenRecord {
  std::string token_hash;  // hex SHA-256 of the bearer token; the primary key
  Id app_id = 0;
  Id account_id = 0;       // 0 for client_credentials tokens
  std::string scopes;      // space-separated
  int64_t created_at_ms = 0;
};

// A one-time OAuth authorization code.
struct AuthCodeRecord {
  std::string code_hash;  // primary key
  Id app_id = 0;
  Id account_id = 0;
  std::string scopes;
  std::string redirect_uri;
  std::string code_challenge;  // PKCE, empty when not used
  std::string code_challenge_method;
  int64_t expires_at_ms = 0;
};

enum class Visibility : uint8_t { kPublic = 0, kUnlisted = 1, kPrivate = 2, kDirect = 3 };

struct StatusRecord {
  Id id = 0;
  Id account_id = 0;
  std::string text;          // source as written
  std::string content_html;  // rendered once at write time
  std::string spoiler_text;
  Visibility visibility = Visibility::kPublic;
  bool sensitive = false;
  std::string language;
  Id in_reply_to_id = 0;
  Id in_reply_to_account_id = 0;
  Id reblog_of_id = 0;  // a repost: no text of its own
  Id quote_of_id = 0;   // a repost with a comment
  Id app_id = 0;
  std::vector<Id> mention_ids;
  std::vector<std::string> tags;  // normalized (lower-case) topic names
  int64_t created_at_ms = 0;
  int64_t edited_at_ms = 0;  // 0 when never edited
};

// One earlier or current revision of a status, kept for GET /statuses/:id/history.
struct StatusEditRecord {
  Id status_id = 0;
  uint32_t version = 0;  // 0 is the original
  std::string text;
  std::string content_html;
  std::string spoiler_text;
  bool sensitive = false;
  int64_t created_at_ms = 0;
};

enum class EdgeKind : uint8_t { kFollow = 0, kBlock = 1, kMute = 2 };

// A directed edge between two accounts.
struct EdgeRecord {
  EdgeKind kind = EdgeKind::kFollow;
  Id source = 0;
  Id target = 0;
  Id id = 0;  // time-ordered; used for pagination of follower lists
  bool notifications = false;  // follow: notify on posts; mute: also mute notifications
  bool reblogs = true;         // follow: show reposts in home
};

enum class MarkKind : uint8_t { kFavourite = 0, kBookmark = 1 };

// An account's mark on a status: a like (favourite) or a bookmark.
struct MarkRecord {
  MarkKind kind = MarkKind::kFavourite;
  Id account_id = 0;
  Id status_id = 0;
  Id id = 0;  // time-ordered; used for pagination of /favourites and /bookmarks
};

enum class NotificationType : uint8_t {
  kMention = 0,
  kFollow = 1,
  kFavourite = 2,
  kReblog = 3,
  kQuote = 4,
  kStatus = 5,
  kUpdate = 6,
};

struct NotificationRecord {
  Id id = 0;
  Id account_id = 0;       // recipient
  NotificationType type = NotificationType::kMention;
  Id from_account_id = 0;
  Id status_id = 0;        // 0 for follow
  int64_t created_at_ms = 0;
};

// A published status's `status` notifications still to be made: its author has more followers
// who asked to be notified of its posts than the status's own write takes, so the rest are made
// after it, a batch at a time (domain/notifications.h). Written with the status, so a restart
// resumes the delivery; `after` is the last of those followers (by id) already done, 0 for none.
struct PendingNotifyRecord {
  Id status_id = 0;
  Id after = 0;
};

// Remembers the answer to a POST carrying an Idempotency-Key.
struct IdempotencyRecord {
  Id account_id = 0;
  std::string key;
  Id status_id = 0;
  int64_t created_at_ms = 0;
};

}  // namespace plaza::storage
