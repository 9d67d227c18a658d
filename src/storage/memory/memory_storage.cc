#include "storage/memory/memory_storage.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <vector>

#include "storage/kv_storage.h"

namespace plaza::storage {
namespace {

bool HasPrefix(std::string_view key, std::string_view prefix) {
  return key.substr(0, prefix.size()) == prefix;
}

class MemoryEngine final : public KvEngine {
 public:
  Result<std::string> Get(std::string_view key) override {
    ReadLock lock(this);
    auto it = map_.find(key);
    if (it == map_.end()) return Status::NotFound("key not found");
    return it->second;
  }

  Status Write(const KvWriteBatch& batch, bool /*sync*/) override {
    if (ReadLock::HeldBy(this)) {
      return Status::Internal("memory storage: Commit called from inside a scan callback");
    }
    std::unique_lock lock(mu_, std::defer_lock);
    {
      // Holding the turnstile while waiting stops new readers, so a stream of overlapping scans
      // cannot starve writers (glibc's rwlock prefers readers).
      std::lock_guard turnstile(turnstile_);
      lock.lock();
    }
    for (const auto& op : batch.ops()) {
      switch (op.type) {
        case KvWriteBatch::OpType::kPut:
          map_.insert_or_assign(op.key, op.value);
          break;
        case KvWriteBatch::OpType::kDelete: {
          auto it = map_.find(op.key);
          if (it != map_.end()) map_.erase(it);
          break;
        }
        case KvWriteBatch::OpType::kDeleteRange: {
          auto begin = map_.lower_bound(op.key);
          auto end = op.value.empty() ? map_.end() : map_.lower_bound(op.value);
          if (begin != map_.end() && (end == map_.end() || begin->first < end->first)) {
            map_.erase(begin, end);
          }
          break;
        }
      }
    }
    return Status::Ok();
  }

  Status Scan(std::string_view prefix, std::string_view start, bool reverse,
              const std::function<bool(std::string_view, std::string_view)>& fn) override {
    ReadLock lock(this);
    if (!reverse) {
      for (auto it = map_.lower_bound(start.empty() ? prefix : start);
           it != map_.end() && HasPrefix(it->first, prefix); ++it) {
        if (!fn(it->first, it->second)) break;
      }
      return Status::Ok();
    }
    // `it` is one past the first key to visit.
    Map::const_iterator it;
    if (!start.empty()) {
      it = map_.upper_bound(start);
    } else {
      std::string end = PrefixSuccessor(prefix);
      it = end.empty() ? map_.end() : map_.lower_bound(end);
    }
    while (it != map_.begin()) {
      --it;
      if (!HasPrefix(it->first, prefix) || !fn(it->first, it->second)) break;
    }
    return Status::Ok();
  }

 private:
  using Map = std::map<std::string, std::string, std::less<>>;

  // A shared lock on mu_ that a thread takes once per engine: nested reads from a scan callback
  // reuse it (re-locking a shared_mutex the thread already holds can deadlock behind a waiting
  // writer), and a nested Write can detect it.
  class ReadLock {
   public:
    explicit ReadLock(MemoryEngine* engine) : engine_(engine) {
      if (HeldBy(engine)) return;
      {
        std::lock_guard turnstile(engine->turnstile_);
      }
      engine->mu_.lock_shared();
      held_.push_back(engine);
      owner_ = true;
    }
    ~ReadLock() {
      if (!owner_) return;
      held_.erase(std::find(held_.begin(), held_.end(), engine_));
      engine_->mu_.unlock_shared();
    }
    ReadLock(const ReadLock&) = delete;
    ReadLock& operator=(const ReadLock&) = delete;

    static bool HeldBy(const MemoryEngine* engine) {
      return std::find(held_.begin(), held_.end(), engine) != held_.end();
    }

   private:
    // Engines whose read lock this thread holds.
    static thread_local std::vector<const MemoryEngine*> held_;
    MemoryEngine* const engine_;
    bool owner_ = false;
  };

  std::mutex turnstile_;  // taken by a writer while it waits for mu_, and passed by readers
  std::shared_mutex mu_;
  Map map_;  // GUARDED_BY(mu_)
};

thread_local std::vector<const MemoryEngine*> MemoryEngine::ReadLock::held_;

}  // namespace

std::unique_ptr<KvEngine> NewMemoryEngine() { return std::make_unique<MemoryEngine>(); }

std::unique_ptr<Storage> NewMemoryStorage() {
  auto storage = OpenKvStorage(NewMemoryEngine(), KvStorageOptions{.sync = false});
  // An empty memory engine cannot fail to open; anything else is a bug.
  if (!storage.ok()) std::abort();
  return std::move(storage).value();
}

}  // namespace plaza::storage
