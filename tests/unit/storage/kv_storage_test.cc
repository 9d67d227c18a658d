// KvStorage's group commit (CommitAsync): batches pending together become one engine write with
// one sync, each caller hears its own result exactly once, and a failed write fails every batch
// of its group. A gated engine makes the grouping deterministic.

#include "storage/kv_storage.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <set>
#include <vector>

#include <gtest/gtest.h>

#include "storage/memory/memory_storage.h"
#include "storage_test_util.h"

namespace plaza::storage {
namespace {

// Forwards to a memory engine; Write counts calls and ops and blocks while the gate is closed.
class GatedEngine final : public KvEngine {
 public:
  struct Shared {
    std::mutex mu;
    std::condition_variable cv;
    bool open = false;
    int writes = 0;          // Write calls entered
    int in_flight = 0;       // Write calls entered and not yet returned
    int max_in_flight = 0;
    std::vector<size_t> ops;  // ops per finished write
    int synced = 0;
    bool fail = false;
  };
  explicit GatedEngine(Shared& shared) : shared_(shared), inner_(NewMemoryEngine()) {}

  Result<std::string> Get(std::string_view key) override { return inner_->Get(key); }
  Status Scan(std::string_view prefix, std::string_view start, bool reverse,
              const std::function<bool(std::string_view, std::string_view)>& fn) override {
    return inner_->Scan(prefix, start, reverse, fn);
  }
  Status Write(const KvWriteBatch& batch, bool sync) override {
    std::unique_lock lock(shared_.mu);
    ++shared_.writes;
    shared_.max_in_flight = std::max(shared_.max_in_flight, ++shared_.in_flight);
    shared_.cv.notify_all();
    shared_.cv.wait(lock, [this] { return shared_.open; });
    --shared_.in_flight;
    shared_.ops.push_back(batch.ops().size());
    if (sync) ++shared_.synced;
    if (shared_.fail) return Status::IOError("disk full");
    return inner_->Write(batch, sync);
  }

 private:
  Shared& shared_;
  std::unique_ptr<KvEngine> inner_;
};

WriteBatch OneStatus(Id id) {
  WriteBatch b;
  b.Put(SampleStatus(id));
  b.Put(SampleIdempotency(1, std::to_string(id)));
  return b;
}

class KvStorageGroupCommitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    shared_.open = true;  // the format record written at open
    auto s = OpenKvStorage(std::make_unique<GatedEngine>(shared_), KvStorageOptions{.sync = true});
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    storage_ = std::move(s).value();
    std::lock_guard lock(shared_.mu);
    shared_.open = false;
    shared_.writes = 0;
    shared_.ops.clear();
    shared_.synced = 0;
  }
  void WaitForWrites(int n) {
    std::unique_lock lock(shared_.mu);
    shared_.cv.wait(lock, [&] { return shared_.writes >= n; });
  }
  void Open() {
    std::lock_guard lock(shared_.mu);
    shared_.open = true;
    shared_.cv.notify_all();
  }
  // Commits ids [first, last] asynchronously, recording each answer.
  void CommitRange(Id first, Id last) {
    for (Id id = first; id <= last; ++id) {
      storage_->CommitAsync(OneStatus(id), [this, id](Status st) {
        std::lock_guard lock(answers_mu_);
        answers_.push_back({id, st});
        answers_cv_.notify_all();
      });
    }
  }
  std::vector<std::pair<Id, Status>> WaitForAnswers(size_t n) {
    std::unique_lock lock(answers_mu_);
    answers_cv_.wait(lock, [&] { return answers_.size() >= n; });
    return answers_;
  }

  GatedEngine::Shared shared_;
  std::unique_ptr<Storage> storage_;
  std::mutex answers_mu_;
  std::condition_variable answers_cv_;
  std::vector<std::pair<Id, Status>> answers_;
};

TEST_F(KvStorageGroupCommitTest, PendingBatchesShareOneSyncedWrite) {
  // The first batch's write is held open. The 60 batches committed meanwhile wait for it to land
  // (no second write starts beside it) and then go out together, as one write and one fsync.
  CommitRange(1, 1);
  WaitForWrites(1);
  CommitRange(2, 61);
  Open();
  auto answers = WaitForAnswers(61);
  std::set<Id> ids;
  for (const auto& [id, st] : answers) {
    EXPECT_TRUE(st.ok()) << st.ToString();
    ids.insert(id);
  }
  EXPECT_EQ(ids.size(), 61u);  // each caller answered once
  std::lock_guard lock(shared_.mu);
  // The first batch's write, then one for the 60 that waited (2 ops each).
  EXPECT_EQ(shared_.ops, (std::vector<size_t>{2, 60 * 2}));
  EXPECT_EQ(shared_.synced, 2);
  EXPECT_EQ(shared_.max_in_flight, 1);
  for (Id id = 1; id <= 61; ++id) {
    EXPECT_EQ(storage_->GetStatus(id).value(), SampleStatus(id));
  }
}

TEST_F(KvStorageGroupCommitTest, AnsweredOnlyAfterTheWriteLands) {
  CommitRange(1, 1);
  WaitForWrites(1);
  {
    std::lock_guard lock(answers_mu_);
    EXPECT_TRUE(answers_.empty());
  }
  EXPECT_TRUE(storage_->GetStatus(1).status().IsNotFound());
  Open();
  auto answers = WaitForAnswers(1);
  EXPECT_TRUE(answers[0].second.ok());
  EXPECT_TRUE(storage_->GetStatus(1).ok());
}

TEST_F(KvStorageGroupCommitTest, FailedWriteFailsEveryBatchOfItsGroup) {
  {
    std::lock_guard lock(shared_.mu);
    shared_.fail = true;
  }
  CommitRange(1, 1);
  WaitForWrites(1);
  CommitRange(2, 10);
  Open();
  auto answers = WaitForAnswers(10);
  for (const auto& [id, st] : answers) {
    EXPECT_EQ(st.code(), StatusCode::kIOError) << id;
    EXPECT_TRUE(storage_->GetStatus(id).status().IsNotFound());
  }
}

TEST_F(KvStorageGroupCommitTest, DestructionAnswersEveryPendingBatch) {
  CommitRange(1, 1);
  WaitForWrites(1);
  CommitRange(2, 20);
  Open();
  storage_.reset();
  EXPECT_EQ(WaitForAnswers(20).size(), 20u);
}

TEST(KvStorageTest, UnsyncedCommitAsyncAnswersOnTheCallingThread) {
  auto storage = NewMemoryStorage();  // sync off
  bool answered = false;
  storage->CommitAsync(OneStatus(7), [&](Status st) {
    EXPECT_TRUE(st.ok());
    answered = true;
  });
  EXPECT_TRUE(answered);
  EXPECT_EQ(storage->GetStatus(7).value(), SampleStatus(7));
}

}  // namespace
}  // namespace plaza::storage
