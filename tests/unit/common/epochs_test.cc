#include "common/epochs.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace plaza {
namespace {

// An owner whose release is observable: drops `*flag` to false when the last copy goes.
std::shared_ptr<const void> Owner(std::shared_ptr<std::atomic<bool>> alive) {
  alive->store(true);
  return std::shared_ptr<const void>(alive.get(), [alive](const void*) { alive->store(false); });
}

TEST(EpochsTest, KeepsWhatAnEarlierGuardMayReachAndDropsItOnceThatGuardEnds) {
  Epochs epochs;
  auto alive = std::make_shared<std::atomic<bool>>(false);
  auto guard = std::make_unique<Epochs::Guard>(epochs);
  epochs.Retire(Owner(alive));
  EXPECT_EQ(epochs.Reclaim(), 1u);
  EXPECT_TRUE(alive->load());
  {
    // Guards that begin after the retirement, even nested in the thread of the first, do not
    // hold it; neither does one of them ending.
    Epochs::Guard later(epochs);
    Epochs::Guard nested(epochs);
  }
  EXPECT_EQ(epochs.Reclaim(), 1u);
  EXPECT_TRUE(alive->load());
  guard.reset();
  EXPECT_EQ(epochs.Reclaim(), 0u);
  EXPECT_FALSE(alive->load());
}

TEST(EpochsTest, AGuardBegunAfterARetirementDoesNotHoldIt) {
  Epochs epochs;
  auto alive = std::make_shared<std::atomic<bool>>(false);
  epochs.Retire(Owner(alive));
  Epochs::Guard after(epochs);
  EXPECT_EQ(epochs.Reclaim(), 0u);
  EXPECT_FALSE(alive->load());
}

TEST(EpochsTest, RetiringReclaimsEveryBatchWithoutBeingAsked) {
  Epochs epochs;
  std::vector<std::shared_ptr<std::atomic<bool>>> flags;
  for (size_t i = 0; i < Epochs::kBatch; ++i) {
    flags.push_back(std::make_shared<std::atomic<bool>>(false));
    epochs.Retire(Owner(flags.back()));
  }
  for (const auto& f : flags) EXPECT_FALSE(f->load());
  EXPECT_EQ(epochs.Reclaim(), 0u);
}

TEST(EpochsTest, AGuardOnAnotherThreadHoldsWhatItMayReach) {
  Epochs epochs;
  auto alive = std::make_shared<std::atomic<bool>>(false);
  std::atomic<int> step{0};
  std::thread reader([&] {
    Epochs::Guard guard(epochs);
    step = 1;
    while (step.load() != 2) std::this_thread::yield();
  });
  while (step.load() != 1) std::this_thread::yield();
  epochs.Retire(Owner(alive));
  EXPECT_EQ(epochs.Reclaim(), 1u);
  EXPECT_TRUE(alive->load());
  step = 2;
  reader.join();
  EXPECT_EQ(epochs.Reclaim(), 0u);
  EXPECT_FALSE(alive->load());
}

// Writers keep replacing a published object and retire the one they replaced; readers, under a
// guard, read the published object and check, for a while, that it is still the incarnation
// they read. Objects live in a pool and are reused once released, each release bumping the
// cell's generation, so a reader that outlived its object sees another generation.
TEST(EpochsTest, NoReaderSeesItsObjectReleasedUnderConcurrentReplacement) {
  constexpr size_t kCells = 512;
  struct Cell {
    std::atomic<uint32_t> generation{0};
  };
  auto cells = std::make_unique<Cell[]>(kCells);
  std::mutex mu;
  std::vector<uint32_t> free_cells;
  std::vector<std::shared_ptr<const void>> owners(kCells);
  for (uint32_t i = 1; i < kCells; ++i) free_cells.push_back(i);

  Epochs epochs;
  auto make = [&](uint32_t cell) {
    owners[cell] = std::shared_ptr<const void>(&cells[cell], [&, cell](const void*) {
      cells[cell].generation.fetch_add(1);
      std::lock_guard lock(mu);
      free_cells.push_back(cell);
    });
    return (uint64_t{cell} << 32) | cells[cell].generation.load();
  };
  std::atomic<uint64_t> published;
  {
    std::lock_guard lock(mu);
    published = make(0);
  }

  std::atomic<bool> stop{false};
  std::atomic<uint64_t> reads{0}, torn{0}, replaced{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < 2; ++w) {
    threads.emplace_back([&] {
      while (!stop.load(std::memory_order_relaxed)) {
        uint64_t next;
        {
          std::lock_guard lock(mu);
          if (free_cells.empty()) {
            next = 0;
          } else {
            uint32_t cell = free_cells.back();
            free_cells.pop_back();
            next = make(cell);
          }
        }
        if (next == 0) {
          epochs.Reclaim();
          std::this_thread::yield();
          continue;
        }
        uint64_t old = published.exchange(next);
        std::shared_ptr<const void> owner;
        {
          std::lock_guard lock(mu);
          owner = std::move(owners[old >> 32]);
        }
        epochs.Retire(std::move(owner));
        replaced.fetch_add(1, std::memory_order_relaxed);
      }
    });
  }
  for (int r = 0; r < 3; ++r) {
    threads.emplace_back([&] {
      while (!stop.load(std::memory_order_relaxed)) {
        Epochs::Guard guard(epochs);
        uint64_t v = published.load(std::memory_order_acquire);
        const Cell& cell = cells[v >> 32];
        for (int i = 0; i < 64; ++i) {
          if (cell.generation.load(std::memory_order_acquire) != static_cast<uint32_t>(v)) {
            torn.fetch_add(1);
          }
        }
        reads.fetch_add(1, std::memory_order_relaxed);
      }
    });
  }
  while (replaced.load() < 100000 || reads.load() < 100000) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  stop = true;
  for (auto& t : threads) t.join();
  EXPECT_EQ(torn.load(), 0u);
  EXPECT_EQ(epochs.Reclaim(), 0u);
}

}  // namespace
}  // namespace plaza
