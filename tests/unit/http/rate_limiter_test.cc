#include "http/rate_limiter.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace plaza::http {
namespace {

constexpr int64_t kSecond = 1'000'000'000;

class RateLimiterTest : public ::testing::Test {
 protected:
  std::function<int64_t()> Clock() {
    return [this] { return now_.load(); };
  }
  std::atomic<int64_t> now_{1000 * kSecond};
};

TEST_F(RateLimiterTest, BurstThenDenyThenRefill) {
  RateLimiter limiter({.rate_per_second = 2.0, .burst = 5.0}, Clock());
  for (int i = 0; i < 5; ++i) {
    RateLimitDecision d = limiter.Acquire("ip:1");
    EXPECT_TRUE(d.allowed) << i;
    EXPECT_EQ(d.limit, 5);
    EXPECT_EQ(d.remaining, 4 - i);
  }
  RateLimitDecision denied = limiter.Acquire("ip:1");
  EXPECT_FALSE(denied.allowed);
  EXPECT_EQ(denied.remaining, 0);
  EXPECT_EQ(denied.reset_seconds, 3);  // 5 tokens at 2/s
  EXPECT_EQ(denied.retry_after_seconds, 1);

  now_ += kSecond / 2;  // one token back
  EXPECT_TRUE(limiter.Acquire("ip:1").allowed);
  EXPECT_FALSE(limiter.Acquire("ip:1").allowed);

  now_ += 100 * kSecond;  // refills only up to the burst
  RateLimitDecision full = limiter.Peek("ip:1");
  EXPECT_EQ(full.remaining, 5);
  EXPECT_EQ(full.reset_seconds, 0);
}

TEST_F(RateLimiterTest, KeysAreIndependent) {
  RateLimiter limiter({.rate_per_second = 1.0, .burst = 1.0}, Clock());
  EXPECT_TRUE(limiter.Acquire("token:a").allowed);
  EXPECT_FALSE(limiter.Acquire("token:a").allowed);
  EXPECT_TRUE(limiter.Acquire("token:b").allowed);
  EXPECT_EQ(limiter.Peek("token:c").remaining, 1);
}

TEST_F(RateLimiterTest, CostTakesSeveralTokensOrNone) {
  RateLimiter limiter({.rate_per_second = 1.0, .burst = 10.0}, Clock());
  EXPECT_TRUE(limiter.Acquire("k", 7).allowed);
  RateLimitDecision d = limiter.Acquire("k", 7);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.remaining, 3);  // nothing taken by the refusal
  EXPECT_EQ(d.retry_after_seconds, 4);
}

TEST_F(RateLimiterTest, ConcurrentAcquiresNeverExceedTheBurst) {
  RateLimiter limiter({.rate_per_second = 0.001, .burst = 1000.0}, Clock());
  std::atomic<int> allowed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 500; ++i) {
        if (limiter.Acquire("shared").allowed) {
          ++allowed;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(allowed.load(), 1000);
}

TEST_F(RateLimiterTest, IdleBucketsAreForgotten) {
  RateLimiter limiter({.rate_per_second = 10.0, .burst = 10.0}, Clock());
  for (int i = 0; i < 5000; ++i) {
    limiter.Acquire("ip:" + std::to_string(i));
  }
  EXPECT_EQ(limiter.bucket_count(), 5000u);
  now_ += 10 * kSecond;  // everything has refilled
  for (int i = 0; i < 20000; ++i) {
    limiter.Acquire("new:" + std::to_string(i));
    now_ += 10 * kSecond;
  }
  EXPECT_LT(limiter.bucket_count(), 5000u);
}

TEST(RateLimitHeadersTest, TooManyRequestsCarriesHeaders) {
  RateLimitDecision d{.allowed = false, .limit = 300, .remaining = 0, .reset_seconds = 42,
                      .retry_after_seconds = 2};
  Response r = TooManyRequests(d);
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.body, R"({"error":"Too many requests"})");
  EXPECT_EQ(r.Header("X-RateLimit-Limit"), "300");
  EXPECT_EQ(r.Header("X-RateLimit-Remaining"), "0");
  EXPECT_EQ(r.Header("Retry-After"), "2");
  std::string_view reset = r.Header("X-RateLimit-Reset");
  ASSERT_EQ(reset.size(), 24u);  // 2026-01-01T00:00:00.000Z
  EXPECT_EQ(reset.back(), 'Z');
}

}  // namespace
}  // namespace plaza::http
