// RateLimiter: token buckets keyed by string (an IP, an access token, "token:abc/POST", ...).
// Each key owns a bucket holding at most `burst` tokens that refills at `rate_per_second`; a
// request costs one token (or `cost`). The server applies one per remote IP; the api layer can
// own further instances (per access token, per endpoint) with their own configuration.
//
// Idle buckets are forgotten once they would be full again, so memory stays bounded by the
// number of keys active within the last burst/rate seconds.
//
// Thread-safety: all methods are thread-safe (sharded mutexes); a RateLimiter may be shared by
// every io thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>

#include "http/response.h"

namespace plaza::http {

struct RateLimitConfig {
  double rate_per_second = 1.0;  // refill rate; Mastodon's default is 300 per 5 minutes
  double burst = 300.0;          // bucket size = the X-RateLimit-Limit
};

struct RateLimitDecision {
  bool allowed = true;
  int64_t limit = 0;          // the burst, as X-RateLimit-Limit
  int64_t remaining = 0;      // whole tokens left after this request
  int64_t reset_seconds = 0;  // seconds until the bucket is full again (ceil)
  int64_t retry_after_seconds = 0;  // when !allowed: seconds until one request will pass (ceil)
};

class RateLimiter {
 public:
  // `now_ns` returns a monotonic time in nanoseconds (defaults to steady_clock); tests inject a
  // fake clock. REQUIRES: config.rate_per_second > 0, config.burst >= 1.
  explicit RateLimiter(RateLimitConfig config, std::function<int64_t()> now_ns = {});
  ~RateLimiter();
  RateLimiter(const RateLimiter&) = delete;
  RateLimiter& operator=(const RateLimiter&) = delete;

  // Takes `cost` tokens from `key`'s bucket when it holds that many; otherwise takes nothing and
  // returns allowed == false.
  RateLimitDecision Acquire(std::string_view key, double cost = 1.0);
  // The state of `key`'s bucket without taking anything.
  RateLimitDecision Peek(std::string_view key) const;

  const RateLimitConfig& config() const { return config_; }
  // Number of buckets currently remembered (for tests and metrics).
  size_t bucket_count() const;

 private:
  struct Shard;
  static constexpr size_t kShards = 16;

  int64_t Now() const;

  const RateLimitConfig config_;
  const std::function<int64_t()> now_ns_;
  std::unique_ptr<Shard[]> shards_;
};

// Adds X-RateLimit-Limit, X-RateLimit-Remaining and X-RateLimit-Reset (an ISO 8601 UTC time, as
// Mastodon sends it) to `response`.
void AddRateLimitHeaders(const RateLimitDecision& decision, Response& response);
// The 429 answer: {"error":"Too many requests"} with the X-RateLimit-* headers and Retry-After.
Response TooManyRequests(const RateLimitDecision& decision);

}  // namespace plaza::http
