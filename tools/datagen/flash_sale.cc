#include "tools/datagen/flash_sale.h"

#include <vector>

namespace plaza::datagen {
namespace {

// Commerce records sit after the datagen calendar (which ends 2026-01-01T00:00:00Z): the shop,
// product and campaign on 2026-01-02, reservations one millisecond apart from 2026-01-03 on.
constexpr int64_t kDayMs = 86'400'000;
constexpr int64_t kShopAtMs = 1'767'225'600'000 + kDayMs;
constexpr int64_t kReservationsFromMs = kShopAtMs + kDayMs;
constexpr size_t kBatchRows = 100'000;

}  // namespace

Result<FlashSaleSummary> GenerateFlashSale(storage::Storage& storage, const FlashSaleOptions& o,
                                           const std::vector<Id>& account_ids) {
  if (account_ids.size() < 2) return Status::Invalid("a flash sale needs a merchant and buyers");
  if (o.units <= 0) return Status::Invalid("units must be positive");
  if (o.price_minor <= 0) return Status::Invalid("price must be positive");
  if (o.sale_start_ms <= kReservationsFromMs + static_cast<int64_t>(account_ids.size())) {
    return Status::Invalid("the sale must start after the reservation phase");
  }
  FlashSaleSummary out;
  out.merchant_id = account_ids[0];

  storage::WriteBatch batch;
  storage::ShopRecord shop;
  shop.account_id = out.merchant_id;
  shop.name = "Xiaomi flagship store";
  shop.description = "Official store";
  shop.state = storage::ShopState::kApproved;
  shop.created_at_ms = kShopAtMs;
  shop.decided_by = out.merchant_id;
  shop.decided_at_ms = kShopAtMs + 1;
  batch.Put(shop);

  storage::ProductRecord p;
  p.id = IdFloorForTime(kShopAtMs + 2);
  p.merchant_id = out.merchant_id;
  p.title = "Mi phone, flash-sale edition";
  p.description = "One per account, reservation holders only.";
  p.price_minor = o.price_minor;
  p.currency = "CNY";
  p.stock = o.units;
  p.state = storage::ProductState::kActive;
  p.created_at_ms = p.updated_at_ms = kShopAtMs + 2;
  out.product_id = p.id;
  batch.Put(p);

  storage::CampaignRecord c;
  c.id = IdFloorForTime(kShopAtMs + 3);
  c.merchant_id = out.merchant_id;
  c.product_id = p.id;
  c.title = "Flash sale";
  c.price_minor = o.price_minor;
  c.currency = "CNY";
  c.units = o.units;
  c.per_account_limit = 1;
  c.reservation_required = true;
  c.created_at_ms = kShopAtMs + 3;
  c.start_at_ms = o.sale_start_ms;
  out.campaign_id = c.id;
  batch.Put(c);

  for (size_t i = 1; i < account_ids.size(); ++i) {
    int64_t at = kReservationsFromMs + static_cast<int64_t>(i);
    batch.Put(storage::ReservationRecord{c.id, account_ids[i], IdFloorForTime(at), at});
    ++out.reservations;
    if (i % kBatchRows == 0) {
      PLAZA_RETURN_IF_ERROR(storage.Commit(batch));
      batch = storage::WriteBatch();
    }
  }
  PLAZA_RETURN_IF_ERROR(storage.Commit(batch));
  PLAZA_RETURN_IF_ERROR(storage.Flush());
  return out;
}

}  // namespace plaza::datagen
