// The moderation records' codec and their storage round trip: every record decodes back to what
// was encoded, truncated or padded values are refused, each kind scans only its own records, and
// holds and rules can be deleted.

#include "storage/moderation_codec.h"

#include <gtest/gtest.h>

#include "storage/memory/memory_storage.h"

namespace plaza::storage {
namespace {

ReportRecord SampleReport() {
  ReportRecord r;
  r.id = 42;
  r.account_id = 7;
  r.target_account_id = 8;
  r.status_ids = {100, 101};
  r.category = "spam";
  r.comment = "垃圾广告";
  r.assigned_account_id = 9;
  r.action_taken = true;
  r.action_taken_by = 9;
  r.action_taken_at_ms = 1700000000000;
  r.created_at_ms = 1690000000000;
  r.updated_at_ms = 1700000000001;
  return r;
}

TEST(ModerationCodecTest, RoundTripsAndRefusesDamagedValues) {
  ReportRecord r = SampleReport();
  std::string key = codec::ModerationKey(codec::ModerationKind::kReport, r.id);
  std::string value = codec::EncodeValue(r);
  auto back = codec::DecodeReport(key, value);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->status_ids, r.status_ids);
  EXPECT_EQ(back->comment, r.comment);
  EXPECT_EQ(back->action_taken_at_ms, r.action_taken_at_ms);
  for (size_t n = 0; n < value.size(); ++n) {
    EXPECT_FALSE(codec::DecodeReport(key, value.substr(0, n)).ok()) << n;
  }
  EXPECT_FALSE(codec::DecodeReport(key, value + "x").ok());
  // A key of another kind is not a report.
  EXPECT_FALSE(codec::DecodeReport(codec::ModerationKey(codec::ModerationKind::kAppeal, r.id),
                                   value).ok());

  HoldRecord h;
  h.target_id = 5;
  h.kind = HoldKind::kProfile;
  h.account_id = 5;
  h.state = HoldState::kRejected;
  h.has_note = true;
  h.note = "bio";
  auto hb = codec::DecodeHold(codec::ModerationKey(codec::ModerationKind::kHold, 5),
                              codec::EncodeValue(h));
  ASSERT_TRUE(hb.ok());
  EXPECT_EQ(hb->kind, HoldKind::kProfile);
  EXPECT_EQ(hb->state, HoldState::kRejected);
  EXPECT_TRUE(hb->has_note);
  EXPECT_FALSE(hb->has_display_name);
  EXPECT_EQ(hb->note, "bio");
}

TEST(ModerationCodecTest, StorageScansEachKindAndDeletes) {
  auto st = NewMemoryStorage();
  WriteBatch b;
  b.Put(ModerationRuleRecord{1, "literal", "badword", "abuse", "reject", "auto", "", 9, 1, 2});
  b.Put(ModerationRuleRecord{2, "allow", "scunthorpe", "", "", "", "", 9, 1, 2});
  HoldRecord h;
  h.target_id = 3;
  b.Put(h);
  b.Put(SampleReport());
  AppealRecord a;
  a.id = 50;
  a.account_id = 7;
  a.target_type = "status";
  a.target_id = 3;
  a.state = AppealState::kApproved;
  b.Put(a);
  b.Put(AuditRecord{60, 9, "account.suspend", "account", 8, 8, "spam", 1234});
  ASSERT_TRUE(st->Commit(b).ok());

  std::vector<Id> rules, holds, reports, appeals, audit;
  ASSERT_TRUE(st->ForEachModerationRule([&](const ModerationRuleRecord& r) {
    rules.push_back(r.id);
    return Status::Ok();
  }).ok());
  ASSERT_TRUE(st->ForEachHold([&](const HoldRecord& r) {
    holds.push_back(r.target_id);
    return Status::Ok();
  }).ok());
  ASSERT_TRUE(st->ForEachReport([&](const ReportRecord& r) {
    reports.push_back(r.id);
    return Status::Ok();
  }).ok());
  ASSERT_TRUE(st->ForEachAppeal([&](const AppealRecord& r) {
    appeals.push_back(r.id);
    EXPECT_EQ(r.state, AppealState::kApproved);
    return Status::Ok();
  }).ok());
  ASSERT_TRUE(st->ForEachAudit([&](const AuditRecord& r) {
    audit.push_back(r.id);
    EXPECT_EQ(r.reason, "spam");
    return Status::Ok();
  }).ok());
  EXPECT_EQ(rules, (std::vector<Id>{1, 2}));
  EXPECT_EQ(holds, (std::vector<Id>{3}));
  EXPECT_EQ(reports, (std::vector<Id>{42}));
  EXPECT_EQ(appeals, (std::vector<Id>{50}));
  EXPECT_EQ(audit, (std::vector<Id>{60}));

  WriteBatch del;
  del.Put(DeleteModerationRule{1});
  del.Put(DeleteHold{3});
  ASSERT_TRUE(st->Commit(del).ok());
  rules.clear();
  holds.clear();
  ASSERT_TRUE(st->ForEachModerationRule([&](const ModerationRuleRecord& r) {
    rules.push_back(r.id);
    return Status::Ok();
  }).ok());
  ASSERT_TRUE(st->ForEachHold([&](const HoldRecord& r) {
    holds.push_back(r.target_id);
    return Status::Ok();
  }).ok());
  EXPECT_EQ(rules, (std::vector<Id>{2}));
  EXPECT_TRUE(holds.empty());
}

}  // namespace
}  // namespace plaza::storage
