// The storage contract every Plaza adapter (memory, RocksDB, later PostgreSQL) implements.
//
// Writes go through Commit(WriteBatch): all operations of one batch become visible together or not
// at all, and when Commit returns OK with `sync` on (the default) they are durable — a crash at any
// later moment does not lose them. Concurrent Commits are allowed; adapters group-commit them.
//
// Reads see every batch whose Commit has returned. A missing record is a Result holding kNotFound,
// never an exception. All methods are thread-safe. No vendor type appears in this interface.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/status.h"
#include "storage/commerce_records.h"
#include "storage/moderation_records.h"
#include "storage/records.h"

namespace plaza::storage {

struct DeleteToken { std::string token_hash; };
struct DeleteAuthCode { std::string code_hash; };
// Deletes the status and all of its edit records.
struct DeleteStatus { Id id = 0; };
struct DeleteEdge { EdgeKind kind = EdgeKind::kFollow; Id source = 0; Id target = 0; };
struct DeleteMark { MarkKind kind = MarkKind::kFavourite; Id account_id = 0; Id status_id = 0; };
struct DeleteNotification { Id account_id = 0; Id id = 0; };
// Deletes every notification of an account.
struct ClearNotifications { Id account_id = 0; };
struct NotificationMarker { Id account_id = 0; Id last_read_id = 0; };
struct DeleteIdempotency { Id account_id = 0; std::string key; };
struct DeletePendingNotify {
  Id status_id = 0;
};

using WriteOp =
    std::variant<AccountRecord, AppRecord, TokenRecord, DeleteToken, AuthCodeRecord, DeleteAuthCode,
                 StatusRecord, DeleteStatus, StatusEditRecord, EdgeRecord, DeleteEdge, MarkRecord,
                 DeleteMark, NotificationRecord, DeleteNotification, ClearNotifications,
                 NotificationMarker, IdempotencyRecord, DeleteIdempotency, PendingNotifyRecord,
                 DeletePendingNotify, ModerationRuleRecord, DeleteModerationRule, HoldRecord,
                 DeleteHold, ReportRecord, AppealRecord, AuditRecord, ShopRecord, ProductRecord,
                 StatusProductsRecord, CampaignRecord, ReservationRecord, OrderRecord,
                 LedgerEntryRecord, PaymentEventRecord>;

// An ordered set of puts and deletes, applied atomically and in order by Storage::Commit.
// A put of a record whose key exists replaces it. Deleting a missing record is not an error.
class WriteBatch {
 public:
  void Put(WriteOp op) { ops_.push_back(std::move(op)); }
  const std::vector<WriteOp>& ops() const { return ops_; }
  bool empty() const { return ops_.empty(); }
  size_t size() const { return ops_.size(); }
  void Clear() { ops_.clear(); }

 private:
  std::vector<WriteOp> ops_;
};

class Storage {
 public:
  virtual ~Storage() = default;

  // Applies `batch` atomically; durable on return when the adapter was opened with sync on.
  virtual Status Commit(const WriteBatch& batch) = 0;

  // Commit without waiting: `done` is called exactly once with Commit's result, after the batch
  // is applied (and durable, with sync on) — on the calling thread before CommitAsync returns,
  // or later on a committer thread of the adapter's. Batches pending together are written as
  // one atomic write and share one fsync (each batch stays atomic; a failure fails the whole
  // group). `done` runs on the committer for every batch of a group: it must not block for long
  // and must not wait for another CommitAsync. Batches committed one after another (the second
  // after the first one's `done`) are applied in that order; concurrent ones in any order.
  // The default commits synchronously.
  virtual void CommitAsync(WriteBatch batch, std::function<void(Status)> done) {
    done(Commit(batch));
  }

  // Makes every batch committed so far durable, including those committed with sync off or in
  // an adapter's bulk-load mode (used by the dataset importer: many unsynced Commits, then one
  // Flush). Adapters whose Commits are always durable have nothing to do.
  virtual Status Flush() { return Status::Ok(); }

  // Full scans used at start-up to rebuild in-memory state, in key order:
  // accounts/apps/statuses by id, edges by (kind, source, target), marks by (kind, account, status).
  // A scan stops early and returns the error if `fn` returns a non-OK Status.
  virtual Status ForEachAccount(const std::function<Status(const AccountRecord&)>& fn) = 0;
  virtual Status ForEachApp(const std::function<Status(const AppRecord&)>& fn) = 0;
  // Access tokens, in hash order.
  virtual Status ForEachToken(const std::function<Status(const TokenRecord&)>& fn) = 0;
  // The record is the callee's: it may move from it (the model keeps every status).
  virtual Status ForEachStatus(const std::function<Status(StatusRecord&)>& fn) = 0;
  virtual Status ForEachEdge(const std::function<Status(const EdgeRecord&)>& fn) = 0;
  virtual Status ForEachMark(const std::function<Status(const MarkRecord&)>& fn) = 0;
  // Deliveries of `status` notifications still under way, by status id.
  virtual Status ForEachPendingNotify(
      const std::function<Status(const PendingNotifyRecord&)>& fn) = 0;
  // Moderation (moderation_records.h), each in id order.
  virtual Status ForEachModerationRule(
      const std::function<Status(const ModerationRuleRecord&)>& fn) = 0;
  virtual Status ForEachHold(const std::function<Status(const HoldRecord&)>& fn) = 0;
  virtual Status ForEachReport(const std::function<Status(const ReportRecord&)>& fn) = 0;
  virtual Status ForEachAppeal(const std::function<Status(const AppealRecord&)>& fn) = 0;
  virtual Status ForEachAudit(const std::function<Status(const AuditRecord&)>& fn) = 0;

  // Commerce (commerce_records.h), each in key order: shops by account, reservations by
  // (campaign, account), the others by id.
  virtual Status ForEachShop(const std::function<Status(const ShopRecord&)>& fn) = 0;
  virtual Status ForEachProduct(const std::function<Status(const ProductRecord&)>& fn) = 0;
  virtual Status ForEachStatusProducts(
      const std::function<Status(const StatusProductsRecord&)>& fn) = 0;
  virtual Status ForEachCampaign(const std::function<Status(const CampaignRecord&)>& fn) = 0;
  virtual Status ForEachReservation(const std::function<Status(const ReservationRecord&)>& fn) = 0;
  virtual Status ForEachOrder(const std::function<Status(const OrderRecord&)>& fn) = 0;
  virtual Status ForEachLedgerEntry(const std::function<Status(const LedgerEntryRecord&)>& fn) = 0;
  virtual Status ForEachPaymentEvent(
      const std::function<Status(const PaymentEventRecord&)>& fn) = 0;
  // kNotFound when the event was never applied.
  virtual Result<PaymentEventRecord> GetPaymentEvent(std::string_view event_id) = 0;

  virtual Result<AccountRecord> GetAccount(Id id) = 0;
  virtual Result<StatusRecord> GetStatus(Id id) = 0;
  virtual Result<TokenRecord> GetToken(std::string_view token_hash) = 0;
  virtual Result<AuthCodeRecord> GetAuthCode(std::string_view code_hash) = 0;
  virtual Result<IdempotencyRecord> GetIdempotency(Id account_id, std::string_view key) = 0;

  // Edits of one status, oldest (version 0) first. Empty when there are none.
  virtual Result<std::vector<StatusEditRecord>> ListStatusEdits(Id status_id) = 0;

  // Notifications of `account_id`, walking ids from `start` (inclusive) newest-first when
  // `descending`, oldest-first otherwise; `start` 0 means from the newest (descending) or the
  // oldest (ascending). Stops when `fn` returns false.
  virtual Status ScanNotifications(Id account_id, Id start, bool descending,
                                   const std::function<bool(const NotificationRecord&)>& fn) = 0;
  // 0 when never set.
  virtual Result<Id> GetNotificationMarker(Id account_id) = 0;
};

}  // namespace plaza::storage
