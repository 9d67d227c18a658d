#include "api/render_cache.h"

#include <boost/unordered/unordered_flat_map.hpp>

namespace plaza::api {

struct RenderCache::Shard {
  struct Entry {
    std::shared_ptr<const void> source;
    std::shared_ptr<const JsonTemplate> rendered;
  };
  mutable std::mutex mu;
  boost::unordered_flat_map<Id, Entry> entries;  // one probe per rendered entity
};

RenderCache::RenderCache(size_t capacity)
    : per_shard_(capacity == 0 ? 0 : std::max<size_t>(1, capacity / kShards)),
      shards_(std::make_unique<Shard[]>(kShards)) {}

RenderCache::~RenderCache() = default;

std::shared_ptr<const JsonTemplate> RenderCache::Get(
    Id id, const std::shared_ptr<const void>& source,
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
  Shard& shard = shards_[id % kShards];
  std::lock_guard<std::mutex> lock(shard.mu);
  if (shard.entries.size() >= per_shard_ && shard.entries.find(id) == shard.entries.end()) {
    size_t drop = std::max<size_t>(1, per_shard_ / 8);
    // Erasing from a flat table invalidates only iterators to the erased element.
    for (auto it = shard.entries.begin(); it != shard.entries.end() && drop > 0; --drop) {
      shard.entries.erase(it++);
    }
  }
  shard.entries[id] = Shard::Entry{source, rendered};
  return rendered;
}

size_t RenderCache::size() const {
  size_t n = 0;
  for (size_t i = 0; i < kShards; ++i) {
    std::lock_guard<std::mutex> lock(shards_[i].mu);
    n += shards_[i].entries.size();
  }
  return n;
}

}  // namespace plaza::api
