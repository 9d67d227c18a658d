#include "http/rate_limiter.h"

#include <algorithm>
#include <cassert>
#include <chrono>
#include <cmath>
#include <mutex>
#include <string>
#include <unordered_map>

#include "common/clock.h"

namespace plaza::http {
namespace {

struct Bucket {
  double tokens;
  int64_t updated_ns;
};

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
};

int64_t CeilSeconds(double seconds) {
  return seconds <= 0 ? 0 : static_cast<int64_t>(std::ceil(seconds - 1e-9));
}

}  // namespace

struct RateLimiter::Shard {
  mutable std::mutex mu;
  std::unordered_map<std::string, Bucket, StringHash, std::equal_to<>> buckets;  // GUARDED_BY(mu)
  size_t inserts_since_sweep = 0;                                              // GUARDED_BY(mu)
};

RateLimiter::RateLimiter(RateLimitConfig config, std::function<int64_t()> now_ns)
    : config_(config),
      now_ns_(now_ns ? std::move(now_ns) : std::function<int64_t()>(MonotonicNs)),
      shards_(std::make_unique<Shard[]>(kShards)) {
  assert(config.rate_per_second > 0);
  assert(config.burst >= 1);
}

RateLimiter::~RateLimiter() = default;

int64_t RateLimiter::Now() const { return now_ns_(); }

namespace {

double Refilled(const Bucket& b, int64_t now_ns, const RateLimitConfig& config) {
  double elapsed = static_cast<double>(std::max<int64_t>(0, now_ns - b.updated_ns)) * 1e-9;
  return std::min(config.burst, b.tokens + elapsed * config.rate_per_second);
}

RateLimitDecision Describe(bool allowed, double tokens, double cost,
                           const RateLimitConfig& config) {
  RateLimitDecision d;
  d.allowed = allowed;
  d.limit = static_cast<int64_t>(config.burst);
  d.remaining = static_cast<int64_t>(std::floor(tokens + 1e-9));
  d.reset_seconds = CeilSeconds((config.burst - tokens) / config.rate_per_second);
  d.retry_after_seconds = allowed ? 0 : std::max<int64_t>(1, CeilSeconds((cost - tokens) /
                                                                         config.rate_per_second));
  return d;
}

}  // namespace

RateLimitDecision RateLimiter::Acquire(std::string_view key, double cost) {
  Shard& shard = shards_[std::hash<std::string_view>()(key) % kShards];
  int64_t now = Now();
  std::lock_guard<std::mutex> lock(shard.mu);
  auto it = shard.buckets.find(key);
  if (it == shard.buckets.end()) {
    // Forget buckets that have refilled completely: they carry no information. Sweeping after
    // a number of inserts proportional to the map keeps the cost amortized O(1).
    if (++shard.inserts_since_sweep >= std::max<size_t>(256, shard.buckets.size() / 2)) {
      shard.inserts_since_sweep = 0;
      std::erase_if(shard.buckets, [&](const auto& kv) {
        return Refilled(kv.second, now, config_) >= config_.burst;
      });
    }
    it = shard.buckets.emplace(std::string(key), Bucket{config_.burst, now}).first;
  }
  Bucket& b = it->second;
  b.tokens = Refilled(b, now, config_);
  b.updated_ns = std::max(b.updated_ns, now);
  bool allowed = b.tokens >= cost;
  if (allowed) {
    b.tokens -= cost;
  }
  return Describe(allowed, b.tokens, cost, config_);
}

RateLimitDecision RateLimiter::Peek(std::string_view key) const {
  const Shard& shard = shards_[std::hash<std::string_view>()(key) % kShards];
  int64_t now = Now();
  std::lock_guard<std::mutex> lock(shard.mu);
  auto it = shard.buckets.find(key);
  double tokens = it == shard.buckets.end() ? config_.burst : Refilled(it->second, now, config_);
  return Describe(tokens >= 1.0, tokens, 1.0, config_);
}

size_t RateLimiter::bucket_count() const {
  size_t n = 0;
  for (size_t i = 0; i < kShards; ++i) {
    std::lock_guard<std::mutex> lock(shards_[i].mu);
    n += shards_[i].buckets.size();
  }
  return n;
}

void AddRateLimitHeaders(const RateLimitDecision& decision, Response& response) {
  response.SetHeader("X-RateLimit-Limit", std::to_string(decision.limit));
  response.SetHeader("X-RateLimit-Remaining", std::to_string(decision.remaining));
  response.SetHeader("X-RateLimit-Reset",
                     FormatIso8601(NowUnixMs() + decision.reset_seconds * 1000));
}

Response TooManyRequests(const RateLimitDecision& decision) {
  Response r = Response::Error(429, "Too many requests");
  AddRateLimitHeaders(decision, r);
  r.SetHeader("Retry-After", std::to_string(decision.retry_after_seconds));
  return r;
}

}  // namespace plaza::http
