// Epoch-based reclamation: objects that readers reach through plain pointers, without taking a
// reference count, and that writers replace at any time.
//
// A reader pins the current epoch for as long as it uses such pointers (Epochs::Guard: a slot
// taken and one full fence when it begins). A writer that unlinks an object hands its
// last owner to Retire instead of dropping it; the object is released only once every guard that
// could have seen it has ended. A timeline page that reaches ~40 rendered statuses this way pays
// one fence instead of ~6 locked reference-count operations a status (bench/README.md, session
// 19).
//
// The argument, with X the fence after a writer unlinks and before it advances the epoch, tagging
// the object with the one before (t), and Y the fence after a reader publishes the epoch it read
// (e) and before it reads pointers: if X precedes Y, the reader's loads see the object unlinked;
// otherwise the writer's later scan of the readers' slots sees e, and e <= t (the reader's epoch
// load precedes Y, the writer's follows X, and the epoch only grows), so the object outlives the
// guard.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

namespace plaza {

class Epochs {
 public:
  Epochs() = default;
  Epochs(const Epochs&) = delete;
  Epochs& operator=(const Epochs&) = delete;

  // The instance the render caches share.
  static Epochs& Shared();

  // Pins the current epoch while alive. Each guard takes a slot of its own (a thread's guards may
  // nest), so a thread holds one only while it reads.
  class Guard {
   public:
    explicit Guard(Epochs& epochs);
    ~Guard();
    Guard(const Guard&) = delete;
    Guard& operator=(const Guard&) = delete;

   private:
    Epochs& epochs_;
    size_t slot_;
  };

  // Keeps `owner` (an unlinked object's owner) until every guard that began before this call has
  // ended, then drops it. Every kBatch retirements, drops what has become safe to drop.
  void Retire(std::shared_ptr<const void> owner);

  // Drops every retired owner no live guard can still reach; returns how many stay retired.
  size_t Reclaim();

  static constexpr size_t kBatch = 64;
  // Guards alive at once at most; one more waits for a slot.
  static constexpr size_t kSlots = 256;

 private:
  static constexpr uint64_t kIdle = UINT64_MAX;
  struct alignas(64) Slot {
    std::atomic<uint64_t> epoch{kIdle};
    std::atomic<bool> taken{false};
  };
  struct Retired {
    uint64_t epoch;
    std::shared_ptr<const void> owner;
  };

  size_t TakeSlot();
  // Moves what no guard can reach from retired_ to `dropped` (dropped by the caller, outside the
  // mutex: an owner's destructor may retire more). REQUIRES: retired_mu_ held.
  void ReclaimLocked(std::vector<std::shared_ptr<const void>>& dropped);

  std::atomic<uint64_t> epoch_{1};
  std::atomic<size_t> slots_used_{0};  // slots_[0, slots_used_) have ever been taken
  Slot slots_[kSlots];
  std::mutex retired_mu_;
  std::vector<Retired> retired_;  // guarded by retired_mu_; epochs never decrease along it
};

}  // namespace plaza
