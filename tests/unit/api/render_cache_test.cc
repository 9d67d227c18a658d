#include "api/render_cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <span>
#include <string>
#include <thread>
#include <vector>

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

// A page's lookup finds what Get would: the template kept for each id while its source is the
// one asked for, nothing for an id never rendered or rendered from another source, whichever
// shards the ids fall in and however often one repeats.
TEST(RenderCacheTest, FindsABatchAsGetWould) {
  RenderCache<std::shared_ptr<const int>> cache(1024);
  auto v1 = std::make_shared<const int>(1);
  auto v2 = std::make_shared<const int>(2);
  auto render = [](JsonTemplate& t) { t.json = "r"; };
  std::vector<std::shared_ptr<const JsonTemplate>> kept;
  for (Id id = 100; id < 140; ++id) kept.push_back(cache.Get(id, v1, render));

  std::vector<Id> ids = {100, 139, 7, 117, 100, 121, 130};
  std::vector<const std::shared_ptr<const int>*> sources = {&v1, &v1, &v1, &v2, &v1, &v1, &v2};
  std::vector<const JsonTemplate*> out(ids.size(), nullptr);
  Epochs::Guard guard(Epochs::Shared());
  cache.FindMany(ids, sources, out);
  EXPECT_EQ(out[0], kept[0].get());
  EXPECT_EQ(out[1], kept[39].get());
  EXPECT_EQ(out[2], nullptr);  // never rendered
  EXPECT_EQ(out[3], nullptr);  // rendered from another source
  EXPECT_EQ(out[4], kept[0].get());
  EXPECT_EQ(out[5], kept[21].get());
  EXPECT_EQ(out[6], nullptr);

  // The shards are unlocked again: Get from each still answers (it would wait forever otherwise).
  for (Id id = 100; id < 140; ++id) EXPECT_EQ(cache.Get(id, v1, render), kept[id - 100]);

  RenderCache<std::shared_ptr<const int>> off(0);  // caching disabled: nothing is found
  std::vector<const JsonTemplate*> none(1, nullptr);
  off.FindMany(std::span<const Id>(ids).first(1), std::span(sources).first(1), none);
  EXPECT_EQ(none[0], nullptr);
}

// FindMany takes no count on what it finds: a template the cache drops (replaced by a rendering
// of a newer source, or evicted when a shard is full) while a page's writer holds it under a guard
// stays whole until that guard ends, and is freed after.
TEST(RenderCacheTest, ATemplateDroppedWhileAGuardHoldsItLivesUntilTheGuardEnds) {
  RenderCache<std::shared_ptr<const int>> cache(16);  // one entry a shard
  auto v1 = std::make_shared<const int>(1);
  auto v2 = std::make_shared<const int>(2);
  auto render = [](JsonTemplate& t) { t.json = std::string(100, 'r'); };
  std::weak_ptr<const JsonTemplate> replaced = cache.Get(5, v1, render);
  std::weak_ptr<const JsonTemplate> evicted = cache.Get(6, v1, render);
  std::vector<Id> ids = {5, 6};
  std::vector<const std::shared_ptr<const int>*> sources = {&v1, &v1};
  std::vector<const JsonTemplate*> found(2, nullptr);
  auto guard = std::make_unique<Epochs::Guard>(Epochs::Shared());
  cache.FindMany(ids, sources, found);
  ASSERT_NE(found[0], nullptr);
  ASSERT_NE(found[1], nullptr);

  cache.Get(5, v2, render);   // 5 rendered again from its newer source
  cache.Get(22, v1, render);  // 22 shares 6's shard (id % 16), which holds one: 6 is dropped
  EXPECT_EQ(cache.size(), 2u);
  Epochs::Shared().Reclaim();
  EXPECT_FALSE(replaced.expired());
  EXPECT_FALSE(evicted.expired());
  EXPECT_EQ(found[0]->json, std::string(100, 'r'));
  EXPECT_EQ(found[1]->json, std::string(100, 'r'));

  guard.reset();
  Epochs::Shared().Reclaim();
  EXPECT_TRUE(replaced.expired());
  EXPECT_TRUE(evicted.expired());
}

// A filling replaced on a template while a reader holds it uncounted (Peek, under a guard) stays
// whole until the guard ends; Load and Peek both give the newest.
TEST(RenderCacheTest, AReplacedFillingLivesUntilTheGuardsThatMaySeeItEnd) {
  JsonTemplate t;
  auto first = std::make_shared<std::string>("first");
  std::weak_ptr<std::string> first_weak = first;
  t.filled.Store(first);
  auto guard = std::make_unique<Epochs::Guard>(Epochs::Shared());
  const auto* seen = static_cast<const std::string*>(t.filled.Peek());
  ASSERT_EQ(seen, first.get());
  first.reset();
  t.filled.Store(std::make_shared<std::string>("second"));
  EXPECT_EQ(*static_cast<const std::string*>(t.filled.Peek()), "second");
  EXPECT_EQ(*std::static_pointer_cast<const std::string>(t.filled.Load()), "second");
  Epochs::Shared().Reclaim();
  EXPECT_FALSE(first_weak.expired());
  EXPECT_EQ(*seen, "first");
  guard.reset();
  Epochs::Shared().Reclaim();
  EXPECT_TRUE(first_weak.expired());
}

// Page writers (FindMany and Peek under a guard, the text read whole) while other threads render
// newer versions of the same entities, evict them from a small cache and replace their fillings:
// every template and filling a writer holds still reads as what it was made as.
TEST(RenderCacheTest, PageWritersReadWholeTemplatesWhileOthersReplaceAndEvictThem) {
  constexpr Id kIds = 64;
  RenderCache<std::shared_ptr<const int>> cache(32);  // two a shard: most Gets evict
  std::vector<std::shared_ptr<const int>> sources(kIds);
  std::mutex sources_mu;
  for (auto& s : sources) s = std::make_shared<const int>(0);
  auto text_of = [](Id id, int version) {
    return "id " + std::to_string(id) + " v" + std::to_string(version) + std::string(200, '.');
  };
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> pages{0}, bad{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < 2; ++w) {
    threads.emplace_back([&, w] {
      for (int round = 1; !stop.load(); ++round) {
        Id id = static_cast<Id>((round * 7 + w) % kIds);
        std::shared_ptr<const int> source;
        {
          std::lock_guard lock(sources_mu);
          if (round % 3 == 0) sources[id] = std::make_shared<const int>(round);
          source = sources[id];
        }
        auto t = cache.Get(id, source, [&](JsonTemplate& t) { t.json = text_of(id, *source); });
        t->filled.Store(std::make_shared<std::string>(t->json + " filled"));
      }
    });
  }
  for (int r = 0; r < 2; ++r) {
    threads.emplace_back([&] {
      std::vector<Id> ids(kIds);
      for (Id i = 0; i < kIds; ++i) ids[i] = i;
      while (!stop.load()) {
        std::vector<std::shared_ptr<const int>> held;
        {
          std::lock_guard lock(sources_mu);
          held = sources;
        }
        std::vector<const std::shared_ptr<const int>*> page_sources;
        for (const auto& s : held) page_sources.push_back(&s);
        std::vector<const JsonTemplate*> found(kIds, nullptr);
        Epochs::Guard guard(Epochs::Shared());
        cache.FindMany(ids, page_sources, found);
        for (Id i = 0; i < kIds; ++i) {
          if (found[i] == nullptr) continue;
          const std::string want = text_of(i, *held[i]);
          if (found[i]->json != want) bad.fetch_add(1);
          const auto* filled = static_cast<const std::string*>(found[i]->filled.Peek());
          if (filled != nullptr && *filled != want + " filled") bad.fetch_add(1);
        }
        pages.fetch_add(1);
      }
    });
  }
  while (pages.load() < 20000) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  stop = true;
  for (auto& t : threads) t.join();
  EXPECT_EQ(bad.load(), 0u);
}

}  // namespace
}  // namespace plaza::api
