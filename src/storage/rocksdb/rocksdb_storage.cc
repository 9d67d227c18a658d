#include "storage/rocksdb/rocksdb_storage.h"

#include <rocksdb/cache.h>
#include <rocksdb/convenience.h>
#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/memtablerep.h>
#include <rocksdb/options.h>
#include <rocksdb/perf_level.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/sst_file_writer.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <atomic>
#include <boost/container/small_vector.hpp>
#include <cstdio>
#include <vector>

#include "storage/kv_storage.h"
#include "storage/record_codec.h"
#include "storage/rocksdb/prepared_wal.h"

namespace plaza::storage {
namespace {

Status FromRocks(const rocksdb::Status& s, std::string_view context) {
  if (s.ok()) return Status::Ok();
  if (s.IsNotFound()) return Status::NotFound(std::string(context) + ": " + s.ToString());
  return Status::IOError("rocksdb " + std::string(context) + ": " + s.ToString());
}

rocksdb::Slice ToSlice(std::string_view s) { return rocksdb::Slice(s.data(), s.size()); }
std::string_view ToView(const rocksdb::Slice& s) { return std::string_view(s.data(), s.size()); }

// RocksDB counts into thread-local perf counters by default (PerfLevel::kEnableCount): every key
// comparison reaches its `perf_context` through __tls_get_addr, as a shared library's
// thread-locals must be, ~100 comparisons and ~1k instructions a post. Plaza reads none of them,
// so each thread turns them off before its first call (Get, Write, a scan). The level is per
// thread.
void QuietPerfCounters() {
  static thread_local const bool quiet = [] {
    rocksdb::SetPerfLevel(rocksdb::PerfLevel::kDisable);
    return true;
  }();
  (void)quiet;
}

bool HasPrefix(std::string_view key, std::string_view prefix) {
  return key.substr(0, prefix.size()) == prefix;
}

bool Supported(rocksdb::CompressionType type) {
  static const std::vector<rocksdb::CompressionType> supported =
      rocksdb::GetSupportedCompressions();
  return std::find(supported.begin(), supported.end(), type) != supported.end();
}

rocksdb::Options MakeOptions(const RocksDbOptions& in) {
  rocksdb::Options o;
  o.create_if_missing = in.create_if_missing;
  o.paranoid_checks = true;
  // Every acknowledged (synced) write survives; a torn tail after a crash is dropped.
  o.wal_recovery_mode = rocksdb::WALRecoveryMode::kPointInTimeRecovery;
  // WAL and memtable writes of successive write groups overlap; concurrent committers are still
  // grouped behind one fsync.
  o.enable_pipelined_write = true;

  o.max_background_jobs = std::max(2, in.max_background_jobs);
  o.bytes_per_sync = 1 << 20;
  o.write_buffer_size = in.write_buffer_mb << 20;
  o.max_write_buffer_number = 4;
  o.level_compaction_dynamic_level_bytes = true;
  o.target_file_size_base = 64 << 20;
  o.max_bytes_for_level_base = 256 << 20;
  o.keep_log_file_num = 5;
  o.max_log_file_size = 16 << 20;

  // Cheap compression for the upper levels, denser for the bottom level that holds most data.
  if (Supported(rocksdb::kLZ4Compression)) {
    o.compression = rocksdb::kLZ4Compression;
  } else if (Supported(rocksdb::kSnappyCompression)) {
    o.compression = rocksdb::kSnappyCompression;
  } else {
    o.compression = rocksdb::kNoCompression;
  }
  if (Supported(rocksdb::kZSTD)) o.bottommost_compression = rocksdb::kZSTD;

  // The schema's lookups scan "table byte + id" prefixes (an account's notifications, a status's
  // edits): filter on those so a seek skips files that hold nothing for that id.
  o.prefix_extractor.reset(rocksdb::NewCappedPrefixTransform(codec::kScanPrefixLength));
  o.memtable_prefix_bloom_size_ratio = 0.1;
  o.memtable_whole_key_filtering = true;

  if (in.bulk_load) {
    // Append-only memtables sorted at flush, and no compactions until Flush() runs one: the
    // importer never reads, and the server then opens a fully compacted database.
    o.memtable_factory.reset(new rocksdb::VectorRepFactory());
    o.allow_concurrent_memtable_write = false;
    o.enable_pipelined_write = false;
    o.memtable_prefix_bloom_size_ratio = 0;
    o.memtable_whole_key_filtering = false;
    o.disable_auto_compactions = true;
    o.level0_slowdown_writes_trigger = 1 << 30;
    o.level0_stop_writes_trigger = 1 << 30;
    o.level0_file_num_compaction_trigger = 1 << 30;
    o.max_write_buffer_number = 6;
    // Ingested table files land in the bottom level and stay there, so they are written with
    // the bottom level's ZSTD, at its fastest level: level 3 (the default) cost a fifth of the
    // importer's commit time for a few per cent of size.
    o.bottommost_compression_opts.enabled = true;
    o.bottommost_compression_opts.level = 1;
  }

  rocksdb::BlockBasedTableOptions t;
  t.block_cache = rocksdb::NewLRUCache(std::max<size_t>(in.block_cache_mb, 8) << 20);
  t.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  t.whole_key_filtering = true;  // point lookups (tokens, statuses) skip files too
  t.cache_index_and_filter_blocks = true;
  t.pin_l0_filter_and_index_blocks_in_cache = true;
  t.optimize_filters_for_memory = true;
  t.block_size = 16 << 10;
  t.format_version = 5;
  o.table_factory.reset(rocksdb::NewBlockBasedTableFactory(t));
  return o;
}

// The file system and environment the database writes its files through, when it is not
// RocksDB's default: they must outlive the database.
struct LogFiles {
  std::shared_ptr<PreparedWalFileSystem> fs;
  std::unique_ptr<rocksdb::Env> env;
};

class RocksDbEngine final : public KvEngine {
 public:
  RocksDbEngine(LogFiles log_files, std::unique_ptr<rocksdb::DB> db, bool bulk_load,
                rocksdb::Options options, std::string dir)
      : log_files_(std::move(log_files)),
        db_(std::move(db)),
        bulk_load_(bulk_load),
        options_(std::move(options)),
        dir_(std::move(dir)) {}

  ~RocksDbEngine() override {
    if (log_files_.fs) log_files_.fs->Stop();
    // Close flushes nothing (the WAL holds every write) but reports and releases the lock.
    db_->Close().PermitUncheckedError();
  }

  Result<std::string> Get(std::string_view key) override {
    QuietPerfCounters();
    std::string value;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), ToSlice(key), &value);
    if (s.IsNotFound()) return Status::NotFound("key not found");
    if (!s.ok()) return FromRocks(s, "get");
    return value;
  }

  Status Write(const KvWriteBatch& batch, bool sync) override {
    if (bulk_load_ && !batch.empty() &&
        std::all_of(batch.ops().begin(), batch.ops().end(),
                    [](const auto& op) { return op.type == KvWriteBatch::OpType::kPut; })) {
      return Ingest(batch);
    }
    QuietPerfCounters();
    rocksdb::WriteBatch wb;
    for (const KvWriteBatch::Op* o : InTableOrder(batch)) {
      const KvWriteBatch::Op& op = *o;
      rocksdb::Status s;
      switch (op.type) {
        case KvWriteBatch::OpType::kPut:
          s = wb.Put(op.key, op.value);
          break;
        case KvWriteBatch::OpType::kDelete:
          s = wb.Delete(op.key);
          break;
        case KvWriteBatch::OpType::kDeleteRange:
          s = wb.DeleteRange(op.key, op.value);
          break;
      }
      if (!s.ok()) return FromRocks(s, "batch");
    }
    rocksdb::WriteOptions wo;
    wo.sync = sync && !bulk_load_;
    wo.disableWAL = bulk_load_;
    return FromRocks(db_->Write(wo, &wb), "write");
  }

  Status Flush() override {
    // Memtables to table files (what bulk-load writes need, and it spares the next open a long
    // log replay), then the log itself for writes made with sync off.
    rocksdb::FlushOptions fo;
    fo.wait = true;
    PLAZA_RETURN_IF_ERROR(FromRocks(db_->Flush(fo), "flush"));
    if (bulk_load_) {
      // Merges what ingestion had to place in upper levels (overlapping batches); files that
      // already sit alone in the bottom level are left as they are.
      rocksdb::CompactRangeOptions co;
      return FromRocks(db_->CompactRange(co, nullptr, nullptr), "compact");
    }
    return FromRocks(db_->FlushWAL(/*sync=*/true), "flush wal");
  }

  Status Scan(std::string_view prefix, std::string_view start, bool reverse,
              const std::function<bool(std::string_view, std::string_view)>& fn) override {
    return ScanWith(rocksdb::ReadOptions(), prefix, start, reverse, fn);
  }

  Status ScanAll(std::string_view prefix,
                 const std::function<bool(std::string_view, std::string_view)>& fn) override {
    rocksdb::ReadOptions ro;
    // The blocks of a whole-table pass would fill the block cache (its full 256 MB on a medium
    // dataset) with what the in-memory model now holds, and evict what serving reads need.
    ro.fill_cache = false;
    ro.readahead_size = 2 << 20;
    return ScanWith(ro, prefix, {}, /*reverse=*/false, fn);
  }

 private:
  Status ScanWith(rocksdb::ReadOptions ro, std::string_view prefix, std::string_view start,
                  bool reverse, const std::function<bool(std::string_view, std::string_view)>& fn) {
    QuietPerfCounters();
    const std::string upper = PrefixSuccessor(prefix);
    const rocksdb::Slice lower_slice = ToSlice(prefix);
    const rocksdb::Slice upper_slice(upper);
    ro.iterate_lower_bound = &lower_slice;
    if (!upper.empty()) ro.iterate_upper_bound = &upper_slice;
    // Prefix seeks (and their bloom filters) serve forward scans within one extractor prefix;
    // everything else reads in total order, bounded by the prefix range.
    if (!reverse && prefix.size() >= codec::kScanPrefixLength) {
      ro.prefix_same_as_start = true;
    } else {
      ro.total_order_seek = true;
    }
    // The iterator reads an implicit snapshot: concurrent batches are seen whole or not at all.
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro));
    if (!reverse) {
      it->Seek(start.empty() ? lower_slice : ToSlice(start));
    } else if (!start.empty()) {
      it->SeekForPrev(ToSlice(start));
    } else {
      it->SeekToLast();  // the last key below iterate_upper_bound
    }
    for (; it->Valid(); reverse ? it->Prev() : it->Next()) {
      std::string_view key = ToView(it->key());
      if (!HasPrefix(key, prefix)) break;
      if (!fn(key, ToView(it->value()))) break;
    }
    return FromRocks(it->status(), "scan");
  }

  // Bulk load of a batch of puts: sorted into one table file that is ingested straight into
  // the tree (into the bottom level when it overlaps nothing), bypassing memtables and the log.
  Status Ingest(const KvWriteBatch& batch) {
    std::vector<const KvWriteBatch::Op*> ops;
    ops.reserve(batch.ops().size());
    for (const auto& op : batch.ops()) ops.push_back(&op);
    // Importers mostly hand over batches already in key order; sort only those that are not.
    auto by_key = [](const auto* a, const auto* b) { return a->key < b->key; };
    if (!std::is_sorted(ops.begin(), ops.end(), by_key)) {
      std::stable_sort(ops.begin(), ops.end(), by_key);
    }
    std::string path = dir_ + "/bulk-" + std::to_string(next_file_++) + ".sst.tmp";
    rocksdb::SstFileWriter writer(rocksdb::EnvOptions(), options_);
    PLAZA_RETURN_IF_ERROR(FromRocks(writer.Open(path), "bulk open"));
    for (size_t i = 0; i < ops.size(); ++i) {
      // Of equal keys the last put wins, as in a WriteBatch.
      if (i + 1 < ops.size() && ops[i + 1]->key == ops[i]->key) continue;
      PLAZA_RETURN_IF_ERROR(FromRocks(writer.Put(ops[i]->key, ops[i]->value), "bulk put"));
    }
    PLAZA_RETURN_IF_ERROR(FromRocks(writer.Finish(), "bulk finish"));
    rocksdb::IngestExternalFileOptions io;
    io.move_files = true;
    rocksdb::Status s = db_->IngestExternalFile({path}, io);
    std::remove(path.c_str());
    return FromRocks(s, "bulk ingest");
  }

  // The batch's operations grouped by table (the key's first byte), in their order within each
  // table. RocksDB inserts a write's records into the memtable's skip list one after another,
  // starting each search from where the last insert landed when the new key is next to it, and
  // from the top of the list otherwise (a search of ~20 levels). A group commit of posts
  // alternated tables (a status, a mention's notification, the next status) and paid the long
  // search twice for every notification; grouped, a group's statuses (ids only grow) follow one
  // another. Operations on different tables touch disjoint keys (a range delete covers a prefix
  // inside one table), so only the order within a table is the batch's meaning, and it is kept.
  // Inline room for a group commit's records: most writes neither allocate nor sort (a write of
  // one table is already in order).
  using OpOrder = boost::container::small_vector<const KvWriteBatch::Op*, 32>;
  static OpOrder InTableOrder(const KvWriteBatch& batch) {
    OpOrder order;
    order.reserve(batch.ops().size());
    for (const auto& op : batch.ops()) order.push_back(&op);
    auto by_table = [](const KvWriteBatch::Op* a, const KvWriteBatch::Op* b) {
      auto table = [](const KvWriteBatch::Op* op) {
        return op->key.empty() ? 0 : static_cast<uint8_t>(op->key.front());
      };
      return table(a) < table(b);
    };
    if (!std::is_sorted(order.begin(), order.end(), by_table)) {
      std::stable_sort(order.begin(), order.end(), by_table);
    }
    return order;
  }

  const LogFiles log_files_;  // declared before db_: outlives it
  const std::unique_ptr<rocksdb::DB> db_;
  const bool bulk_load_;
  const rocksdb::Options options_;
  const std::string dir_;
  std::atomic<uint64_t> next_file_{0};
};

}  // namespace

Result<std::unique_ptr<KvEngine>> OpenRocksDbEngine(const std::string& dir,
                                                    const RocksDbOptions& options) {
  rocksdb::DB* raw = nullptr;
  rocksdb::Options rocks_options = MakeOptions(options);
  LogFiles log_files;
  if (options.sync && !options.bulk_load && options.prepared_wal_mb > 0) {
    log_files.fs = std::make_shared<PreparedWalFileSystem>(rocksdb::FileSystem::Default(), dir,
                                                           uint64_t{options.prepared_wal_mb} << 20);
    log_files.env = rocksdb::NewCompositeEnv(log_files.fs);
    rocks_options.env = log_files.env.get();
  }
  rocksdb::Status s = rocksdb::DB::Open(rocks_options, dir, &raw);
  if (!s.ok()) return FromRocks(s, "open " + dir);
  if (log_files.fs) {
    log_files.fs->Opened();
  } else {
    // Preparing is off: a file prepared by an earlier run would only take disk space.
    PreparedWalFileSystem::RemoveFiles(dir);
  }
  return std::unique_ptr<KvEngine>(
      std::make_unique<RocksDbEngine>(std::move(log_files), std::unique_ptr<rocksdb::DB>(raw),
                                      options.bulk_load, std::move(rocks_options), dir));
}

Result<std::unique_ptr<Storage>> OpenRocksDbStorage(const std::string& dir,
                                                    const RocksDbOptions& options) {
  PLAZA_ASSIGN_OR_RETURN(auto engine, OpenRocksDbEngine(dir, options));
  return OpenKvStorage(std::move(engine), KvStorageOptions{.sync = options.sync});
}

}  // namespace plaza::storage
