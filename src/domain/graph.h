// The follow graph: follow, unfollow, block, mute and the lists and relationships built on them.
// A block removes follows both ways and stops the blocked account from following, seeing or
// interacting with the blocker. Thread-safe.
#pragma once

#include <optional>
#include <vector>

#include "common/status.h"
#include "domain/home_feed.h"
#include "domain/model.h"
#include "domain/notifications.h"
#include "domain/state.h"

namespace plaza::domain {

class Graph {
 public:
  Graph(State& state, Notifications& notifications, HomeFeed& home)
      : s_(state), notifications_(notifications), home_(home) {}

  Result<Relationship> Follow(Id source, Id target, std::optional<bool> reblogs,
                              std::optional<bool> notify);
  Result<Relationship> Unfollow(Id source, Id target);
  Result<Relationship> Block(Id source, Id target);
  Result<Relationship> Unblock(Id source, Id target);
  Result<Relationship> Mute(Id source, Id target, bool notifications);
  Result<Relationship> Unmute(Id source, Id target);
  // Removes `follower` from `account`'s followers.
  Result<Relationship> RemoveFollower(Id account, Id follower);

  Relationship Get(Id source, Id target) const;

  // Followers of / accounts followed by `account`; cursor = follow edge id.
  std::vector<PageItem> Followers(Id account, const Page& page) const;
  std::vector<PageItem> Following(Id account, const Page& page) const;
  std::vector<PageItem> Blocked(Id account, const Page& page) const;
  std::vector<PageItem> Muted(Id account, const Page& page) const;

  // Applies a follow edge to memory. REQUIRES: State::mu held exclusively.
  void ApplyFollowLocked(const storage::EdgeRecord& e);
  void ApplyUnfollowLocked(Id source, Id target);

 private:
  Result<Relationship> CheckPair(Id source, Id target) const;
  Relationship GetLocked(Id source, Id target) const;

  State& s_;
  Notifications& notifications_;
  HomeFeed& home_;
};

}  // namespace plaza::domain
