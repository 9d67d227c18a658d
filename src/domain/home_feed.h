// Home timelines with hybrid fan-out.
//
// Each reader's home timeline is an in-memory, capped, ascending list of status ids, built lazily
// from the follow graph and the authors' posts on first read (so after a restart every timeline
// reads correctly; a first read builds the newest quarter of the cap, and a page reaching past
// that builds the rest) and then kept current by a background fan-out worker that pushes each new
// post into the timelines of its author's followers. Authors with more followers than the
// celebrity threshold are never pushed: their posts are merged in at read time (pull). Once an
// author has been pulled they stay pulled for the life of the process, so no post falls between
// the two paths. Deletes, unfollows, blocks, mutes and visibility are applied when reading, so a
// timeline never shows what its reader may not see.
//
// At most DomainConfig::home_timelines_max timelines are kept (in each of the kShards shards, that
// many divided by kShards, rounded up). A shard that is full drops an eighth of its timelines,
// those read longest ago, before it builds another; a dropped timeline receives no pushes and is
// built again on its reader's next read, as after a restart.
//
// Thread-safety: all methods are thread-safe. Lock order: a timeline shard's mutex, then
// State::mu (shared). Nothing holds State::mu while taking a shard mutex. The fan-out of a post to
// few followers holds the mutexes of several shards at once, taken in ascending shard order;
// everything else holds one shard mutex at a time.
#pragma once

#include <array>
#include <atomic>
#include <boost/container/small_vector.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <span>
#include <thread>
#include <unordered_map>
#include <vector>

#include "domain/model.h"
#include "domain/state.h"
#include "domain/timeline_map.h"

namespace plaza::domain {

struct FanoutStats {
  uint64_t enqueued = 0;
  uint64_t delivered = 0;  // timeline insertions
  size_t queue_depth = 0;
  int64_t lag_ms = 0;  // age of the oldest queued post
  // Longest any post has waited in the queue before the worker took it, since start.
  int64_t max_lag_ms = 0;
  size_t home_timelines = 0;            // kept in memory now
  uint64_t home_timelines_dropped = 0;  // the least recently read, dropped since start
};

class HomeFeed {
 public:
  explicit HomeFeed(State& state);
  ~HomeFeed();
  HomeFeed(const HomeFeed&) = delete;
  HomeFeed& operator=(const HomeFeed&) = delete;

  void Start();
  // Drains the queue, then stops the worker.
  void Stop();

  // Queues a committed status for delivery; blocks while the queue is full (backpressure).
  void Enqueue(Id status_id);
  // Delivers one status synchronously (what the worker does for each queued post).
  void Deliver(Id status_id);
  // Waits until everything enqueued so far has been delivered.
  void Flush();

  // The viewer's home timeline page, newest first. REQUIRES: viewer exists.
  std::vector<Id> Read(Id viewer, const Page& page);
  // The same page as the viewer's views of its statuses (what the API renders): each status is
  // looked up once, under the one lock that filtered it.
  std::vector<StatusView> ReadViews(Id viewer, const Page& page);

  // Drops the viewer's materialized timeline; the next read rebuilds it (after a follow).
  void Invalidate(Id viewer);
  // Marks an author as pulled (called by the graph when its follower count crosses the threshold).
  void MarkPulled(Id author);

  FanoutStats Stats() const;
  bool IsMaterialized(Id viewer) const;

  // For benchmarks: pushes `status_id` into the materialized timelines of `recipients`.
  size_t PushTo(const std::vector<Id>& recipients, Id status_id);

 private:
  struct Shard {
    mutable std::mutex mu;
    TimelineMap timelines;  // guarded by mu
    uint64_t reads = 0;     // guarded by mu; the shard's clock for TimelineMap's last reads
  };
  static constexpr size_t kShards = 64;
  // Up to this many recipients a post is pushed holding every shard involved (PushTo).
  static constexpr size_t kPushAllShardsUpTo = 1024;

  static size_t ShardIndex(Id viewer) { return (viewer * 0x9E3779B97F4A7C15ull) >> 58; }
  Shard& ShardOf(Id viewer) { return shards_[ShardIndex(viewer)]; }
  const Shard& ShardOf(Id viewer) const { return shards_[ShardIndex(viewer)]; }
  // REQUIRES: shard.mu held. The viewer's timeline, for a read: built if it is not kept (the
  // shard first dropping the timelines read longest ago when it is full).
  std::vector<Id>& Materialize(Shard& shard, Id viewer);
  // The viewer's timeline built from the graph, at most `depth` ids (ascending). Cut short of
  // the authors' posts at a depth below the cap, it is shallow: it starts with a marker (see
  // home_feed.cc), and a page that needs more builds it again with the cap (CopyRing).
  std::vector<Id> Build(Id viewer, size_t depth);
  // The most timelines a shard keeps; 0 for no limit.
  size_t MostPerShard() const;
  void Push(std::vector<Id>& timeline, Id status_id);
  size_t PushPipelined(std::span<const Id> viewers, Id status_id);
  size_t PushHoldingAllShards(const std::vector<Id>& recipients, Id status_id);
  size_t PushShardByShard(const std::vector<Id>& recipients, Id status_id);
  void Run();
  // The page: `make(entries)` of the accepted statuses' entries, newest first, under State::mu.
  template <typename Make>
  auto ReadPage(Id viewer, const Page& page, Make make);
  // A page's copy of its part of the ring, and its entries: inline up to the largest page (40)
  // and its first window (twice the page and 16), so that a read allocates neither.
  using RingCopy = boost::container::small_vector<Id, 96>;
  using PageEntries = boost::container::small_vector<const StatusEntry*, 40>;
  // The part of the viewer's ring the page can come from, at most `window` ids; `cut` when the
  // ring holds more there.
  void CopyRing(Id viewer, const Page& page, size_t window, RingCopy& ring, bool& cut);
  // REQUIRES: State::mu held (shared). Merges `ring` with the pulled authors' posts into `out`,
  // the page's entries; false when `ring` was cut and not enough (the page is short and the ring
  // has more).
  bool MergeLocked(Id viewer, const Page& page, std::span<const Id> ring, bool cut,
                   PageEntries& out) const;
  // The viewer of a page and what the filter asks of it once for the page: its entry of
  // State::following (null when it follows no one), whether it is in any block and mutes anyone.
  struct Reader {
    Id viewer = 0;
    const Followees* followees = nullptr;
    bool in_blocks = false;
    bool mutes = false;
  };
  // REQUIRES: State::mu held (shared). Whether the entry may appear in the reader's home.
  bool Accept(const Reader& r, const StatusEntry& st) const;

  State& s_;
  std::array<Shard, kShards> shards_;

  mutable std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::condition_variable space_cv_;
  std::condition_variable drained_cv_;
  std::deque<std::pair<Id, int64_t>> queue_;  // guarded by queue_mu_; (status, enqueued at ms)
  bool stopping_ = false;                     // guarded by queue_mu_
  bool busy_ = false;                         // guarded by queue_mu_
  // The worker waits this long after draining the queue before it sleeps until woken (Run);
  // meanwhile Enqueue does not wake it.
  static constexpr std::chrono::milliseconds kLinger{1};
  bool lingering_ = false;  // guarded by queue_mu_
  std::thread worker_;
  std::atomic<uint64_t> enqueued_{0};
  std::atomic<uint64_t> delivered_{0};
  std::atomic<int64_t> max_lag_ms_{0};
  std::atomic<uint64_t> dropped_{0};
};

}  // namespace plaza::domain
