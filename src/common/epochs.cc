#include "common/epochs.h"

#include <algorithm>
#include <thread>

namespace plaza {

Epochs& Epochs::Shared() {
  static Epochs epochs;
  return epochs;
}

size_t Epochs::TakeSlot() {
  // Start where this thread last found one free, so that threads keep to their own slots.
  thread_local size_t hint = 0;
  for (size_t tries = 0;; ++tries) {
    size_t i = (hint + tries) % kSlots;
    Slot& s = slots_[i];
    if (!s.taken.load(std::memory_order_relaxed) &&
        !s.taken.exchange(true, std::memory_order_acquire)) {
      hint = i;
      size_t used = slots_used_.load(std::memory_order_relaxed);
      while (used <= i && !slots_used_.compare_exchange_weak(used, i + 1)) {
      }
      return i;
    }
    if (tries % kSlots == kSlots - 1) std::this_thread::yield();
  }
}

Epochs::Guard::Guard(Epochs& epochs) : epochs_(epochs), slot_(epochs.TakeSlot()) {
  Slot& s = epochs_.slots_[slot_];
  s.epoch.store(epochs_.epoch_.load(std::memory_order_seq_cst), std::memory_order_seq_cst);
  std::atomic_thread_fence(std::memory_order_seq_cst);  // Y in the header's argument
}

Epochs::Guard::~Guard() {
  Slot& s = epochs_.slots_[slot_];
  s.epoch.store(kIdle, std::memory_order_release);
  s.taken.store(false, std::memory_order_release);
}

void Epochs::Retire(std::shared_ptr<const void> owner) {
  if (owner == nullptr) return;
  std::vector<std::shared_ptr<const void>> dropped;
  {
    std::lock_guard lock(retired_mu_);
    std::atomic_thread_fence(std::memory_order_seq_cst);  // X: after the caller unlinked it
    // Tagged with the epoch before this call's advance: guards that begin from here on read a
    // later one, and cannot reach the object.
    retired_.push_back({epoch_.fetch_add(1, std::memory_order_seq_cst), std::move(owner)});
    if (retired_.size() % kBatch == 0) ReclaimLocked(dropped);
  }
}

size_t Epochs::Reclaim() {
  std::vector<std::shared_ptr<const void>> dropped;
  std::lock_guard lock(retired_mu_);
  ReclaimLocked(dropped);
  return retired_.size();
}

void Epochs::ReclaimLocked(std::vector<std::shared_ptr<const void>>& dropped) {
  std::atomic_thread_fence(std::memory_order_seq_cst);
  uint64_t oldest = kIdle;
  const size_t used = slots_used_.load(std::memory_order_seq_cst);
  for (size_t i = 0; i < used; ++i) {
    oldest = std::min(oldest, slots_[i].epoch.load(std::memory_order_seq_cst));
  }
  auto safe = std::find_if(retired_.begin(), retired_.end(),
                           [oldest](const Retired& r) { return r.epoch >= oldest; });
  dropped.reserve(static_cast<size_t>(safe - retired_.begin()));
  for (auto it = retired_.begin(); it != safe; ++it) dropped.push_back(std::move(it->owner));
  retired_.erase(retired_.begin(), safe);
}

}  // namespace plaza
