#include "domain/timeline_map.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace plaza::domain
