// Storage throughput. The figure that matters is synced commits per second as concurrent
// committers grow: RocksDB group-commits writers waiting on the same fsync, so 8 or 64 threads
// should commit many times more batches per second than one. The same with logs created the
// ordinary way (Unprepared) shows what prepared logs save each fsync. Each batch is what creating a
// post writes: a status record and its idempotency record.
//
//   storage_bench --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
// PLAZA_BENCH_DIR chooses where the RocksDB database is made (default: a fresh directory in
// /tmp, which must be on a real disk for the sync figures to mean anything).

#include <stdlib.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>

#include <benchmark/benchmark.h>

#include "storage/memory/memory_storage.h"
#include "storage/rocksdb/rocksdb_storage.h"
#include "storage/storage.h"

namespace plaza::storage {
namespace {

std::atomic<Id> next_id{1};

WriteBatch PostBatch(Id id) {
  WriteBatch b;
  StatusRecord s;
  s.id = id;
  s.account_id = id % 1000;
  s.text = "今天的微博：a post of roughly tweet size, with #话题# and @someone mentioned. " +
           std::to_string(id);
  s.content_html = "<p>" + s.text + "</p>";
  s.language = "zh";
  s.tags = {"话题"};
  s.created_at_ms = 1700000000000 + static_cast<int64_t>(id);
  b.Put(std::move(s));
  b.Put(IdempotencyRecord{id % 1000, "idem-" + std::to_string(id), id, 1700000000000});
  return b;
}

// One database per configuration for the whole run, removed at exit.
class BenchDb {
 public:
  BenchDb(bool sync, size_t prepared_wal_mb) {
    const char* base = std::getenv("PLAZA_BENCH_DIR");
    std::string tmpl = std::string(base ? base : "/tmp") + "/plaza_storage_bench_XXXXXX";
    if (mkdtemp(tmpl.data()) == nullptr) std::abort();
    dir_ = tmpl;
    RocksDbOptions options;
    options.sync = sync;
    options.prepared_wal_mb = prepared_wal_mb;
    auto s = OpenRocksDbStorage(dir_, options);
    if (!s.ok()) {
      std::fprintf(stderr, "%s\n", s.status().ToString().c_str());
      std::abort();
    }
    storage_ = std::move(s).value();
  }
  ~BenchDb() {
    storage_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  Storage& storage() { return *storage_; }

 private:
  std::string dir_;
  std::unique_ptr<Storage> storage_;
};

Storage& RocksSync() {
  static BenchDb db(true, RocksDbOptions{}.prepared_wal_mb);
  return db.storage();
}
// Logs created the ordinary way, each append growing the file (prepared_wal.h): the reference
// for what prepared logs save a synced commit.
Storage& RocksSyncUnprepared() {
  static BenchDb db(true, 0);
  return db.storage();
}
Storage& RocksNoSync() {
  static BenchDb db(false, 0);
  return db.storage();
}
Storage& Memory() {
  static std::unique_ptr<Storage> s = NewMemoryStorage();
  return *s;
}

void RunCommits(benchmark::State& state, Storage& storage) {
  for (auto _ : state) {
    Status s = storage.Commit(PostBatch(next_id.fetch_add(1)));
    if (!s.ok()) state.SkipWithError(s.ToString().c_str());
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_RocksDbCommitSync(benchmark::State& state) { RunCommits(state, RocksSync()); }
void BM_RocksDbCommitSyncUnprepared(benchmark::State& state) {
  RunCommits(state, RocksSyncUnprepared());
}
void BM_RocksDbCommitNoSync(benchmark::State& state) { RunCommits(state, RocksNoSync()); }
void BM_MemoryCommit(benchmark::State& state) { RunCommits(state, Memory()); }

BENCHMARK(BM_RocksDbCommitSync)->Threads(1)->Threads(8)->Threads(64)->UseRealTime();
BENCHMARK(BM_RocksDbCommitSyncUnprepared)->Threads(1)->Threads(8)->Threads(64)->UseRealTime();
BENCHMARK(BM_RocksDbCommitNoSync)->Threads(1)->Threads(8)->UseRealTime();
BENCHMARK(BM_MemoryCommit)->Threads(1)->Threads(8)->Threads(64)->UseRealTime();

// Reads of what the commit benchmarks wrote: point lookups and a page of 20 notifications.
void RunGets(benchmark::State& state, Storage& storage) {
  Id max = next_id.load();
  Id id = 1 + static_cast<Id>(state.thread_index()) * 7919;
  for (auto _ : state) {
    id = id * 6364136223846793005ull + 1442695040888963407ull;
    auto r = storage.GetStatus(1 + id % (max - 1));
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}
void BM_RocksDbGetStatus(benchmark::State& state) { RunGets(state, RocksSync()); }
void BM_MemoryGetStatus(benchmark::State& state) { RunGets(state, Memory()); }
BENCHMARK(BM_RocksDbGetStatus)->Threads(1)->Threads(2)->UseRealTime();
BENCHMARK(BM_MemoryGetStatus)->Threads(1)->Threads(2)->UseRealTime();

void RunNotificationPages(benchmark::State& state, Storage& storage, std::once_flag& filled) {
  if (state.thread_index() == 0) {
    std::call_once(filled, [&] {
      for (Id account = 1; account <= 100; ++account) {
        WriteBatch b;
        for (Id i = 1; i <= 200; ++i) {
          NotificationRecord n;
          n.account_id = account;
          n.id = 1000000 + i;
          n.from_account_id = i;
          n.status_id = i;
          b.Put(n);
        }
        if (!storage.Commit(b).ok()) std::abort();
      }
    });
  }
  Id account = 1 + static_cast<Id>(state.thread_index());
  for (auto _ : state) {
    account = account % 100 + 1;
    int seen = 0;
    Status s = storage.ScanNotifications(account, 0, true, [&](const NotificationRecord&) {
      return ++seen < 20;
    });
    benchmark::DoNotOptimize(s);
  }
  state.SetItemsProcessed(state.iterations());
}
// Each adapter gets its own fill: the once_flag is per template instantiation.
template <Storage& (*Get)()>
void BM_NotificationPage(benchmark::State& state) {
  static std::once_flag filled;
  RunNotificationPages(state, Get(), filled);
}
BENCHMARK(BM_NotificationPage<RocksSync>)->Name("BM_RocksDbNotificationPage20")->UseRealTime();
BENCHMARK(BM_NotificationPage<Memory>)->Name("BM_MemoryNotificationPage20")->UseRealTime();

}  // namespace
}  // namespace plaza::storage

BENCHMARK_MAIN();
