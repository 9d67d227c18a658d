#include "storage/moderation_codec.h"

#include <optional>

#include "storage/codec_io.h"
#include "storage/record_codec.h"

namespace plaza::storage::codec {
namespace {

// Reads a key 'M' kind id: the id, or nullopt when the key is not of `kind`.
std::optional<Id> ReadKey(Reader& k, ModerationKind kind) {
  k.ExpectTable(Table::kModeration);
  bool kind_ok = k.Byte() == static_cast<uint8_t>(kind);
  Id id = k.BigEndian64();
  if (!kind_ok) return std::nullopt;
  return id;
}

template <typename T>
Result<T> Finish(T record, bool key_ok, const Reader& key, const Reader& value,
                 std::string_view what) {
  if (!key_ok || !key.Done() || !value.Done()) {
    return Status::IOError("storage: corrupt " + std::string(what) + " record");
  }
  return record;
}

void WriteIds(Writer& w, const std::vector<Id>& ids) {
  w.Varint(ids.size());
  for (Id id : ids) w.Varint(id);
}

std::vector<Id> ReadIds(Reader& v) {
  std::vector<Id> ids;
  uint64_t n = v.Varint();
  if (!v.CountFits(n)) return ids;
  ids.reserve(n);
  for (uint64_t i = 0; i < n && v.ok(); ++i) ids.push_back(v.Varint());
  return ids;
}

}  // namespace

std::string ModerationPrefix(ModerationKind kind) {
  std::string s(1, static_cast<char>(Table::kModeration));
  s.push_back(static_cast<char>(kind));
  return s;
}

std::string ModerationKey(ModerationKind kind, Id id) {
  Writer w(10);
  w.Byte(static_cast<uint8_t>(Table::kModeration));
  w.Byte(static_cast<uint8_t>(kind));
  w.BigEndian64(id);
  return w.Take();
}

std::string EncodeValue(const ModerationRuleRecord& r) {
  Writer w(48 + r.kind.size() + r.pattern.size() + r.category.size() + r.action.size() +
           r.boundary.size() + r.comment.size());
  w.Byte(kValueVersion);
  w.String(r.kind);
  w.String(r.pattern);
  w.String(r.category);
  w.String(r.action);
  w.String(r.boundary);
  w.String(r.comment);
  w.Varint(r.created_by);
  w.Signed(r.created_at_ms);
  w.Signed(r.updated_at_ms);
  return w.Take();
}

Result<ModerationRuleRecord> DecodeModerationRule(std::string_view key, std::string_view value) {
  Reader k(key), v(value);
  ModerationRuleRecord r;
  auto key_id = ReadKey(k, ModerationKind::kRule);
  r.id = key_id.value_or(0);
  v.ExpectVersion();
  r.kind = v.String();
  r.pattern = v.String();
  r.category = v.String();
  r.action = v.String();
  r.boundary = v.String();
  r.comment = v.String();
  r.created_by = v.Varint();
  r.created_at_ms = v.Signed();
  r.updated_at_ms = v.Signed();
  return Finish(std::move(r), key_id.has_value(), k, v, "moderation rule");
}

std::string EncodeValue(const HoldRecord& r) {
  Writer w(64 + r.reason.size() + r.display_name.size() + r.note.size());
  w.Byte(kValueVersion);
  w.Byte(static_cast<uint8_t>(r.kind));
  w.Varint(r.account_id);
  w.Byte(static_cast<uint8_t>(r.state));
  w.String(r.reason);
  w.Bool(r.has_display_name);
  w.String(r.display_name);
  w.Bool(r.has_note);
  w.String(r.note);
  w.Signed(r.created_at_ms);
  w.Varint(r.decided_by);
  w.Signed(r.decided_at_ms);
  return w.Take();
}

Result<HoldRecord> DecodeHold(std::string_view key, std::string_view value) {
  Reader k(key), v(value);
  HoldRecord r;
  auto key_id = ReadKey(k, ModerationKind::kHold);
  r.target_id = key_id.value_or(0);
  v.ExpectVersion();
  r.kind = v.Enum(HoldKind::kProfile);
  r.account_id = v.Varint();
  r.state = v.Enum(HoldState::kRejected);
  r.reason = v.String();
  r.has_display_name = v.Bool();
  r.display_name = v.String();
  r.has_note = v.Bool();
  r.note = v.String();
  r.created_at_ms = v.Signed();
  r.decided_by = v.Varint();
  r.decided_at_ms = v.Signed();
  return Finish(std::move(r), key_id.has_value(), k, v, "hold");
}

std::string EncodeValue(const ReportRecord& r) {
  Writer w(96 + r.category.size() + r.comment.size() + 10 * r.status_ids.size());
  w.Byte(kValueVersion);
  w.Varint(r.account_id);
  w.Varint(r.target_account_id);
  WriteIds(w, r.status_ids);
  w.String(r.category);
  w.String(r.comment);
  w.Varint(r.assigned_account_id);
  w.Bool(r.action_taken);
  w.Varint(r.action_taken_by);
  w.Signed(r.action_taken_at_ms);
  w.Signed(r.created_at_ms);
  w.Signed(r.updated_at_ms);
  return w.Take();
}

Result<ReportRecord> DecodeReport(std::string_view key, std::string_view value) {
  Reader k(key), v(value);
  ReportRecord r;
  auto key_id = ReadKey(k, ModerationKind::kReport);
  r.id = key_id.value_or(0);
  v.ExpectVersion();
  r.account_id = v.Varint();
  r.target_account_id = v.Varint();
  r.status_ids = ReadIds(v);
  r.category = v.String();
  r.comment = v.String();
  r.assigned_account_id = v.Varint();
  r.action_taken = v.Bool();
  r.action_taken_by = v.Varint();
  r.action_taken_at_ms = v.Signed();
  r.created_at_ms = v.Signed();
  r.updated_at_ms = v.Signed();
  return Finish(std::move(r), key_id.has_value(), k, v, "report");
}

std::string EncodeValue(const AppealRecord& r) {
  Writer w(64 + r.target_type.size() + r.text.size() + r.decision_text.size());
  w.Byte(kValueVersion);
  w.Varint(r.account_id);
  w.String(r.target_type);
  w.Varint(r.target_id);
  w.String(r.text);
  w.Byte(static_cast<uint8_t>(r.state));
  w.Varint(r.decided_by);
  w.String(r.decision_text);
  w.Signed(r.created_at_ms);
  w.Signed(r.decided_at_ms);
  return w.Take();
}

Result<AppealRecord> DecodeAppeal(std::string_view key, std::string_view value) {
  Reader k(key), v(value);
  AppealRecord r;
  auto key_id = ReadKey(k, ModerationKind::kAppeal);
  r.id = key_id.value_or(0);
  v.ExpectVersion();
  r.account_id = v.Varint();
  r.target_type = v.String();
  r.target_id = v.Varint();
  r.text = v.String();
  r.state = v.Enum(AppealState::kRejected);
  r.decided_by = v.Varint();
  r.decision_text = v.String();
  r.created_at_ms = v.Signed();
  r.decided_at_ms = v.Signed();
  return Finish(std::move(r), key_id.has_value(), k, v, "appeal");
}

std::string EncodeValue(const AuditRecord& r) {
  Writer w(48 + r.action.size() + r.target_type.size() + r.reason.size());
  w.Byte(kValueVersion);
  w.Varint(r.actor_id);
  w.String(r.action);
  w.String(r.target_type);
  w.Varint(r.target_id);
  w.Varint(r.target_account_id);
  w.String(r.reason);
  w.Signed(r.created_at_ms);
  return w.Take();
}

Result<AuditRecord> DecodeAudit(std::string_view key, std::string_view value) {
  Reader k(key), v(value);
  AuditRecord r;
  auto key_id = ReadKey(k, ModerationKind::kAudit);
  r.id = key_id.value_or(0);
  v.ExpectVersion();
  r.actor_id = v.Varint();
  r.action = v.String();
  r.target_type = v.String();
  r.target_id = v.Varint();
  r.target_account_id = v.Varint();
  r.reason = v.String();
  r.created_at_ms = v.Signed();
  return Finish(std::move(r), key_id.has_value(), k, v, "audit");
}

}  // namespace plaza::storage::codec
