// The RocksDB Storage adapter: the full storage contract persisted in one RocksDB database
// directory. No RocksDB type appears here; only this folder links RocksDB.
//
// Durability: with `sync` on (the default) Commit returns only after the batch's write-ahead-log
// record is fsynced, so a crash or kill -9 at any later moment loses nothing acknowledged.
// Concurrent Commits are group-committed by RocksDB's write thread (one fsync serves every
// writer waiting at that moment); nothing in the adapter serializes them.
//
// A directory can be open in one process at a time: opening a directory another process (or this
// one) holds fails with kIOError, as does opening a corrupt or unreadable database.
// The returned Storage is thread-safe; destroying it closes the database.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "common/status.h"
#include "storage/kv_engine.h"
#include "storage/storage.h"

namespace plaza::storage {

struct RocksDbOptions {
  // fsync the write-ahead log before Commit returns.
  bool sync = true;
  // Shared LRU cache for data, index and filter blocks.
  size_t block_cache_mb = 256;
  // Size of one memtable; up to four may be in memory while flushes run.
  size_t write_buffer_mb = 64;
  // Each write-ahead log starts as a synced file of this many MiB of zeros, prepared in the
  // background, so that a synced commit's fdatasync writes only its data and not the inode as
  // well (prepared_wal.h). Used with `sync` on and outside bulk load; 0 turns it off (it helps
  // nothing on a copy-on-write file system such as btrfs). A memtable's log (write_buffer_mb
  // of memtable) is a little larger; what does not fit is appended as usual.
  size_t prepared_wal_mb = 64;
  // Flush and compaction threads.
  int max_background_jobs = 4;
  // Create the directory and an empty database when none exists; otherwise opening fails.
  bool create_if_missing = true;
  // For importers only: a batch of puts is sorted into a table file and ingested; other writes
  // skip the write-ahead log. Nothing is durable (or recoverable after a crash) until
  // Storage::Flush, which also compacts. Faster when batches cover disjoint key ranges.
  bool bulk_load = false;
};

// Opens (or creates) the database in `dir`.
Result<std::unique_ptr<Storage>> OpenRocksDbStorage(const std::string& dir,
                                                    const RocksDbOptions& options);

// The bare ordered key-value engine under OpenRocksDbStorage, for tests of the engine layer.
// Its Write honours the `sync` argument; `options.sync` only says whether logs are prepared.
Result<std::unique_ptr<KvEngine>> OpenRocksDbEngine(const std::string& dir,
                                                    const RocksDbOptions& options);

}  // namespace plaza::storage
