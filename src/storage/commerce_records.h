// The records of Plaza's social commerce: shops, products, the products a status carries,
// flash-sale campaigns and their reservations, orders, the double-entry ledger, and the payment
// webhook events already processed. Plain values like records.h; the domain owns their meaning
// (domain/commerce/commerce.h), commerce_codec owns their encoding.
//
// Money is always an integer count of minor units (fen for CNY) with an ISO 4217 currency code;
// never floating point. Stock is never stored as a counter that each order rewrites: a product or
// campaign stores the units offered, and what is sold is derived from the orders, so an order is
// one independent write and a crash can never leave the two disagreeing.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/id.h"

namespace plaza::storage {

enum class ShopState : uint8_t { kPending = 0, kApproved = 1, kRejected = 2 };

// An account's application to sell; approved shops carry the verified badge. Key: account id.
struct ShopRecord {
  Id account_id = 0;
  std::string name;
  std::string description;
  ShopState state = ShopState::kPending;
  int64_t created_at_ms = 0;
  Id decided_by = 0;  // the admin who approved or rejected; 0 while pending
  int64_t decided_at_ms = 0;
};

enum class ProductState : uint8_t { kDraft = 0, kActive = 1, kArchived = 2 };

// One SKU of a product (e.g. colour × storage). `price_minor` 0 means the product's price.
struct ProductVariant {
  std::string sku;
  std::string name;
  int64_t price_minor = 0;
  int64_t stock = 0;  // units offered in total, like ProductRecord::stock
};

struct ProductRecord {
  Id id = 0;
  Id merchant_id = 0;
  std::string title;
  std::string description;
  std::vector<std::string> images;  // URLs
  int64_t price_minor = 0;
  std::string currency;             // ISO 4217, "CNY" by default
  // Units offered in total (without variants). Available = stock - units held by open orders.
  int64_t stock = 0;
  std::vector<ProductVariant> variants;
  ProductState state = ProductState::kDraft;
  uint32_t affiliate_bp = 0;  // commission to the reposter whose post sold, in basis points
  int64_t created_at_ms = 0;
  int64_t updated_at_ms = 0;
};

// The products a status carries (at most 9, the first shown as the status's card).
struct StatusProductsRecord {
  Id status_id = 0;
  std::vector<Id> product_ids;
};

// A flash sale: a reservation phase from creation (the announcement) to `start_at_ms`, then a
// sale of `units` units of one product SKU at `price_minor` until `end_at_ms`.
struct CampaignRecord {
  Id id = 0;
  Id merchant_id = 0;
  Id product_id = 0;
  std::string sku;  // "" when the product has no variants
  std::string title;
  int64_t price_minor = 0;
  std::string currency;
  int64_t units = 0;
  uint32_t per_account_limit = 1;
  bool reservation_required = false;  // only reservation holders may buy
  bool exclude_new_accounts = false;  // accounts created after the announcement may not buy
  uint32_t max_attempts_per_account = 0;  // buy attempts allowed per account; 0 = unlimited
  uint32_t max_attempts_per_ip = 0;       // per client IP; 0 = unlimited
  int64_t created_at_ms = 0;  // the announcement
  int64_t start_at_ms = 0;
  int64_t end_at_ms = 0;      // 0 = no end
};

// One account's reservation of a campaign. Key: (campaign, account).
struct ReservationRecord {
  Id campaign_id = 0;
  Id account_id = 0;
  Id id = 0;
  int64_t created_at_ms = 0;
};

enum class OrderState : uint8_t {
  kPendingPayment = 0,
  kPaid = 1,
  kShipped = 2,
  kCompleted = 3,
  kCancelled = 4,  // by the buyer, or expired unpaid (cancel_reason "expired")
  kRefunded = 5,
};

struct OrderLine {
  Id product_id = 0;
  std::string sku;
  int64_t quantity = 0;
  int64_t unit_price_minor = 0;
};

struct OrderRecord {
  Id id = 0;
  Id buyer_id = 0;
  Id merchant_id = 0;
  Id campaign_id = 0;  // 0 for an ordinary order
  std::vector<OrderLine> lines;
  std::string currency;
  int64_t total_minor = 0;
  OrderState state = OrderState::kPendingPayment;
  std::string cancel_reason;
  // Attribution: the status the purchase was made from and, when it is a repost or quote, the
  // reposter who earns `affiliate_bp` of the total.
  Id via_status_id = 0;
  Id affiliate_id = 0;
  uint32_t affiliate_bp = 0;
  uint32_t platform_fee_bp = 0;
  std::string idempotency_key;  // the buyer's Idempotency-Key, "" when none
  std::string payment_id;       // the provider's id once paid
  int64_t created_at_ms = 0;
  int64_t expires_at_ms = 0;    // an unpaid order is cancelled after this
  int64_t updated_at_ms = 0;
};

enum class LedgerAccount : uint8_t {
  kBuyer = 0,       // money the buyer paid in (through the provider)
  kMerchant = 1,    // owed to the merchant
  kCommission = 2,  // owed to the reposter whose post sold
  kPlatform = 3,    // Plaza's fee
};

// One leg of a double-entry transaction. The legs of one transaction (same txn_id) sum to zero.
struct LedgerEntryRecord {
  Id id = 0;
  Id txn_id = 0;
  Id order_id = 0;
  LedgerAccount account = LedgerAccount::kBuyer;
  Id account_id = 0;  // the buyer, merchant or reposter; 0 for the platform
  int64_t amount_minor = 0;  // credit positive, debit negative
  std::string currency;
  std::string memo;  // "payment", "refund"
  int64_t created_at_ms = 0;
};

// A payment webhook event already applied; a second delivery of the same id is refused.
struct PaymentEventRecord {
  std::string event_id;
  Id order_id = 0;
  int64_t received_at_ms = 0;
};

}  // namespace plaza::storage
