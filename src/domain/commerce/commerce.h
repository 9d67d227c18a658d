// Social commerce: shops (an admin approves, the account gets a verified badge), products priced
// in integer minor units, products carried by statuses, orders and their lifecycle
// (pending_payment → paid → shipped → completed, or cancelled / refunded; unpaid orders expire and
// their stock goes back on sale), payments through a PaymentProvider confirmed by a signed webhook,
// a double-entry ledger (buyer, merchant, commission, platform), flash-sale campaigns with a
// reservation phase, attribution of a sale to the repost it came from, and merchant statistics.
//
// Writes follow the domain's rule — validate, commit durably, then apply to memory — with one
// twist for stock: units are taken in memory under a short lock *before* the commit and given
// back if the commit fails, so the fsync happens outside every lock and concurrent buyers
// group-commit instead of queueing behind one another. An answer is given only after its commit,
// so a win that was answered is durable. Sold units are never stored as a counter: at start-up
// they are re-derived from the committed orders, so after a crash sold == orders exactly.
//
// Thread-safe. Every method returns a Status for expected failures: kInvalid / kUnprocessable
// for bad input, kForbidden for someone else's resource, kNotFound, kSoldOut, kRateLimited.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "common/id.h"
#include "common/status.h"
#include "domain/commerce/payment.h"
#include "domain/domain.h"
#include "storage/storage.h"

namespace plaza::domain::commerce {

using storage::CampaignRecord;
using storage::LedgerEntryRecord;
using storage::OrderRecord;
using storage::OrderState;
using storage::ProductRecord;
using storage::ProductState;
using storage::ShopRecord;
using storage::ShopState;

struct CommerceConfig {
  std::string default_currency = "CNY";
  // An unpaid order is cancelled this long after it was placed and its units go back on sale.
  int64_t order_ttl_ms = 15 * 60 * 1000;
  int64_t expiry_scan_interval_ms = 500;
  uint32_t platform_fee_bp = 200;  // Plaza's fee on every sale, in basis points
  // HMAC key shared with the payment provider. Empty: a random key for this process (sandbox).
  std::string webhook_secret;
  int64_t webhook_tolerance_ms = 5 * 60 * 1000;
};

// Input limits; beyond them input is refused with a 4xx.
inline constexpr int64_t kMaxPriceMinor = 1'000'000'000'000;  // 10 billion yuan
inline constexpr int64_t kMaxStock = 1'000'000'000;
inline constexpr int64_t kMaxQuantity = 10'000;
inline constexpr size_t kMaxProductsPerStatus = 9;
inline constexpr size_t kMaxOrderLines = 50;

struct ShopApplication {
  std::string name;
  std::string description;
};

struct VariantInput {
  std::string sku;
  std::string name;
  int64_t price_minor = 0;  // 0 = the product's price
  int64_t stock = 0;
};

// Fields of a product; on update, absent fields keep their value.
struct ProductInput {
  std::optional<std::string> title;
  std::optional<std::string> description;
  std::optional<std::vector<std::string>> images;
  std::optional<int64_t> price_minor;
  std::optional<std::string> currency;
  std::optional<int64_t> stock;  // units available now
  std::optional<std::vector<VariantInput>> variants;
  std::optional<ProductState> state;
  std::optional<int64_t> affiliate_bp;
};

// A product with its live availability.
struct ProductView {
  std::shared_ptr<const ProductRecord> rec;
  int64_t available = 0;               // without variants
  std::vector<int64_t> variant_available;  // parallel to rec->variants
};

struct LineInput {
  Id product_id = 0;
  std::string sku;
  int64_t quantity = 0;
};

struct NewOrder {
  std::vector<LineInput> lines;
  std::string currency;  // optional; must match the products' when given
  Id via_status_id = 0;
  std::string idempotency_key;
};

struct CampaignInput {
  Id product_id = 0;
  std::string sku;
  std::string title;
  std::optional<int64_t> price_minor;  // default: the product's (variant's) price
  int64_t units = 0;
  int64_t per_account_limit = 1;
  bool reservation_required = false;
  bool exclude_new_accounts = false;
  int64_t max_attempts_per_account = 0;
  int64_t max_attempts_per_ip = 0;
  int64_t start_at_ms = 0;
  int64_t end_at_ms = 0;
};

struct BuyRequest {
  Id campaign_id = 0;
  int64_t quantity = 1;
  Id via_status_id = 0;
  std::string idempotency_key;
  std::string client_ip;
};

// The answer of a purchase attempt made with Commerce::BuyAsync.
using BuyCallback = std::function<void(Result<OrderRecord>)>;

// Live state of a campaign, for everyone and for the caller.
struct CampaignView {
  std::shared_ptr<const CampaignRecord> rec;
  int64_t sold = 0;
  int64_t remaining = 0;
  int64_t reservations = 0;
  std::string phase;  // "reservation", "on_sale", "sold_out", "ended"
  bool reserved = false;      // the caller's
  int64_t bought = 0;         // units the caller holds
};

// The answer of a payment or refund: the order after the webhook and what the provider sent.
struct PaymentResult {
  OrderRecord order;
  std::string provider;
  SignedWebhook webhook;
};

struct SalesRow {
  std::string key;  // product id, status id, day (YYYY-MM-DD) or account id
  int64_t orders = 0;
  int64_t units = 0;
  int64_t revenue_minor = 0;
  int64_t commission_minor = 0;
};

struct CampaignStats {
  Id campaign_id = 0;
  int64_t units = 0;
  int64_t reservations = 0;
  int64_t orders = 0;            // orders not cancelled
  int64_t units_sold = 0;
  int64_t paid_orders = 0;
  int64_t reservation_holders_who_bought = 0;
};

struct MerchantStats {
  std::string currency;
  std::vector<SalesRow> by_product;
  std::vector<SalesRow> by_status;
  std::vector<SalesRow> by_day;
  std::vector<SalesRow> top_reposters;
  std::vector<CampaignStats> campaigns;
};

struct LedgerReport {
  bool balanced = true;
  size_t entries = 0;
  size_t transactions = 0;
  size_t orders_checked = 0;
  std::map<std::string, int64_t> totals;  // "<account kind>:<currency>" -> sum
  std::vector<std::string> problems;
};

std::string_view OrderStateName(OrderState s);

// Checks the ledger in `storage`: every transaction sums to zero per currency, every paid,
// shipped or completed order has exactly one payment whose buyer leg is its total, a refunded
// order nets to zero, and an order never paid has no entries.
Result<LedgerReport> CheckLedger(storage::Storage& storage);

class Commerce {
 public:
  // `storage` and `domain` must outlive the Commerce; `domain` must have been started.
  // With no provider given, the sandbox provider is used, delivering to HandleWebhook.
  Commerce(storage::Storage& storage, Domain& domain, CommerceConfig config,
           std::unique_ptr<PaymentProvider> provider = nullptr);
  ~Commerce();
  Commerce(const Commerce&) = delete;
  Commerce& operator=(const Commerce&) = delete;

  // Loads every commerce record and starts the expiry worker.
  Status Start();
  void Stop();

  const CommerceConfig& config() const { return config_; }
  std::string_view provider_name() const { return provider_->name(); }

  // ---- shops ----
  Result<ShopRecord> ApplyForShop(Id account, const ShopApplication& in);
  // REQUIRES: `admin` has the admin role (checked; kForbidden otherwise).
  Result<ShopRecord> DecideShop(Id admin, Id shop_account, bool approve);
  std::optional<ShopRecord> GetShop(Id account) const;
  bool IsVerified(Id account) const;
  // A number that grows whenever a shop's verification or a status's products change. An answer
  // of IsVerified or ProductsOfStatus read after seeing version V stays true while the version is
  // still V, so a renderer may keep "not verified" or "no products" without asking again.
  uint64_t Version() const { return version_.load(std::memory_order_acquire); }
  // Shops in `state`, for admins.
  Result<std::vector<ShopRecord>> ListShops(Id admin, ShopState state) const;

  // ---- products ----
  Result<ProductView> CreateProduct(Id merchant, const ProductInput& in);
  Result<ProductView> UpdateProduct(Id merchant, Id product, const ProductInput& in);
  // Drafts and archived products are visible only to their merchant.
  Result<ProductView> GetProduct(Id viewer, Id product) const;
  std::vector<ProductView> ListProducts(Id viewer, Id merchant) const;

  // ---- products in statuses ----
  // Checks that `author` may attach `products` to a status (own, active, at most 9, no repeats).
  Status CheckStatusProducts(Id author, const std::vector<Id>& products) const;
  // Attaches `products` to the author's status `status_id` (re-checks as above).
  Status AttachToStatus(Id author, Id status_id, const std::vector<Id>& products);
  // Makes a new post carry `products`: fills NewStatus::extend_batch (checks as above and adds
  // the status's products record to the post's own batch, so both commit together) and
  // NewStatus::applied (shows them once the post is durable).
  void CarryProducts(Id author, std::vector<Id> products, NewStatus& post);
  // The products a status carries, in order; for a repost, those of the reposted status.
  std::vector<ProductView> ProductsOfStatus(Id status_id) const;

  // ---- orders ----
  Result<OrderRecord> PlaceOrder(Id buyer, const NewOrder& in);
  // The order when `viewer` is its buyer or merchant; kNotFound otherwise.
  Result<OrderRecord> GetOrder(Id viewer, Id order) const;
  // The buyer's orders (as_merchant false) or the merchant's, newest first.
  std::vector<OrderRecord> ListOrders(Id viewer, bool as_merchant, size_t limit) const;
  Result<OrderRecord> CancelOrder(Id buyer, Id order);
  Result<PaymentResult> PayOrder(Id buyer, Id order);
  Result<OrderRecord> ShipOrder(Id merchant, Id order);
  Result<OrderRecord> CompleteOrder(Id buyer, Id order);
  Result<PaymentResult> RefundOrder(Id merchant, Id order);
  // Cancels every unpaid order whose time is up (the expiry worker calls this). Returns how many.
  size_t ExpireDue(int64_t now_ms);

  // ---- payments ----
  // Verifies `signature` over `body`, then applies `event` (parsed from `body`) once:
  // kUnauthorized for a bad signature, kInvalid for a stale one, kConflict for an event already
  // applied, kUnprocessable when it does not match its order.
  Status HandleWebhook(std::string_view body, std::string_view signature,
                       const PaymentEvent& event);
  std::vector<LedgerEntryRecord> LedgerOfOrder(Id viewer, Id order) const;
  // Sum of commission credited to `account` (affiliate earnings), per currency.
  std::map<std::string, int64_t> CommissionOf(Id account) const;

  // ---- campaigns ----
  Result<CampaignView> CreateCampaign(Id merchant, const CampaignInput& in);
  Result<CampaignView> GetCampaign(Id viewer, Id campaign) const;
  Result<CampaignView> Reserve(Id account, Id campaign);
  // One purchase attempt: an order in pending_payment, or kSoldOut. Retries with the same
  // Idempotency-Key get the same answer. Blocks until a win is durable (BuyAsync, then a wait).
  Result<OrderRecord> Buy(Id buyer, const BuyRequest& in);
  // The same attempt without blocking: the decision is made in memory under the campaign's short
  // lock, and `done` is called exactly once — at once, on the calling thread, for a loss, a
  // refusal or a replay of a decided answer; for a win, only after the win's order is durable
  // (Storage::CommitAsync: winners pending together share one write and one fsync), from the
  // storage's committer thread — or at once, when the storage does not sync. When that commit
  // fails the units go back on sale and `done` hears the error. `done` must not block for long:
  // it runs on the committer for every win of a group.
  void BuyAsync(Id buyer, const BuyRequest& in, BuyCallback done);

  // ---- merchant views ----
  MerchantStats Stats(Id merchant) const;

 private:
  // The rule and the record shared by AttachToStatus and CarryProducts: only the author's own
  // post (not a repost) carries products; adds the status's products record to `batch`.
  Status PutStatusProducts(Id author, const StatusMeta& status, const std::vector<Id>& products,
                           storage::WriteBatch& batch) const;
  // Shows a committed products record.
  void ApplyStatusProducts(Id status_id, std::vector<Id> products);
  struct CampaignState;

  Status LoadLocked();
  Result<std::shared_ptr<const ProductRecord>> CheckProductInput(Id merchant,
                                                                 const ProductRecord* old,
                                                                 const ProductInput& in) const;
  // Runs product text through the moderation rules: the text to store, or kUnprocessable.
  Result<std::string> Moderate(Id merchant, std::string_view field, const std::string& text) const;
  ProductView ViewLocked(const std::shared_ptr<const ProductRecord>& p) const;
  // Who earns commission for a purchase of `product` from `via_status`, or an error when the
  // status does not carry the product. REQUIRES: mu_ not held.
  Result<Id> ResolveAffiliate(Id buyer, Id via_status, Id product, Id merchant) const;
  // Gives the units of a cancelled, refunded or uncommitted order back to sale.
  void ReturnStock(const OrderRecord& o);
  void ApplyOrderLocked(const OrderRecord& o);
  // Commits a new order whose stock is already held, outside every lock so concurrent winners
  // share one fsync; gives the stock back if the commit fails, applies the order otherwise.
  Result<OrderRecord> CommitNewOrder(OrderRecord o);
  // A campaign win whose units are held, waiting for its order to be durable.
  struct PendingWin {
    OrderRecord order;
    std::shared_ptr<CampaignState> campaign;
    BuyCallback done;
  };
  // Decides an attempt: its answer now, or nothing when `done` was handed on (to CommitWin, or
  // to wait for the commit of the same key's win).
  std::optional<Result<OrderRecord>> DecideAttempt(Id buyer, const BuyRequest& in,
                                                   BuyCallback& done);
  // Commits a win's order with Storage::CommitAsync (wins pending together share one fsync);
  // FinishWin then applies it (or returns its units) and answers it and any retries waiting.
  void CommitWin(PendingWin win);
  void FinishWin(PendingWin& win, const Status& st);
  Result<OrderRecord> Transition(Id actor, Id order, bool actor_is_merchant,
                                 OrderState from_a, OrderState from_b, OrderState to,
                                 std::string_view reason);
  void ExpiryLoop();
  std::vector<LedgerEntryRecord> PaymentEntries(const OrderRecord& o, bool refund, int64_t now);

  storage::Storage& storage_;
  Domain& domain_;
  const CommerceConfig config_;
  std::string secret_;
  std::unique_ptr<PaymentProvider> provider_;
  IdGenerator ids_;
  KeyLocks locks_;

  mutable std::shared_mutex mu_;
  // Version(): raised, with mu_ held exclusively, after each change it covers.
  std::atomic<uint64_t> version_{1};
  // ---- guarded by mu_ ----
  std::unordered_map<Id, ShopRecord> shops_;
  std::unordered_map<Id, std::shared_ptr<const ProductRecord>> products_;
  std::unordered_map<Id, std::vector<Id>> products_by_merchant_;
  std::unordered_map<Id, std::vector<Id>> status_products_;
  std::unordered_map<Id, std::shared_ptr<CampaignState>> campaigns_;
  std::unordered_map<Id, std::vector<Id>> campaigns_by_merchant_;
  std::unordered_map<Id, std::shared_ptr<const OrderRecord>> orders_;
  std::unordered_map<Id, std::vector<Id>> orders_by_buyer_;     // ascending
  std::unordered_map<Id, std::vector<Id>> orders_by_merchant_;  // ascending
  std::map<std::pair<Id, std::string>, Id> order_by_idempotency_;
  std::set<std::pair<int64_t, Id>> unpaid_by_expiry_;
  std::unordered_map<Id, std::vector<LedgerEntryRecord>> ledger_by_order_;
  std::unordered_map<Id, std::map<std::string, int64_t>> commission_by_account_;

  // Units held by open orders per (product, sku); guarded by stock_mu_, a short lock never held
  // across a commit.
  mutable std::mutex stock_mu_;
  std::map<std::pair<Id, std::string>, int64_t> held_;

  std::mutex commit_mu_;
  std::condition_variable commit_cv_;  // signalled when wins_in_flight_ drops
  // ---- guarded by commit_mu_ ----
  bool commit_stopping_ = true;  // wins are refused before Start() and after Stop()
  int64_t wins_in_flight_ = 0;   // handed to CommitAsync, not yet answered

  std::mutex expiry_mu_;
  std::condition_variable expiry_cv_;
  bool stopping_ = false;
  std::thread expiry_thread_;
};

}  // namespace plaza::domain::commerce
