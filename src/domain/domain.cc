#include "domain/domain.h"

#include "common/ascii.h"
#include "common/clock.h"
#include "domain/crypto.h"

namespace plaza::domain {

Domain::Domain(storage::Storage& storage, const DomainConfig& config)
    : state_(storage, config),
      notifications_(state_),
      home_(state_),
      accounts_(state_),
      auth_(state_, accounts_),
      graph_(state_, notifications_, home_),
      statuses_(state_, notifications_, home_),
      timelines_(state_, home_),
      moderation_(state_, notifications_, home_, accounts_) {
  InitCrypto();
  accounts_.set_moderation(&moderation_);
  statuses_.set_moderation(&moderation_);
}

Domain::~Domain() { Stop(); }

Result<LoadStats> Domain::Start() {
  LoadStats stats;
  int64_t start = MonotonicNs();
  storage::Storage& st = state_.storage;
  PLAZA_RETURN_IF_ERROR(auth_.Load());
  {
    std::unique_lock lock(state_.mu);
    state_.loading = true;
    PLAZA_RETURN_IF_ERROR(st.ForEachAccount([&](const AccountRecord& rec) {
      accounts_.ApplyAccountLocked(rec);
      state_.ids.AdvancePast(rec.id);
      ++stats.accounts;
      return Status::Ok();
    }));
    // Statuses arrive in id order, so parents and originals precede replies and reposts.
    // Only the meta stays in memory (model.h, StatusMeta).
    PLAZA_RETURN_IF_ERROR(st.ForEachStatus([&](StatusRecord& rec) {
      if (state_.FindAccount(rec.account_id) == nullptr) return Status::Ok();
      state_.ids.AdvancePast(rec.id);
      statuses_.ApplyCreateLocked(MakeStatusMeta(MetaOf(rec)), rec.created_at_ms);
      ++stats.statuses;
      return Status::Ok();
    }));
    PLAZA_RETURN_IF_ERROR(st.ForEachEdge([&](const storage::EdgeRecord& e) {
      if (state_.FindAccount(e.source) == nullptr || state_.FindAccount(e.target) == nullptr) {
        return Status::Ok();
      }
      switch (e.kind) {
        case storage::EdgeKind::kFollow: graph_.ApplyFollowLocked(e); break;
        case storage::EdgeKind::kBlock:
          state_.SetBlock(e.source, e.target, e.id);
          break;
        case storage::EdgeKind::kMute:
          state_.SetMute(e.source, e.target, MuteInfo{e.id, e.notifications});
          break;
      }
      state_.ids.AdvancePast(e.id);
      ++stats.edges;
      return Status::Ok();
    }));
    PLAZA_RETURN_IF_ERROR(st.ForEachMark([&](const storage::MarkRecord& m) {
      if (state_.FindStatus(m.status_id) == nullptr) return Status::Ok();
      statuses_.ApplyMarkLocked(m);
      state_.ids.AdvancePast(m.id);
      ++stats.marks;
      return Status::Ok();
    }));
    state_.FinishLoad();
    state_.loading = false;
  }
  PLAZA_RETURN_IF_ERROR(moderation_.Load());
  home_.Start();
  PLAZA_RETURN_IF_ERROR(notifications_.Start());
  stats.elapsed_ms = (MonotonicNs() - start) / 1'000'000;
  return stats;
}

void Domain::Stop() {
  home_.Stop();
  notifications_.Stop();
}

}  // namespace plaza::domain
