#include "storage/record_codec.h"

#include <string>

#include "storage/codec_io.h"

namespace plaza::storage::codec {
namespace {

Status Corrupt(std::string_view what) {
  return Status::IOError("storage: corrupt " + std::string(what) + " record");
}

// Wraps a decoder body: returns the record when both key and value were fully consumed.
template <typename T>
Result<T> Finish(T record, const Reader& key, const Reader& value, std::string_view what) {
  if (!key.Done() || !value.Done()) return Corrupt(what);
  return record;
}

std::string Prefixed(Table table, size_t reserve) {
  std::string s;
  s.reserve(reserve);
  s.push_back(static_cast<char>(table));
  return s;
}

std::string IdKey(Table table, Id id) {
  Writer w(9);
  w.Byte(static_cast<uint8_t>(table));
  w.BigEndian64(id);
  return w.Take();
}

constexpr uint8_t kFlagLocked = 1, kFlagBot = 2, kFlagSilenced = 4, kFlagSuspended = 8;
constexpr uint8_t kFlagNotifications = 1, kFlagReblogs = 2;

}  // namespace

std::string TablePrefix(Table table) { return std::string(1, static_cast<char>(table)); }

std::string FormatKey() { return TablePrefix(Table::kFormat) + "format"; }

std::string EncodeFormatValue() {
  Writer w;
  w.Varint(kFormatVersion);
  return w.Take();
}

Status CheckFormatValue(std::string_view value) {
  Reader r(value);
  uint64_t v = r.Varint();
  if (!r.Done()) return Status::IOError("storage: unreadable format marker");
  if (v != kFormatVersion) {
    return Status::IOError("storage: data format version " + std::to_string(v) +
                           " is not supported (this build reads version " +
                           std::to_string(kFormatVersion) + ")");
  }
  return Status::Ok();
}

std::string AccountKey(Id id) { return IdKey(Table::kAccount, id); }
std::string AppKey(Id id) { return IdKey(Table::kApp, id); }
std::string StatusKey(Id id) { return IdKey(Table::kStatus, id); }
std::string StatusEditPrefix(Id status_id) { return IdKey(Table::kStatusEdit, status_id); }
std::string NotificationPrefix(Id account_id) { return IdKey(Table::kNotification, account_id); }
std::string PendingNotifyKey(Id status_id) { return IdKey(Table::kPendingNotify, status_id); }
std::string NotificationMarkerKey(Id account_id) {
  return IdKey(Table::kNotificationMarker, account_id);
}

std::string TokenKey(std::string_view token_hash) {
  std::string s = Prefixed(Table::kToken, 1 + token_hash.size());
  s.append(token_hash);
  return s;
}

std::string AuthCodeKey(std::string_view code_hash) {
  std::string s = Prefixed(Table::kAuthCode, 1 + code_hash.size());
  s.append(code_hash);
  return s;
}

std::string StatusEditKey(Id status_id, uint32_t version) {
  Writer w(13);
  w.Byte(static_cast<uint8_t>(Table::kStatusEdit));
  w.BigEndian64(status_id);
  w.BigEndian32(version);
  return w.Take();
}

std::string EdgeKey(EdgeKind kind, Id source, Id target) {
  Writer w(18);
  w.Byte(static_cast<uint8_t>(Table::kEdge));
  w.Byte(static_cast<uint8_t>(kind));
  w.BigEndian64(source);
  w.BigEndian64(target);
  return w.Take();
}

std::string MarkKey(MarkKind kind, Id account_id, Id status_id) {
  Writer w(18);
  w.Byte(static_cast<uint8_t>(Table::kMark));
  w.Byte(static_cast<uint8_t>(kind));
  w.BigEndian64(account_id);
  w.BigEndian64(status_id);
  return w.Take();
}

std::string NotificationKey(Id account_id, Id id) {
  Writer w(17);
  w.Byte(static_cast<uint8_t>(Table::kNotification));
  w.BigEndian64(account_id);
  w.BigEndian64(id);
  return w.Take();
}

std::string IdempotencyKey(Id account_id, std::string_view key) {
  Writer w(9 + key.size());
  w.Byte(static_cast<uint8_t>(Table::kIdempotency));
  w.BigEndian64(account_id);
  w.Raw(key);
  return w.Take();
}

// --- Values -------------------------------------------------------------------------------------

std::string EncodeValue(const AccountRecord& r) {
  Writer w(64 + r.username.size() + r.email.size() + r.password_hash.size() +
           r.display_name.size() + r.note.size());
  w.Byte(kValueVersion);
  w.String(r.username);
  w.String(r.email);
  w.String(r.password_hash);
  w.String(r.display_name);
  w.String(r.note);
  w.Signed(r.created_at_ms);
  w.Byte(static_cast<uint8_t>(r.role));
  w.Byte((r.locked ? kFlagLocked : 0) | (r.bot ? kFlagBot : 0) | (r.silenced ? kFlagSilenced : 0) |
         (r.suspended ? kFlagSuspended : 0));
  return w.Take();
}

Result<AccountRecord> DecodeAccount(std::string_view key, std::string_view value) {
  Reader k(key), v(value);
  AccountRecord r;
  k.ExpectTable(Table::kAccount);
  r.id = k.BigEndian64();
  v.ExpectVersion();
  r.username = v.String();
  r.email = v.String();
  r.password_hash = v.String();
  r.display_name = v.String();
  r.note = v.String();
  r.created_at_ms = v.Signed();
  r.role = v.Enum(Role::kAdmin);
  uint8_t flags = v.Byte();
  if (flags & ~(kFlagLocked | kFlagBot | kFlagSilenced | kFlagSuspended)) return Corrupt("account");
  r.locked = flags & kFlagLocked;
  r.bot = flags & kFlagBot;
  r.silenced = flags & kFlagSilenced;
  r.suspended = flags & kFlagSuspended;
  return Finish(std::move(r), k, v, "account");
}

std::string EncodeValue(const AppRecord& r) {
  Writer w(32 + r.client_id.size() + r.client_secret_hash.size() + r.name.size() +
           r.website.size() + r.redirect_uris.size() + r.scopes.size());
  w.Byte(kValueVersion);
  w.String(r.client_id);
  w.String(r.client_secret_hash);
  w.String(r.name);
  w.String(r.website);
  w.String(r.redirect_uris);
  w.String(r.scopes);
  w.Signed(r.created_at_ms);
  return w.Take();
}

Result<AppRecord> DecodeApp(std::string_view key, std::string_view value) {
  Reader k(key), v(value);
  AppRecord r;
  k.ExpectTable(Table::kApp);
  r.id = k.BigEndian64();
  v.ExpectVersion();
  r.client_id = v.String();
  r.client_secret_hash = v.String();
  r.name = v.String();
  r.website = v.String();
  r.redirect_uris = v.String();
  r.scopes = v.String();
  r.created_at_ms = v.Signed();
  return Finish(std::move(r), k, v, "app");
}

std::string EncodeValue(const TokenRecord& r) {
  Writer w(32 + r.scopes.size());
  w.Byte(kValueVersion);
  w.Varint(r.app_id);
  w.Varint(r.account_id);
  w.String(r.scopes);
  w.Signed(r.created_at_ms);
  return w.Take();
}

Result<TokenRecord> DecodeToken(std::string_view key, std::string_view value) {
  Reader k(key), v(value);
  TokenRecord r;
  k.ExpectTable(Table::kToken);
  r.token_hash = std::string(k.TakeRest());
  v.ExpectVersion();
  r.app_id = v.Varint();
  r.account_id = v.Varint();
  r.scopes = v.String();
  r.created_at_ms = v.Signed();
  return Finish(std::move(r), k, v, "token");
}

std::string EncodeValue(const AuthCodeRecord& r) {
  Writer w(32 + r.scopes.size() + r.redirect_uri.size() + r.code_challenge.size() +
           r.code_challenge_method.size());
  w.Byte(kValueVersion);
  w.Varint(r.app_id);
  w.Varint(r.account_id);
  w.String(r.scopes);
  w.String(r.redirect_uri);
  w.String(r.code_challenge);
  w.String(r.code_challenge_method);
  w.Signed(r.expires_at_ms);
  return w.Take();
}

Result<AuthCodeRecord> DecodeAuthCode(std::string_view key, std::string_view value) {
  Reader k(key), v(value);
  AuthCodeRecord r;
  k.ExpectTable(Table::kAuthCode);
  r.code_hash = std::string(k.TakeRest());
  v.ExpectVersion();
  r.app_id = v.Varint();
  r.account_id = v.Varint();
  r.scopes = v.String();
  r.redirect_uri = v.String();
  r.code_challenge = v.String();
  r.code_challenge_method = v.String();
  r.expires_at_ms = v.Signed();
  return Finish(std::move(r), k, v, "auth code");
}

std::string EncodeValue(const StatusRecord& r) {
  size_t size = 96 + r.text.size() + r.content_html.size() + r.spoiler_text.size() +
                r.language.size() + 10 * r.mention_ids.size();
  for (const auto& t : r.tags) size += 2 + t.size();
  Writer w(size);
  w.Byte(kValueVersion);
  w.Varint(r.account_id);
  w.String(r.text);
  w.String(r.content_html);
  w.String(r.spoiler_text);
  w.Byte(static_cast<uint8_t>(r.visibility));
  w.Bool(r.sensitive);
  w.String(r.language);
  w.Varint(r.in_reply_to_id);
  w.Varint(r.in_reply_to_account_id);
  w.Varint(r.reblog_of_id);
  w.Varint(r.quote_of_id);
  w.Varint(r.app_id);
  w.Varint(r.mention_ids.size());
  for (Id id : r.mention_ids) w.Varint(id);
  w.Varint(r.tags.size());
  for (const auto& t : r.tags) w.String(t);
  w.Signed(r.created_at_ms);
  w.Signed(r.edited_at_ms);
  return w.Take();
}

Result<StatusRecord> DecodeStatus(std::string_view key, std::string_view value) {
  Reader k(key), v(value);
  StatusRecord r;
  k.ExpectTable(Table::kStatus);
  r.id = k.BigEndian64();
  v.ExpectVersion();
  r.account_id = v.Varint();
  r.text = v.String();
  r.content_html = v.String();
  r.spoiler_text = v.String();
  r.visibility = v.Enum(Visibility::kDirect);
  r.sensitive = v.Bool();
  r.language = v.String();
  r.in_reply_to_id = v.Varint();
  r.in_reply_to_account_id = v.Varint();
  r.reblog_of_id = v.Varint();
  r.quote_of_id = v.Varint();
  r.app_id = v.Varint();
  uint64_t mentions = v.Varint();
  if (v.CountFits(mentions)) {
    r.mention_ids.reserve(mentions);
    for (uint64_t i = 0; i < mentions && v.ok(); ++i) r.mention_ids.push_back(v.Varint());
  }
  uint64_t tags = v.Varint();
  if (v.CountFits(tags)) {
    r.tags.reserve(tags);
    for (uint64_t i = 0; i < tags && v.ok(); ++i) r.tags.push_back(v.String());
  }
  r.created_at_ms = v.Signed();
  r.edited_at_ms = v.Signed();
  return Finish(std::move(r), k, v, "status");
}

std::string EncodeValue(const StatusEditRecord& r) {
  Writer w(32 + r.text.size() + r.content_html.size() + r.spoiler_text.size());
  w.Byte(kValueVersion);
  w.String(r.text);
  w.String(r.content_html);
  w.String(r.spoiler_text);
  w.Bool(r.sensitive);
  w.Signed(r.created_at_ms);
  return w.Take();
}

Result<StatusEditRecord> DecodeStatusEdit(std::string_view key, std::string_view value) {
  Reader k(key), v(value);
  StatusEditRecord r;
  k.ExpectTable(Table::kStatusEdit);
  r.status_id = k.BigEndian64();
  r.version = k.BigEndian32();
  v.ExpectVersion();
  r.text = v.String();
  r.content_html = v.String();
  r.spoiler_text = v.String();
  r.sensitive = v.Bool();
  r.created_at_ms = v.Signed();
  return Finish(std::move(r), k, v, "status edit");
}

std::string EncodeValue(const EdgeRecord& r) {
  Writer w(12);
  w.Byte(kValueVersion);
  w.Varint(r.id);
  w.Byte((r.notifications ? kFlagNotifications : 0) | (r.reblogs ? kFlagReblogs : 0));
  return w.Take();
}

Result<EdgeRecord> DecodeEdge(std::string_view key, std::string_view value) {
  Reader k(key), v(value);
  EdgeRecord r;
  k.ExpectTable(Table::kEdge);
  r.kind = k.Enum(EdgeKind::kMute);
  r.source = k.BigEndian64();
  r.target = k.BigEndian64();
  v.ExpectVersion();
  r.id = v.Varint();
  uint8_t flags = v.Byte();
  if (flags & ~(kFlagNotifications | kFlagReblogs)) return Corrupt("edge");
  r.notifications = flags & kFlagNotifications;
  r.reblogs = flags & kFlagReblogs;
  return Finish(std::move(r), k, v, "edge");
}

std::string EncodeValue(const MarkRecord& r) {
  Writer w(11);
  w.Byte(kValueVersion);
  w.Varint(r.id);
  return w.Take();
}

Result<MarkRecord> DecodeMark(std::string_view key, std::string_view value) {
  Reader k(key), v(value);
  MarkRecord r;
  k.ExpectTable(Table::kMark);
  r.kind = k.Enum(MarkKind::kBookmark);
  r.account_id = k.BigEndian64();
  r.status_id = k.BigEndian64();
  v.ExpectVersion();
  r.id = v.Varint();
  return Finish(std::move(r), k, v, "mark");
}

std::string EncodeValue(const NotificationRecord& r) {
  Writer w(32);
  w.Byte(kValueVersion);
  w.Byte(static_cast<uint8_t>(r.type));
  w.Varint(r.from_account_id);
  w.Varint(r.status_id);
  w.Signed(r.created_at_ms);
  return w.Take();
}

Result<NotificationRecord> DecodeNotification(std::string_view key, std::string_view value) {
  Reader k(key), v(value);
  NotificationRecord r;
  k.ExpectTable(Table::kNotification);
  r.account_id = k.BigEndian64();
  r.id = k.BigEndian64();
  v.ExpectVersion();
  r.type = v.Enum(NotificationType::kUpdate);
  r.from_account_id = v.Varint();
  r.status_id = v.Varint();
  r.created_at_ms = v.Signed();
  return Finish(std::move(r), k, v, "notification");
}

std::string EncodeValue(const IdempotencyRecord& r) {
  Writer w(22);
  w.Byte(kValueVersion);
  w.Varint(r.status_id);
  w.Signed(r.created_at_ms);
  return w.Take();
}

Result<IdempotencyRecord> DecodeIdempotency(std::string_view key, std::string_view value) {
  Reader k(key), v(value);
  IdempotencyRecord r;
  k.ExpectTable(Table::kIdempotency);
  r.account_id = k.BigEndian64();
  r.key = std::string(k.TakeRest());
  v.ExpectVersion();
  r.status_id = v.Varint();
  r.created_at_ms = v.Signed();
  return Finish(std::move(r), k, v, "idempotency");
}

std::string EncodeValue(const PendingNotifyRecord& r) {
  Writer w(11);
  w.Byte(kValueVersion);
  w.Varint(r.after);
  return w.Take();
}

Result<PendingNotifyRecord> DecodePendingNotify(std::string_view key, std::string_view value) {
  Reader k(key), v(value);
  PendingNotifyRecord r;
  k.ExpectTable(Table::kPendingNotify);
  r.status_id = k.BigEndian64();
  v.ExpectVersion();
  r.after = v.Varint();
  return Finish(std::move(r), k, v, "pending notify");
}

std::string EncodeMarkerValue(Id last_read_id) {
  Writer w(11);
  w.Byte(kValueVersion);
  w.Varint(last_read_id);
  return w.Take();
}

Result<Id> DecodeMarkerValue(std::string_view value) {
  Reader v(value);
  v.ExpectVersion();
  Id id = v.Varint();
  if (!v.Done()) return Corrupt("notification marker");
  return id;
}

}  // namespace plaza::storage::codec
