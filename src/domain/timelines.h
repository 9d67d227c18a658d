// Timeline reads: home (hybrid fan-out, see home_feed.h), public (local), topic (#tag#) and an
// account's own statuses. Each returns status ids newest first, already filtered for the viewer;
// Statuses::GetMany hydrates them. Thread-safe.
#pragma once

#include <string_view>
#include <vector>

#include "domain/home_feed.h"
#include "domain/model.h"
#include "domain/state.h"

namespace plaza::domain {

struct AccountTimelineOptions {
  bool exclude_replies = false;
  bool exclude_reblogs = false;
  std::string tagged;  // normalized topic, empty = any
};

class Timelines {
 public:
  Timelines(State& state, HomeFeed& home) : s_(state), home_(home) {}

  std::vector<Id> Home(Id viewer, const Page& page) { return home_.Read(viewer, page); }
  // The home page as the viewer's views, made under the lock that filtered it (what the API
  // renders; see HomeFeed::ReadViews).
  std::vector<StatusView> HomeViews(Id viewer, const Page& page) {
    return home_.ReadViews(viewer, page);
  }
  std::vector<Id> Public(Id viewer, const Page& page) const;
  std::vector<Id> Tag(Id viewer, std::string_view normalized_tag, const Page& page) const;
  // kNotFound when the account does not exist or blocks the viewer.
  Result<std::vector<Id>> Account(Id viewer, Id account, const Page& page,
                                  const AccountTimelineOptions& options) const;
  // The same page as the viewer's views of its statuses (what the API renders), made under the
  // lock that filtered them.
  Result<std::vector<StatusView>> AccountViews(Id viewer, Id account, const Page& page,
                                               const AccountTimelineOptions& options) const;

 private:
  // REQUIRES: State::mu held (shared).
  Result<std::vector<Id>> AccountLocked(Id viewer, Id account, const Page& page,
                                        const AccountTimelineOptions& options) const;
  // REQUIRES: State::mu held (shared). Public-timeline filter for the viewer.
  bool AcceptPublicLocked(Id viewer, Id status_id) const;

  State& s_;
  HomeFeed& home_;
};

}  // namespace plaza::domain
