// KvEngine: the engine-neutral ordered key-value layer under KvStorage. Keys and values are byte
// strings ordered bytewise (memcmp, shorter first on a tie). An engine knows nothing about Plaza's
// records; KvStorage owns the key schema and the value encoding, so adding an engine means
// implementing these three calls.
//
// Contract, for every implementation:
// - Write applies a KvWriteBatch atomically and in order: a reader sees all of it or none of it.
//   When `sync` is true, Write returns OK only once the batch is durable (on stable storage).
//   Concurrent Writes are allowed and must not be serialized behind a lock held across the sync,
//   so that an engine can group-commit them.
// - Get and Scan see every batch whose Write has returned.
// - A Scan reads one consistent snapshot: a batch committed concurrently is seen entirely or not
//   at all for the whole scan.
// - All methods are thread-safe. Expected failures (I/O, corruption) are Status values.
#pragma once

#include <functional>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace plaza::storage {

// An ordered list of mutations applied atomically by KvEngine::Write.
class KvWriteBatch {
 public:
  enum class OpType : uint8_t { kPut, kDelete, kDeleteRange };
  struct Op {
    OpType type;
    std::string key;    // kDeleteRange: first key removed
    std::string value;  // kDeleteRange: first key kept (exclusive end); kDelete: unused
  };

  void Reserve(size_t ops) { ops_.reserve(ops); }
  void Put(std::string key, std::string value) {
    ops_.push_back({OpType::kPut, std::move(key), std::move(value)});
  }
  void Delete(std::string key) { ops_.push_back({OpType::kDelete, std::move(key), {}}); }
  // Removes every key in [begin, end). REQUIRES: begin < end.
  void DeleteRange(std::string begin, std::string end) {
    ops_.push_back({OpType::kDeleteRange, std::move(begin), std::move(end)});
  }

  // Moves `other`'s mutations to the end of this batch.
  void Append(KvWriteBatch&& other) {
    if (ops_.empty()) {
      ops_ = std::move(other.ops_);
    } else {
      ops_.insert(ops_.end(), std::make_move_iterator(other.ops_.begin()),
                  std::make_move_iterator(other.ops_.end()));
    }
    other.ops_.clear();
  }

  const std::vector<Op>& ops() const { return ops_; }
  bool empty() const { return ops_.empty(); }

 private:
  std::vector<Op> ops_;
};

class KvEngine {
 public:
  virtual ~KvEngine() = default;

  // The value stored at `key`, or kNotFound.
  virtual Result<std::string> Get(std::string_view key) = 0;

  // Applies `batch` atomically; durable on return when `sync` is true.
  virtual Status Write(const KvWriteBatch& batch, bool sync) = 0;

  // Makes every Write that has returned durable, whatever its `sync` (see Storage::Flush).
  virtual Status Flush() { return Status::Ok(); }

  // Visits keys that begin with `prefix`, in ascending order from the first key >= `start`, or in
  // descending order from the last key <= `start` when `reverse`. An empty `start` means from the
  // first (ascending) or last (descending) key of the prefix. REQUIRES: `start` is empty or
  // begins with `prefix`. Stops when `fn` returns false. The views passed to `fn` are valid only
  // during the call. `fn` may call Get and Scan on this engine; whether it may call Write is up to
  // the engine (the memory engine refuses it, see memory_storage.h).
  virtual Status Scan(std::string_view prefix, std::string_view start, bool reverse,
                      const std::function<bool(std::string_view key, std::string_view value)>& fn) = 0;

  // Scan(prefix, {}, false, fn) for a single pass over a whole table (loading the model at
  // start-up): what it reads is not read again soon, so an engine may read ahead and keep it out
  // of its cache, where it would only evict what serving reads. Same contract as Scan.
  virtual Status ScanAll(std::string_view prefix,
                         const std::function<bool(std::string_view key, std::string_view value)>& fn) {
    return Scan(prefix, {}, /*reverse=*/false, fn);
  }
};

// The smallest key greater than every key that begins with `prefix`; empty if there is none
// (prefix is empty or all 0xff bytes).
std::string PrefixSuccessor(std::string_view prefix);

}  // namespace plaza::storage
