// The key schema and value codec: keys sort in id order, encodings are compact, and decoders
// survive arbitrary bytes (a seeded property loop: random and mutated inputs never crash, never
// decode trailing garbage, and valid encodings always decode back to the same record).

#include "storage/record_codec.h"

#include <functional>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "storage_test_util.h"

namespace plaza::storage::codec {
namespace {

TEST(RecordCodecTest, IdKeysSortInIdOrder) {
  std::mt19937_64 rng(7);
  std::vector<Id> edge = {0, 1, 255, 256, 65535, 65536, 1ull << 32, (1ull << 63) - 1, 1ull << 63,
                          UINT64_MAX - 1, UINT64_MAX};
  for (int i = 0; i < 2000; ++i) {
    Id a = i < 121 ? edge[i % 11] : rng();
    Id b = i < 121 ? edge[i / 11] : rng() >> (rng() % 64);
    EXPECT_EQ(a < b, StatusKey(a) < StatusKey(b));
    EXPECT_EQ(a < b, NotificationKey(9, a) < NotificationKey(9, b));
    EXPECT_EQ(a < b, NotificationKey(a, UINT64_MAX) < NotificationKey(b, 0));
    EXPECT_EQ(a < b, EdgeKey(EdgeKind::kFollow, 3, a) < EdgeKey(EdgeKind::kFollow, 3, b));
    EXPECT_EQ(a < b, MarkKey(MarkKind::kFavourite, a, 5) < MarkKey(MarkKind::kFavourite, b, 5));
  }
  EXPECT_LT(StatusEditKey(1, 2), StatusEditKey(1, 256));
  EXPECT_LT(StatusEditKey(1, UINT32_MAX), StatusEditKey(2, 0));
}

TEST(RecordCodecTest, ScanPrefixesCoverExactlyTheirRecords) {
  EXPECT_EQ(NotificationPrefix(5).size(), kScanPrefixLength);
  EXPECT_EQ(StatusEditPrefix(5).size(), kScanPrefixLength);
  EXPECT_EQ(NotificationKey(5, 77).substr(0, kScanPrefixLength), NotificationPrefix(5));
  EXPECT_EQ(StatusEditKey(5, 3).substr(0, kScanPrefixLength), StatusEditPrefix(5));
  EXPECT_NE(NotificationKey(6, 77).substr(0, kScanPrefixLength), NotificationPrefix(5));
  // Tables do not share prefixes.
  std::vector<std::string> prefixes;
  for (Table t :
       {Table::kFormat, Table::kAccount, Table::kApp, Table::kToken, Table::kAuthCode,
        Table::kStatus, Table::kStatusEdit, Table::kEdge, Table::kMark, Table::kNotification,
        Table::kNotificationMarker, Table::kIdempotency, Table::kPendingNotify}) {
    for (const auto& p : prefixes) EXPECT_NE(p, TablePrefix(t));
    prefixes.push_back(TablePrefix(t));
  }
}

TEST(RecordCodecTest, ValuesAreCompact) {
  NotificationRecord n;
  n.id = 1ull << 60;
  n.account_id = 1ull << 60;
  n.type = NotificationType::kFavourite;
  n.from_account_id = 1ull << 59;
  n.status_id = 1ull << 59;
  n.created_at_ms = 1700000000000;
  // version + type + 2 * 9-byte varints + 6-byte zigzag time; the key holds the two ids.
  EXPECT_LE(EncodeValue(n).size(), 1u + 1 + 9 + 9 + 7);
  EXPECT_LE(EncodeValue(MarkRecord{MarkKind::kFavourite, 1, 2, 3}).size(), 2u);
  EXPECT_LE(EncodeValue(EdgeRecord{}).size(), 3u);
}

TEST(RecordCodecTest, VarintsRoundTripAtTheLimits) {
  for (Id id : {Id{0}, Id{127}, Id{128}, Id{1} << 63, UINT64_MAX}) {
    auto v = DecodeMarkerValue(EncodeMarkerValue(id));
    ASSERT_TRUE(v.ok());
    EXPECT_EQ(v.value(), id);
  }
  // Eleven continuation bytes, and a tenth byte with bits beyond 64, are both rejected.
  EXPECT_FALSE(DecodeMarkerValue(std::string("\x01") + std::string(11, '\xff')).ok());
  EXPECT_FALSE(DecodeMarkerValue(std::string("\x01") + std::string(9, '\xff') + "\x02").ok());
  EXPECT_TRUE(DecodeMarkerValue(std::string("\x01") + std::string(9, '\xff') + "\x01").ok());
}

// One record type's encode and decode, type-erased for the property loops below.
struct Case {
  std::string name;
  std::string key;
  std::string value;
  std::function<Status(std::string_view, std::string_view)> decode_and_compare;
};

template <typename R>
Case MakeCase(std::string name, std::string key, const R& record,
              Result<R> (*decode)(std::string_view, std::string_view)) {
  return Case{name, key, EncodeValue(record),
              [record, decode](std::string_view k, std::string_view v) -> Status {
                auto r = decode(k, v);
                if (!r.ok()) return r.status();
                return r.value() == record ? Status::Ok() : Status::Internal("decoded differently");
              }};
}

std::vector<Case> Cases() {
  StatusRecord s = SampleStatus(77);
  TokenRecord t = SampleToken(1);
  AuthCodeRecord c = SampleAuthCode(2);
  StatusEditRecord e = SampleEdit(5, 9);
  EdgeRecord g = SampleEdge(EdgeKind::kBlock, 1, 2);
  MarkRecord m = SampleMark(MarkKind::kBookmark, 3, 4);
  NotificationRecord n = SampleNotification(6, 7);
  IdempotencyRecord i = SampleIdempotency(8, "idem");
  return {
      MakeCase("account", AccountKey(3), SampleAccount(3), DecodeAccount),
      MakeCase("app", AppKey(4), SampleApp(4), DecodeApp),
      MakeCase("token", TokenKey(t.token_hash), t, DecodeToken),
      MakeCase("auth code", AuthCodeKey(c.code_hash), c, DecodeAuthCode),
      MakeCase("status", StatusKey(s.id), s, DecodeStatus),
      MakeCase("edit", StatusEditKey(e.status_id, e.version), e, DecodeStatusEdit),
      MakeCase("edge", EdgeKey(g.kind, g.source, g.target), g, DecodeEdge),
      MakeCase("mark", MarkKey(m.kind, m.account_id, m.status_id), m, DecodeMark),
      MakeCase("notification", NotificationKey(n.account_id, n.id), n, DecodeNotification),
      MakeCase("idempotency", IdempotencyKey(i.account_id, i.key), i, DecodeIdempotency),
      MakeCase("pending notify", PendingNotifyKey(1ull << 62),
               PendingNotifyRecord{1ull << 62, 1ull << 61}, DecodePendingNotify),
  };
}

TEST(RecordCodecTest, EveryRecordRoundTrips) {
  for (const Case& c : Cases()) {
    Status s = c.decode_and_compare(c.key, c.value);
    EXPECT_TRUE(s.ok()) << c.name << ": " << s.ToString();
  }
}

TEST(RecordCodecTest, EveryTruncationOrExtensionIsRejected) {
  for (const Case& c : Cases()) {
    for (size_t len = 0; len < c.value.size(); ++len) {
      Status s = c.decode_and_compare(c.key, c.value.substr(0, len));
      EXPECT_EQ(s.code(), StatusCode::kIOError) << c.name << " truncated to " << len;
    }
    EXPECT_EQ(c.decode_and_compare(c.key, c.value + '\0').code(), StatusCode::kIOError) << c.name;
    // A key of the table byte alone is either corrupt (id keys) or another record (an empty hash).
    EXPECT_FALSE(c.decode_and_compare(c.key.substr(0, 1), c.value).ok()) << c.name;
    EXPECT_EQ(c.decode_and_compare("", c.value).code(), StatusCode::kIOError) << c.name;
  }
}

// Random bytes and random mutations of valid encodings: decoding must return a Status (checked
// for memory errors by the sanitizer builds), and any OK result must be a full decode.
TEST(RecordCodecTest, DecodingArbitraryBytesNeverCrashes) {
  std::mt19937_64 rng(20240601);
  auto random_bytes = [&](size_t max) {
    std::string s(rng() % (max + 1), '\0');
    for (char& ch : s) ch = static_cast<char>(rng());
    return s;
  };
  const std::vector<Case> cases = Cases();
  using Decoder = std::function<bool(std::string_view, std::string_view)>;
  const std::vector<Decoder> decoders = {
      [](auto k, auto v) { return DecodeAccount(k, v).ok(); },
      [](auto k, auto v) { return DecodeApp(k, v).ok(); },
      [](auto k, auto v) { return DecodeToken(k, v).ok(); },
      [](auto k, auto v) { return DecodeAuthCode(k, v).ok(); },
      [](auto k, auto v) { return DecodeStatus(k, v).ok(); },
      [](auto k, auto v) { return DecodeStatusEdit(k, v).ok(); },
      [](auto k, auto v) { return DecodeEdge(k, v).ok(); },
      [](auto k, auto v) { return DecodeMark(k, v).ok(); },
      [](auto k, auto v) { return DecodeNotification(k, v).ok(); },
      [](auto k, auto v) { return DecodeIdempotency(k, v).ok(); },
      [](auto k, auto v) { return DecodePendingNotify(k, v).ok(); },
      [](auto, auto v) { return DecodeMarkerValue(v).ok(); },
      [](auto, auto v) { return CheckFormatValue(v).ok(); },
  };
  int decoded = 0;
  for (int iter = 0; iter < 20000; ++iter) {
    const Case& base = cases[rng() % cases.size()];
    std::string key = base.key;
    std::string value;
    switch (rng() % 3) {
      case 0:  // pure noise after a valid version byte
        value = "\x01" + random_bytes(64);
        break;
      case 1:  // a valid encoding with a few bytes flipped
        value = base.value;
        for (int f = 0, n = 1 + rng() % 4; f < n && !value.empty(); ++f) {
          value[rng() % value.size()] = static_cast<char>(rng());
        }
        break;
      default:  // a valid encoding with a random tail or cut
        value = base.value.substr(0, rng() % (base.value.size() + 1)) + random_bytes(8);
        break;
    }
    if (rng() % 8 == 0) key = random_bytes(24);
    for (const auto& decode : decoders) decoded += decode(key, value) ? 1 : 0;
  }
  // Some mutations (e.g. a flipped text byte) are still valid records; most are not.
  EXPECT_GT(decoded, 0);
  EXPECT_LT(decoded, 20000 * static_cast<int>(decoders.size()));
}

}  // namespace
}  // namespace plaza::storage::codec
