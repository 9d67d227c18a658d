// KvStorage's on-disk format: the key schema and the binary value encoding of every record in
// records.h. Engine-neutral; the memory and RocksDB engines store exactly these bytes.
//
// Keys begin with one table byte, then big-endian fixed-width ids, so bytewise key order is id
// order and every "all X of Y" query is a prefix scan:
//   account 'a'+id        app 'p'+id             token 't'+hash       auth code 'c'+hash
//   status 's'+id         edit 'e'+status+ver32  edge 'g'+kind+source+target
//   mark 'm'+kind+account+status                 notification 'n'+account+id
//   marker 'r'+account    idempotency 'i'+account+key                 format '\x01'"format"
//   pending notify 'd'+status
// Values hold the fields that are not in the key: a format version byte (kValueVersion), then the
// fields in a fixed order — integers as LEB128 varints (signed ones zigzagged), strings and lists
// length-prefixed, enums and flag sets as one byte.
//
// Decoders never trust their input: truncated, overlong, out-of-range or trailing bytes give
// kIOError, never a crash or an out-of-bounds read. Enum bytes outside the enum's known values are
// rejected, so adding an enumerator to records.h means raising its limit here.
// All functions are pure and thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "storage/records.h"

namespace plaza::storage::codec {

inline constexpr uint8_t kValueVersion = 1;
// Version of the whole layout, stored under FormatKey(); bumped on incompatible schema changes.
inline constexpr uint32_t kFormatVersion = 1;
// Length of the scan prefixes that matter for lookups: a table byte plus one big-endian id
// (the notifications of an account, the edits of a status). Engines may build prefix filters on it.
inline constexpr size_t kScanPrefixLength = 9;

enum class Table : char {
  kFormat = '\x01',
  kAccount = 'a',
  kApp = 'p',
  kToken = 't',
  kAuthCode = 'c',
  kStatus = 's',
  kStatusEdit = 'e',
  kEdge = 'g',
  kMark = 'm',
  kNotification = 'n',
  kNotificationMarker = 'r',
  kIdempotency = 'i',
  kPendingNotify = 'd',
  kModeration = 'M',  // moderation_codec.h: a second byte names the kind
  kCommerce = 'K',    // commerce_codec.h: a second byte names the kind
};

// The prefix shared by every key of `table`.
std::string TablePrefix(Table table);

std::string FormatKey();
std::string EncodeFormatValue();
// OK when `value` names kFormatVersion; kIOError otherwise.
Status CheckFormatValue(std::string_view value);

std::string AccountKey(Id id);
std::string AppKey(Id id);
std::string TokenKey(std::string_view token_hash);
std::string AuthCodeKey(std::string_view code_hash);
std::string StatusKey(Id id);
std::string StatusEditKey(Id status_id, uint32_t version);
std::string StatusEditPrefix(Id status_id);
std::string EdgeKey(EdgeKind kind, Id source, Id target);
std::string MarkKey(MarkKind kind, Id account_id, Id status_id);
std::string NotificationKey(Id account_id, Id id);
std::string NotificationPrefix(Id account_id);
std::string NotificationMarkerKey(Id account_id);
std::string IdempotencyKey(Id account_id, std::string_view key);
std::string PendingNotifyKey(Id status_id);

std::string EncodeValue(const AccountRecord& r);
std::string EncodeValue(const AppRecord& r);
std::string EncodeValue(const TokenRecord& r);
std::string EncodeValue(const AuthCodeRecord& r);
std::string EncodeValue(const StatusRecord& r);
std::string EncodeValue(const StatusEditRecord& r);
std::string EncodeValue(const EdgeRecord& r);
std::string EncodeValue(const MarkRecord& r);
std::string EncodeValue(const NotificationRecord& r);
std::string EncodeValue(const IdempotencyRecord& r);
std::string EncodeValue(const PendingNotifyRecord& r);
std::string EncodeMarkerValue(Id last_read_id);

// Each decoder takes the full key and the value stored under it.
Result<AccountRecord> DecodeAccount(std::string_view key, std::string_view value);
Result<AppRecord> DecodeApp(std::string_view key, std::string_view value);
Result<TokenRecord> DecodeToken(std::string_view key, std::string_view value);
Result<AuthCodeRecord> DecodeAuthCode(std::string_view key, std::string_view value);
Result<StatusRecord> DecodeStatus(std::string_view key, std::string_view value);
Result<StatusEditRecord> DecodeStatusEdit(std::string_view key, std::string_view value);
Result<EdgeRecord> DecodeEdge(std::string_view key, std::string_view value);
Result<MarkRecord> DecodeMark(std::string_view key, std::string_view value);
Result<NotificationRecord> DecodeNotification(std::string_view key, std::string_view value);
Result<IdempotencyRecord> DecodeIdempotency(std::string_view key, std::string_view value);
Result<PendingNotifyRecord> DecodePendingNotify(std::string_view key, std::string_view value);
Result<Id> DecodeMarkerValue(std::string_view value);

}  // namespace plaza::storage::codec
