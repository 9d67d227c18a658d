// TimelineMap: viewer id → that viewer's materialized home timeline (ascending status ids), in one
// open-addressing table (linear probing, backward-shift deletion, at most half full).
//
// Why not std::unordered_map: fan-out touches one timeline per follower, and with node-based
// buckets each delivery costs three dependent cache misses (bucket, node, timeline tail) that no
// prefetch can overlap. Here the timeline's vector header lives in the slot, so a delivery is the
// slot plus the timeline tail, and both can be prefetched a few followers ahead (HomeFeed::PushTo).
//
// Not thread-safe: HomeFeed guards each map with its shard mutex. Pointers returned by Find and
// Insert are valid until the next Insert or Erase.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "common/id.h"

namespace plaza::domain {

class TimelineMap {
 public:
  TimelineMap() : slots_(kMinSlots) {}

  std::vector<Id>* Find(Id viewer) {
    for (size_t i = Home(viewer);; i = (i + 1) & mask()) {
      Slot& s = slots_[i];
      if (s.viewer == viewer) return &s.ids;
      if (s.viewer == kEmpty) return nullptr;
    }
  }
  bool Contains(Id viewer) const { return const_cast<TimelineMap*>(this)->Find(viewer) != nullptr; }

  // Hints the CPU to load the slot `viewer` hashes to.
  void PrefetchSlot(Id viewer) const { __builtin_prefetch(&slots_[Home(viewer)]); }

  // REQUIRES: viewer != 0 and not present.
  std::vector<Id>& Insert(Id viewer, std::vector<Id> ids) {
    if ((size_ + 1) * 2 > slots_.size()) Grow();
    ++size_;
    return Place(viewer, std::move(ids));
  }

  void Erase(Id viewer) {
    size_t i = Home(viewer);
    while (slots_[i].viewer != viewer) {
      if (slots_[i].viewer == kEmpty) return;
      i = (i + 1) & mask();
    }
    // Backward-shift: move later members of the probe run into the hole so that every entry
    // stays reachable from its home slot without tombstones.
    for (size_t j = (i + 1) & mask();; j = (j + 1) & mask()) {
      if (slots_[j].viewer == kEmpty) break;
      size_t home = Home(slots_[j].viewer);
      // Keep slots_[j] where it is if its home lies cyclically in (i, j].
      bool stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
      if (stays) continue;
      slots_[i] = std::move(slots_[j]);
      i = j;
    }
    slots_[i].viewer = kEmpty;
    slots_[i].ids = std::vector<Id>();
    --size_;
  }

  size_t size() const { return size_; }

 private:
  static constexpr Id kEmpty = 0;
  static constexpr size_t kMinSlots = 16;
  struct Slot {
    Id viewer = kEmpty;
    std::vector<Id> ids;
  };

  size_t mask() const { return slots_.size() - 1; }
  // A different mix from the shard choice (which uses the top bits of a Fibonacci hash), so the
  // viewers of one shard spread over the whole table.
  size_t Home(Id viewer) const {
    uint64_t h = viewer;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    return static_cast<size_t>(h) & mask();
  }

  std::vector<Id>& Place(Id viewer, std::vector<Id> ids) {
    size_t i = Home(viewer);
    while (slots_[i].viewer != kEmpty) i = (i + 1) & mask();
    slots_[i].viewer = viewer;
    slots_[i].ids = std::move(ids);
    return slots_[i].ids;
  }

  void Grow() {
    std::vector<Slot> old(slots_.size() * 2);
    old.swap(slots_);
    for (Slot& s : old) {
      if (s.viewer != kEmpty) Place(s.viewer, std::move(s.ids));
    }
  }

  std::vector<Slot> slots_;  // size is a power of two
  size_t size_ = 0;
};

}  // namespace plaza::domain
