// The on-disk format of the commerce records (commerce_records.h), in the style of
// record_codec.h. All keys start with Table::kCommerce, then one byte naming the kind, then the
// record's key fields big-endian, so each kind is one prefix scan in key order:
//   shop 'K''s'+account   product 'K''p'+id   status products 'K''l'+status   campaign 'K''c'+id
//   reservation 'K''r'+campaign+account   order 'K''o'+id   ledger entry 'K''j'+id
//   payment event 'K''w'+event id
// Decoders reject truncated, overlong or trailing bytes and unknown enum values with kIOError.
// Pure and thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "storage/commerce_records.h"

namespace plaza::storage::codec {

enum class CommerceKind : char {
  kShop = 's',
  kProduct = 'p',
  kStatusProducts = 'l',
  kCampaign = 'c',
  kReservation = 'r',
  kOrder = 'o',
  kLedger = 'j',
  kPaymentEvent = 'w',
};

std::string CommercePrefix(CommerceKind kind);
// The key of a record whose key is one id (every kind but reservations and payment events).
std::string CommerceKey(CommerceKind kind, Id id);
std::string ReservationKey(Id campaign_id, Id account_id);
std::string PaymentEventKey(std::string_view event_id);

std::string EncodeValue(const ShopRecord& r);
std::string EncodeValue(const ProductRecord& r);
std::string EncodeValue(const StatusProductsRecord& r);
std::string EncodeValue(const CampaignRecord& r);
std::string EncodeValue(const ReservationRecord& r);
std::string EncodeValue(const OrderRecord& r);
std::string EncodeValue(const LedgerEntryRecord& r);
std::string EncodeValue(const PaymentEventRecord& r);

Result<ShopRecord> DecodeShop(std::string_view key, std::string_view value);
Result<ProductRecord> DecodeProduct(std::string_view key, std::string_view value);
Result<StatusProductsRecord> DecodeStatusProducts(std::string_view key, std::string_view value);
Result<CampaignRecord> DecodeCampaign(std::string_view key, std::string_view value);
Result<ReservationRecord> DecodeReservation(std::string_view key, std::string_view value);
Result<OrderRecord> DecodeOrder(std::string_view key, std::string_view value);
Result<LedgerEntryRecord> DecodeLedgerEntry(std::string_view key, std::string_view value);
Result<PaymentEventRecord> DecodePaymentEvent(std::string_view key, std::string_view value);

}  // namespace plaza::storage::codec
