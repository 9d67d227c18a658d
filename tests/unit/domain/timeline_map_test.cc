#include "domain/timeline_map.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <unordered_map>

namespace plaza::domain {
namespace {

TEST(TimelineMap, FindsInsertsAndErases) {
  TimelineMap m;
  EXPECT_EQ(m.Find(7), nullptr);
  m.Insert(7, {1, 2, 3});
  ASSERT_NE(m.Find(7), nullptr);
  EXPECT_EQ(*m.Find(7), (std::vector<Id>{1, 2, 3}));
  m.Find(7)->push_back(4);
  EXPECT_EQ(m.Find(7)->back(), 4u);
  EXPECT_TRUE(m.Contains(7));
  m.Erase(7);
  EXPECT_FALSE(m.Contains(7));
  EXPECT_EQ(m.size(), 0u);
  m.Erase(7);  // absent: no effect
  EXPECT_EQ(m.size(), 0u);
}

// Random inserts and erases (which exercise growth and backward-shift deletion across probe runs
// and the wrap-around) agree with std::unordered_map at every step.
TEST(TimelineMap, AgreesWithUnorderedMapUnderRandomOperations) {
  TimelineMap m;
  std::unordered_map<Id, std::vector<Id>> ref;
  std::mt19937_64 rng(7);
  for (int step = 0; step < 200000; ++step) {
    Id key = 1 + rng() % 3000;  // small key space: many collisions and re-inserts
    if (rng() % 3 == 0) {
      m.Erase(key);
      ref.erase(key);
    } else if (ref.count(key) == 0) {
      m.Insert(key, {key, static_cast<Id>(step)});
      ref[key] = {key, static_cast<Id>(step)};
    } else {
      ASSERT_NE(m.Find(key), nullptr) << "step " << step;
      m.Find(key)->push_back(static_cast<Id>(step));
      ref[key].push_back(static_cast<Id>(step));
    }
    if (step % 1000 == 0) {
      ASSERT_EQ(m.size(), ref.size());
      for (const auto& [k, v] : ref) {
        ASSERT_NE(m.Find(k), nullptr) << "step " << step << " key " << k;
        ASSERT_EQ(*m.Find(k), v);
      }
    }
  }
  for (Id k = 1; k <= 3000; ++k) EXPECT_EQ(m.Contains(k), ref.count(k) == 1) << k;
}

// Eviction takes exactly the timelines read longest ago, by the last read each remembers through
// growth and the backward shifts of earlier erasures; what stays keeps its ids.
TEST(TimelineMap, EvictsTheLeastRecentlyRead) {
  TimelineMap m;
  std::mt19937_64 rng(11);
  std::unordered_map<Id, uint64_t> last_read;
  uint64_t now = 0;
  for (Id v = 1; v <= 1000; ++v) {
    m.Insert(v, {v}, ++now);  // grows the table several times
    last_read[v] = now;
  }
  for (int i = 0; i < 3000; ++i) {
    Id v = 1 + rng() % 1000;
    ASSERT_NE(m.FindToRead(v, ++now), nullptr);
    last_read[v] = now;
  }
  for (Id v = 1; v <= 1000; v += 7) {  // pushes do not count as reads
    ASSERT_NE(m.Find(v), nullptr);
    m.Find(v)->push_back(v + 1);
  }
  EXPECT_EQ(m.FindToRead(5000, ++now), nullptr);
  EXPECT_EQ(m.EvictLeastRecentlyRead(300), 300u);
  EXPECT_EQ(m.size(), 700u);
  std::vector<std::pair<uint64_t, Id>> order;
  for (const auto& [v, at] : last_read) order.emplace_back(at, v);
  std::sort(order.begin(), order.end());
  for (size_t i = 0; i < order.size(); ++i) {
    const Id v = order[i].second;
    ASSERT_EQ(m.Contains(v), i >= 300) << "viewer " << v << ", " << i << "th least recent";
    if (i >= 300) {
      std::vector<Id> ids{v};
      if (v % 7 == 1) ids.push_back(v + 1);
      EXPECT_EQ(*m.Find(v), ids);
    }
  }
  EXPECT_EQ(m.EvictLeastRecentlyRead(1000), 700u);  // more than there are: all of them
  EXPECT_EQ(m.size(), 0u);
  EXPECT_EQ(m.EvictLeastRecentlyRead(1), 0u);
}

}  // namespace
}  // namespace plaza::domain
