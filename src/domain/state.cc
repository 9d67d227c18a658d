#include "domain/state.h"

#include <algorithm>
#include <boost/container/small_vector.hpp>

#include "common/prefetch.h"

namespace plaza::domain {

KeyLocks::Guard::Guard(KeyLocks& locks, const std::vector<uint64_t>& keys) : locks_(locks) {
  stripes_.reserve(keys.size());
  for (uint64_t k : keys) stripes_.push_back(static_cast<size_t>(k % kStripes));
  std::sort(stripes_.begin(), stripes_.end());
  stripes_.erase(std::unique(stripes_.begin(), stripes_.end()), stripes_.end());
  for (size_t s : stripes_) locks_.mu_[s].lock();
}

KeyLocks::Guard::~Guard() {
  for (auto it = stripes_.rbegin(); it != stripes_.rend(); ++it) locks_.mu_[*it].unlock();
}

uint64_t KeyLocks::Key(uint64_t kind, uint64_t a, uint64_t b) {
  uint64_t h = kind * 0xD6E8FEB86659FD93ull;
  h ^= a + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
  h ^= b + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
  h ^= h >> 31;
  return h;
}

const AccountEntry* State::FindAccount(Id id) const {
  auto it = accounts.find(id);
  return it == accounts.end() ? nullptr : &it->second;
}

const StatusEntry* State::FindStatus(Id id) const {
  auto it = statuses.find(id);
  return it == statuses.end() ? nullptr : &*it;
}

bool State::Follows(Id a, Id b) const {
  auto it = following.find(a);
  return it != following.end() && FolloweesHold(it->second, b);
}

Id State::FollowEdge(Id a, Id b) const {
  auto it = following.find(a);
  if (it == following.end()) return 0;
  auto edge = it->second.find(b);
  return edge == it->second.end() ? 0 : edge->second;
}

FollowOptions State::OptionsOfFollow(Id a, Id b) const {
  if (follow_options.empty()) return {};  // the usual case: every follow has the defaults
  auto it = follow_options.find({a, b});
  return it == follow_options.end() ? FollowOptions{} : it->second;
}

void State::SetFollowOptions(Id a, Id b, FollowOptions options) {
  const bool notified = OptionsOfFollow(a, b).notify;
  if (options == FollowOptions{}) {
    follow_options.erase({a, b});
  } else {
    follow_options[{a, b}] = options;
  }
  if (options.notify && !notified) {
    std::vector<Id>& ids = notified_followers[b];
    ids.insert(std::upper_bound(ids.begin(), ids.end(), a), a);
  } else if (!options.notify && notified) {
    if (auto it = notified_followers.find(b); it != notified_followers.end()) {
      std::vector<Id>& ids = it->second;
      auto at = std::lower_bound(ids.begin(), ids.end(), a);
      if (at != ids.end() && *at == a) ids.erase(at);
      if (ids.empty()) notified_followers.erase(it);
    }
  }
}

std::span<const Id> State::NotifiedFollowers(Id author) const {
  if (notified_followers.empty()) return {};  // the usual case: nobody asked
  auto it = notified_followers.find(author);
  return it == notified_followers.end() ? std::span<const Id>{} : std::span<const Id>(it->second);
}

int64_t State::FollowerCount(Id a) const {
  auto it = followers.find(a);
  return it == followers.end() ? 0 : static_cast<int64_t>(it->second.size());
}

namespace {

// The entries of status `id` and of its author when `viewer` may see the status; nulls otherwise.
struct SeenEntries {
  const StatusEntry* status = nullptr;
  const AccountEntry* author = nullptr;
};
SeenEntries FindSeen(const State& s, Id viewer, Id id) {
  const StatusEntry* st = s.FindStatus(id);
  if (st == nullptr || !s.CanSee(viewer, *st->rec)) return {};
  const AccountEntry* author = s.FindAccount(st->rec->account_id);
  if (author == nullptr) return {};
  return {st, author};
}

// A nested status's view (a repost's original, a quoted status), made where it will be held;
// null when `viewer` may not see it.
std::shared_ptr<const StatusView> NestedView(const State& s, Id viewer, Id id,
                                             const ViewerMarks* marks, int depth) {
  SeenEntries seen = FindSeen(s, viewer, id);
  if (seen.status == nullptr) return nullptr;
  auto v = std::make_shared<StatusView>();
  if (!s.FillSeenStatus(*v, viewer, *seen.status, *seen.author, marks, depth)) return nullptr;
  return v;
}

}  // namespace

std::optional<StatusView> State::ViewStatus(Id viewer, Id id, const ViewerMarks* marks,
                                            int depth) const {
  SeenEntries seen = FindSeen(*this, viewer, id);
  if (seen.status == nullptr) return std::nullopt;
  std::optional<StatusView> v(std::in_place);
  if (!FillSeenStatus(*v, viewer, *seen.status, *seen.author, marks, depth)) return std::nullopt;
  return v;
}

const ViewerMarks* State::MarksOf(Id viewer) const {
  static const ViewerMarks kNone;
  auto marks = viewer_marks.find(viewer);
  return marks != viewer_marks.end() ? &marks->second : &kNone;
}

std::vector<StatusView> State::ViewSeenStatuses(Id viewer,
                                                std::span<const StatusEntry* const> entries,
                                                const ViewerMarks* marks) const {
  boost::container::small_vector<const AccountEntry*, 40> authors(entries.size());
  for (size_t i = 0; i < entries.size(); ++i) {
    authors[i] = FindAccount(entries[i]->rec->account_id);
  }
  for (const AccountEntry* a : authors) {
    if (a != nullptr) PrefetchShared(a->rec.get());  // the record and the count a view takes
  }
  std::vector<StatusView> views;
  views.reserve(entries.size());
  for (size_t i = 0; i < entries.size(); ++i) {
    if (authors[i] == nullptr) continue;
    if (!FillSeenStatus(views.emplace_back(), viewer, *entries[i], *authors[i], marks, 0)) {
      views.pop_back();
    }
  }
  return views;
}

bool State::FillSeenStatus(StatusView& v, Id viewer, const StatusEntry& st,
                           const AccountEntry& author, const ViewerMarks* marks, int depth) const {
  v.rec = st.rec;
  v.counts = st.counts;
  v.author = ViewAccount(author);
  const Id id = st.rec->id;
  if (viewer != 0) {
    const ViewerMarks& m = *marks;
    v.favourited = std::binary_search(m.favourited.begin(), m.favourited.end(), id);
    v.bookmarked = std::binary_search(m.bookmarked.begin(), m.bookmarked.end(), id);
    v.reblogged = std::binary_search(m.reblogged.begin(), m.reblogged.end(), id);
    v.muted = false;
  }
  if (st.rec->reblog_of_id != 0) {
    if (depth > 0) return false;
    v.reblog = NestedView(*this, viewer, st.rec->reblog_of_id, marks, depth + 1);
    if (v.reblog == nullptr) return false;  // a repost of something the viewer cannot see
  } else if (st.rec->quote_of_id() != 0 && depth < 2) {
    v.quote = NestedView(*this, viewer, st.rec->quote_of_id(), marks, depth + 1);
  }
  return true;
}

namespace {

// Adds `delta` (+1 or -1) to `id`'s count, dropping the entry at zero.
void Count(boost::unordered_flat_map<Id, uint32_t>& counts, Id id, int delta) {
  if (delta > 0) {
    ++counts[id];
    return;
  }
  auto it = counts.find(id);
  if (it != counts.end() && --it->second == 0) counts.erase(it);
}

}  // namespace

void State::SetBlock(Id a, Id b, Id edge_id) {
  auto it = blocks.find({a, b});
  if (it != blocks.end()) {
    if (it->second == edge_id) return;
    RemoveMark(blocks_of[a], it->second);
    if (blocks_of[a].empty()) blocks_of.erase(a);
    blocks.erase(it);
    Count(block_parties, a, -1);
    Count(block_parties, b, -1);
  }
  if (edge_id == 0) return;
  blocks.emplace(IdPair{a, b}, edge_id);
  AddMark(blocks_of[a], edge_id, b);
  Count(block_parties, a, +1);
  Count(block_parties, b, +1);
}

void State::SetMute(Id a, Id b, std::optional<MuteInfo> mute) {
  auto it = mutes.find({a, b});
  if (it != mutes.end()) {
    if (mute && it->second.edge_id == mute->edge_id) {
      it->second = *mute;
      return;
    }
    RemoveMark(mutes_of[a], it->second.edge_id);
    if (mutes_of[a].empty()) mutes_of.erase(a);
    mutes.erase(it);
  }
  if (!mute) return;
  mutes.emplace(IdPair{a, b}, *mute);
  AddMark(mutes_of[a], mute->edge_id, b);
}

bool State::CanSee(Id viewer, const StatusMeta& s, bool viewer_in_blocks) const {
  if (viewer == s.account_id) return true;
  if (!held_statuses.empty() && held_statuses.count(s.id) != 0) {
    const AccountEntry* v = FindAccount(viewer);
    return v != nullptr && v->rec->role != Role::kUser && !v->rec->suspended;
  }
  // The small suspended set rather than the author's record: one probe that stays in cache.
  // (Accounts are never removed, and a status is applied only when its author exists.)
  if (!suspended_accounts.empty() && suspended_accounts.contains(s.account_id)) return false;
  if (viewer_in_blocks && (Blocks(viewer, s.account_id) || Blocks(s.account_id, viewer))) {
    return false;
  }
  auto mentioned = [&] {
    return viewer != 0 && std::find(s.mention_ids().begin(), s.mention_ids().end(), viewer) !=
                              s.mention_ids().end();
  };
  switch (s.visibility) {
    case Visibility::kPublic:
    case Visibility::kUnlisted:
      return true;
    case Visibility::kPrivate:
      return viewer != 0 && (Follows(viewer, s.account_id) || mentioned());
    case Visibility::kDirect:
      return mentioned();
  }
  return false;
}

void State::AddViewerMark(std::vector<Id> ViewerMarks::*list, Id account, Id status) {
  std::vector<Id>& v = viewer_marks[account].*list;
  if (loading) {
    v.push_back(status);  // sorted once the load is done (marks arrive in mark-id order)
  } else {
    InsertSorted(v, status);
  }
}

void State::RemoveViewerMark(std::vector<Id> ViewerMarks::*list, Id account, Id status) {
  auto it = viewer_marks.find(account);
  if (it != viewer_marks.end()) EraseSorted(it->second.*list, status);
}

bool State::HasViewerMark(std::vector<Id> ViewerMarks::*list, Id account, Id status) const {
  auto it = viewer_marks.find(account);
  if (it == viewer_marks.end()) return false;
  const std::vector<Id>& v = it->second.*list;
  return std::binary_search(v.begin(), v.end(), status);
}

namespace {
// The first item of `list` whose mark is not below `mark`.
MarkList::iterator MarkAt(MarkList& list, Id mark) {
  return std::lower_bound(list.begin(), list.end(), mark,
                          [](const PageItem& item, Id m) { return item.cursor < m; });
}
}  // namespace

void State::AddMark(MarkList& list, Id mark, Id other) {
  if (loading || list.empty() || list.back().cursor < mark) {
    list.push_back({mark, other});  // mark ids are time-ordered: new marks are the largest
    return;
  }
  list.insert(MarkAt(list, mark), {mark, other});
}

void State::RemoveMark(MarkList& list, Id mark) {
  auto it = MarkAt(list, mark);
  if (it != list.end() && it->cursor == mark) list.erase(it);
}

Id State::MarkOn(const MarkList& list, Id other) {
  auto it =
      std::find_if(list.rbegin(), list.rend(), [&](const PageItem& i) { return i.id == other; });
  return it == list.rend() ? 0 : it->cursor;
}

namespace {

// Gives back the spare capacity of every list in `index`.
template <typename Index>
void TrimEach(Index& index) {
  for (auto& [key, list] : index) list.shrink_to_fit();
}

}  // namespace

void State::FinishLoad() {
  for (auto& [account, marks] : viewer_marks) {
    for (auto list : {&ViewerMarks::favourited, &ViewerMarks::bookmarked, &ViewerMarks::reblogged}) {
      std::vector<Id>& v = marks.*list;
      std::sort(v.begin(), v.end());
      v.erase(std::unique(v.begin(), v.end()), v.end());
      v.shrink_to_fit();
    }
  }
  auto by_mark = [](const PageItem& a, const PageItem& b) { return a.cursor < b.cursor; };
  for (auto* index : {&favourites_of_account, &bookmarks_of_account, &favouriters_of_status,
                      &bookmarkers_of_status, &blocks_of, &mutes_of}) {
    for (auto& [id, list] : *index) {
      std::sort(list.begin(), list.end(), by_mark);
      list.shrink_to_fit();
    }
  }
  // Follows arrive by source: put each account's followers in follow order, keyed by the edge
  // ids their followees hold.
  std::vector<std::pair<Id, Id>> by_edge;  // {edge id, follower}
  for (auto& [account, list] : followers) {
    by_edge.clear();
    for (Id follower : list) by_edge.emplace_back(FollowEdge(follower, account), follower);
    std::sort(by_edge.begin(), by_edge.end());
    for (size_t i = 0; i < list.size(); ++i) list[i] = by_edge[i].second;
  }
  // Lists grown one element at a time hold a quarter to a half again in spare capacity.
  TrimEach(following);
  TrimEach(followers);
  TrimEach(statuses_by_author);
  TrimEach(statuses_by_tag);
  TrimEach(replies_of);
  TrimEach(reblogs_of);
  public_statuses.shrink_to_fit();
}

void InsertSorted(std::vector<Id>& v, Id id) {
  if (v.empty() || v.back() < id) {
    v.push_back(id);
    return;
  }
  auto it = std::lower_bound(v.begin(), v.end(), id);
  if (it == v.end() || *it != id) v.insert(it, id);
}

void EraseSorted(std::vector<Id>& v, Id id) {
  auto it = std::lower_bound(v.begin(), v.end(), id);
  if (it != v.end() && *it == id) v.erase(it);
}

}  // namespace plaza::domain
