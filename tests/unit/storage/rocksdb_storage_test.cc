// What the RocksDB adapter promises beyond the shared contract: data survives closing and
// reopening and a SIGKILL at any moment after Commit returns; a directory is opened by one process
// at a time; a damaged database is an error Status, never a crash; write-ahead logs start as
// prepared files of zeros (prepared_wal.h).

#include "storage/rocksdb/rocksdb_storage.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "storage_test_util.h"

namespace plaza::storage {
namespace {

// A helper process (storage_crash_child) with its stdout connected to a pipe.
class Child {
 public:
  explicit Child(const std::vector<std::string>& args) {
    std::vector<char*> argv;
    std::string path = PLAZA_STORAGE_CRASH_CHILD;
    argv.push_back(path.data());
    std::vector<std::string> copy = args;
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    int fds[2];
    if (pipe(fds) != 0) std::abort();
    pid_ = fork();
    if (pid_ == 0) {
      // Only async-signal-safe calls between fork and exec.
      dup2(fds[1], STDOUT_FILENO);
      close(fds[0]);
      close(fds[1]);
      execv(argv[0], argv.data());
      _exit(127);
    }
    close(fds[1]);
    fd_ = fds[0];
  }
  ~Child() {
    Kill();
    if (fd_ >= 0) close(fd_);
  }

  // Reads up to `max` bytes, waiting at most `timeout_ms`; empty on timeout or end of stream.
  std::string Read(size_t max, int timeout_ms) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, timeout_ms) <= 0) return {};
    std::string buf(max, '\0');
    ssize_t n = read(fd_, buf.data(), max);
    buf.resize(n > 0 ? static_cast<size_t>(n) : 0);
    return buf;
  }
  // Everything still in the pipe once the child is gone.
  std::string Drain() {
    std::string out;
    char buf[4096];
    ssize_t n;
    while ((n = read(fd_, buf, sizeof(buf))) > 0) out.append(buf, static_cast<size_t>(n));
    return out;
  }
  // SIGKILLs the child and reaps it; returns its wait status.
  int Kill() {
    if (pid_ <= 0) return 0;
    kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return status;
  }

 private:
  pid_t pid_ = -1;
  int fd_ = -1;
};

std::unique_ptr<Storage> MustOpen(const std::string& dir, RocksDbOptions options = {}) {
  auto s = OpenRocksDbStorage(dir, options);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? std::move(s).value() : nullptr;
}

// RocksDB's write-ahead logs ("<number>.log") in `dir`, oldest first, with their sizes and inodes.
struct LogFile {
  std::string name;
  uint64_t size = 0;
  uint64_t inode = 0;
};
std::vector<LogFile> LogsIn(const std::string& dir) {
  std::vector<LogFile> logs;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    std::string name = entry.path().filename().string();
    if (name.size() <= 4 || !name.ends_with(".log")) continue;
    struct stat st {};
    if (stat(entry.path().c_str(), &st) != 0) continue;
    logs.push_back({name, static_cast<uint64_t>(st.st_size), static_cast<uint64_t>(st.st_ino)});
  }
  std::sort(logs.begin(), logs.end(), [](const LogFile& a, const LogFile& b) {
    return a.name.size() != b.name.size() ? a.name.size() < b.name.size() : a.name < b.name;
  });
  return logs;
}

// The next log prepared in the background (prepared_wal.h): waits up to 30 s for the file;
// returns its inode, or 0 when it did not appear with `size` bytes.
uint64_t WaitForPreparedLog(const std::string& dir, uint64_t size) {
  const std::string path = dir + "/plaza-wal.prepared";
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    struct stat st {};
    if (stat(path.c_str(), &st) == 0 && static_cast<uint64_t>(st.st_size) == size) {
      return static_cast<uint64_t>(st.st_ino);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return 0;
}

constexpr uint64_t kMiB = 1 << 20;

WriteBatch EveryRecordType() {
  WriteBatch b;
  b.Put(SampleAccount(1));
  b.Put(SampleApp(2));
  b.Put(SampleToken(3));
  b.Put(SampleAuthCode(4));
  b.Put(SampleStatus(5));
  b.Put(SampleEdit(5, 0));
  b.Put(SampleEdit(5, 1));
  b.Put(SampleEdge(EdgeKind::kFollow, 1, 6));
  b.Put(SampleMark(MarkKind::kFavourite, 1, 5));
  b.Put(SampleNotification(1, 7));
  b.Put(NotificationMarker{1, 7});
  b.Put(SampleIdempotency(1, "idem"));
  return b;
}

void ExpectEveryRecordType(Storage& s) {
  std::vector<AccountRecord> accounts;
  ASSERT_TRUE(s.ForEachAccount([&](const AccountRecord& r) {
                 accounts.push_back(r);
                 return Status::Ok();
               }).ok());
  EXPECT_EQ(accounts, std::vector<AccountRecord>{SampleAccount(1)});
  std::vector<AppRecord> apps;
  ASSERT_TRUE(s.ForEachApp([&](const AppRecord& r) {
                 apps.push_back(r);
                 return Status::Ok();
               }).ok());
  EXPECT_EQ(apps, std::vector<AppRecord>{SampleApp(2)});
  EXPECT_EQ(s.GetToken(SampleToken(3).token_hash).value(), SampleToken(3));
  EXPECT_EQ(s.GetAuthCode(SampleAuthCode(4).code_hash).value(), SampleAuthCode(4));
  EXPECT_EQ(s.GetStatus(5).value(), SampleStatus(5));
  EXPECT_EQ(s.ListStatusEdits(5).value(),
            (std::vector<StatusEditRecord>{SampleEdit(5, 0), SampleEdit(5, 1)}));
  std::vector<EdgeRecord> edges;
  ASSERT_TRUE(s.ForEachEdge([&](const EdgeRecord& r) {
                 edges.push_back(r);
                 return Status::Ok();
               }).ok());
  EXPECT_EQ(edges, std::vector<EdgeRecord>{SampleEdge(EdgeKind::kFollow, 1, 6)});
  std::vector<MarkRecord> marks;
  ASSERT_TRUE(s.ForEachMark([&](const MarkRecord& r) {
                 marks.push_back(r);
                 return Status::Ok();
               }).ok());
  EXPECT_EQ(marks, std::vector<MarkRecord>{SampleMark(MarkKind::kFavourite, 1, 5)});
  std::vector<NotificationRecord> notifications;
  ASSERT_TRUE(s.ScanNotifications(1, 0, true, [&](const NotificationRecord& n) {
                 notifications.push_back(n);
                 return true;
               }).ok());
  EXPECT_EQ(notifications, std::vector<NotificationRecord>{SampleNotification(1, 7)});
  EXPECT_EQ(s.GetNotificationMarker(1).value(), 7u);
  EXPECT_EQ(s.GetIdempotency(1, "idem").value(), SampleIdempotency(1, "idem"));
}

TEST(RocksDbStorageTest, ReopenKeepsEveryRecord) {
  TempDir dir;
  {
    auto s = MustOpen(dir.path());
    ASSERT_NE(s, nullptr);
    ASSERT_TRUE(s->Commit(EveryRecordType()).ok());
    WriteBatch deletes;  // deletes persist too
    deletes.Put(SampleStatus(50));
    deletes.Put(SampleEdit(50, 0));
    ASSERT_TRUE(s->Commit(deletes).ok());
    deletes.Clear();
    deletes.Put(DeleteStatus{50});
    deletes.Put(SampleNotification(2, 1));
    deletes.Put(ClearNotifications{2});
    ASSERT_TRUE(s->Commit(deletes).ok());
  }
  for (int round = 0; round < 2; ++round) {
    auto s = MustOpen(dir.path());
    ASSERT_NE(s, nullptr);
    ExpectEveryRecordType(*s);
    EXPECT_TRUE(s->GetStatus(50).status().IsNotFound());
    EXPECT_TRUE(s->ListStatusEdits(50).value().empty());
    int count = 0;
    ASSERT_TRUE(s->ScanNotifications(2, 0, true, [&](const NotificationRecord&) {
                   ++count;
                   return true;
                 }).ok());
    EXPECT_EQ(count, 0);
  }
}

TEST(RocksDbStorageTest, ReopenAfterManyWritesKeepsThemAll) {
  TempDir dir;
  RocksDbOptions small;
  small.write_buffer_mb = 1;  // force flushes to SST files, so reads go through tables
  small.sync = false;
  constexpr Id kCount = 20000;
  {
    auto s = MustOpen(dir.path(), small);
    ASSERT_NE(s, nullptr);
    for (Id id = 1; id <= kCount; id += 100) {
      WriteBatch b;
      for (Id j = id; j < id + 100; ++j) {
        b.Put(SampleStatus(j));
        b.Put(SampleNotification(j % 10, j));
      }
      ASSERT_TRUE(s->Commit(b).ok());
    }
  }
  auto s = MustOpen(dir.path(), small);
  ASSERT_NE(s, nullptr);
  Id expected = 1;
  ASSERT_TRUE(s->ForEachStatus([&](const StatusRecord& r) {
                 if (r.id != expected++) return Status::Internal("out of order");
                 return Status::Ok();
               }).ok());
  EXPECT_EQ(expected, kCount + 1);
  EXPECT_EQ(s->GetStatus(kCount / 2).value(), SampleStatus(kCount / 2));
  std::vector<Id> newest;
  ASSERT_TRUE(s->ScanNotifications(3, 0, true, [&](const NotificationRecord& n) {
                 newest.push_back(n.id);
                 return newest.size() < 3;
               }).ok());
  EXPECT_EQ(newest, (std::vector<Id>{19993, 19983, 19973}));
}

TEST(RocksDbStorageTest, SecondOpenInSameProcessFails) {
  TempDir dir;
  auto first = MustOpen(dir.path());
  ASSERT_NE(first, nullptr);
  auto second = OpenRocksDbStorage(dir.path(), RocksDbOptions{});
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kIOError);
}

TEST(RocksDbStorageTest, DirectoryLockedByAnotherProcessFails) {
  TempDir dir;
  Child holder({"hold", dir.path()});
  ASSERT_EQ(holder.Read(6, 30000), "ready\n");
  auto second = OpenRocksDbStorage(dir.path(), RocksDbOptions{});
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kIOError);
  EXPECT_NE(second.status().message().find("lock"), std::string::npos)
      << second.status().message();
  holder.Kill();  // the lock dies with the process
  EXPECT_NE(MustOpen(dir.path()), nullptr);
}

TEST(RocksDbStorageTest, CorruptDatabaseFailsToOpen) {
  TempDir dir;
  {
    auto s = MustOpen(dir.path());
    ASSERT_NE(s, nullptr);
    ASSERT_TRUE(s->Commit(EveryRecordType()).ok());
  }
  // Point CURRENT at garbage.
  {
    std::ofstream current(dir.path() + "/CURRENT", std::ios::trunc);
    current << "not a manifest\n";
  }
  auto opened = OpenRocksDbStorage(dir.path(), RocksDbOptions{});
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), StatusCode::kIOError);
}

TEST(RocksDbStorageTest, ScrambledManifestFailsToOpen) {
  TempDir dir;
  {
    auto s = MustOpen(dir.path());
    ASSERT_NE(s, nullptr);
    ASSERT_TRUE(s->Commit(EveryRecordType()).ok());
  }
  std::string manifest;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    std::string name = entry.path().filename().string();
    if (name.rfind("MANIFEST-", 0) == 0) manifest = entry.path().string();
  }
  ASSERT_FALSE(manifest.empty());
  {
    std::fstream f(manifest, std::ios::in | std::ios::out | std::ios::binary);
    std::string junk(64, '\x5a');
    f.seekp(0);
    f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
  }
  auto opened = OpenRocksDbStorage(dir.path(), RocksDbOptions{});
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), StatusCode::kIOError);
}

TEST(RocksDbStorageTest, UnusablePathsFailToOpen) {
  TempDir dir;
  std::string file = dir.path() + "/plain-file";
  std::ofstream(file) << "x";
  EXPECT_FALSE(OpenRocksDbStorage(file, RocksDbOptions{}).ok());
  RocksDbOptions no_create;
  no_create.create_if_missing = false;
  auto missing = OpenRocksDbStorage(dir.path() + "/missing", no_create);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kIOError);
}

TEST(RocksDbStorageTest, SyncOffStillPersistsOnCleanClose) {
  TempDir dir;
  RocksDbOptions fast;
  fast.sync = false;
  {
    auto s = MustOpen(dir.path(), fast);
    ASSERT_NE(s, nullptr);
    ASSERT_TRUE(s->Commit(EveryRecordType()).ok());
  }
  auto s = MustOpen(dir.path(), fast);
  ASSERT_NE(s, nullptr);
  ExpectEveryRecordType(*s);
}

TEST(RocksDbStorageTest, ConcurrentSyncedCommitsAllLandAndSurviveReopen) {
  TempDir dir;
  constexpr int kThreads = 8;
  constexpr int kPerThread = 20;
  {
    auto s = MustOpen(dir.path());  // sync on: the default
    ASSERT_NE(s, nullptr);
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kPerThread; ++i) {
          WriteBatch b;
          Id id = static_cast<Id>(t * kPerThread + i + 1);
          b.Put(SampleStatus(id));
          b.Put(SampleIdempotency(t, std::to_string(id)));
          if (!s->Commit(b).ok()) ++failures;
        }
      });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(failures.load(), 0);
  }
  auto s = MustOpen(dir.path());
  ASSERT_NE(s, nullptr);
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kPerThread; ++i) {
      Id id = static_cast<Id>(t * kPerThread + i + 1);
      EXPECT_EQ(s->GetStatus(id).value(), SampleStatus(id));
      EXPECT_TRUE(s->GetIdempotency(t, std::to_string(id)).ok());
    }
  }
}

TEST(RocksDbStorageTest, GroupCommittedBatchesAllLandAndSurviveReopen) {
  TempDir dir;
  constexpr int kBatches = 300;
  {
    auto s = MustOpen(dir.path());  // sync on: the default
    ASSERT_NE(s, nullptr);
    std::mutex mu;
    std::condition_variable cv;
    int answered = 0, failures = 0;
    for (int i = 1; i <= kBatches; ++i) {
      WriteBatch b;
      b.Put(SampleStatus(static_cast<Id>(i)));
      b.Put(SampleIdempotency(1, std::to_string(i)));
      s->CommitAsync(std::move(b), [&](Status st) {
        std::lock_guard lock(mu);
        if (!st.ok()) ++failures;
        ++answered;
        cv.notify_all();
      });
    }
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return answered == kBatches; });
    EXPECT_EQ(failures, 0);
  }
  auto s = MustOpen(dir.path());
  ASSERT_NE(s, nullptr);
  for (int i = 1; i <= kBatches; ++i) {
    EXPECT_EQ(s->GetStatus(static_cast<Id>(i)).value(), SampleStatus(static_cast<Id>(i)));
    EXPECT_TRUE(s->GetIdempotency(1, std::to_string(i)).ok());
  }
}

// Each log starts as a synced file of zeros of the prepared size, so commits overwrite it in place
// and it does not grow; a clean close trims it to what was written.
TEST(RocksDbStorageTest, EachLogStartsPreparedAndIsTrimmedOnClose) {
  TempDir dir;
  RocksDbOptions options;
  options.prepared_wal_mb = 2;
  {
    auto s = MustOpen(dir.path(), options);
    ASSERT_NE(s, nullptr);
    auto logs = LogsIn(dir.path());
    ASSERT_EQ(logs.size(), 1u);
    EXPECT_EQ(logs[0].size, 2 * kMiB);  // prepared while the database opened
    EXPECT_NE(WaitForPreparedLog(dir.path(), 2 * kMiB), 0u) << "the next log was not prepared";
    ASSERT_TRUE(s->Commit(EveryRecordType()).ok());
    logs = LogsIn(dir.path());
    ASSERT_EQ(logs.size(), 1u);
    EXPECT_EQ(logs[0].size, 2 * kMiB);
  }
  auto logs = LogsIn(dir.path());
  ASSERT_EQ(logs.size(), 1u);
  EXPECT_GT(logs[0].size, 0u);
  EXPECT_LT(logs[0].size, 2 * kMiB);
  auto s = MustOpen(dir.path(), options);
  ASSERT_NE(s, nullptr);
  ExpectEveryRecordType(*s);
}

// The file prepared in the background during one run becomes the next run's first log (by
// rename: the same inode); with preparing off, logs are made the ordinary way and the file
// prepared earlier is removed.
TEST(RocksDbStorageTest, APreparedLogLeftByOneRunIsTheNextRunsFirstLog) {
  TempDir dir;
  RocksDbOptions options;
  options.prepared_wal_mb = 1;
  uint64_t prepared = 0;
  {
    auto s = MustOpen(dir.path(), options);
    ASSERT_NE(s, nullptr);
    prepared = WaitForPreparedLog(dir.path(), kMiB);
    ASSERT_NE(prepared, 0u);
    ASSERT_TRUE(s->Commit(EveryRecordType()).ok());
  }
  {
    auto s = MustOpen(dir.path(), options);
    ASSERT_NE(s, nullptr);
    ExpectEveryRecordType(*s);
    auto logs = LogsIn(dir.path());
    ASSERT_FALSE(logs.empty());
    EXPECT_EQ(logs.back().inode, prepared);
    EXPECT_EQ(logs.back().size, kMiB);
  }
  RocksDbOptions off = options;
  off.prepared_wal_mb = 0;
  auto s = MustOpen(dir.path(), off);
  ASSERT_NE(s, nullptr);
  ExpectEveryRecordType(*s);
  auto logs = LogsIn(dir.path());
  ASSERT_FALSE(logs.empty());
  EXPECT_EQ(logs.back().size, 0u);
  // and the file prepared earlier, now unused, is removed
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/plaza-wal.prepared"));
}

// A prepared file that vanishes before its turn: the next log is made the ordinary way, the
// database goes on, and a new file is prepared.
TEST(RocksDbStorageTest, AVanishedPreparedLogIsReplacedAndNothingIsLost) {
  TempDir dir;
  RocksDbOptions options;
  options.prepared_wal_mb = 1;
  {
    auto s = MustOpen(dir.path(), options);
    ASSERT_NE(s, nullptr);
    const uint64_t first = WaitForPreparedLog(dir.path(), kMiB);
    ASSERT_NE(first, 0u);
    ASSERT_TRUE(std::filesystem::remove(dir.path() + "/plaza-wal.prepared"));
    ASSERT_TRUE(s->Commit(EveryRecordType()).ok());
    ASSERT_TRUE(s->Flush().ok());  // a new memtable, and a new log with no prepared file to take
    auto logs = LogsIn(dir.path());
    ASSERT_FALSE(logs.empty());
    EXPECT_LT(logs.back().size, kMiB) << logs.back().name;
    EXPECT_NE(WaitForPreparedLog(dir.path(), kMiB), 0u) << "no new file was prepared";
    WriteBatch b;
    b.Put(SampleStatus(42));
    ASSERT_TRUE(s->Commit(b).ok());
  }
  auto s = MustOpen(dir.path(), options);
  ASSERT_NE(s, nullptr);
  ExpectEveryRecordType(*s);
  EXPECT_EQ(s->GetStatus(42).value(), SampleStatus(42));
}

// A log that outgrows its prepared size goes on by appending, and keeps every record.
TEST(RocksDbStorageTest, ALogBeyondItsPreparedSizeKeepsEveryRecord) {
  TempDir dir;
  RocksDbOptions options;
  options.prepared_wal_mb = 1;
  constexpr int kStatuses = 3000;
  auto status = [](Id id) {
    StatusRecord r = SampleStatus(id);
    r.text = std::string(1000, static_cast<char>('a' + id % 26));
    return r;
  };
  {
    auto s = MustOpen(dir.path(), options);
    ASSERT_NE(s, nullptr);
    for (int i = 1; i <= kStatuses; i += 30) {
      WriteBatch b;
      for (int j = i; j < i + 30; ++j) b.Put(status(static_cast<Id>(j)));
      ASSERT_TRUE(s->Commit(b).ok());
    }
    auto logs = LogsIn(dir.path());
    ASSERT_FALSE(logs.empty());
    EXPECT_GT(logs.back().size, 2 * kMiB);
  }
  auto s = MustOpen(dir.path(), options);
  ASSERT_NE(s, nullptr);
  for (int i = 1; i <= kStatuses; ++i) {
    ASSERT_EQ(s->GetStatus(static_cast<Id>(i)).value(), status(static_cast<Id>(i))) << i;
  }
}

// A child commits synced batches and reports each acknowledged sequence number; it is SIGKILLed
// at a random moment. Every acknowledged batch must be there after reopening, whole, and no batch
// may be there in part.
TEST(RocksDbStorageTest, KillNineLosesNoAcknowledgedBatch) {
  TempDir dir;
  std::mt19937 rng(std::random_device{}());
  std::set<uint64_t> acked;
  uint64_t next_seq = 1;
  for (int round = 0; round < 5; ++round) {
    Child child({"commit", dir.path(), std::to_string(next_seq)});
    std::string bytes = child.Read(8, 30000);  // the first ack: the child is up and writing
    ASSERT_FALSE(bytes.empty()) << "child never acknowledged a commit";
    const auto deadline = std::chrono::steady_clock::now() +
                          std::chrono::milliseconds(20 + rng() % 300);
    while (std::chrono::steady_clock::now() < deadline) bytes += child.Read(4096, 5);
    int wait_status = child.Kill();
    ASSERT_TRUE(WIFSIGNALED(wait_status) && WTERMSIG(wait_status) == SIGKILL)
        << "child exited by itself with status " << wait_status;
    bytes += child.Drain();
    // The child's log was prepared (RocksDbOptions' default) and never trimmed: recovery reads
    // its records and then zeros to the end of the file.
    auto logs = LogsIn(dir.path());
    ASSERT_FALSE(logs.empty());
    EXPECT_EQ(logs.back().size, RocksDbOptions{}.prepared_wal_mb * kMiB) << logs.back().name;
    ASSERT_EQ(bytes.size() % 8, 0u);
    for (size_t i = 0; i < bytes.size(); i += 8) {
      uint64_t seq;
      std::memcpy(&seq, bytes.data() + i, 8);
      acked.insert(seq);
    }
    ASSERT_FALSE(acked.empty());

    auto s = MustOpen(dir.path());
    ASSERT_NE(s, nullptr);
    for (uint64_t seq : acked) {
      auto status = s->GetStatus(seq);
      ASSERT_TRUE(status.ok()) << "acknowledged batch " << seq << " lost in round " << round;
      ASSERT_TRUE(s->GetIdempotency(7, "key-" + std::to_string(seq)).ok()) << seq;
    }
    // Atomicity: every batch present (acknowledged or not) is complete.
    std::set<uint64_t> notified;
    ASSERT_TRUE(s->ScanNotifications(9, 0, false, [&](const NotificationRecord& n) {
                   notified.insert(n.id);
                   return true;
                 }).ok());
    uint64_t highest = 0;
    Status scan = s->ForEachStatus([&](const StatusRecord& r) {
      highest = std::max(highest, r.id);
      if (!notified.count(r.id)) return Status::Internal("partial batch " + std::to_string(r.id));
      if (!s->GetIdempotency(7, "key-" + std::to_string(r.id)).ok()) {
        return Status::Internal("partial batch " + std::to_string(r.id));
      }
      return Status::Ok();
    });
    ASSERT_TRUE(scan.ok()) << scan.ToString();
    EXPECT_EQ(notified.size(), static_cast<size_t>(highest));  // and nothing is missing below
    next_seq = highest + 1;
  }
}

}  // namespace
}  // namespace plaza::storage
