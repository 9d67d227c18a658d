// The live state of one flash-sale campaign, shared by commerce.cc and stats.cc. Internal to
// src/domain/commerce.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <boost/unordered/unordered_flat_map.hpp>
#include <boost/unordered/unordered_flat_set.hpp>

#include "domain/commerce/commerce.h"

namespace plaza::domain::commerce {

// A campaign's live sale state. `mu` is held only for in-memory bookkeeping, never across a
// commit, so attempts on one campaign proceed at memory speed and their commits group-commit.
struct Commerce::CampaignState {
  std::shared_ptr<const CampaignRecord> rec;
  std::mutex mu;
  // ---- guarded by mu ----
  int64_t sold = 0;  // units held by committed orders and by attempts committing now
  // Flat tables: at a million buyers these are probed once per attempt, and a node-based map
  // costs a cache miss per bucket and per node (and an allocation per insert).
  boost::unordered_flat_map<Id, int64_t> held_by_account;
  boost::unordered_flat_map<Id, uint32_t> attempts_by_account;
  boost::unordered_flat_map<std::string, uint32_t> attempts_by_ip;
  boost::unordered_flat_set<Id> reservations;
  // Losing answers by (buyer, Idempotency-Key), so a retry hears the same thing.
  std::map<std::pair<Id, std::string>, Status> losses;
  // Wins by (buyer, Idempotency-Key), from the decision on. A retry of a win still committing
  // waits in `waiters` for the commit's outcome; once `durable`, the order is in orders_.
  struct Win {
    Id order_id = 0;
    bool durable = false;
    std::vector<BuyCallback> waiters;
  };
  std::map<std::pair<Id, std::string>, Win> wins;
};

}  // namespace plaza::domain::commerce
