#include "domain/graph.h"

#include <algorithm>

namespace plaza::domain {
namespace {
constexpr uint64_t kLockPair = 10;

// The first of `account`'s followers (ascending by follow edge id) whose follow of it is not
// older than edge `edge`.
std::vector<Id>::iterator FollowerAt(const State& s, std::vector<Id>& followers, Id account,
                                     Id edge) {
  return std::lower_bound(followers.begin(), followers.end(), edge, [&](Id follower, Id bound) {
    return s.FollowEdge(follower, account) < bound;
  });
}

std::vector<PageItem> SortedPage(std::vector<PageItem> items, const Page& page) {
  std::sort(items.begin(), items.end(),
            [](const PageItem& a, const PageItem& b) { return a.cursor < b.cursor; });
  return PageItems(items, page);
}
}  // namespace

Result<Relationship> Graph::CheckPair(Id source, Id target) const {
  std::shared_lock lock(s_.mu);
  if (s_.FindAccount(source) == nullptr) return Status::NotFound("account not found");
  const AccountEntry* t = s_.FindAccount(target);
  if (t == nullptr || t->rec->suspended) return Status::NotFound("account not found");
  return GetLocked(source, target);
}

Relationship Graph::Get(Id source, Id target) const {
  std::shared_lock lock(s_.mu);
  return GetLocked(source, target);
}

Relationship Graph::GetLocked(Id source, Id target) const {
  Relationship r;
  r.id = target;
  auto f = s_.following.find(source);
  if (f != s_.following.end()) {
    auto it = f->second.find(target);
    if (it != f->second.end()) {
      FollowOptions options = s_.OptionsOfFollow(source, target);
      r.following = true;
      r.showing_reblogs = options.reblogs;
      r.notifying = options.notify;
    }
  }
  r.followed_by = s_.Follows(target, source);
  r.blocking = s_.Blocks(source, target);
  r.blocked_by = s_.Blocks(target, source);
  auto m = s_.mutes.find({source, target});
  if (m != s_.mutes.end()) {
    r.muting = true;
    r.muting_notifications = m->second.notifications;
  }
  return r;
}

void Graph::ApplyFollowLocked(const storage::EdgeRecord& e) {
  s_.SetFollowOptions(e.source, e.target, {e.reblogs, e.notifications});
  auto& out = s_.following[e.source];
  if (!out.try_emplace(e.target, e.id).second) return;  // an update of the options
  auto& in = s_.followers[e.target];
  if (s_.loading || in.empty() || s_.FollowEdge(in.back(), e.target) < e.id) {
    in.push_back(e.source);  // a new edge has the largest id (a load sorts once, FinishLoad)
  } else {
    in.insert(FollowerAt(s_, in, e.target, e.id), e.source);
  }
  if (AccountEntry* a = s_.FindAccount(e.source)) ++a->counts.following;
  if (AccountEntry* b = s_.FindAccount(e.target)) ++b->counts.followers;
  if (static_cast<int64_t>(in.size()) > s_.config.celebrity_threshold) {
    s_.pulled_authors.insert(e.target);
  }
}

void Graph::ApplyUnfollowLocked(Id source, Id target) {
  Id edge = s_.FollowEdge(source, target);
  if (edge == 0) return;
  auto& in = s_.followers[target];
  auto it = FollowerAt(s_, in, target, edge);
  if (it != in.end() && *it == source) in.erase(it);
  s_.following[source].erase(target);
  s_.SetFollowOptions(source, target, {});
  if (AccountEntry* a = s_.FindAccount(source)) --a->counts.following;
  if (AccountEntry* b = s_.FindAccount(target)) --b->counts.followers;
}

Result<Relationship> Graph::Follow(Id source, Id target, std::optional<bool> reblogs,
                                   std::optional<bool> notify) {
  if (source == target) return Status::Unprocessable("you cannot follow yourself");
  auto guard = s_.locks.Lock({KeyLocks::Key(kLockPair, source, target)});
  PLAZA_ASSIGN_OR_RETURN(Relationship rel, CheckPair(source, target));
  if (rel.blocking || rel.blocked_by) return Status::Forbidden("this account cannot be followed");
  storage::EdgeRecord e;
  e.kind = storage::EdgeKind::kFollow;
  e.source = source;
  e.target = target;
  e.reblogs = reblogs.value_or(rel.following ? rel.showing_reblogs : true);
  e.notifications = notify.value_or(rel.following ? rel.notifying : false);
  storage::WriteBatch batch;
  {
    std::shared_lock lock(s_.mu);
    Id existing = s_.FollowEdge(source, target);
    e.id = existing != 0 ? existing : s_.ids.Next();
    batch.Put(e);
    if (!rel.following) {
      notifications_.AddLocked(batch, target, NotificationType::kFollow, source, 0);
    }
  }
  PLAZA_RETURN_IF_ERROR(s_.storage.Commit(batch));
  {
    std::unique_lock lock(s_.mu);
    ApplyFollowLocked(e);
  }
  if (!rel.following) home_.Invalidate(source);
  return Get(source, target);
}

Result<Relationship> Graph::Unfollow(Id source, Id target) {
  auto guard = s_.locks.Lock({KeyLocks::Key(kLockPair, source, target)});
  PLAZA_ASSIGN_OR_RETURN(Relationship rel, CheckPair(source, target));
  if (!rel.following) return rel;
  storage::WriteBatch batch;
  batch.Put(storage::DeleteEdge{storage::EdgeKind::kFollow, source, target});
  PLAZA_RETURN_IF_ERROR(s_.storage.Commit(batch));
  {
    std::unique_lock lock(s_.mu);
    ApplyUnfollowLocked(source, target);
  }
  return Get(source, target);
}

Result<Relationship> Graph::RemoveFollower(Id account, Id follower) {
  return Unfollow(follower, account).ok() ? Result<Relationship>(Get(account, follower))
                                          : Status::NotFound("account not found");
}

Result<Relationship> Graph::Block(Id source, Id target) {
  if (source == target) return Status::Unprocessable("you cannot block yourself");
  auto guard = s_.locks.Lock(
      {KeyLocks::Key(kLockPair, source, target), KeyLocks::Key(kLockPair, target, source)});
  PLAZA_ASSIGN_OR_RETURN(Relationship rel, CheckPair(source, target));
  if (rel.blocking) return rel;
  storage::EdgeRecord e;
  e.kind = storage::EdgeKind::kBlock;
  e.source = source;
  e.target = target;
  e.id = s_.ids.Next();
  storage::WriteBatch batch;
  batch.Put(e);
  batch.Put(storage::DeleteEdge{storage::EdgeKind::kFollow, source, target});
  batch.Put(storage::DeleteEdge{storage::EdgeKind::kFollow, target, source});
  PLAZA_RETURN_IF_ERROR(s_.storage.Commit(batch));
  {
    std::unique_lock lock(s_.mu);
    s_.SetBlock(source, target, e.id);
    ApplyUnfollowLocked(source, target);
    ApplyUnfollowLocked(target, source);
  }
  return Get(source, target);
}

Result<Relationship> Graph::Unblock(Id source, Id target) {
  auto guard = s_.locks.Lock({KeyLocks::Key(kLockPair, source, target)});
  PLAZA_ASSIGN_OR_RETURN(Relationship rel, CheckPair(source, target));
  if (!rel.blocking) return rel;
  storage::WriteBatch batch;
  batch.Put(storage::DeleteEdge{storage::EdgeKind::kBlock, source, target});
  PLAZA_RETURN_IF_ERROR(s_.storage.Commit(batch));
  {
    std::unique_lock lock(s_.mu);
    s_.SetBlock(source, target, 0);
  }
  return Get(source, target);
}

Result<Relationship> Graph::Mute(Id source, Id target, bool notifications) {
  if (source == target) return Status::Unprocessable("you cannot mute yourself");
  auto guard = s_.locks.Lock({KeyLocks::Key(kLockPair, source, target)});
  PLAZA_RETURN_IF_ERROR(CheckPair(source, target).status());
  storage::EdgeRecord e;
  e.kind = storage::EdgeKind::kMute;
  e.source = source;
  e.target = target;
  e.notifications = notifications;
  {
    std::shared_lock lock(s_.mu);
    auto m = s_.mutes.find({source, target});
    e.id = m != s_.mutes.end() ? m->second.edge_id : s_.ids.Next();
  }
  storage::WriteBatch batch;
  batch.Put(e);
  PLAZA_RETURN_IF_ERROR(s_.storage.Commit(batch));
  {
    std::unique_lock lock(s_.mu);
    s_.SetMute(source, target, MuteInfo{e.id, notifications});
  }
  return Get(source, target);
}

Result<Relationship> Graph::Unmute(Id source, Id target) {
  auto guard = s_.locks.Lock({KeyLocks::Key(kLockPair, source, target)});
  PLAZA_ASSIGN_OR_RETURN(Relationship rel, CheckPair(source, target));
  if (!rel.muting) return rel;
  storage::WriteBatch batch;
  batch.Put(storage::DeleteEdge{storage::EdgeKind::kMute, source, target});
  PLAZA_RETURN_IF_ERROR(s_.storage.Commit(batch));
  {
    std::unique_lock lock(s_.mu);
    s_.SetMute(source, target, std::nullopt);
  }
  return Get(source, target);
}

std::vector<PageItem> Graph::Followers(Id account, const Page& page) const {
  std::shared_lock lock(s_.mu);
  auto it = s_.followers.find(account);
  if (it == s_.followers.end()) return {};
  // Already in follow order: the page is a binary search and `limit` followers, however many.
  auto edge = [&](Id follower) { return s_.FollowEdge(follower, account); };
  std::vector<Id> ids = PageSorted(it->second, page, edge, [](Id) { return true; });
  std::vector<PageItem> items;
  items.reserve(ids.size());
  for (Id follower : ids) items.push_back({edge(follower), follower});
  return items;
}

std::vector<PageItem> Graph::Following(Id account, const Page& page) const {
  std::vector<PageItem> items;
  {
    std::shared_lock lock(s_.mu);
    auto it = s_.following.find(account);
    if (it != s_.following.end()) {
      items.reserve(it->second.size());
      for (const auto& [target, edge] : it->second) items.push_back({edge, target});
    }
  }
  return SortedPage(std::move(items), page);
}

std::vector<PageItem> Graph::Blocked(Id account, const Page& page) const {
  std::shared_lock lock(s_.mu);
  auto it = s_.blocks_of.find(account);
  return it == s_.blocks_of.end() ? std::vector<PageItem>() : PageItems(it->second, page);
}

std::vector<PageItem> Graph::Muted(Id account, const Page& page) const {
  std::shared_lock lock(s_.mu);
  auto it = s_.mutes_of.find(account);
  return it == s_.mutes_of.end() ? std::vector<PageItem>() : PageItems(it->second, page);
}

}  // namespace plaza::domain
