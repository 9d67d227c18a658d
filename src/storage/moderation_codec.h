// The on-disk format of the moderation records (moderation_records.h), in the style of
// record_codec.h. All keys start with Table::kModeration, then one byte naming the kind, then a
// big-endian id, so each kind is one prefix scan in id order:
//   rule 'M''r'+id   hold 'M''h'+target   report 'M''p'+id   appeal 'M''a'+id   audit 'M''l'+id
// Decoders reject truncated, overlong or trailing bytes with kIOError. Pure and thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "storage/moderation_records.h"

namespace plaza::storage::codec {

enum class ModerationKind : char {
  kRule = 'r',
  kHold = 'h',
  kReport = 'p',
  kAppeal = 'a',
  kAudit = 'l',
};

std::string ModerationPrefix(ModerationKind kind);
std::string ModerationKey(ModerationKind kind, Id id);

std::string EncodeValue(const ModerationRuleRecord& r);
std::string EncodeValue(const HoldRecord& r);
std::string EncodeValue(const ReportRecord& r);
std::string EncodeValue(const AppealRecord& r);
std::string EncodeValue(const AuditRecord& r);

Result<ModerationRuleRecord> DecodeModerationRule(std::string_view key, std::string_view value);
Result<HoldRecord> DecodeHold(std::string_view key, std::string_view value);
Result<ReportRecord> DecodeReport(std::string_view key, std::string_view value);
Result<AppealRecord> DecodeAppeal(std::string_view key, std::string_view value);
Result<AuditRecord> DecodeAudit(std::string_view key, std::string_view value);

}  // namespace plaza::storage::codec
