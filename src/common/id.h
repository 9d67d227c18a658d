// Time-ordered 64-bit ids: | 42 bits milliseconds since 2020-01-01 | 6 bits shard | 16 bits seq |.
// Ids from one generator are strictly increasing; ids compare in creation order across
// generators to the millisecond. Sent to clients as decimal strings.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace plaza {

using Id = uint64_t;

inline constexpr int64_t kIdEpochMs = 1577836800000;  // 2020-01-01T00:00:00Z
inline constexpr int kIdShardBits = 6;
inline constexpr int kIdSeqBits = 16;

// Thread-safe. Never returns the same id twice, even if the wall clock steps back.
class IdGenerator {
 public:
  explicit IdGenerator(unsigned shard = 0);
  Id Next();
  // Makes every later id greater than `id` (used after loading stored ids at start-up).
  void AdvancePast(Id id);

 private:
  uint64_t shard_bits_;
  std::atomic<uint64_t> last_{0};
};

// The smallest id that could have been made at `unix_ms`.
Id IdFloorForTime(int64_t unix_ms);
// Milliseconds since the Unix epoch at which `id` was made.
int64_t IdTimeMs(Id id);

std::string IdToString(Id id);
// An id in decimal held on the stack, for writing it without allocating (a 64-bit id has up to
// 20 digits, past std::string's in-place capacity).
class IdText {
 public:
  explicit IdText(Id id);
  operator std::string_view() const { return {buf_, len_}; }  // NOLINT: converts like a string

 private:
  char buf_[20];
  uint8_t len_;
};
// Parses a decimal id; nullopt unless the whole string is a decimal number in range.
std::optional<Id> ParseId(std::string_view s);

}  // namespace plaza
