#include "storage/record_codec.h"

#include <string>

namespace plaza::storage::codec {
namespace {

// Appends fields to a byte string.
class Writer {
 public:
  explicit Writer(size_t reserve = 32) { out_.reserve(reserve); }

  void Byte(uint8_t b) { out_.push_back(static_cast<char>(b)); }
  void Varint(uint64_t v) {
    while (v >= 0x80) {
      out_.push_back(static_cast<char>((v & 0x7f) | 0x80));
      v >>= 7;
    }
    out_.push_back(static_cast<char>(v));
  }
  void Signed(int64_t v) {
    Varint((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
  }
  void String(std::string_view s) {
    Varint(s.size());
    out_.append(s);
  }
  void Bool(bool b) { Byte(b ? 1 : 0); }
  void BigEndian64(uint64_t v) {
    for (int shift = 56; shift >= 0; shift -= 8) Byte(static_cast<uint8_t>(v >> shift));
  }
  void BigEndian32(uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) Byte(static_cast<uint8_t>(v >> shift));
  }
  void Raw(std::string_view s) { out_.append(s); }

  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

// Reads fields back. Once a read fails the reader stays failed and every later read returns
// zero values, so decoders can read all fields and check ok() once at the end.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}

  bool ok() const { return ok_; }
  // True when every byte was consumed without error.
  bool Done() const { return ok_ && in_.empty(); }
  std::string_view rest() const { return in_; }

  uint8_t Byte() {
    if (!ok_ || in_.empty()) return Fail();
    uint8_t b = static_cast<uint8_t>(in_[0]);
    in_.remove_prefix(1);
    return b;
  }
  uint64_t Varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (!ok_ || in_.empty()) return Fail();
      uint8_t b = static_cast<uint8_t>(in_[0]);
      in_.remove_prefix(1);
      // The tenth byte may carry only the top bit of a 64-bit value.
      if (shift == 63 && b > 1) return Fail();
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) return v;
    }
    return Fail();
  }
  int64_t Signed() {
    uint64_t u = Varint();
    return static_cast<int64_t>((u >> 1) ^ (~(u & 1) + 1));
  }
  std::string String() {
    uint64_t n = Varint();
    if (!ok_ || n > in_.size()) {
      Fail();
      return {};
    }
    std::string s(in_.substr(0, n));
    in_.remove_prefix(n);
    return s;
  }
  bool Bool() {
    uint8_t b = Byte();
    if (b > 1) Fail();
    return b == 1;
  }
  // An enum stored as one byte whose largest known value is `max`.
  template <typename E>
  E Enum(E max) {
    uint8_t b = Byte();
    if (b > static_cast<uint8_t>(max)) return static_cast<E>(Fail());
    return static_cast<E>(b);
  }
  uint64_t BigEndian64() {
    if (!ok_ || in_.size() < 8) return Fail();
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(in_[i]);
    in_.remove_prefix(8);
    return v;
  }
  uint32_t BigEndian32() {
    if (!ok_ || in_.size() < 4) return static_cast<uint32_t>(Fail());
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<uint8_t>(in_[i]);
    in_.remove_prefix(4);
    return v;
  }
  // Consumes the expected table byte of a key.
  void ExpectTable(Table table) {
    if (Byte() != static_cast<uint8_t>(table)) Fail();
  }
  // Consumes the value version byte.
  void ExpectVersion() {
    if (Byte() != kValueVersion) Fail();
  }
  // Upper bound on how many more list elements can follow, each taking at least one byte.
  bool CountFits(uint64_t n) {
    if (!ok_ || n > in_.size()) {
      Fail();
      return false;
    }
    return true;
  }
  std::string_view TakeRest() {
    std::string_view r = in_;
    in_ = {};
    return r;
  }

 private:
  uint8_t Fail() {
    ok_ = false;
    in_ = {};
    return 0;
  }

  std::string_view in_;
  bool ok_ = true;
};

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
