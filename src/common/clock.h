// Wall-clock and monotonic time in one place, so tests and ids agree on what "now" is.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace plaza {

inline int64_t NowUnixMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

inline int64_t MonotonicNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// ISO 8601 UTC with milliseconds, as Mastodon writes it: 2026-11-25T19:13:35.123Z.
std::string FormatIso8601(int64_t unix_ms);
// The same, appended to `out` without allocating.
void AppendIso8601(std::string& out, int64_t unix_ms);
// The date part alone: 2026-11-25.
void AppendIsoDate(std::string& out, int64_t unix_ms);

}  // namespace plaza
