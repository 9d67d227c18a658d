#include "common/id.h"

#include <charconv>

#include "common/clock.h"

namespace plaza {

IdGenerator::IdGenerator(unsigned shard)
    : shard_bits_((static_cast<uint64_t>(shard) & ((1u << kIdShardBits) - 1)) << kIdSeqBits) {}

Id IdGenerator::Next() {
  uint64_t now = IdFloorForTime(NowUnixMs()) | shard_bits_;
  uint64_t last = last_.load(std::memory_order_relaxed);
  for (;;) {
    uint64_t next = now > last ? now : last + 1;
    if (last_.compare_exchange_weak(last, next, std::memory_order_relaxed)) return next;
  }
}

void IdGenerator::AdvancePast(Id id) {
  uint64_t last = last_.load(std::memory_order_relaxed);
  while (last < id && !last_.compare_exchange_weak(last, id, std::memory_order_relaxed)) {
  }
}

Id IdFloorForTime(int64_t unix_ms) {
  int64_t ms = unix_ms - kIdEpochMs;
  if (ms < 0) ms = 0;
  return static_cast<uint64_t>(ms) << (kIdShardBits + kIdSeqBits);
}

int64_t IdTimeMs(Id id) {
  return static_cast<int64_t>(id >> (kIdShardBits + kIdSeqBits)) + kIdEpochMs;
}

std::string IdToString(Id id) { return std::to_string(id); }

IdText::IdText(Id id) {
  auto r = std::to_chars(buf_, buf_ + sizeof buf_, id);
  len_ = static_cast<uint8_t>(r.ptr - buf_);
}

std::optional<Id> ParseId(std::string_view s) {
  if (s.empty() || s.size() > 20) return std::nullopt;
  Id v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace plaza
