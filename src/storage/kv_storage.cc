#include "storage/kv_storage.h"

#include <condition_variable>
#include <mutex>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "storage/commerce_codec.h"
#include "storage/moderation_codec.h"
#include "storage/record_codec.h"

namespace plaza::storage {

std::string PrefixSuccessor(std::string_view prefix) {
  std::string s(prefix);
  while (!s.empty()) {
    auto last = static_cast<unsigned char>(s.back());
    if (last != 0xff) {
      s.back() = static_cast<char>(last + 1);
      return s;
    }
    s.pop_back();
  }
  return s;
}

namespace {

// Overload set for std::visit.
template <typename... Fs>
struct Overloaded : Fs... {
  using Fs::operator()...;
};
template <typename... Fs>
Overloaded(Fs...) -> Overloaded<Fs...>;

class KvStorage final : public Storage {
 public:
  KvStorage(std::unique_ptr<KvEngine> engine, const KvStorageOptions& options)
      : engine_(std::move(engine)), sync_(options.sync) {}

  ~KvStorage() override {
    {
      std::lock_guard lock(queue_mu_);
      stopping_ = true;
    }
    queue_cv_.notify_all();
    for (std::thread& t : committers_) t.join();
  }

  Status Commit(const WriteBatch& batch) override {
    if (batch.empty()) return Status::Ok();
    KvWriteBatch kv;
    kv.Reserve(batch.size());  // most records are one key
    for (const WriteOp& op : batch.ops()) AddOp(op, kv);
    return engine_->Write(kv, sync_);
  }

  void CommitAsync(WriteBatch batch, std::function<void(Status)> done) override {
    if (batch.empty()) {
      done(Status::Ok());
      return;
    }
    KvWriteBatch kv;
    kv.Reserve(batch.size());  // most records are one key
    for (const WriteOp& op : batch.ops()) AddOp(op, kv);
    if (!sync_) {
      // Nothing to wait for, so nothing to group.
      done(engine_->Write(kv, false));
      return;
    }
    {
      std::lock_guard lock(queue_mu_);
      if (committers_.empty()) {
        for (int i = 0; i < kCommitters; ++i) committers_.emplace_back([this] { CommitLoop(); });
      }
      queue_.push_back(Pending{std::move(kv), std::move(done)});
      // A committer writing now takes the queue when its write lands (CommitLoop).
      if (writing_) return;
    }
    queue_cv_.notify_one();
  }

  Status Flush() override { return engine_->Flush(); }

  Status ForEachAccount(const std::function<Status(const AccountRecord&)>& fn) override {
    return ForEach(codec::Table::kAccount, codec::DecodeAccount, fn);
  }
  Status ForEachApp(const std::function<Status(const AppRecord&)>& fn) override {
    return ForEach(codec::Table::kApp, codec::DecodeApp, fn);
  }
  Status ForEachToken(const std::function<Status(const TokenRecord&)>& fn) override {
    return ForEach(codec::Table::kToken, codec::DecodeToken, fn);
  }
  Status ForEachStatus(const std::function<Status(StatusRecord&)>& fn) override {
    return ForEach(codec::Table::kStatus, codec::DecodeStatus, fn);
  }
  Status ForEachEdge(const std::function<Status(const EdgeRecord&)>& fn) override {
    return ForEach(codec::Table::kEdge, codec::DecodeEdge, fn);
  }
  Status ForEachMark(const std::function<Status(const MarkRecord&)>& fn) override {
    return ForEach(codec::Table::kMark, codec::DecodeMark, fn);
  }
  Status ForEachPendingNotify(
      const std::function<Status(const PendingNotifyRecord&)>& fn) override {
    return ForEach(codec::Table::kPendingNotify, codec::DecodePendingNotify, fn);
  }

  Status ForEachModerationRule(
      const std::function<Status(const ModerationRuleRecord&)>& fn) override {
    return ForEachPrefix(codec::ModerationPrefix(codec::ModerationKind::kRule),
                         codec::DecodeModerationRule, fn);
  }
  Status ForEachHold(const std::function<Status(const HoldRecord&)>& fn) override {
    return ForEachPrefix(codec::ModerationPrefix(codec::ModerationKind::kHold), codec::DecodeHold,
                         fn);
  }
  Status ForEachReport(const std::function<Status(const ReportRecord&)>& fn) override {
    return ForEachPrefix(codec::ModerationPrefix(codec::ModerationKind::kReport),
                         codec::DecodeReport, fn);
  }
  Status ForEachAppeal(const std::function<Status(const AppealRecord&)>& fn) override {
    return ForEachPrefix(codec::ModerationPrefix(codec::ModerationKind::kAppeal),
                         codec::DecodeAppeal, fn);
  }
  Status ForEachAudit(const std::function<Status(const AuditRecord&)>& fn) override {
    return ForEachPrefix(codec::ModerationPrefix(codec::ModerationKind::kAudit),
                         codec::DecodeAudit, fn);
  }

  Status ForEachShop(const std::function<Status(const ShopRecord&)>& fn) override {
    return ForEachPrefix(codec::CommercePrefix(codec::CommerceKind::kShop), codec::DecodeShop, fn);
  }
  Status ForEachProduct(const std::function<Status(const ProductRecord&)>& fn) override {
    return ForEachPrefix(codec::CommercePrefix(codec::CommerceKind::kProduct),
                         codec::DecodeProduct, fn);
  }
  Status ForEachStatusProducts(
      const std::function<Status(const StatusProductsRecord&)>& fn) override {
    return ForEachPrefix(codec::CommercePrefix(codec::CommerceKind::kStatusProducts),
                         codec::DecodeStatusProducts, fn);
  }
  Status ForEachCampaign(const std::function<Status(const CampaignRecord&)>& fn) override {
    return ForEachPrefix(codec::CommercePrefix(codec::CommerceKind::kCampaign),
                         codec::DecodeCampaign, fn);
  }
  Status ForEachReservation(const std::function<Status(const ReservationRecord&)>& fn) override {
    return ForEachPrefix(codec::CommercePrefix(codec::CommerceKind::kReservation),
                         codec::DecodeReservation, fn);
  }
  Status ForEachOrder(const std::function<Status(const OrderRecord&)>& fn) override {
    return ForEachPrefix(codec::CommercePrefix(codec::CommerceKind::kOrder), codec::DecodeOrder,
                         fn);
  }
  Status ForEachLedgerEntry(const std::function<Status(const LedgerEntryRecord&)>& fn) override {
    return ForEachPrefix(codec::CommercePrefix(codec::CommerceKind::kLedger),
                         codec::DecodeLedgerEntry, fn);
  }
  Status ForEachPaymentEvent(const std::function<Status(const PaymentEventRecord&)>& fn) override {
    return ForEachPrefix(codec::CommercePrefix(codec::CommerceKind::kPaymentEvent),
                         codec::DecodePaymentEvent, fn);
  }
  Result<PaymentEventRecord> GetPaymentEvent(std::string_view event_id) override {
    return Get(codec::PaymentEventKey(event_id), codec::DecodePaymentEvent, "payment event");
  }

  Result<AccountRecord> GetAccount(Id id) override {
    return Get(codec::AccountKey(id), codec::DecodeAccount, "account");
  }
  Result<StatusRecord> GetStatus(Id id) override {
    return Get(codec::StatusKey(id), codec::DecodeStatus, "status");
  }
  Result<TokenRecord> GetToken(std::string_view token_hash) override {
    return Get(codec::TokenKey(token_hash), codec::DecodeToken, "token");
  }
  Result<AuthCodeRecord> GetAuthCode(std::string_view code_hash) override {
    return Get(codec::AuthCodeKey(code_hash), codec::DecodeAuthCode, "authorization code");
  }
  Result<IdempotencyRecord> GetIdempotency(Id account_id, std::string_view key) override {
    return Get(codec::IdempotencyKey(account_id, key), codec::DecodeIdempotency,
               "idempotency key");
  }

  Result<std::vector<StatusEditRecord>> ListStatusEdits(Id status_id) override {
    std::vector<StatusEditRecord> edits;
    Status decode_status;
    Status scan = engine_->Scan(codec::StatusEditPrefix(status_id), {}, /*reverse=*/false,
                                [&](std::string_view key, std::string_view value) {
                                  auto edit = codec::DecodeStatusEdit(key, value);
                                  if (!edit.ok()) {
                                    decode_status = edit.status();
                                    return false;
                                  }
                                  edits.push_back(std::move(edit).value());
                                  return true;
                                });
    if (!scan.ok()) return scan;
    if (!decode_status.ok()) return decode_status;
    return edits;
  }

  Status ScanNotifications(Id account_id, Id start, bool descending,
                           const std::function<bool(const NotificationRecord&)>& fn) override {
    std::string start_key;
    if (start != 0) start_key = codec::NotificationKey(account_id, start);
    Status decode_status;
    Status scan = engine_->Scan(codec::NotificationPrefix(account_id), start_key, descending,
                                [&](std::string_view key, std::string_view value) {
                                  auto n = codec::DecodeNotification(key, value);
                                  if (!n.ok()) {
                                    decode_status = n.status();
                                    return false;
                                  }
                                  return fn(n.value());
                                });
    if (!scan.ok()) return scan;
    return decode_status;
  }

  Result<Id> GetNotificationMarker(Id account_id) override {
    auto value = engine_->Get(codec::NotificationMarkerKey(account_id));
    if (!value.ok()) {
      if (value.status().IsNotFound()) return Id{0};
      return value.status();
    }
    return codec::DecodeMarkerValue(value.value());
  }

 private:
  template <typename Record>
  static void PutRecord(const Record& r, std::string key, KvWriteBatch& kv) {
    kv.Put(std::move(key), codec::EncodeValue(r));
  }

  static void AddOp(const WriteOp& op, KvWriteBatch& kv) {
    std::visit(
        Overloaded{
            [&](const AccountRecord& r) { PutRecord(r, codec::AccountKey(r.id), kv); },
            [&](const AppRecord& r) { PutRecord(r, codec::AppKey(r.id), kv); },
            [&](const TokenRecord& r) { PutRecord(r, codec::TokenKey(r.token_hash), kv); },
            [&](const DeleteToken& d) { kv.Delete(codec::TokenKey(d.token_hash)); },
            [&](const AuthCodeRecord& r) { PutRecord(r, codec::AuthCodeKey(r.code_hash), kv); },
            [&](const DeleteAuthCode& d) { kv.Delete(codec::AuthCodeKey(d.code_hash)); },
            [&](const StatusRecord& r) { PutRecord(r, codec::StatusKey(r.id), kv); },
            [&](const DeleteStatus& d) {
              kv.Delete(codec::StatusKey(d.id));
              std::string prefix = codec::StatusEditPrefix(d.id);
              std::string end = PrefixSuccessor(prefix);
              kv.DeleteRange(std::move(prefix), std::move(end));
            },
            [&](const StatusEditRecord& r) {
              PutRecord(r, codec::StatusEditKey(r.status_id, r.version), kv);
            },
            [&](const EdgeRecord& r) {
              PutRecord(r, codec::EdgeKey(r.kind, r.source, r.target), kv);
            },
            [&](const DeleteEdge& d) { kv.Delete(codec::EdgeKey(d.kind, d.source, d.target)); },
            [&](const MarkRecord& r) {
              PutRecord(r, codec::MarkKey(r.kind, r.account_id, r.status_id), kv);
            },
            [&](const DeleteMark& d) {
              kv.Delete(codec::MarkKey(d.kind, d.account_id, d.status_id));
            },
            [&](const NotificationRecord& r) {
              PutRecord(r, codec::NotificationKey(r.account_id, r.id), kv);
            },
            [&](const DeleteNotification& d) {
              kv.Delete(codec::NotificationKey(d.account_id, d.id));
            },
            [&](const ClearNotifications& c) {
              std::string prefix = codec::NotificationPrefix(c.account_id);
              std::string end = PrefixSuccessor(prefix);
              kv.DeleteRange(std::move(prefix), std::move(end));
            },
            [&](const NotificationMarker& m) {
              kv.Put(codec::NotificationMarkerKey(m.account_id),
                     codec::EncodeMarkerValue(m.last_read_id));
            },
            [&](const IdempotencyRecord& r) {
              PutRecord(r, codec::IdempotencyKey(r.account_id, r.key), kv);
            },
            [&](const DeleteIdempotency& d) {
              kv.Delete(codec::IdempotencyKey(d.account_id, d.key));
            },
            [&](const PendingNotifyRecord& r) {
              PutRecord(r, codec::PendingNotifyKey(r.status_id), kv);
            },
            [&](const DeletePendingNotify& d) { kv.Delete(codec::PendingNotifyKey(d.status_id)); },
            [&](const ModerationRuleRecord& r) {
              PutRecord(r, codec::ModerationKey(codec::ModerationKind::kRule, r.id), kv);
            },
            [&](const DeleteModerationRule& d) {
              kv.Delete(codec::ModerationKey(codec::ModerationKind::kRule, d.id));
            },
            [&](const HoldRecord& r) {
              PutRecord(r, codec::ModerationKey(codec::ModerationKind::kHold, r.target_id), kv);
            },
            [&](const DeleteHold& d) {
              kv.Delete(codec::ModerationKey(codec::ModerationKind::kHold, d.target_id));
            },
            [&](const ReportRecord& r) {
              PutRecord(r, codec::ModerationKey(codec::ModerationKind::kReport, r.id), kv);
            },
            [&](const AppealRecord& r) {
              PutRecord(r, codec::ModerationKey(codec::ModerationKind::kAppeal, r.id), kv);
            },
            [&](const AuditRecord& r) {
              PutRecord(r, codec::ModerationKey(codec::ModerationKind::kAudit, r.id), kv);
            },
            [&](const ShopRecord& r) {
              PutRecord(r, codec::CommerceKey(codec::CommerceKind::kShop, r.account_id), kv);
            },
            [&](const ProductRecord& r) {
              PutRecord(r, codec::CommerceKey(codec::CommerceKind::kProduct, r.id), kv);
            },
            [&](const StatusProductsRecord& r) {
              PutRecord(r, codec::CommerceKey(codec::CommerceKind::kStatusProducts, r.status_id),
                        kv);
            },
            [&](const CampaignRecord& r) {
              PutRecord(r, codec::CommerceKey(codec::CommerceKind::kCampaign, r.id), kv);
            },
            [&](const ReservationRecord& r) {
              PutRecord(r, codec::ReservationKey(r.campaign_id, r.account_id), kv);
            },
            [&](const OrderRecord& r) {
              PutRecord(r, codec::CommerceKey(codec::CommerceKind::kOrder, r.id), kv);
            },
            [&](const LedgerEntryRecord& r) {
              PutRecord(r, codec::CommerceKey(codec::CommerceKind::kLedger, r.id), kv);
            },
            [&](const PaymentEventRecord& r) {
              PutRecord(r, codec::PaymentEventKey(r.event_id), kv);
            },
        },
        op);
  }

  template <typename Record>
  Result<Record> Get(const std::string& key,
                     Result<Record> (*decode)(std::string_view, std::string_view),
                     std::string_view what) {
    auto value = engine_->Get(key);
    if (!value.ok()) {
      if (value.status().IsNotFound()) return Status::NotFound(std::string(what) + " not found");
      return value.status();
    }
    return decode(key, value.value());
  }

  // `fn` is called with each decoded record as an lvalue it may move from (see ForEachStatus).
  template <typename Record, typename Fn>
  Status ForEach(codec::Table table, Result<Record> (*decode)(std::string_view, std::string_view),
                 const Fn& fn) {
    return ForEachPrefix(codec::TablePrefix(table), decode, fn);
  }

  template <typename Record, typename Fn>
  Status ForEachPrefix(const std::string& prefix,
                       Result<Record> (*decode)(std::string_view, std::string_view), const Fn& fn) {
    Status result;
    Status scan = engine_->ScanAll(prefix, [&](std::string_view key, std::string_view value) {
      auto record = decode(key, value);
      result = record.ok() ? fn(record.value()) : record.status();
      return result.ok();
    });
    if (!scan.ok()) return scan;
    return result;
  }

  // A committer: takes every batch pending at that moment, writes them as one synced engine
  // write, then answers each. One committer writes at a time: batches arriving during its write
  // and fsync wait for it to land, and the other committer then takes them all as the next group
  // while this one answers its own (and the callers' completions run). A committer that took
  // whatever was pending whenever it was free would split the posts of one fsync's time into
  // several small groups, each paying an fsync and a thread wake-up.
  void CommitLoop() {
    std::vector<Pending> group;
    for (;;) {
      {
        std::unique_lock lock(queue_mu_);
        queue_cv_.wait(lock, [this] { return (!queue_.empty() && !writing_) || stopping_; });
        if (queue_.empty()) return;  // stopping and drained
        group.swap(queue_);
        writing_ = true;
      }
      KvWriteBatch merged = std::move(group.front().batch);
      for (size_t i = 1; i < group.size(); ++i) merged.Append(std::move(group[i].batch));
      Status st = engine_->Write(merged, /*sync=*/true);
      bool more = false;
      {
        std::lock_guard lock(queue_mu_);
        writing_ = false;
        more = !queue_.empty();
      }
      if (more) queue_cv_.notify_one();
      for (Pending& p : group) p.done(st);
      group.clear();
    }
  }

  struct Pending {
    KvWriteBatch batch;
    std::function<void(Status)> done;
  };
  static constexpr int kCommitters = 2;

  // Set at construction.
  const std::unique_ptr<KvEngine> engine_;
  const bool sync_;

  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::vector<Pending> queue_;          // guarded by queue_mu_
  bool stopping_ = false;               // guarded by queue_mu_
  bool writing_ = false;                // a committer's write is under way; guarded by queue_mu_
  std::vector<std::thread> committers_;  // guarded by queue_mu_; started on first CommitAsync
};

}  // namespace

Result<std::unique_ptr<Storage>> OpenKvStorage(std::unique_ptr<KvEngine> engine,
                                               const KvStorageOptions& options) {
  auto format = engine->Get(codec::FormatKey());
  if (format.ok()) {
    PLAZA_RETURN_IF_ERROR(codec::CheckFormatValue(format.value()));
  } else if (format.status().IsNotFound()) {
    KvWriteBatch init;
    init.Put(codec::FormatKey(), codec::EncodeFormatValue());
    PLAZA_RETURN_IF_ERROR(engine->Write(init, options.sync));
  } else {
    return format.status();
  }
  return std::unique_ptr<Storage>(std::make_unique<KvStorage>(std::move(engine), options));
}

}  // namespace plaza::storage
