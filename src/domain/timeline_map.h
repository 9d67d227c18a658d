// TimelineMap: viewer id → that viewer's materialized home timeline (ascending status ids), in one
// open-addressing table (linear probing, backward-shift deletion, at most half full).
//
// Why not std::unordered_map: fan-out touches one timeline per follower, and with node-based
// buckets each delivery costs three dependent cache misses (bucket, node, timeline tail) that no
// prefetch can overlap. Here the timeline's vector header lives in the slot, so a delivery is the
// slot plus the timeline tail, and both can be prefetched a few followers ahead (HomeFeed::PushTo).
//
// Each timeline remembers when it was last read (a number the caller chooses, growing with time),
// so that the least recently read can be dropped when the map is full (HomeFeed bounds how many
// timelines it keeps).
//
// Not thread-safe: HomeFeed guards each map with its shard mutex. Pointers returned by Find,
// FindToRead and Insert are valid until the next Insert, Erase or EvictLeastRecentlyRead.
#pragma once

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

#include "common/id.h"

namespace plaza::domain {

class TimelineMap {
 public:
  TimelineMap() : slots_(kMinSlots), read_at_(kMinSlots) {}

  std::vector<Id>* Find(Id viewer) {
    const size_t i = SlotOf(viewer);
    return i == kNoSlot ? nullptr : &slots_[i].ids;
  }
  // Find for a read at `now`, which the timeline then remembers as its last.
  std::vector<Id>* FindToRead(Id viewer, uint64_t now) {
    const size_t i = SlotOf(viewer);
    if (i == kNoSlot) return nullptr;
    read_at_[i] = now;
    return &slots_[i].ids;
  }
  bool Contains(Id viewer) const { return SlotOf(viewer) != kNoSlot; }

  // Hints the CPU to load the slot `viewer` hashes to.
  void PrefetchSlot(Id viewer) const { __builtin_prefetch(&slots_[Home(viewer)]); }

  // REQUIRES: viewer != 0 and not present. `now` counts as the timeline's last read.
  std::vector<Id>& Insert(Id viewer, std::vector<Id> ids, uint64_t now = 0) {
    if ((size_ + 1) * 2 > slots_.size()) Grow();
    ++size_;
    return Place(viewer, now, std::move(ids));
  }

  // Erases the `n` timelines read longest ago (all of them when there are fewer); returns how
  // many it erased. Linear in the table's size: callers erase many at a time.
  size_t EvictLeastRecentlyRead(size_t n) {
    n = std::min(n, size_);
    if (n == 0) return 0;
    std::vector<std::pair<uint64_t, Id>> by_read;  // {last read, viewer}
    by_read.reserve(size_);
    for (size_t i = 0; i < slots_.size(); ++i) {
      if (slots_[i].viewer != kEmpty) by_read.emplace_back(read_at_[i], slots_[i].viewer);
    }
    std::nth_element(by_read.begin(), by_read.begin() + static_cast<ptrdiff_t>(n - 1),
                     by_read.end());
    for (size_t i = 0; i < n; ++i) Erase(by_read[i].second);
    return n;
  }

  void Erase(Id viewer) {
    size_t i = SlotOf(viewer);
    if (i == kNoSlot) return;
    // Backward-shift: move later members of the probe run into the hole so that every entry
    // stays reachable from its home slot without tombstones.
    for (size_t j = (i + 1) & mask();; j = (j + 1) & mask()) {
      if (slots_[j].viewer == kEmpty) break;
      size_t home = Home(slots_[j].viewer);
      // Keep slots_[j] where it is if its home lies cyclically in (i, j].
      bool stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
      if (stays) continue;
      slots_[i] = std::move(slots_[j]);
      read_at_[i] = read_at_[j];
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
  // 32 bytes, so that no slot straddles two cache lines: a delivery touches one line of the
  // table (the last reads, which only reads and eviction use, are kept apart in read_at_).
  struct Slot {
    Id viewer = kEmpty;
    std::vector<Id> ids;
  };
  static_assert(sizeof(Slot) == 32);

  static constexpr size_t kNoSlot = SIZE_MAX;
  // The slot holding `viewer`'s timeline, or kNoSlot.
  size_t SlotOf(Id viewer) const {
    for (size_t i = Home(viewer);; i = (i + 1) & mask()) {
      if (slots_[i].viewer == viewer) return i;
      if (slots_[i].viewer == kEmpty) return kNoSlot;
    }
  }
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

  std::vector<Id>& Place(Id viewer, uint64_t read_at, std::vector<Id> ids) {
    size_t i = Home(viewer);
    while (slots_[i].viewer != kEmpty) i = (i + 1) & mask();
    slots_[i].viewer = viewer;
    slots_[i].ids = std::move(ids);
    read_at_[i] = read_at;
    return slots_[i].ids;
  }

  void Grow() {
    std::vector<Slot> old(slots_.size() * 2);
    std::vector<uint64_t> old_read_at(old.size());
    old.swap(slots_);
    old_read_at.swap(read_at_);
    for (size_t i = 0; i < old.size(); ++i) {
      if (old[i].viewer != kEmpty) Place(old[i].viewer, old_read_at[i], std::move(old[i].ids));
    }
  }

  std::vector<Slot> slots_;  // size is a power of two
  std::vector<uint64_t> read_at_;  // read_at_[i]: the last read of slots_[i]'s timeline
  size_t size_ = 0;
};

}  // namespace plaza::domain
