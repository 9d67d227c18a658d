// The in-memory model the domain services share. Internal to src/domain.
//
// Storage is the source of truth; this is derived from it at start-up (Load) and kept in step by
// every write: a write validates under the striped key locks, commits to storage (durable), then
// applies to memory under `mu` — so memory never shows what storage does not hold, and writes on
// different keys commit concurrently (the storage adapter group-commits them).
#pragma once

#include <algorithm>
#include <array>
#include <boost/container/flat_map.hpp>
#include <boost/container_hash/hash.hpp>
#include <boost/unordered/unordered_flat_map.hpp>
#include <boost/unordered/unordered_flat_set.hpp>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <span>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "common/id.h"
#include "domain/config.h"
#include "domain/model.h"
#include "storage/storage.h"

namespace plaza::domain {

// A pair of ids as one hash key.
struct IdPair {
  Id a = 0;
  Id b = 0;
  bool operator==(const IdPair&) const = default;
};
struct IdPairHash {
  size_t operator()(const IdPair& p) const noexcept {
    uint64_t h = p.a * 0x9E3779B97F4A7C15ull;
    h ^= p.b + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
    return static_cast<size_t>(h);
  }
};

// Striped mutexes for the validate-commit-apply sequence of a write. Locking a set of keys takes
// their stripes in ascending order, so two writers never deadlock.
class KeyLocks {
 public:
  class Guard {
   public:
    // Locks the stripes of `keys`.
    Guard(KeyLocks& locks, const std::vector<uint64_t>& keys);
    ~Guard();
    Guard(const Guard&) = delete;
    Guard& operator=(const Guard&) = delete;

   private:
    KeyLocks& locks_;
    std::vector<size_t> stripes_;
  };
  Guard Lock(std::initializer_list<uint64_t> keys) { return Guard(*this, std::vector<uint64_t>(keys)); }
  static uint64_t Key(uint64_t kind, uint64_t a, uint64_t b = 0);

 private:
  static constexpr size_t kStripes = 1024;
  std::array<std::mutex, kStripes> mu_;
};

// An account in the model; its counts change only under State::mu held exclusively (as for
// StatusEntry below).
struct AccountEntry {
  std::shared_ptr<const AccountRecord> rec;
  AccountCounts counts;
};

// A status in the model. The counts live in the entry itself (no allocation of their own, and
// in the cache line the lookup has just brought in); they change only under State::mu held
// exclusively, and views copy them.
struct StatusEntry {
  StatusMetaPtr rec;
  StatusCounts counts;
};

// Hashes and compares the statuses table's entries by their status's id, and an id with an entry,
// so the table keeps no copy of the id as a key: 24 bytes a slot (bench/README.md, session 12).
// Probing compares ids only in slots whose hash fragment matches, so it seldom reads a meta it
// does not return.
struct StatusEntryById {
  using is_transparent = void;
  size_t operator()(Id id) const noexcept { return boost::hash<Id>()(id); }
  size_t operator()(const StatusEntry& e) const noexcept { return (*this)(e.rec->id); }
  bool operator()(const StatusEntry& a, const StatusEntry& b) const noexcept {
    return a.rec->id == b.rec->id;
  }
  bool operator()(Id a, const StatusEntry& b) const noexcept { return a == b.rec->id; }
  bool operator()(const StatusEntry& a, Id b) const noexcept { return a.rec->id == b; }
};

// The accounts one account follows: followee -> follow edge id, sorted by followee (boost
// flat_map: 16 bytes an edge and a binary search, where a hash table's smallest allocation is a
// 15-slot group, ~380 bytes for the many accounts that follow a few others).
using Followees = boost::container::flat_map<Id, Id>;

// Whether `followees` holds `id`: Followees::contains, by a binary search whose steps add a mask
// rather than take a branch. A home page asks it of one author after another, in no order a
// branch predictor could learn, so a branch per step would be mispredicted half the time.
inline bool FolloweesHold(const Followees& followees, Id id) {
  if (followees.empty()) return false;
  const auto edges = followees.begin();  // random access, sorted by followee
  size_t base = 0;
  for (size_t n = followees.size(); n > 1;) {
    const size_t half = n / 2;
    // half when the followee at base + half - 1 is below `id`, else 0: a mask, not a branch.
    const auto below =
        static_cast<size_t>(edges[static_cast<ptrdiff_t>(base + half - 1)].first < id);
    base += half & (size_t{0} - below);
    n -= half;
  }
  return edges[static_cast<ptrdiff_t>(base)].first == id;
}

// A follow's options; only follows that differ from the defaults are kept (State::follow_options).
struct FollowOptions {
  bool reblogs = true;  // show the followee's reposts in home
  bool notify = false;  // notify of the followee's posts
  bool operator==(const FollowOptions&) const = default;
};

struct MuteInfo {
  Id edge_id = 0;
  bool notifications = true;
};

// What one account has marked, as sorted status ids. Read for every status of every page the
// account reads: its flags come from a few cache lines of its own, where a probe per status into
// the tables of every account's marks would miss the cache three times per status.
struct ViewerMarks {
  std::vector<Id> favourited;
  std::vector<Id> bookmarked;
  std::vector<Id> reblogged;  // the originals the account reposted
};

// Marks as {mark id, other id}, ascending by mark id.
using MarkList = std::vector<PageItem>;

struct State {
  State(storage::Storage& storage, const DomainConfig& config) : storage(storage), config(config) {}

  storage::Storage& storage;
  const DomainConfig config;
  IdGenerator ids;
  KeyLocks locks;

  mutable std::shared_mutex mu;
  // ---- guarded by mu ----
  // Open-addressing (flat) tables: a read probes one group of slots instead of a bucket array
  // and then a node, which on this hardware is the difference between one cache miss and three
  // (bench/README.md, "Memory latency"). Elements move when a table grows, so a pointer or
  // reference into one (FindAccount, FindStatus, a vector in statuses_by_author, ...) is valid
  // only while mu is held and until the next insertion into that table.
  boost::unordered_flat_map<Id, AccountEntry> accounts;
  boost::unordered_flat_map<std::string, Id> account_by_username;  // lower-cased
  boost::unordered_flat_map<std::string, Id> account_by_email;     // lower-cased
  // Ids of suspended accounts (mirrors AccountRecord::suspended; accounts are never removed), so
  // the check every authenticated request makes probes a small table instead of the account.
  boost::unordered_flat_set<Id> suspended_accounts;

  // An entry's id never changes; its counts and (on an edit) its meta change in place, through
  // FindStatus, under mu held exclusively.
  boost::unordered_flat_set<StatusEntry, StatusEntryById, StatusEntryById> statuses;
  boost::unordered_flat_map<Id, std::vector<Id>> statuses_by_author;  // ascending ids
  std::vector<Id> public_statuses;                             // ascending; public, no reblogs
  boost::unordered_flat_map<std::string, std::vector<Id>> statuses_by_tag;  // ascending
  boost::unordered_flat_map<Id, std::vector<Id>> replies_of;  // parent -> replies, ascending
  boost::unordered_flat_map<IdPair, Id, IdPairHash> reblog_by;  // (account, original) -> reblog id
  boost::unordered_flat_map<Id, std::vector<Id>> reblogs_of;    // original -> reblog ids, ascending

  // Follow graph, 24 bytes an edge (bench/README.md, session 12): following[a] holds b and the
  // edge id, followers[b] holds a, ascending by that edge id (the cursor of GET
  // /accounts/:id/followers, found through following[a]; see FollowerAt in graph.cc). Edge ids are
  // time-ordered, so a new follow appends; a load sorts each list once (FinishLoad).
  boost::unordered_flat_map<Id, Followees> following;
  boost::unordered_flat_map<Id, std::vector<Id>> followers;
  // (source, target) of the follows whose options are not the defaults. Written through
  // SetFollowOptions, which keeps notified_followers.
  boost::unordered_flat_map<IdPair, FollowOptions, IdPairHash> follow_options;
  // Author -> the followers who asked to be notified of its posts (FollowOptions::notify), in id
  // order; absent when none.
  boost::unordered_flat_map<Id, std::vector<Id>> notified_followers;
  // Authors whose posts are merged in at read time instead of pushed (see home_feed.h).
  boost::unordered_flat_set<Id> pulled_authors;
  // Written through SetBlock / SetMute, which keep the two tables below.
  boost::unordered_flat_map<IdPair, Id, IdPairHash> blocks;  // (source, target) -> edge id
  boost::unordered_flat_map<IdPair, MuteInfo, IdPairHash> mutes;
  // Each account's blocks and mutes as {edge id, target}, ascending by edge id (the lists and the
  // cursors of GET /api/v1/blocks and /mutes), and how many blocks each account is in on either
  // side; absent when none. Most accounts are in none, so the checks every status of a page makes
  // for its viewer (BlockedEitherWay, Mutes) probe the viewer's own slot, the same for the whole
  // page, before the large pair tables.
  boost::unordered_flat_map<Id, MarkList> blocks_of;
  boost::unordered_flat_map<Id, MarkList> mutes_of;
  boost::unordered_flat_map<Id, uint32_t> block_parties;

  // A mark is kept once per list that reads it, 40 bytes a favourite (bench/README.md, session
  // 12): whether an account marked a status is a binary search in its ViewerMarks.
  // Ascending by mark id (the cursor): {mark, status} of an account's favourites and bookmarks,
  // {mark, account} of a status's favouriters and bookmarkers (what a deleted status takes
  // along). 16 bytes a mark, where a tree node took 64.
  boost::unordered_flat_map<Id, MarkList> favourites_of_account;
  boost::unordered_flat_map<Id, MarkList> bookmarks_of_account;
  boost::unordered_flat_map<Id, MarkList> favouriters_of_status;
  boost::unordered_flat_map<Id, MarkList> bookmarkers_of_status;
  // Statuses held for review (moderation.h): seen only by their author and by staff.
  boost::unordered_flat_set<Id> held_statuses;
  // By account; mirrors favourites_of_account, bookmarks_of_account and reblog_by (kept by the
  // helpers below).
  boost::unordered_flat_map<Id, ViewerMarks> viewer_marks;
  // True while Domain::Start loads: marks are appended and sorted once at the end.
  bool loading = false;

  // ---- helpers; callers hold mu (shared at least) ----
  // nullptr when absent; see above for how long the pointer is valid.
  const AccountEntry* FindAccount(Id id) const;
  // The same, for updating counts (which change only under mu held exclusively).
  AccountEntry* FindAccount(Id id) {
    return const_cast<AccountEntry*>(std::as_const(*this).FindAccount(id));
  }
  const StatusEntry* FindStatus(Id id) const;
  StatusEntry* FindStatus(Id id) {
    return const_cast<StatusEntry*>(std::as_const(*this).FindStatus(id));
  }
  bool Follows(Id a, Id b) const;
  // The id of a's follow of b; 0 when a does not follow b.
  Id FollowEdge(Id a, Id b) const;
  FollowOptions OptionsOfFollow(Id a, Id b) const;
  // Callers hold mu exclusively. The defaults forget the follow's options (an unfollow).
  void SetFollowOptions(Id a, Id b, FollowOptions options);
  // The followers `author` notifies of its posts, in id order; empty when none.
  std::span<const Id> NotifiedFollowers(Id author) const;
  bool Blocks(Id a, Id b) const { return blocks.count({a, b}) != 0; }
  // Whether `a` is in any block (either side) / mutes anyone: what a page asks once of its viewer.
  bool InBlocks(Id a) const { return !block_parties.empty() && block_parties.contains(a); }
  bool MutesAny(Id a) const { return !mutes_of.empty() && mutes_of.contains(a); }
  bool BlockedEitherWay(Id a, Id b) const { return InBlocks(a) && (Blocks(a, b) || Blocks(b, a)); }
  bool Mutes(Id a, Id b) const { return MutesAny(a) && mutes.count({a, b}) != 0; }
  // Callers hold mu exclusively. Adds (edge id != 0) or removes a's block or mute of b.
  void SetBlock(Id a, Id b, Id edge_id);
  void SetMute(Id a, Id b, std::optional<MuteInfo> mute);
  // Callers hold mu exclusively.
  void AddViewerMark(std::vector<Id> ViewerMarks::*list, Id account, Id status);
  void RemoveViewerMark(std::vector<Id> ViewerMarks::*list, Id account, Id status);
  // Whether `account` has `status` in that list of its marks (not while loading).
  bool HasViewerMark(std::vector<Id> ViewerMarks::*list, Id account, Id status) const;
  // Adds {mark, other} to `list` (appended while loading, sorted by FinishLoad); removes it by
  // mark.
  void AddMark(MarkList& list, Id mark, Id other);
  static void RemoveMark(MarkList& list, Id mark);
  // The mark on `other` in `list`; 0 when there is none. Looks from the newest.
  static Id MarkOn(const MarkList& list, Id other);
  // After a load: sorts every list of marks and gives back the spare capacity of the lists.
  void FinishLoad();
  int64_t FollowerCount(Id a) const;
  // Whether `viewer` (0 = anonymous) may see status `s`: visibility, blocks, suspension, holds.
  bool CanSee(Id viewer, const StatusMeta& s) const {
    return CanSee(viewer, s, viewer != 0 && InBlocks(viewer));
  }
  // The same with InBlocks(viewer) already asked, for a caller that checks many statuses.
  bool CanSee(Id viewer, const StatusMeta& s, bool viewer_in_blocks) const;
  AccountView ViewAccount(const AccountEntry& e) const { return {e.rec, e.counts}; }
  // The viewer's view of status `id` (0 = anonymous): counts, author, the viewer's marks, and
  // the reposted or quoted status when the viewer may see it. nullopt when the viewer may not see
  // the status (or a repost's original).
  std::optional<StatusView> ViewStatus(Id viewer, Id id) const {
    return ViewStatus(viewer, id, MarksOf(viewer));
  }
  // The same with the viewer's marks found (MarksOf: a page finds them once); `depth` > 0 for a
  // nested status.
  std::optional<StatusView> ViewStatus(Id viewer, Id id, const ViewerMarks* marks,
                                       int depth = 0) const;
  // The same for an entry of the table the caller has already checked with CanSee, and its
  // author's entry, written into `v`, a view made for it: false when the viewer may not see the
  // status (a repost's original), and `v` is then to be discarded. A page's views are made where
  // they will stay, and a nested status's where its shared view will hold it, rather than made
  // and moved.
  bool FillSeenStatus(StatusView& v, Id viewer, const StatusEntry& st, const AccountEntry& author,
                      const ViewerMarks* marks, int depth) const;
  // The views of a list of such entries (a page), in order, as FillSeenStatus makes each. The
  // page's authors are looked up together and their records prefetched before any view takes a
  // count on one: independent cache misses that overlap, where one view after another would wait
  // for each in turn.
  std::vector<StatusView> ViewSeenStatuses(Id viewer, std::span<const StatusEntry* const> entries,
                                           const ViewerMarks* marks) const;
  // The viewer's marks (an empty set when it has none). Valid while mu is held.
  const ViewerMarks* MarksOf(Id viewer) const;
};

// Inserts `id` into an ascending vector, keeping it sorted (ids are nearly always the largest).
void InsertSorted(std::vector<Id>& v, Id id);
void EraseSorted(std::vector<Id>& v, Id id);

// Walks `ascending` (sorted by `key(item)`) as a Mastodon page: newest first, or the oldest
// `limit` above min_id (returned newest first), skipping items `accept` rejects without
// shrinking the page. The one paging algorithm behind every list the domain returns.
template <typename T, typename KeyFn, typename AcceptFn>
std::vector<T> PageSorted(const std::vector<T>& ascending, const Page& page, KeyFn key,
                          AcceptFn accept) {
  std::vector<T> out;
  if (page.limit == 0) return out;
  auto below = [&](const T& item, Id bound) { return key(item) < bound; };
  if (page.min_id != 0) {
    auto it = std::upper_bound(ascending.begin(), ascending.end(), page.min_id,
                               [&](Id bound, const T& item) { return bound < key(item); });
    for (; it != ascending.end() && out.size() < page.limit; ++it) {
      if (page.max_id != 0 && key(*it) >= page.max_id) break;
      if (accept(*it)) out.push_back(*it);
    }
    std::reverse(out.begin(), out.end());
    return out;
  }
  auto end = page.max_id != 0
                 ? std::lower_bound(ascending.begin(), ascending.end(), page.max_id, below)
                 : ascending.end();
  for (auto it = std::make_reverse_iterator(end);
       it != ascending.rend() && out.size() < page.limit; ++it) {
    if (key(*it) <= page.since_id) break;
    if (accept(*it)) out.push_back(*it);
  }
  return out;
}

// Pages an ascending id list, keeping the ids `accept` allows.
inline std::vector<Id> PageDescending(const std::vector<Id>& ascending, const Page& page,
                                      const std::function<bool(Id)>& accept) {
  return PageSorted(ascending, page, [](Id id) { return id; }, accept);
}

// Pages items sorted ascending by cursor.
inline std::vector<PageItem> PageItems(const std::vector<PageItem>& ascending, const Page& page) {
  return PageSorted(ascending, page, [](const PageItem& i) { return i.cursor; },
                    [](const PageItem&) { return true; });
}

}  // namespace plaza::domain
