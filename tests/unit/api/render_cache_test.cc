#include "api/render_cache.h"

#include <gtest/gtest.h>

#include <memory>

namespace plaza::api {
namespace {

TEST(RenderCacheTest, KeepsATemplateUntilItsSourceChanges) {
  RenderCache<std::shared_ptr<const int>> cache(64);
  auto v1 = std::make_shared<const int>(1);
  int renders = 0;
  auto render = [&](JsonTemplate& t) {
    ++renders;
    t.json = "r" + std::to_string(renders);
  };
  EXPECT_EQ(cache.Get(7, v1, render)->json, "r1");
  EXPECT_EQ(cache.Get(7, v1, render)->json, "r1");
  EXPECT_EQ(renders, 1);
  auto v2 = std::make_shared<const int>(2);
  EXPECT_EQ(cache.Get(7, v2, render)->json, "r2");
  EXPECT_EQ(cache.Get(7, v2, render)->json, "r2");
  EXPECT_EQ(renders, 2);
}

// A renderer that could not read what it needed (a storage error) answers once and is asked
// again next time.
TEST(RenderCacheTest, DoesNotKeepATemplateItsRendererDisowned) {
  RenderCache<std::shared_ptr<const int>> cache(64);
  auto source = std::make_shared<const int>(1);
  int renders = 0;
  bool failing = true;
  auto render = [&](JsonTemplate& t) {
    ++renders;
    t.json = failing ? "partial" : "whole";
    t.keep = !failing;
  };
  EXPECT_EQ(cache.Get(7, source, render)->json, "partial");
  EXPECT_EQ(cache.Get(7, source, render)->json, "partial");
  EXPECT_EQ(renders, 2);
  EXPECT_EQ(cache.size(), 0u);
  failing = false;
  EXPECT_EQ(cache.Get(7, source, render)->json, "whole");
  EXPECT_EQ(cache.Get(7, source, render)->json, "whole");
  EXPECT_EQ(renders, 3);
  EXPECT_EQ(cache.size(), 1u);
}

TEST(RenderCacheTest, StaysWithinItsCapacity) {
  RenderCache<std::shared_ptr<const int>> cache(32);
  auto source = std::make_shared<const int>(1);
  for (Id id = 1; id <= 1000; ++id) {
    cache.Get(id, source, [](JsonTemplate& t) { t.json = "x"; });
    ASSERT_LE(cache.size(), 32u);
  }
}

}  // namespace
}  // namespace plaza::api
