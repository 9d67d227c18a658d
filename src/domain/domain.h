// The domain services wired together over one State, and the start-up load that rebuilds the
// in-memory model from storage. This is the only object the API layer holds.
#pragma once

#include <memory>

#include "domain/accounts.h"
#include "domain/auth.h"
#include "domain/config.h"
#include "domain/graph.h"
#include "domain/home_feed.h"
#include "domain/moderation.h"
#include "domain/notifications.h"
#include "domain/state.h"
#include "domain/statuses.h"
#include "domain/timelines.h"
#include "storage/storage.h"

namespace plaza::domain {

struct LoadStats {
  size_t accounts = 0;
  size_t statuses = 0;
  size_t edges = 0;
  size_t marks = 0;
  int64_t elapsed_ms = 0;
};

class Domain {
 public:
  // `storage` must outlive the Domain.
  Domain(storage::Storage& storage, const DomainConfig& config);
  ~Domain();

  // Rebuilds the in-memory model from storage and starts the fan-out and notification workers.
  Result<LoadStats> Start();
  // Drains fan-out and stops background work.
  void Stop();

  const DomainConfig& config() const { return state_.config; }
  Accounts& accounts() { return accounts_; }
  Auth& auth() { return auth_; }
  Graph& graph() { return graph_; }
  Statuses& statuses() { return statuses_; }
  Timelines& timelines() { return timelines_; }
  Notifications& notifications() { return notifications_; }
  HomeFeed& home() { return home_; }
  Moderation& moderation() { return moderation_; }

 private:
  State state_;
  Notifications notifications_;
  HomeFeed home_;
  Accounts accounts_;
  Auth auth_;
  Graph graph_;
  Statuses statuses_;
  Timelines timelines_;
  Moderation moderation_;
};

}  // namespace plaza::domain
