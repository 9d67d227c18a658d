// KvStorage: the one implementation of the Storage contract (storage.h) over any ordered
// key-value engine (kv_engine.h). It owns the key schema and record encoding (record_codec.h) and
// turns each WriteBatch into one atomic KvEngine write, so every adapter built on it — memory,
// RocksDB — behaves identically and is checked by the same contract test suite.
//
// KvStorage takes no lock across a write: concurrent Commits reach the engine in parallel, which
// is what lets RocksDB group-commit them. CommitAsync (with sync on) queues the batch for two
// committer threads, started on first use. One of them writes at a time: it takes every batch
// pending at that moment and writes them as one engine write with one fsync; batches arriving
// meanwhile wait for that write to land and are then taken together by the other, while the
// first calls its group's `done` in queue order. Callers need no thread of their own to wait
// on. Thread-safe; destruction drains the queue.
#pragma once

#include <memory>

#include "common/status.h"
#include "storage/kv_engine.h"
#include "storage/storage.h"

namespace plaza::storage {

struct KvStorageOptions {
  // Commit returns only once the batch is durable (engine Write with sync).
  bool sync = true;
};

// Wraps `engine`. Records the data format version in the engine if it holds none yet; otherwise
// checks it, and fails with kIOError if the data was written in a format this build cannot read.
Result<std::unique_ptr<Storage>> OpenKvStorage(std::unique_ptr<KvEngine> engine,
                                               const KvStorageOptions& options);

}  // namespace plaza::storage
