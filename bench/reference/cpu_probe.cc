// cpu_probe: how much of its core a busy thread actually gets, and for how long it is stopped.
//
// Spins for --seconds reading CLOCK_MONOTONIC. Any gap between two consecutive readings longer
// than --stall-us is time the thread did not run: the kernel ran something else, or (on a virtual
// machine) the host did not run the virtual CPU at all. Reports the fraction of wall time the
// thread ran and the stalls: their count, total and longest. Run pinned to a core (taskset)
// before a benchmark, it says what that core could give: a latency percentile cannot be lower
// than the stalls that happen that often, and a rate is a share of what the core was given.
//
// Output: one JSON object on stdout.
#include <time.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

int64_t NowNs() {
  timespec t{};
  clock_gettime(CLOCK_MONOTONIC, &t);
  return static_cast<int64_t>(t.tv_sec) * 1'000'000'000 + t.tv_nsec;
}

int Usage(const char* argv0) {
  std::fprintf(stderr, "usage: %s [--seconds S (0.01-600, default 2)] [--stall-us U (default 1000)]\n",
               argv0);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 2.0;
  double stall_us = 1000.0;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (i + 1 >= argc) return Usage(argv[0]);
    char* end = nullptr;
    double v = std::strtod(argv[++i], &end);
    if (end == argv[i] || *end != '\0') return Usage(argv[0]);
    if (a == "--seconds") {
      seconds = v;
    } else if (a == "--stall-us") {
      stall_us = v;
    } else {
      return Usage(argv[0]);
    }
  }
  if (!(seconds >= 0.01 && seconds <= 600) || !(stall_us >= 1 && stall_us <= 1e7)) {
    return Usage(argv[0]);
  }

  const auto threshold = static_cast<int64_t>(stall_us * 1000);
  const int64_t start = NowNs();
  const int64_t end = start + static_cast<int64_t>(seconds * 1e9);
  std::vector<int64_t> stalls;  // ns
  int64_t prev = start;
  int64_t now = start;
  int64_t stalled = 0;
  while (now < end) {
    now = NowNs();
    const int64_t gap = now - prev;  // the last gap counts too, though it ends past `end`
    if (gap > threshold) {
      stalls.push_back(gap);
      stalled += gap;
    }
    prev = now;
  }
  const int64_t wall = now - start;
  std::sort(stalls.begin(), stalls.end());
  const double longest_ms = stalls.empty() ? 0.0 : static_cast<double>(stalls.back()) / 1e6;
  const double median_ms = stalls.empty() ? 0.0 : static_cast<double>(stalls[stalls.size() / 2]) / 1e6;
  std::printf(
      "{\"seconds\":%.3f,\"available\":%.4f,\"stall_threshold_ms\":%.3f,\"stalls\":%zu,"
      "\"stalled_ms\":%.1f,\"stall_median_ms\":%.3f,\"stall_max_ms\":%.3f}\n",
      static_cast<double>(wall) / 1e9,
      wall > 0 ? 1.0 - static_cast<double>(stalled) / static_cast<double>(wall) : 1.0,
      static_cast<double>(threshold) / 1e6, stalls.size(), static_cast<double>(stalled) / 1e6,
      median_ms, longest_ms);
  return 0;
}
