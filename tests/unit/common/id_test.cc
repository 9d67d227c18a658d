#include "common/id.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>
#include <vector>

#include "common/clock.h"

namespace plaza {
namespace {

TEST(IdTest, StrictlyIncreasingAcrossThreads) {
  IdGenerator gen(3);
  std::vector<std::vector<Id>> per_thread(4);
  std::vector<std::thread> threads;
  for (auto& v : per_thread) {
    threads.emplace_back([&gen, &v] {
      for (int i = 0; i < 20000; ++i) v.push_back(gen.Next());
    });
  }
  for (auto& t : threads) t.join();
  std::set<Id> all;
  for (auto& v : per_thread) {
    for (size_t i = 1; i < v.size(); ++i) ASSERT_LT(v[i - 1], v[i]);
    all.insert(v.begin(), v.end());
  }
  EXPECT_EQ(all.size(), 80000u);
}

TEST(IdTest, EncodesTime) {
  IdGenerator gen;
  int64_t before = NowUnixMs();
  Id id = gen.Next();
  int64_t after = NowUnixMs();
  EXPECT_GE(IdTimeMs(id), before);
  EXPECT_LE(IdTimeMs(id), after + 1000);
  EXPECT_LE(IdFloorForTime(before), id);
}

TEST(IdTest, AdvancePastKeepsOrder) {
  IdGenerator gen;
  Id far = IdFloorForTime(NowUnixMs() + 3600 * 1000);
  gen.AdvancePast(far);
  EXPECT_GT(gen.Next(), far);
}

TEST(IdTest, ParsesOnlyWholeDecimals) {
  EXPECT_EQ(ParseId("12345"), 12345u);
  EXPECT_EQ(ParseId("18446744073709551615"), 18446744073709551615ull);
  EXPECT_FALSE(ParseId("18446744073709551616"));
  EXPECT_FALSE(ParseId(""));
  EXPECT_FALSE(ParseId("12a"));
  EXPECT_FALSE(ParseId("-1"));
  EXPECT_FALSE(ParseId(" 1"));
  EXPECT_EQ(IdToString(42), "42");
}

TEST(IdTest, IdTextIsTheDecimalOfAnyIdAsIdToStringWritesIt) {
  for (Id id : {Id{0}, Id{7}, Id{42}, Id{1'000'000'000'000}, Id{18446744073709551615ull}}) {
    EXPECT_EQ(std::string_view(IdText(id)), IdToString(id));
  }
  EXPECT_EQ(std::string_view(IdText(18446744073709551615ull)).size(), 20u);
}

}  // namespace
}  // namespace plaza
