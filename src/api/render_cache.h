// Rendered JSON of accounts and statuses, kept between requests so that a timeline page is
// mostly memcpy (DESIGN.md, "posts cached in memory in their rendered form").
//
// An entity is rendered once into a JsonTemplate: the full JSON text with "holes" at the places
// whose value changes without the record changing — live counters, the viewer's flags, nested
// statuses and the author's account (which have their own templates). Writing an entity copies
// the text between holes and fills each hole from the view at hand.
//
// A template is keyed by the entity id and remembers the immutable record it was rendered from
// (the domain replaces a record's shared_ptr on every change: an edit, update_credentials, a role
// or suspension change). A lookup whose view holds a different record pointer renders afresh and
// replaces the entry; holding the record's shared_ptr in the entry means its address cannot be
// reused by another record while the entry lives, so pointer equality is a sound freshness test.
//
// Memory is bounded: each of the 16 shards holds at most capacity/16 entries and, when full,
// drops an eighth of them (in hash order, i.e. arbitrary ones). Thread-safe; a lookup takes one
// shard mutex for a hash lookup and a shared_ptr copy, never while rendering. A page's lookup,
// FindMany, takes the mutexes of the shards it touches, in ascending order, and no count: a
// template the cache drops, and a filling replaced on one, is retired to Epochs::Shared()
// (common/epochs.h) rather than freed, so a page's writer under a guard may use them uncounted.
#pragma once

#include <algorithm>
#include <atomic>
#include <boost/container/small_vector.hpp>
#include <boost/unordered/unordered_flat_map.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>

#include "common/epochs.h"
#include "common/id.h"
#include "domain/model.h"

namespace plaza::api {

// The filling kept on a template (JsonTemplate::filled). Any thread may replace it; the one
// replaced is retired to Epochs::Shared(), so a reader under a guard of it may use Peek's pointer
// until its guard ends.
class KeptFilling {
 public:
  // The filling, with a reference count taken on it.
  std::shared_ptr<const void> Load() const {
    Lock();
    std::shared_ptr<const void> kept = kept_;
    Unlock();
    return kept;
  }
  // The filling, without a count: valid while an Epochs::Guard of Epochs::Shared() that began
  // before this call is alive.
  const void* Peek() const { return peek_.load(std::memory_order_acquire); }
  void Store(std::shared_ptr<const void> filled) {
    // Under one lock with the owner, so that Peek's pointer is always the one kept (or the one
    // being stored), never one another store has retired.
    Lock();
    peek_.store(filled.get(), std::memory_order_release);
    kept_.swap(filled);
    Unlock();
    Epochs::Shared().Retire(std::move(filled));  // the one replaced
  }

 private:
  void Lock() const {
    while (lock_.test_and_set(std::memory_order_acquire)) std::this_thread::yield();
  }
  void Unlock() const { lock_.clear(std::memory_order_release); }

  mutable std::atomic_flag lock_;
  std::shared_ptr<const void> kept_;        // guarded by lock_
  std::atomic<const void*> peek_{nullptr};  // kept_'s pointer, read without the lock
};

struct JsonTemplate {
  struct Hole {
    uint32_t offset = 0;  // byte offset in `json` where the live value goes
    uint8_t kind = 0;     // meaning defined by the renderer (entities.cc)
  };
  std::string json;
  // In offset order; inline (a status has eight holes, an account two), so that writing a
  // template touches its object and its text, not a third block.
  boost::container::small_vector<Hole, 8> holes;
  // Cleared by a renderer that could not read all it needed (a storage error): the template
  // answers this request and is not kept.
  bool keep = true;
  // The template with its holes filled, as the renderer last filled it for values that do not
  // depend on the viewer; the renderer defines its type and when it still holds. Most renderings
  // of a popular entity then copy it whole. Any thread may replace it.
  mutable KeptFilling filled;
  // A number the renderer keeps with the template; it defines its meaning (entities.cc: for a
  // status, the commerce version at which it was seen to carry no products).
  mutable std::atomic<uint64_t> stamp{0};
};

// `Source` is the shared pointer type of the records (std::shared_ptr, boost::intrusive_ptr).
template <typename Source>
class RenderCache {
 public:
  // `capacity` 0 disables caching: every Get renders.
  explicit RenderCache(size_t capacity)
      : per_shard_(capacity == 0 ? 0 : std::max<size_t>(1, capacity / kShards)),
        shards_(std::make_unique<Shard[]>(kShards)) {}
  RenderCache(const RenderCache&) = delete;
  RenderCache& operator=(const RenderCache&) = delete;

  // The template of entity `id` rendered from `source`; calls `render` (outside any lock) when
  // there is none or it was rendered from another record, and keeps the result unless `render`
  // cleared JsonTemplate::keep.
  std::shared_ptr<const JsonTemplate> Get(Id id, const Source& source,
                                          const std::function<void(JsonTemplate&)>& render) {
    if (per_shard_ != 0) {
      Shard& shard = shards_[id % kShards];
      std::lock_guard<std::mutex> lock(shard.mu);
      auto it = shard.entries.find(id);
      if (it != shard.entries.end() && it->second.source == source) return it->second.rendered;
    }
    auto t = std::make_shared<JsonTemplate>();
    render(*t);
    std::shared_ptr<const JsonTemplate> rendered = std::move(t);
    if (per_shard_ == 0 || !rendered->keep) return rendered;
    // Templates dropped here may be in use by a reader without a count (FindMany): retired.
    boost::container::small_vector<std::shared_ptr<const JsonTemplate>, 1> dropped;
    {
      Shard& shard = shards_[id % kShards];
      std::lock_guard<std::mutex> lock(shard.mu);
      auto it = shard.entries.find(id);
      if (it != shard.entries.end()) {
        dropped.push_back(std::move(it->second.rendered));
        it->second = Entry{source, rendered};
      } else {
        if (shard.entries.size() >= per_shard_) {
          size_t drop = std::max<size_t>(1, per_shard_ / 8);
          // Erasing from a flat table invalidates only iterators to the erased element.
          for (auto e = shard.entries.begin(); e != shard.entries.end() && drop > 0; --drop) {
            dropped.push_back(std::move(e->second.rendered));
            shard.entries.erase(e++);
          }
        }
        shard.entries.emplace(id, Entry{source, rendered});
      }
    }
    for (auto& t : dropped) Epochs::Shared().Retire(std::move(t));
    return rendered;
  }

  // The templates kept for a batch of entities (a timeline page): out[i] is the template of
  // ids[i] rendered from *sources[i], or null when there is none (Get renders it). No count is
  // taken: the caller holds an Epochs::Guard of Epochs::Shared() from before this call for as long
  // as it uses them (the cache retires a template it drops). Every shard the batch touches is
  // locked for the whole batch, in ascending order (Get locks one at a time, so this cannot
  // deadlock), so no locked instruction separates one probe from the next: the processor overlaps
  // their cache misses instead of taking them one by one. Each template found is prefetched, with
  // its kept filling's slot.
  void FindMany(std::span<const Id> ids, std::span<const Source* const> sources,
                std::span<const JsonTemplate*> out) {
    const size_t n = ids.size();
    if (per_shard_ == 0) return;
    uint32_t shards = 0;
    for (Id id : ids) shards |= 1u << (id % kShards);
    for (size_t s = 0; s < kShards; ++s) {
      if (shards & (1u << s)) shards_[s].mu.lock();
    }
    for (size_t i = 0; i < n; ++i) {
      const auto& entries = shards_[ids[i] % kShards].entries;
      auto it = entries.find(ids[i]);
      if (it != entries.end() && it->second.source == *sources[i]) {
        out[i] = it->second.rendered.get();
        __builtin_prefetch(out[i]);
        __builtin_prefetch(&out[i]->filled);
      }
    }
    for (size_t s = kShards; s-- > 0;) {
      if (shards & (1u << s)) shards_[s].mu.unlock();
    }
  }

  size_t size() const {
    size_t n = 0;
    for (size_t i = 0; i < kShards; ++i) {
      std::lock_guard<std::mutex> lock(shards_[i].mu);
      n += shards_[i].entries.size();
    }
    return n;
  }

 private:
  struct Entry {
    Source source;
    std::shared_ptr<const JsonTemplate> rendered;
  };
  struct Shard {
    mutable std::mutex mu;
    boost::unordered_flat_map<Id, Entry> entries;  // one probe per rendered entity
  };
  static constexpr size_t kShards = 16;
  const size_t per_shard_;
  std::unique_ptr<Shard[]> shards_;
};

// One cache per entity kind; owned by the API handlers and shared through RenderContext.
struct RenderCaches {
  explicit RenderCaches(size_t accounts, size_t statuses) : accounts(accounts), statuses(statuses) {}
  RenderCache<std::shared_ptr<const storage::AccountRecord>> accounts;
  RenderCache<domain::StatusMetaPtr> statuses;
};

}  // namespace plaza::api
