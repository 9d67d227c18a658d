// The storage contract suite (storage.h), run unchanged against every adapter. An adapter that
// passes it can replace any other without the domain noticing.

#include <algorithm>
#include <atomic>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "storage/kv_storage.h"
#include "storage/memory/memory_storage.h"
#include "storage/record_codec.h"
#include "storage/rocksdb/rocksdb_storage.h"
#include "storage/storage.h"
#include "storage_test_util.h"

namespace plaza::storage {
namespace {

// How to make one adapter's engine in a fresh directory (unused by the memory adapter).
struct Adapter {
  std::string name;
  std::function<Result<std::unique_ptr<KvEngine>>(const std::string& dir)> open_engine;
  std::function<Result<std::unique_ptr<Storage>>(const std::string& dir)> open;
};

void PrintTo(const Adapter& a, std::ostream* os) { *os << a.name; }

std::vector<Adapter> Adapters() {
  return {
      {"Memory", [](const std::string&) -> Result<std::unique_ptr<KvEngine>> {
         return NewMemoryEngine();
       },
       [](const std::string&) -> Result<std::unique_ptr<Storage>> { return NewMemoryStorage(); }},
      // Sync is off here only to keep the suite fast on a slow disk: it changes when a batch is
      // durable, not what readers see. rocksdb_storage_test covers synced commits and crashes.
      {"RocksDb",
       [](const std::string& dir) { return OpenRocksDbEngine(dir, RocksDbOptions{}); },
       [](const std::string& dir) {
         RocksDbOptions options;
         options.sync = false;
         return OpenRocksDbStorage(dir, options);
       }},
  };
}

class StorageContractTest : public ::testing::TestWithParam<Adapter> {
 protected:
  void SetUp() override {
    auto storage = GetParam().open(dir_.path() + "/db");
    ASSERT_TRUE(storage.ok()) << storage.status().ToString();
    storage_ = std::move(storage).value();
  }

  void Commit(WriteOp op) {
    WriteBatch batch;
    batch.Put(std::move(op));
    Status s = storage_->Commit(batch);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  std::vector<NotificationRecord> Notifications(Id account, Id start, bool descending,
                                                size_t limit = SIZE_MAX) {
    std::vector<NotificationRecord> out;
    Status s = storage_->ScanNotifications(account, start, descending,
                                           [&](const NotificationRecord& n) {
                                             out.push_back(n);
                                             return out.size() < limit;
                                           });
    EXPECT_TRUE(s.ok()) << s.ToString();
    return out;
  }

  static std::vector<Id> NotificationIds(const std::vector<NotificationRecord>& ns) {
    std::vector<Id> ids;
    for (const auto& n : ns) ids.push_back(n.id);
    return ids;
  }

  std::vector<AccountRecord> Accounts() {
    std::vector<AccountRecord> out;
    EXPECT_TRUE(storage_->ForEachAccount([&](const AccountRecord& r) {
                          out.push_back(r);
                          return Status::Ok();
                        }).ok());
    return out;
  }
  std::vector<AppRecord> Apps() {
    std::vector<AppRecord> out;
    EXPECT_TRUE(storage_->ForEachApp([&](const AppRecord& r) {
                          out.push_back(r);
                          return Status::Ok();
                        }).ok());
    return out;
  }
  std::vector<StatusRecord> Statuses() {
    std::vector<StatusRecord> out;
    EXPECT_TRUE(storage_->ForEachStatus([&](const StatusRecord& r) {
                          out.push_back(r);
                          return Status::Ok();
                        }).ok());
    return out;
  }
  std::vector<EdgeRecord> Edges() {
    std::vector<EdgeRecord> out;
    EXPECT_TRUE(storage_->ForEachEdge([&](const EdgeRecord& r) {
                          out.push_back(r);
                          return Status::Ok();
                        }).ok());
    return out;
  }
  std::vector<MarkRecord> Marks() {
    std::vector<MarkRecord> out;
    EXPECT_TRUE(storage_->ForEachMark([&](const MarkRecord& r) {
                          out.push_back(r);
                          return Status::Ok();
                        }).ok());
    return out;
  }

  TempDir dir_;
  std::unique_ptr<Storage> storage_;
};

// --- Round trips: every field of every record survives ------------------------------------------

TEST_P(StorageContractTest, AccountRoundTrips) {
  AccountRecord a = SampleAccount(42);
  AccountRecord b = SampleAccount(43);
  b.role = Role::kAdmin;
  b.locked = false;
  b.bot = true;
  b.silenced = false;
  b.suspended = false;
  Commit(a);
  Commit(b);
  EXPECT_EQ(Accounts(), (std::vector<AccountRecord>{a, b}));
  EXPECT_EQ(storage_->GetAccount(43).value(), b);
}

TEST_P(StorageContractTest, AppRoundTrips) {
  AppRecord a = SampleApp(1);
  Commit(a);
  EXPECT_EQ(Apps(), std::vector<AppRecord>{a});
}

TEST_P(StorageContractTest, TokenRoundTripsAndDeletes) {
  TokenRecord t = SampleToken(1);
  Commit(t);
  auto got = storage_->GetToken(t.token_hash);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got.value(), t);
  EXPECT_TRUE(storage_->GetToken("tok").status().IsNotFound());   // a prefix is another key
  EXPECT_TRUE(storage_->GetToken("tok10").status().IsNotFound());  // and so is an extension
  Commit(DeleteToken{t.token_hash});
  EXPECT_TRUE(storage_->GetToken(t.token_hash).status().IsNotFound());
}

TEST_P(StorageContractTest, AuthCodeRoundTripsAndDeletes) {
  AuthCodeRecord c = SampleAuthCode(1);
  Commit(c);
  auto got = storage_->GetAuthCode(c.code_hash);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got.value(), c);
  Commit(DeleteAuthCode{c.code_hash});
  EXPECT_TRUE(storage_->GetAuthCode(c.code_hash).status().IsNotFound());
}

TEST_P(StorageContractTest, StatusRoundTrips) {
  StatusRecord s = SampleStatus(5);
  StatusRecord empty;  // all defaults, empty lists
  empty.id = 6;
  Commit(s);
  Commit(empty);
  auto got = storage_->GetStatus(5);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got.value(), s);
  auto got_empty = storage_->GetStatus(6);
  ASSERT_TRUE(got_empty.ok());
  EXPECT_EQ(got_empty.value(), empty);
  EXPECT_EQ(Statuses(), (std::vector<StatusRecord>{s, empty}));
}

TEST_P(StorageContractTest, StatusEditsRoundTripInVersionOrder) {
  // Version 256 sorts after 2 only if versions are encoded big-endian and fixed-width.
  for (uint32_t v : {256u, 2u, 0u, 1u, UINT32_MAX}) Commit(SampleEdit(9, v));
  Commit(SampleEdit(8, 0));
  Commit(SampleEdit(10, 0));
  auto edits = storage_->ListStatusEdits(9);
  ASSERT_TRUE(edits.ok()) << edits.status().ToString();
  EXPECT_EQ(edits.value(), (std::vector<StatusEditRecord>{SampleEdit(9, 0), SampleEdit(9, 1),
                                                          SampleEdit(9, 2), SampleEdit(9, 256),
                                                          SampleEdit(9, UINT32_MAX)}));
  auto none = storage_->ListStatusEdits(11);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none.value().empty());
}

TEST_P(StorageContractTest, EdgeRoundTripsAndDeletes) {
  EdgeRecord e = SampleEdge(EdgeKind::kMute, 1, 2);
  Commit(e);
  EXPECT_EQ(Edges(), std::vector<EdgeRecord>{e});
  Commit(DeleteEdge{EdgeKind::kFollow, 1, 2});  // another kind: not this edge
  EXPECT_EQ(Edges(), std::vector<EdgeRecord>{e});
  Commit(DeleteEdge{EdgeKind::kMute, 1, 2});
  EXPECT_TRUE(Edges().empty());
}

TEST_P(StorageContractTest, MarkRoundTripsAndDeletes) {
  MarkRecord m = SampleMark(MarkKind::kBookmark, 3, 4);
  Commit(m);
  EXPECT_EQ(Marks(), std::vector<MarkRecord>{m});
  Commit(DeleteMark{MarkKind::kFavourite, 3, 4});
  EXPECT_EQ(Marks(), std::vector<MarkRecord>{m});
  Commit(DeleteMark{MarkKind::kBookmark, 3, 4});
  EXPECT_TRUE(Marks().empty());
}

TEST_P(StorageContractTest, NotificationRoundTripsAndDeletes) {
  NotificationRecord n = SampleNotification(3, 77);
  Commit(n);
  EXPECT_EQ(Notifications(3, 0, true), std::vector<NotificationRecord>{n});
  Commit(DeleteNotification{3, 77});
  EXPECT_TRUE(Notifications(3, 0, true).empty());
}

TEST_P(StorageContractTest, IdempotencyRoundTripsAndDeletes) {
  IdempotencyRecord i = SampleIdempotency(5, std::string("key\0with nul", 12) + " 中文");
  IdempotencyRecord other_account = SampleIdempotency(6, i.key);
  Commit(i);
  Commit(other_account);
  auto got = storage_->GetIdempotency(5, i.key);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got.value(), i);
  EXPECT_EQ(storage_->GetIdempotency(6, i.key).value(), other_account);
  EXPECT_TRUE(storage_->GetIdempotency(5, "other").status().IsNotFound());
  Commit(DeleteIdempotency{5, i.key});
  EXPECT_TRUE(storage_->GetIdempotency(5, i.key).status().IsNotFound());
  EXPECT_TRUE(storage_->GetIdempotency(6, i.key).ok());
}

TEST_P(StorageContractTest, PendingNotifyRecordsScanInStatusOrderOverwriteAndDelete) {
  auto pending = [&] {
    std::vector<PendingNotifyRecord> out;
    EXPECT_TRUE(storage_
                    ->ForEachPendingNotify([&](const PendingNotifyRecord& r) {
                      out.push_back(r);
                      return Status::Ok();
                    })
                    .ok());
    return out;
  };
  EXPECT_TRUE(pending().empty());
  Commit(PendingNotifyRecord{300, 0});
  Commit(PendingNotifyRecord{7, 0});
  Commit(PendingNotifyRecord{300, 41});  // progress replaces the record
  EXPECT_EQ(pending(), (std::vector<PendingNotifyRecord>{{7, 0}, {300, 41}}));
  Commit(DeletePendingNotify{7});
  EXPECT_EQ(pending(), (std::vector<PendingNotifyRecord>{{300, 41}}));
}

TEST_P(StorageContractTest, NotificationMarkerDefaultsToZeroAndOverwrites) {
  auto unset = storage_->GetNotificationMarker(1);
  ASSERT_TRUE(unset.ok());
  EXPECT_EQ(unset.value(), 0u);
  Commit(NotificationMarker{1, 500});
  Commit(NotificationMarker{2, UINT64_MAX});
  Commit(NotificationMarker{1, 600});
  EXPECT_EQ(storage_->GetNotificationMarker(1).value(), 600u);
  EXPECT_EQ(storage_->GetNotificationMarker(2).value(), UINT64_MAX);
}

TEST_P(StorageContractTest, MissingRecordsAreNotFound) {
  EXPECT_EQ(storage_->GetStatus(1).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(storage_->GetAccount(1).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(storage_->GetToken("x").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(storage_->GetAuthCode("x").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(storage_->GetIdempotency(1, "x").status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(Notifications(1, 0, true).empty());
  EXPECT_TRUE(Accounts().empty());
  EXPECT_TRUE(Statuses().empty());
}

// --- Overwrite and delete -----------------------------------------------------------------------

TEST_P(StorageContractTest, PutReplacesExistingRecord) {
  StatusRecord s = SampleStatus(5);
  Commit(s);
  s.text = "edited";
  s.tags.clear();
  s.mention_ids = {1};
  s.edited_at_ms = 1;
  Commit(s);
  EXPECT_EQ(storage_->GetStatus(5).value(), s);
  EXPECT_EQ(Statuses().size(), 1u);

  EdgeRecord e = SampleEdge(EdgeKind::kFollow, 1, 2);
  Commit(e);
  e.reblogs = true;
  e.notifications = false;
  Commit(e);
  EXPECT_EQ(Edges(), std::vector<EdgeRecord>{e});
}

TEST_P(StorageContractTest, DeletingMissingRecordsIsNotAnError) {
  WriteBatch batch;
  batch.Put(DeleteToken{"nope"});
  batch.Put(DeleteAuthCode{"nope"});
  batch.Put(DeleteStatus{1});
  batch.Put(DeleteEdge{EdgeKind::kBlock, 1, 2});
  batch.Put(DeleteMark{MarkKind::kFavourite, 1, 2});
  batch.Put(DeleteNotification{1, 2});
  batch.Put(ClearNotifications{1});
  batch.Put(DeleteIdempotency{1, "k"});
  EXPECT_TRUE(storage_->Commit(batch).ok());
  EXPECT_TRUE(storage_->Commit(WriteBatch{}).ok());
}

TEST_P(StorageContractTest, DeleteStatusRemovesItsEditsOnly) {
  Commit(SampleStatus(5));
  Commit(SampleStatus(6));
  Commit(SampleStatus(4));
  for (uint32_t v = 0; v < 3; ++v) {
    Commit(SampleEdit(4, v));
    Commit(SampleEdit(5, v));
    Commit(SampleEdit(6, v));
  }
  Commit(DeleteStatus{5});
  EXPECT_TRUE(storage_->GetStatus(5).status().IsNotFound());
  EXPECT_TRUE(storage_->ListStatusEdits(5).value().empty());
  EXPECT_EQ(storage_->ListStatusEdits(4).value().size(), 3u);
  EXPECT_EQ(storage_->ListStatusEdits(6).value().size(), 3u);
  EXPECT_TRUE(storage_->GetStatus(4).ok());
  EXPECT_TRUE(storage_->GetStatus(6).ok());
}

TEST_P(StorageContractTest, DeleteStatusWithLargestIdRemovesItsEdits) {
  Commit(SampleStatus(UINT64_MAX));
  Commit(SampleEdit(UINT64_MAX, 0));
  Commit(SampleEdit(UINT64_MAX - 1, 0));
  Commit(DeleteStatus{UINT64_MAX});
  EXPECT_TRUE(storage_->ListStatusEdits(UINT64_MAX).value().empty());
  EXPECT_EQ(storage_->ListStatusEdits(UINT64_MAX - 1).value().size(), 1u);
}

TEST_P(StorageContractTest, BatchAppliesOperationsInOrder) {
  WriteBatch put_then_delete;
  put_then_delete.Put(SampleToken(1));
  put_then_delete.Put(DeleteToken{SampleToken(1).token_hash});
  ASSERT_TRUE(storage_->Commit(put_then_delete).ok());
  EXPECT_TRUE(storage_->GetToken(SampleToken(1).token_hash).status().IsNotFound());

  WriteBatch delete_then_put;
  delete_then_put.Put(DeleteToken{SampleToken(2).token_hash});
  delete_then_put.Put(SampleToken(2));
  ASSERT_TRUE(storage_->Commit(delete_then_put).ok());
  EXPECT_TRUE(storage_->GetToken(SampleToken(2).token_hash).ok());

  WriteBatch clear_then_put;
  clear_then_put.Put(SampleNotification(1, 10));
  clear_then_put.Put(ClearNotifications{1});
  clear_then_put.Put(SampleNotification(1, 20));
  ASSERT_TRUE(storage_->Commit(clear_then_put).ok());
  EXPECT_EQ(NotificationIds(Notifications(1, 0, false)), std::vector<Id>{20});

  WriteBatch status_then_delete;
  status_then_delete.Put(SampleStatus(3));
  status_then_delete.Put(SampleEdit(3, 0));
  status_then_delete.Put(DeleteStatus{3});
  status_then_delete.Put(SampleEdit(3, 1));
  ASSERT_TRUE(storage_->Commit(status_then_delete).ok());
  EXPECT_TRUE(storage_->GetStatus(3).status().IsNotFound());
  EXPECT_EQ(storage_->ListStatusEdits(3).value(), std::vector<StatusEditRecord>{SampleEdit(3, 1)});
}

// --- Scan order ---------------------------------------------------------------------------------

TEST_P(StorageContractTest, ForEachVisitsInKeyOrder) {
  std::vector<Id> ids = {5, 1, 256, 1ull << 40, 2, UINT64_MAX, 0, 255};
  for (Id id : ids) {
    Commit(SampleAccount(id));
    Commit(SampleApp(id));
    Commit(SampleStatus(id));
  }
  std::sort(ids.begin(), ids.end());
  std::vector<Id> seen;
  for (const auto& a : Accounts()) seen.push_back(a.id);
  EXPECT_EQ(seen, ids);
  seen.clear();
  for (const auto& a : Apps()) seen.push_back(a.id);
  EXPECT_EQ(seen, ids);
  seen.clear();
  for (const auto& s : Statuses()) seen.push_back(s.id);
  EXPECT_EQ(seen, ids);

  // Edges by (kind, source, target); marks by (kind, account, status).
  Commit(SampleEdge(EdgeKind::kMute, 1, 1));
  Commit(SampleEdge(EdgeKind::kFollow, 2, 1));
  Commit(SampleEdge(EdgeKind::kFollow, 1, 300));
  Commit(SampleEdge(EdgeKind::kFollow, 1, 2));
  Commit(SampleEdge(EdgeKind::kBlock, 0, UINT64_MAX));
  std::vector<std::tuple<EdgeKind, Id, Id>> edges;
  for (const auto& e : Edges()) edges.emplace_back(e.kind, e.source, e.target);
  EXPECT_EQ(edges, (std::vector<std::tuple<EdgeKind, Id, Id>>{
                       {EdgeKind::kFollow, 1, 2},
                       {EdgeKind::kFollow, 1, 300},
                       {EdgeKind::kFollow, 2, 1},
                       {EdgeKind::kBlock, 0, UINT64_MAX},
                       {EdgeKind::kMute, 1, 1},
                   }));

  Commit(SampleMark(MarkKind::kBookmark, 1, 1));
  Commit(SampleMark(MarkKind::kFavourite, 2, 1));
  Commit(SampleMark(MarkKind::kFavourite, 1, 9));
  Commit(SampleMark(MarkKind::kFavourite, 1, 3));
  std::vector<std::tuple<MarkKind, Id, Id>> marks;
  for (const auto& m : Marks()) marks.emplace_back(m.kind, m.account_id, m.status_id);
  EXPECT_EQ(marks, (std::vector<std::tuple<MarkKind, Id, Id>>{
                       {MarkKind::kFavourite, 1, 3},
                       {MarkKind::kFavourite, 1, 9},
                       {MarkKind::kFavourite, 2, 1},
                       {MarkKind::kBookmark, 1, 1},
                   }));
}

TEST_P(StorageContractTest, ForEachStopsAtFirstError) {
  for (Id id = 1; id <= 5; ++id) Commit(SampleAccount(id));
  int calls = 0;
  Status s = storage_->ForEachAccount([&](const AccountRecord& a) {
    ++calls;
    return a.id == 3 ? Status::Conflict("stop here") : Status::Ok();
  });
  EXPECT_EQ(s.code(), StatusCode::kConflict);
  EXPECT_EQ(s.message(), "stop here");
  EXPECT_EQ(calls, 3);
}

TEST_P(StorageContractTest, ForEachSeesOnlyItsOwnRecordType) {
  Commit(SampleAccount(1));
  Commit(SampleApp(2));
  Commit(SampleStatus(3));
  Commit(SampleEdit(3, 0));
  Commit(SampleToken(4));
  Commit(SampleNotification(1, 5));
  Commit(NotificationMarker{1, 5});
  Commit(SampleIdempotency(1, "k"));
  EXPECT_EQ(Accounts().size(), 1u);
  EXPECT_EQ(Apps().size(), 1u);
  EXPECT_EQ(Statuses().size(), 1u);
  EXPECT_TRUE(Edges().empty());
  EXPECT_TRUE(Marks().empty());
}

TEST_P(StorageContractTest, ScanNotificationsInBothDirectionsWithBounds) {
  const Id a = 100;
  for (Id id = 10; id <= 100; id += 10) Commit(SampleNotification(a, id));
  // Neighbouring accounts, including ids that share leading bytes.
  Commit(SampleNotification(a - 1, 55));
  Commit(SampleNotification(a + 1, 5));
  Commit(SampleNotification(a + 1, 1000));

  EXPECT_EQ(NotificationIds(Notifications(a, 0, true)),
            (std::vector<Id>{100, 90, 80, 70, 60, 50, 40, 30, 20, 10}));
  EXPECT_EQ(NotificationIds(Notifications(a, 0, false)),
            (std::vector<Id>{10, 20, 30, 40, 50, 60, 70, 80, 90, 100}));
  // Start is inclusive when present, and a position between ids otherwise.
  EXPECT_EQ(NotificationIds(Notifications(a, 50, true)), (std::vector<Id>{50, 40, 30, 20, 10}));
  EXPECT_EQ(NotificationIds(Notifications(a, 55, true)), (std::vector<Id>{50, 40, 30, 20, 10}));
  EXPECT_EQ(NotificationIds(Notifications(a, 50, false)), (std::vector<Id>{50, 60, 70, 80, 90, 100}));
  EXPECT_EQ(NotificationIds(Notifications(a, 55, false)), (std::vector<Id>{60, 70, 80, 90, 100}));
  EXPECT_EQ(NotificationIds(Notifications(a, 5, true)), std::vector<Id>{});
  EXPECT_EQ(NotificationIds(Notifications(a, 101, false)), std::vector<Id>{});
  EXPECT_EQ(NotificationIds(Notifications(a, UINT64_MAX, true)).size(), 10u);
  // Early stop.
  EXPECT_EQ(NotificationIds(Notifications(a, 0, true, 3)), (std::vector<Id>{100, 90, 80}));
  EXPECT_EQ(NotificationIds(Notifications(a, 30, false, 2)), (std::vector<Id>{30, 40}));
  // Full records come back, for the right account.
  EXPECT_EQ(Notifications(a, 20, true, 1), std::vector<NotificationRecord>{SampleNotification(a, 20)});
  EXPECT_EQ(NotificationIds(Notifications(a + 1, 0, true)), (std::vector<Id>{1000, 5}));
}

TEST_P(StorageContractTest, ScanNotificationsAtTheEndsOfTheIdRange) {
  const Id last = UINT64_MAX;
  Commit(SampleNotification(last, 1));
  Commit(SampleNotification(last, last));
  Commit(SampleNotification(last - 1, last));
  Commit(SampleNotification(0, 0));
  EXPECT_EQ(NotificationIds(Notifications(last, 0, true)), (std::vector<Id>{last, 1}));
  EXPECT_EQ(NotificationIds(Notifications(last, 0, false)), (std::vector<Id>{1, last}));
  EXPECT_EQ(NotificationIds(Notifications(last, last, true)), (std::vector<Id>{last, 1}));
  EXPECT_EQ(NotificationIds(Notifications(last - 1, 0, true)), (std::vector<Id>{last}));
  EXPECT_EQ(NotificationIds(Notifications(0, 0, false)), (std::vector<Id>{0}));
}

TEST_P(StorageContractTest, ClearNotificationsLeavesOtherAccountsAlone) {
  for (Id account : {Id{99}, Id{100}, Id{101}, Id{356}}) {  // 356 differs from 100 in one byte
    for (Id id = 1; id <= 5; ++id) Commit(SampleNotification(account, id));
  }
  Commit(NotificationMarker{100, 5});
  Commit(ClearNotifications{100});
  EXPECT_TRUE(Notifications(100, 0, true).empty());
  EXPECT_EQ(Notifications(99, 0, true).size(), 5u);
  EXPECT_EQ(Notifications(101, 0, true).size(), 5u);
  EXPECT_EQ(Notifications(356, 0, true).size(), 5u);
  EXPECT_EQ(storage_->GetNotificationMarker(100).value(), 5u);
  // The account can receive notifications again.
  Commit(SampleNotification(100, 7));
  EXPECT_EQ(NotificationIds(Notifications(100, 0, true)), std::vector<Id>{7});
}

TEST_P(StorageContractTest, ClearNotificationsOfLargestAccountId) {
  Commit(SampleNotification(UINT64_MAX, 1));
  Commit(SampleNotification(UINT64_MAX - 1, 1));
  Commit(ClearNotifications{UINT64_MAX});
  EXPECT_TRUE(Notifications(UINT64_MAX, 0, true).empty());
  EXPECT_EQ(Notifications(UINT64_MAX - 1, 0, true).size(), 1u);
}

// --- Corrupt data -------------------------------------------------------------------------------

TEST_P(StorageContractTest, CorruptValuesAreIOErrorsNotCrashes) {
  storage_.reset();  // free the directory for the bare engine
  auto engine = GetParam().open_engine(dir_.path() + "/db");
  ASSERT_TRUE(engine.ok()) << engine.status().ToString();
  KvEngine* raw = engine.value().get();
  auto opened = OpenKvStorage(std::move(engine).value(), KvStorageOptions{});
  ASSERT_TRUE(opened.ok());
  std::unique_ptr<Storage> storage = std::move(opened).value();

  WriteBatch good;
  good.Put(SampleAccount(1));
  ASSERT_TRUE(storage->Commit(good).ok());
  KvWriteBatch garbage;
  garbage.Put(codec::StatusKey(1), "\x01\xff\xff");
  garbage.Put(codec::AccountKey(2), "");
  garbage.Put(codec::NotificationKey(3, 4), std::string("\x01\x09", 2));  // type out of range
  garbage.Put(codec::TokenKey("t"), "\x02");                              // unknown version
  garbage.Put(codec::NotificationMarkerKey(5), "\x01\x80");               // truncated varint
  garbage.Put(codec::StatusEditKey(6, 0), "\x01");
  ASSERT_TRUE(raw->Write(garbage, true).ok());

  EXPECT_EQ(storage->GetStatus(1).status().code(), StatusCode::kIOError);
  EXPECT_EQ(storage->GetToken("t").status().code(), StatusCode::kIOError);
  EXPECT_EQ(storage->GetNotificationMarker(5).status().code(), StatusCode::kIOError);
  EXPECT_EQ(storage->ListStatusEdits(6).status().code(), StatusCode::kIOError);
  EXPECT_EQ(storage->ForEachStatus([](const StatusRecord&) { return Status::Ok(); }).code(),
            StatusCode::kIOError);
  EXPECT_EQ(storage->ForEachAccount([](const AccountRecord&) { return Status::Ok(); }).code(),
            StatusCode::kIOError);
  EXPECT_EQ(storage->ScanNotifications(3, 0, true, [](const NotificationRecord&) { return true; })
                .code(),
            StatusCode::kIOError);
}

TEST_P(StorageContractTest, RefusesDataOfAnotherFormatVersion) {
  storage_.reset();
  auto engine = GetParam().open_engine(dir_.path() + "/db");
  ASSERT_TRUE(engine.ok()) << engine.status().ToString();
  KvWriteBatch future;
  future.Put(codec::FormatKey(), std::string(1, static_cast<char>(codec::kFormatVersion + 1)));
  ASSERT_TRUE(engine.value()->Write(future, true).ok());
  auto opened = OpenKvStorage(std::move(engine).value(), KvStorageOptions{});
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), StatusCode::kIOError);
}

// --- Atomicity and concurrency ------------------------------------------------------------------

// A writer replaces a whole "generation" of records per batch; readers must only ever see one
// complete generation, never a mix or a partial one.
TEST_P(StorageContractTest, ConcurrentReadersNeverSeeHalfABatch) {
  constexpr int kGenerations = 200;
  constexpr Id kAccount = 42;
  constexpr int kPerBatch = 16;
  auto make_batch = [&](int gen) {
    WriteBatch b;
    b.Put(ClearNotifications{kAccount});
    for (int i = 0; i < kPerBatch; ++i) {
      NotificationRecord n = SampleNotification(kAccount, 1 + i + gen % 2);
      n.created_at_ms = gen;
      b.Put(n);
      StatusRecord s;
      s.id = 1 + i;
      s.text = std::to_string(gen);
      b.Put(s);
    }
    return b;
  };
  ASSERT_TRUE(storage_->Commit(make_batch(0)).ok());

  std::atomic<bool> done{false};
  std::atomic<int> violations{0};
  std::atomic<int> reads{0};
  auto reader = [&] {
    while (!done.load()) {
      std::set<int64_t> gens;
      size_t count = 0;
      Status s = storage_->ScanNotifications(kAccount, 0, true, [&](const NotificationRecord& n) {
        gens.insert(n.created_at_ms);
        ++count;
        return true;
      });
      if (!s.ok() || count != kPerBatch || gens.size() != 1) ++violations;
      std::set<std::string> texts;
      count = 0;
      s = storage_->ForEachStatus([&](const StatusRecord& r) {
        texts.insert(r.text);
        ++count;
        return Status::Ok();
      });
      if (!s.ok() || count != kPerBatch || texts.size() != 1) ++violations;
      ++reads;
    }
  };
  std::vector<std::thread> readers;
  for (int i = 0; i < 3; ++i) readers.emplace_back(reader);
  for (int gen = 1; gen <= kGenerations; ++gen) {
    ASSERT_TRUE(storage_->Commit(make_batch(gen)).ok());
  }
  // Let readers overlap the whole write phase at least once before stopping.
  while (reads.load() < 3) std::this_thread::yield();
  done = true;
  for (auto& t : readers) t.join();
  EXPECT_EQ(violations.load(), 0);
  auto last = Notifications(kAccount, 0, true);
  ASSERT_EQ(last.size(), static_cast<size_t>(kPerBatch));
  EXPECT_EQ(last.front().created_at_ms, kGenerations);
}

TEST_P(StorageContractTest, ManyThreadsCommitConcurrently) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 100;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        Id id = static_cast<Id>(t) * 1000 + i + 1;
        WriteBatch b;
        b.Put(SampleStatus(id));
        b.Put(SampleIdempotency(t, "key-" + std::to_string(id)));
        b.Put(SampleNotification(t, id));
        if (!storage_->Commit(b).ok()) ++failures;
        // Reads see every batch whose Commit has returned.
        if (!storage_->GetStatus(id).ok()) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(Statuses().size(), static_cast<size_t>(kThreads * kPerThread));
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ(Notifications(t, 0, false).size(), static_cast<size_t>(kPerThread));
    for (int i = 0; i < kPerThread; ++i) {
      Id id = static_cast<Id>(t) * 1000 + i + 1;
      auto idem = storage_->GetIdempotency(t, "key-" + std::to_string(id));
      ASSERT_TRUE(idem.ok());
      EXPECT_EQ(storage_->GetStatus(id).value(), SampleStatus(id));
    }
  }
}

TEST_P(StorageContractTest, ScanCallbackMayReadTheSameStorage) {
  for (Id id = 1; id <= 3; ++id) {
    Commit(SampleStatus(id));
    Commit(SampleNotification(9, id));
  }
  int nested = 0;
  Status s = storage_->ForEachStatus([&](const StatusRecord& r) {
    auto again = storage_->GetStatus(r.id);
    if (!again.ok()) return again.status();
    return storage_->ScanNotifications(9, r.id, true, [&](const NotificationRecord&) {
      ++nested;
      return true;
    });
  });
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(nested, 1 + 2 + 3);
}

INSTANTIATE_TEST_SUITE_P(Adapters, StorageContractTest, ::testing::ValuesIn(Adapters()),
                         [](const ::testing::TestParamInfo<Adapter>& info) {
                           return info.param.name;
                         });

}  // namespace
}  // namespace plaza::storage
