// The flash-sale dataset (the Xiaomi scenario, issue 5): on top of a plain datagen import of N
// accounts that all hold a token, account 0 (u0) becomes an approved shop with one active
// product, and a campaign of `units` units whose reservation phase is over — every other
// account holds a reservation — and whose sale starts at `sale_start_ms` (real time: the suite
// sets it a few seconds after the server will be up). Only reservation holders may buy, one unit
// per account, no per-account or per-IP attempt limits (the load generator sends exactly one
// attempt per account).
//
// Written through the same storage as the rest of the import (bulk-load mode, unsynced batches,
// one Flush at the end). Deterministic except for the sale start.
#pragma once

#include <cstdint>

#include "common/id.h"
#include "common/status.h"
#include "storage/storage.h"

namespace plaza::datagen {

struct FlashSaleOptions {
  int64_t units = 5'000;
  int64_t price_minor = 199'900;  // CNY 1,999.00
  int64_t sale_start_ms = 0;      // Unix ms; required
};

struct FlashSaleSummary {
  Id merchant_id = 0;
  Id product_id = 0;
  Id campaign_id = 0;
  uint64_t reservations = 0;
};

// REQUIRES: `storage` holds a datagen import whose accounts are `account_ids` (index 0 is the
// merchant), and no commerce records.
Result<FlashSaleSummary> GenerateFlashSale(storage::Storage& storage, const FlashSaleOptions& o,
                                           const std::vector<Id>& account_ids);

}  // namespace plaza::datagen
