#include "domain/home_feed.h"

#include <algorithm>
#include <bit>
#include <boost/container/small_vector.hpp>
#include <limits>
#include <queue>

#include "common/clock.h"
#include "common/prefetch.h"

namespace plaza::domain {
namespace {

// A cursor over an ascending id list, walked newest-first or oldest-first within a page's bounds.
struct Cursor {
  std::span<const Id> ids;
  ptrdiff_t pos;  // index of the next id to yield
};

}  // namespace

HomeFeed::HomeFeed(State& state) : s_(state) {}

HomeFeed::~HomeFeed() { Stop(); }

void HomeFeed::Start() {
  std::lock_guard lock(queue_mu_);
  if (worker_.joinable()) return;
  stopping_ = false;
  worker_ = std::thread([this] { Run(); });
}

void HomeFeed::Stop() {
  {
    std::lock_guard lock(queue_mu_);
    stopping_ = true;
  }
  queue_cv_.notify_all();
  if (worker_.joinable()) worker_.join();
}

void HomeFeed::Enqueue(Id status_id) {
  std::unique_lock lock(queue_mu_);
  if (!worker_.joinable()) {
    lock.unlock();
    Deliver(status_id);
    enqueued_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  space_cv_.wait(lock, [this] { return queue_.size() < s_.config.fanout_queue_capacity || stopping_; });
  queue_.emplace_back(status_id, NowUnixMs());
  enqueued_.fetch_add(1, std::memory_order_relaxed);
  // A lingering worker takes the post when its short wait ends (Run); only an idle one is woken.
  if (!lingering_) queue_cv_.notify_one();
}

void HomeFeed::Run() {
  std::unique_lock lock(queue_mu_);
  for (;;) {
    if (queue_.empty() && !stopping_) {
      // Just drained. Under load the next posts come within the linger, and the worker takes
      // them all when it ends instead of being woken (a futex call and a context switch) once
      // per post; a post then waits at most kLinger longer for its fan-out.
      lingering_ = true;
      queue_cv_.wait_for(lock, kLinger, [this] { return stopping_; });
      lingering_ = false;
    }
    queue_cv_.wait(lock, [this] { return !queue_.empty() || stopping_; });
    if (queue_.empty()) return;  // stopping and drained
    auto [id, enqueued_at] = queue_.front();
    queue_.pop_front();
    if (int64_t lag = NowUnixMs() - enqueued_at; lag > max_lag_ms_.load(std::memory_order_relaxed)) {
      max_lag_ms_.store(lag, std::memory_order_relaxed);
    }
    busy_ = true;
    lock.unlock();
    space_cv_.notify_one();
    Deliver(id);
    lock.lock();
    busy_ = false;
    if (queue_.empty()) drained_cv_.notify_all();
  }
}

void HomeFeed::Flush() {
  std::unique_lock lock(queue_mu_);
  drained_cv_.wait(lock, [this] { return (queue_.empty() && !busy_) || !worker_.joinable(); });
}

void HomeFeed::Deliver(Id status_id) {
  std::vector<Id> recipients;
  {
    std::shared_lock lock(s_.mu);
    const StatusEntry* st = s_.FindStatus(status_id);
    if (st == nullptr) return;
    Id author = st->rec->account_id;
    recipients.push_back(author);
    if (st->rec->visibility == Visibility::kDirect) {
      // A direct post goes only to the mentioned accounts (and shows where they follow the
      // author, see Accept), never to every follower.
      const auto& mentioned = st->rec->mention_ids();
      recipients.insert(recipients.end(), mentioned.begin(), mentioned.end());
    } else if (!s_.pulled_authors.count(author)) {
      auto it = s_.followers.find(author);
      if (it != s_.followers.end()) {
        recipients.reserve(it->second.size() + 1);
        recipients.insert(recipients.end(), it->second.begin(), it->second.end());
      }
    }
  }
  PushTo(recipients, status_id);
}

size_t HomeFeed::PushTo(const std::vector<Id>& recipients, Id status_id) {
  size_t delivered = recipients.size() <= kPushAllShardsUpTo
                         ? PushHoldingAllShards(recipients, status_id)
                         : PushShardByShard(recipients, status_id);
  delivered_.fetch_add(delivered, std::memory_order_relaxed);
  return delivered;
}

// A two-stage software pipeline: the slot of the follower kAhead*2 ahead and the timeline tail of
// the follower kAhead ahead are requested while this one is written, so the cache misses of
// several followers overlap instead of following one another. REQUIRES: the mutexes of the shards
// of all `viewers` held.
size_t HomeFeed::PushPipelined(std::span<const Id> viewers, Id status_id) {
  constexpr size_t kAhead = 8;
  const size_t n = viewers.size();
  size_t delivered = 0;
  for (size_t k = 0; k < n; ++k) {
    if (k + 2 * kAhead < n) {
      Id v = viewers[k + 2 * kAhead];
      ShardOf(v).timelines.PrefetchSlot(v);
    }
    if (k + kAhead < n) {
      Id v = viewers[k + kAhead];
      if (const std::vector<Id>* ahead = ShardOf(v).timelines.Find(v);
          ahead != nullptr && !ahead->empty()) {
        __builtin_prefetch(ahead->data() + ahead->size() - 1, 1);
      }
    }
    std::vector<Id>* timeline = ShardOf(viewers[k]).timelines.Find(viewers[k]);
    if (timeline == nullptr) continue;  // not materialized: built on first read
    Push(*timeline, status_id);
    ++delivered;
  }
  return delivered;
}

// Few recipients spread over many shards, one or two each, so a pipeline within a shard would
// never run ahead: take the mutexes of every shard involved (in ascending order, see the lock
// order in home_feed.h) and pipeline over all recipients at once.
size_t HomeFeed::PushHoldingAllShards(const std::vector<Id>& recipients, Id status_id) {
  static_assert(kShards == 64, "the shards held are a 64-bit mask");
  uint64_t held = 0;
  for (Id r : recipients) held |= uint64_t{1} << ShardIndex(r);
  for (uint64_t m = held; m != 0; m &= m - 1) shards_[std::countr_zero(m)].mu.lock();
  struct Unlock {
    HomeFeed* feed;
    uint64_t held;
    ~Unlock() {
      for (uint64_t m = held; m != 0; m &= m - 1) feed->shards_[std::countr_zero(m)].mu.unlock();
    }
  } unlock{this, held};
  return PushPipelined(recipients, status_id);
}

// Many recipients: bucketed by shard so that each shard's mutex is taken once and held only
// while its own timelines are written, with buckets long enough for the pipeline. The buckets are
// reused by the calling thread (the fan-out worker), so a post costs no allocation once they
// have grown.
size_t HomeFeed::PushShardByShard(const std::vector<Id>& recipients, Id status_id) {
  thread_local std::array<std::vector<Id>, kShards> buckets;
  for (auto& b : buckets) b.clear();
  for (Id r : recipients) buckets[ShardIndex(r)].push_back(r);
  size_t delivered = 0;
  for (size_t i = 0; i < kShards; ++i) {
    if (buckets[i].empty()) continue;
    std::lock_guard lock(shards_[i].mu);
    delivered += PushPipelined(buckets[i], status_id);
  }
  return delivered;
}

namespace {
// The most ids a timeline holds before Push trims it back to `cap`: the slack makes trimming
// (a move of `cap` ids) happen once every cap/16 posts, and bounds what every materialized
// timeline reserves (Build): 6.8 KB at the default cap of 800 (bench/README.md, session 12;
// cap/4 reserved 8 KB), 1.7 KB for a shallow one (below).
size_t MostKept(size_t cap) { return cap + cap / 16; }

// A first read builds a timeline only this deep, the newest quarter of the cap: most readers
// read a page or two and then poll for what is newer, and the rest would be ~5 KB a reader
// built and kept for nothing (300 MiB for the 50,000 readers of the large benchmark, session 21).
// A page that reaches past it builds the whole timeline (HomeFeed::CopyRing).
size_t ShallowDepth(size_t cap) { return std::max<size_t>(1, cap / 4); }

// The first id of a shallow timeline: a marker (no status has id 0) saying that older ids exist
// which the timeline does not hold. It sorts first, so pushes and binary searches pass it by.
// At least one id follows it (Build stops at a depth of one or more; Push trims to that depth).
constexpr Id kDeeper = 0;
bool IsShallow(const std::vector<Id>& timeline) {
  return !timeline.empty() && timeline.front() == kDeeper;
}
}  // namespace

void HomeFeed::Push(std::vector<Id>& timeline, Id status_id) {
  InsertSorted(timeline, status_id);
  const bool shallow = IsShallow(timeline);
  const size_t cap = s_.config.home_timeline_cap;
  const size_t depth = shallow ? ShallowDepth(cap) : cap;
  const size_t first = shallow ? 1 : 0;  // a shallow timeline keeps its marker
  if (timeline.size() - first > MostKept(depth)) {
    timeline.erase(timeline.begin() + static_cast<ptrdiff_t>(first),
                   timeline.begin() + static_cast<ptrdiff_t>(timeline.size() - depth));
  }
}

std::vector<Id>& HomeFeed::Materialize(Shard& shard, Id viewer) {
  const uint64_t now = ++shard.reads;
  if (std::vector<Id>* existing = shard.timelines.FindToRead(viewer, now)) return *existing;
  std::vector<Id> built = Build(viewer, ShallowDepth(s_.config.home_timeline_cap));
  if (const size_t most = MostPerShard(); most != 0 && shard.timelines.size() >= most) {
    dropped_.fetch_add(shard.timelines.EvictLeastRecentlyRead(std::max<size_t>(1, most / 8)),
                       std::memory_order_relaxed);
  }
  return shard.timelines.Insert(viewer, std::move(built), now);
}

std::vector<Id> HomeFeed::Build(Id viewer, size_t depth) {
  const size_t cap = s_.config.home_timeline_cap;
  std::vector<Id> built;
  bool more = false;  // the authors have posts older than those built
  {
    std::shared_lock lock(s_.mu);
    // Merge the newest `depth` ids of the viewer's own posts and of every pushed followee.
    using Item = std::pair<Id, Cursor>;
    auto cmp = [](const Item& a, const Item& b) { return a.first < b.first; };
    std::priority_queue<Item, std::vector<Item>, decltype(cmp)> heap(cmp);
    auto add = [&](Id author) {
      auto a = s_.statuses_by_author.find(author);
      if (a == s_.statuses_by_author.end() || a->second.empty()) return;
      ptrdiff_t last = static_cast<ptrdiff_t>(a->second.size()) - 1;
      heap.push({a->second[last], Cursor{a->second, last - 1}});
    };
    add(viewer);
    auto f = s_.following.find(viewer);
    if (f != s_.following.end()) {
      for (const auto& [followee, edge] : f->second) {
        if (!s_.pulled_authors.count(followee)) add(followee);
      }
    }
    // Room for the most Push keeps before it trims (and a shallow timeline's marker), so the
    // fan-out worker never reallocates a timeline: its malloc arena is not on huge pages, and a
    // timeline moved there would cost a TLB miss (in a virtual machine a two-level page walk) at
    // every delivery and every read. Only a timeline cut short is shallow: one that holds all
    // its authors' posts gets the whole cap's room.
    built.reserve(MostKept(depth) + 2);
    while (!heap.empty() && built.size() < depth) {
      auto [id, cur] = heap.top();
      heap.pop();
      if (built.empty() || built.back() != id) built.push_back(id);
      if (cur.pos >= 0) heap.push({cur.ids[cur.pos], Cursor{cur.ids, cur.pos - 1}});
    }
    more = !heap.empty();
  }
  if (depth < cap) {
    if (more) {
      built.push_back(kDeeper);  // first once reversed
    } else {
      built.reserve(MostKept(cap) + 1);
    }
  }
  std::reverse(built.begin(), built.end());
  return built;
}

size_t HomeFeed::MostPerShard() const {
  const size_t most = s_.config.home_timelines_max;
  return most == 0 ? 0 : (most + kShards - 1) / kShards;
}

bool HomeFeed::Accept(const Reader& r, const StatusEntry& st) const {
  const StatusMeta& rec = *st.rec;
  const Id viewer = r.viewer;
  const Id author = rec.account_id;
  if (author != viewer) {
    if (r.followees == nullptr) return false;
    if (!FolloweesHold(*r.followees, author)) return false;
    if (rec.reblog_of_id != 0 && !s_.OptionsOfFollow(viewer, author).reblogs) return false;
    if (r.mutes && s_.Mutes(viewer, author)) return false;
    if (rec.in_reply_to_account_id != 0 && rec.in_reply_to_account_id != author &&
        rec.in_reply_to_account_id != viewer &&
        !FolloweesHold(*r.followees, rec.in_reply_to_account_id)) {
      return false;
    }
  }
  if (!s_.CanSee(viewer, rec, r.in_blocks)) return false;
  if (rec.reblog_of_id != 0) {
    const StatusEntry* orig = s_.FindStatus(rec.reblog_of_id);
    if (orig == nullptr || !s_.CanSee(viewer, *orig->rec, r.in_blocks)) return false;
    Id orig_author = orig->rec->account_id;
    if (orig_author != viewer && r.mutes && s_.Mutes(viewer, orig_author)) return false;
  }
  return true;
}

template <typename Make>
auto HomeFeed::ReadPage(Id viewer, const Page& page, Make make) {
  // A page needs only the end of the ring it starts from (the newest ids, or the oldest for a
  // min_id page): copy twice the page and some more rather than all of it (up to
  // home_timeline_cap ids, mostly not in cache). In the rare case that filtering leaves the page
  // short when that window runs out, read again with the whole ring.
  PageEntries entries;
  RingCopy ring;
  size_t window = page.limit * 2 + 16;
  for (;;) {
    bool cut = false;
    if (page.limit != 0) CopyRing(viewer, page, window, ring, cut);
    std::shared_lock lock(s_.mu);
    if (page.limit == 0 || MergeLocked(viewer, page, ring, cut, entries)) return make(entries);
    window = std::numeric_limits<size_t>::max();
  }
}

std::vector<Id> HomeFeed::Read(Id viewer, const Page& page) {
  return ReadPage(viewer, page, [](const PageEntries& entries) {
    std::vector<Id> ids;
    ids.reserve(entries.size());
    for (const StatusEntry* e : entries) ids.push_back(e->rec->id);
    return ids;
  });
}

std::vector<StatusView> HomeFeed::ReadViews(Id viewer, const Page& page) {
  return ReadPage(viewer, page, [&](const PageEntries& entries) {
    return s_.ViewSeenStatuses(viewer, entries, s_.MarksOf(viewer));
  });
}

void HomeFeed::CopyRing(Id viewer, const Page& page, size_t window, RingCopy& ring, bool& cut) {
  const bool ascending = page.min_id != 0;
  ring.clear();
  Shard& shard = ShardOf(viewer);
  std::lock_guard lock(shard.mu);
  std::vector<Id>& tl = Materialize(shard, viewer);
  const Id lower = std::max(page.min_id, page.since_id);
  // A shallow timeline is built whole when the page is read again with all of it (the window
  // was not enough), or when the page is the oldest ids above a bound below what it holds
  // (tl[1], after the marker). Built with the cap, it is no longer shallow.
  bool shallow = IsShallow(tl);
  if (shallow && (window == std::numeric_limits<size_t>::max() || (ascending && lower < tl[1]))) {
    tl = Build(viewer, s_.config.home_timeline_cap);
    shallow = false;
  }
  const auto first = tl.begin() + (shallow ? 1 : 0);
  auto lo = std::upper_bound(first, tl.end(), lower);
  auto hi = page.max_id != 0 ? std::lower_bound(first, tl.end(), page.max_id) : tl.end();
  const size_t size = lo < hi ? static_cast<size_t>(hi - lo) : 0;
  cut = size > window;
  if (cut) {
    if (ascending) {
      hi = lo + static_cast<ptrdiff_t>(window);
    } else {
      lo = hi - static_cast<ptrdiff_t>(window);
    }
  }
  // A copy reaching a shallow timeline's oldest id counts as cut too: the merge must not run past
  // it (the older ids it would skip are not there), so a page it leaves short is read again whole.
  if (shallow && lo == first) cut = true;
  if (lo < hi) ring.assign(lo, hi);
}

bool HomeFeed::MergeLocked(Id viewer, const Page& page, std::span<const Id> ring, bool cut,
                           PageEntries& out) const {
  out.clear();
  out.reserve(page.limit);
  const bool ascending = page.min_id != 0;
  // Sources: the ring and the posts of every pulled author the viewer follows.
  // Inline storage for up to 31 pulled authors, and the page's batches: no allocation per read.
  boost::container::small_vector<std::span<const Id>, 32> sources;
  sources.push_back(ring);
  auto f = s_.following.find(viewer);
  const Followees* followees = f != s_.following.end() ? &f->second : nullptr;
  // Every candidate's author is looked up in the viewer's followees by a binary search, whose
  // first steps miss the cache one after another: fetch the list (its first 4 KiB, 256 follows)
  // now, while the ring is merged and the page's statuses looked up.
  if (followees != nullptr && !followees->empty()) {
    PrefetchBytes(&*followees->begin(),
                  std::min<size_t>(followees->size() * sizeof(*followees->begin()), 4096));
  }
  // What the filter asks of the viewer, asked once for the page.
  const Reader reader{viewer, followees, s_.InBlocks(viewer), s_.MutesAny(viewer)};
  if (followees != nullptr && !s_.pulled_authors.empty()) {
    boost::container::small_vector<Id, 32> pulled;
    if (s_.pulled_authors.size() < followees->size()) {
      for (Id p : s_.pulled_authors) {
        if (followees->count(p)) pulled.push_back(p);
      }
    } else {
      for (const auto& [followee, edge] : *followees) {
        if (s_.pulled_authors.count(followee)) pulled.push_back(followee);
      }
    }
    // A viewer may follow many pulled authors (on a heavy-tailed graph most follows go to them).
    // Their post lists are looked up together, and the newest end of each, where a page starts,
    // prefetched before the merge reads them: independent misses that overlap, where the merge
    // would wait for each source in turn.
    for (Id p : pulled) {
      auto a = s_.statuses_by_author.find(p);
      if (a != s_.statuses_by_author.end() && !a->second.empty()) sources.push_back(a->second);
    }
    for (size_t i = 1; i < sources.size(); ++i) __builtin_prefetch(&sources[i].back());
  }
  const Id lower = std::max(page.min_id, page.since_id);
  // k-way merge in the page's direction, deduplicating ids present in more than one source.
  boost::container::small_vector<Cursor, 32> cursors;
  for (std::span<const Id> v : sources) {
    if (ascending) {
      auto it = std::upper_bound(v.begin(), v.end(), lower);
      cursors.push_back({v, it - v.begin()});
    } else {
      auto it = page.max_id != 0 ? std::lower_bound(v.begin(), v.end(), page.max_id) : v.end();
      cursors.push_back({v, (it - v.begin()) - 1});
    }
  }
  // The merge yields candidates a batch at a time (as many as the page still lacks), and the
  // batch's statuses are looked up together before any is filtered: independent lookups, whose
  // cache misses the processor overlaps, where a lookup between two filters waits alone.
  boost::container::small_vector<Id, 40> batch;
  boost::container::small_vector<const StatusEntry*, 40> found;
  Id last = 0;
  bool exhausted = false;
  while (out.size() < page.limit && !exhausted) {
    batch.clear();
    while (batch.size() < page.limit - out.size()) {
      // Past the end of a cut window the other sources would skip ids of the ring not copied.
      if (cut && (cursors[0].pos < 0 || cursors[0].pos >= static_cast<ptrdiff_t>(ring.size()))) {
        return false;
      }
      int best = -1;
      Id best_id = 0;
      for (size_t i = 0; i < cursors.size(); ++i) {
        const Cursor& c = cursors[i];
        if (c.pos < 0 || c.pos >= static_cast<ptrdiff_t>(c.ids.size())) continue;
        Id id = c.ids[c.pos];
        if (ascending ? (page.max_id != 0 && id >= page.max_id) : (id <= lower)) continue;
        if (best < 0 || (ascending ? id < best_id : id > best_id)) {
          best = static_cast<int>(i);
          best_id = id;
        }
      }
      if (best < 0) {
        exhausted = true;
        break;
      }
      cursors[best].pos += ascending ? 1 : -1;
      if (best_id == last) continue;
      last = best_id;
      batch.push_back(best_id);
    }
    found.resize(batch.size());
    for (size_t i = 0; i < batch.size(); ++i) found[i] = s_.FindStatus(batch[i]);
    for (const StatusEntry* st : found) {
      if (st != nullptr && Accept(reader, *st)) out.push_back(st);
    }
  }
  if (ascending) std::reverse(out.begin(), out.end());
  return true;
}

void HomeFeed::Invalidate(Id viewer) {
  Shard& shard = ShardOf(viewer);
  std::lock_guard lock(shard.mu);
  shard.timelines.Erase(viewer);
}

void HomeFeed::MarkPulled(Id author) {
  std::unique_lock lock(s_.mu);
  s_.pulled_authors.insert(author);
}

bool HomeFeed::IsMaterialized(Id viewer) const {
  const Shard& shard = ShardOf(viewer);
  std::lock_guard lock(shard.mu);
  return shard.timelines.Contains(viewer);
}

FanoutStats HomeFeed::Stats() const {
  FanoutStats st;
  st.enqueued = enqueued_.load(std::memory_order_relaxed);
  st.delivered = delivered_.load(std::memory_order_relaxed);
  st.max_lag_ms = max_lag_ms_.load(std::memory_order_relaxed);
  st.home_timelines_dropped = dropped_.load(std::memory_order_relaxed);
  for (const Shard& shard : shards_) {
    std::lock_guard lock(shard.mu);
    st.home_timelines += shard.timelines.size();
  }
  std::lock_guard lock(queue_mu_);
  st.queue_depth = queue_.size();
  if (!queue_.empty()) st.lag_ms = NowUnixMs() - queue_.front().second;
  return st;
}

}  // namespace plaza::domain
