#include "domain/state.h"

#include <gtest/gtest.h>

namespace plaza::domain {
namespace {

std::vector<Id> Ids(size_t n) {
  std::vector<Id> v;
  for (Id i = 1; i <= n; ++i) v.push_back(i * 10);
  return v;
}

// The branch-free search agrees with flat_map's own for every size up to 70 and every id below,
// between and above the followees (first, last and the middle of each run of halvings).
TEST(FolloweesHoldTest, AgreesWithContainsForEverySizeAndId) {
  for (size_t n = 0; n <= 70; ++n) {
    Followees f;
    for (Id i = 1; i <= n; ++i) f.emplace(i * 2, i);  // followees 2, 4, ..., 2n
    for (Id id = 0; id <= 2 * n + 2; ++id) {
      ASSERT_EQ(FolloweesHold(f, id), f.contains(id)) << "size " << n << ", id " << id;
    }
  }
}

TEST(PageDescendingTest, NewestFirstWithLimit) {
  auto v = Ids(10);
  auto page = PageDescending(v, Page{.limit = 3}, [](Id) { return true; });
  EXPECT_EQ(page, (std::vector<Id>{100, 90, 80}));
}

TEST(PageDescendingTest, MaxIdIsExclusive) {
  auto v = Ids(10);
  auto page = PageDescending(v, Page{.max_id = 80, .limit = 3}, [](Id) { return true; });
  EXPECT_EQ(page, (std::vector<Id>{70, 60, 50}));
}

TEST(PageDescendingTest, SinceIdGivesNewestAbove) {
  auto v = Ids(10);
  auto page = PageDescending(v, Page{.since_id = 30, .limit = 3}, [](Id) { return true; });
  EXPECT_EQ(page, (std::vector<Id>{100, 90, 80}));
}

TEST(PageDescendingTest, MinIdGivesOldestAboveNewestFirst) {
  auto v = Ids(10);
  auto page = PageDescending(v, Page{.min_id = 30, .limit = 3}, [](Id) { return true; });
  EXPECT_EQ(page, (std::vector<Id>{60, 50, 40}));
}

TEST(PageDescendingTest, FilterSkipsWithoutShrinkingPage) {
  auto v = Ids(10);
  auto page = PageDescending(v, Page{.limit = 3}, [](Id id) { return id % 20 == 0; });
  EXPECT_EQ(page, (std::vector<Id>{100, 80, 60}));
}

TEST(KeyLocksTest, SameKeyInDifferentOrderDoesNotDeadlock) {
  KeyLocks locks;
  auto a = KeyLocks::Key(1, 2, 3);
  auto b = KeyLocks::Key(1, 3, 2);
  { auto g = locks.Lock({a, b}); }
  { auto g = locks.Lock({b, a}); }
  { auto g = locks.Lock({a, a}); }  // duplicate stripes are taken once
  SUCCEED();
}

TEST(InsertSortedTest, KeepsOrderAndUniqueness) {
  std::vector<Id> v;
  for (Id id : {5, 1, 9, 5, 3}) InsertSorted(v, id);
  EXPECT_EQ(v, (std::vector<Id>{1, 3, 5, 9}));
  EraseSorted(v, 5);
  EraseSorted(v, 42);
  EXPECT_EQ(v, (std::vector<Id>{1, 3, 9}));
}

}  // namespace
}  // namespace plaza::domain
