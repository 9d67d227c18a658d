#include "storage/commerce_codec.h"

#include "storage/codec_io.h"

namespace plaza::storage::codec {
namespace {

Status Corrupt(std::string_view what) {
  return Status::IOError("storage: corrupt " + std::string(what) + " record");
}

template <typename T>
Result<T> Finish(T record, const Reader& key, const Reader& value, std::string_view what) {
  if (!key.Done() || !value.Done()) return Corrupt(what);
  return record;
}

Writer KeyWriter(CommerceKind kind, size_t reserve) {
  Writer w(reserve);
  w.Byte(static_cast<uint8_t>(Table::kCommerce));
  w.Byte(static_cast<uint8_t>(kind));
  return w;
}

void ExpectKind(Reader& k, CommerceKind kind) {
  k.ExpectTable(Table::kCommerce);
  if (k.Byte() != static_cast<uint8_t>(kind)) {
    k.TakeRest();
    k.Byte();  // reading past the end fails the reader
  }
}

void WriteIds(Writer& w, const std::vector<Id>& ids) {
  w.Varint(ids.size());
  for (Id id : ids) w.Varint(id);
}

std::vector<Id> ReadIds(Reader& r) {
  std::vector<Id> ids;
  uint64_t n = r.Varint();
  if (!r.CountFits(n)) return ids;
  ids.reserve(n);
  for (uint64_t i = 0; i < n && r.ok(); ++i) ids.push_back(r.Varint());
  return ids;
}

}  // namespace

std::string CommercePrefix(CommerceKind kind) { return KeyWriter(kind, 2).Take(); }

std::string CommerceKey(CommerceKind kind, Id id) {
  Writer w = KeyWriter(kind, 10);
  w.BigEndian64(id);
  return w.Take();
}

std::string ReservationKey(Id campaign_id, Id account_id) {
  Writer w = KeyWriter(CommerceKind::kReservation, 18);
  w.BigEndian64(campaign_id);
  w.BigEndian64(account_id);
  return w.Take();
}

std::string PaymentEventKey(std::string_view event_id) {
  Writer w = KeyWriter(CommerceKind::kPaymentEvent, 2 + event_id.size());
  w.Raw(event_id);
  return w.Take();
}

std::string EncodeValue(const ShopRecord& r) {
  Writer w(32 + r.name.size() + r.description.size());
  w.Byte(kValueVersion);
  w.String(r.name);
  w.String(r.description);
  w.Byte(static_cast<uint8_t>(r.state));
  w.Signed(r.created_at_ms);
  w.Varint(r.decided_by);
  w.Signed(r.decided_at_ms);
  return w.Take();
}

Result<ShopRecord> DecodeShop(std::string_view key, std::string_view value) {
  Reader k(key), v(value);
  ShopRecord r;
  ExpectKind(k, CommerceKind::kShop);
  r.account_id = k.BigEndian64();
  v.ExpectVersion();
  r.name = v.String();
  r.description = v.String();
  r.state = v.Enum(ShopState::kRejected);
  r.created_at_ms = v.Signed();
  r.decided_by = v.Varint();
  r.decided_at_ms = v.Signed();
  return Finish(std::move(r), k, v, "shop");
}

std::string EncodeValue(const ProductRecord& r) {
  Writer w(64 + r.title.size() + r.description.size());
  w.Byte(kValueVersion);
  w.Varint(r.merchant_id);
  w.String(r.title);
  w.String(r.description);
  w.Varint(r.images.size());
  for (const auto& url : r.images) w.String(url);
  w.Signed(r.price_minor);
  w.String(r.currency);
  w.Signed(r.stock);
  w.Varint(r.variants.size());
  for (const auto& var : r.variants) {
    w.String(var.sku);
    w.String(var.name);
    w.Signed(var.price_minor);
    w.Signed(var.stock);
  }
  w.Byte(static_cast<uint8_t>(r.state));
  w.Varint(r.affiliate_bp);
  w.Signed(r.created_at_ms);
  w.Signed(r.updated_at_ms);
  return w.Take();
}

Result<ProductRecord> DecodeProduct(std::string_view key, std::string_view value) {
  Reader k(key), v(value);
  ProductRecord r;
  ExpectKind(k, CommerceKind::kProduct);
  r.id = k.BigEndian64();
  v.ExpectVersion();
  r.merchant_id = v.Varint();
  r.title = v.String();
  r.description = v.String();
  uint64_t images = v.Varint();
  if (v.CountFits(images)) {
    for (uint64_t i = 0; i < images && v.ok(); ++i) r.images.push_back(v.String());
  }
  r.price_minor = v.Signed();
  r.currency = v.String();
  r.stock = v.Signed();
  uint64_t variants = v.Varint();
  if (v.CountFits(variants)) {
    for (uint64_t i = 0; i < variants && v.ok(); ++i) {
      ProductVariant var;
      var.sku = v.String();
      var.name = v.String();
      var.price_minor = v.Signed();
      var.stock = v.Signed();
      r.variants.push_back(std::move(var));
    }
  }
  r.state = v.Enum(ProductState::kArchived);
  uint64_t bp = v.Varint();
  if (bp > 10000) return Corrupt("product");
  r.affiliate_bp = static_cast<uint32_t>(bp);
  r.created_at_ms = v.Signed();
  r.updated_at_ms = v.Signed();
  return Finish(std::move(r), k, v, "product");
}

std::string EncodeValue(const StatusProductsRecord& r) {
  Writer w(8 + 9 * r.product_ids.size());
  w.Byte(kValueVersion);
  WriteIds(w, r.product_ids);
  return w.Take();
}

Result<StatusProductsRecord> DecodeStatusProducts(std::string_view key, std::string_view value) {
  Reader k(key), v(value);
  StatusProductsRecord r;
  ExpectKind(k, CommerceKind::kStatusProducts);
  r.status_id = k.BigEndian64();
  v.ExpectVersion();
  r.product_ids = ReadIds(v);
  return Finish(std::move(r), k, v, "status products");
}

std::string EncodeValue(const CampaignRecord& r) {
  Writer w(64 + r.title.size());
  w.Byte(kValueVersion);
  w.Varint(r.merchant_id);
  w.Varint(r.product_id);
  w.String(r.sku);
  w.String(r.title);
  w.Signed(r.price_minor);
  w.String(r.currency);
  w.Signed(r.units);
  w.Varint(r.per_account_limit);
  w.Bool(r.reservation_required);
  w.Bool(r.exclude_new_accounts);
  w.Varint(r.max_attempts_per_account);
  w.Varint(r.max_attempts_per_ip);
  w.Signed(r.created_at_ms);
  w.Signed(r.start_at_ms);
  w.Signed(r.end_at_ms);
  return w.Take();
}

Result<CampaignRecord> DecodeCampaign(std::string_view key, std::string_view value) {
  Reader k(key), v(value);
  CampaignRecord r;
  ExpectKind(k, CommerceKind::kCampaign);
  r.id = k.BigEndian64();
  v.ExpectVersion();
  r.merchant_id = v.Varint();
  r.product_id = v.Varint();
  r.sku = v.String();
  r.title = v.String();
  r.price_minor = v.Signed();
  r.currency = v.String();
  r.units = v.Signed();
  r.per_account_limit = static_cast<uint32_t>(v.Varint());
  r.reservation_required = v.Bool();
  r.exclude_new_accounts = v.Bool();
  r.max_attempts_per_account = static_cast<uint32_t>(v.Varint());
  r.max_attempts_per_ip = static_cast<uint32_t>(v.Varint());
  r.created_at_ms = v.Signed();
  r.start_at_ms = v.Signed();
  r.end_at_ms = v.Signed();
  return Finish(std::move(r), k, v, "campaign");
}

std::string EncodeValue(const ReservationRecord& r) {
  Writer w(24);
  w.Byte(kValueVersion);
  w.Varint(r.id);
  w.Signed(r.created_at_ms);
  return w.Take();
}

Result<ReservationRecord> DecodeReservation(std::string_view key, std::string_view value) {
  Reader k(key), v(value);
  ReservationRecord r;
  ExpectKind(k, CommerceKind::kReservation);
  r.campaign_id = k.BigEndian64();
  r.account_id = k.BigEndian64();
  v.ExpectVersion();
  r.id = v.Varint();
  r.created_at_ms = v.Signed();
  return Finish(std::move(r), k, v, "reservation");
}

std::string EncodeValue(const OrderRecord& r) {
  Writer w(96 + 32 * r.lines.size() + r.idempotency_key.size());
  w.Byte(kValueVersion);
  w.Varint(r.buyer_id);
  w.Varint(r.merchant_id);
  w.Varint(r.campaign_id);
  w.Varint(r.lines.size());
  for (const auto& l : r.lines) {
    w.Varint(l.product_id);
    w.String(l.sku);
    w.Signed(l.quantity);
    w.Signed(l.unit_price_minor);
  }
  w.String(r.currency);
  w.Signed(r.total_minor);
  w.Byte(static_cast<uint8_t>(r.state));
  w.String(r.cancel_reason);
  w.Varint(r.via_status_id);
  w.Varint(r.affiliate_id);
  w.Varint(r.affiliate_bp);
  w.Varint(r.platform_fee_bp);
  w.String(r.idempotency_key);
  w.String(r.payment_id);
  w.Signed(r.created_at_ms);
  w.Signed(r.expires_at_ms);
  w.Signed(r.updated_at_ms);
  return w.Take();
}

Result<OrderRecord> DecodeOrder(std::string_view key, std::string_view value) {
  Reader k(key), v(value);
  OrderRecord r;
  ExpectKind(k, CommerceKind::kOrder);
  r.id = k.BigEndian64();
  v.ExpectVersion();
  r.buyer_id = v.Varint();
  r.merchant_id = v.Varint();
  r.campaign_id = v.Varint();
  uint64_t lines = v.Varint();
  if (v.CountFits(lines)) {
    for (uint64_t i = 0; i < lines && v.ok(); ++i) {
      OrderLine l;
      l.product_id = v.Varint();
      l.sku = v.String();
      l.quantity = v.Signed();
      l.unit_price_minor = v.Signed();
      r.lines.push_back(std::move(l));
    }
  }
  r.currency = v.String();
  r.total_minor = v.Signed();
  r.state = v.Enum(OrderState::kRefunded);
  r.cancel_reason = v.String();
  r.via_status_id = v.Varint();
  r.affiliate_id = v.Varint();
  r.affiliate_bp = static_cast<uint32_t>(v.Varint());
  r.platform_fee_bp = static_cast<uint32_t>(v.Varint());
  r.idempotency_key = v.String();
  r.payment_id = v.String();
  r.created_at_ms = v.Signed();
  r.expires_at_ms = v.Signed();
  r.updated_at_ms = v.Signed();
  return Finish(std::move(r), k, v, "order");
}

std::string EncodeValue(const LedgerEntryRecord& r) {
  Writer w(48 + r.memo.size());
  w.Byte(kValueVersion);
  w.Varint(r.txn_id);
  w.Varint(r.order_id);
  w.Byte(static_cast<uint8_t>(r.account));
  w.Varint(r.account_id);
  w.Signed(r.amount_minor);
  w.String(r.currency);
  w.String(r.memo);
  w.Signed(r.created_at_ms);
  return w.Take();
}

Result<LedgerEntryRecord> DecodeLedgerEntry(std::string_view key, std::string_view value) {
  Reader k(key), v(value);
  LedgerEntryRecord r;
  ExpectKind(k, CommerceKind::kLedger);
  r.id = k.BigEndian64();
  v.ExpectVersion();
  r.txn_id = v.Varint();
  r.order_id = v.Varint();
  r.account = v.Enum(LedgerAccount::kPlatform);
  r.account_id = v.Varint();
  r.amount_minor = v.Signed();
  r.currency = v.String();
  r.memo = v.String();
  r.created_at_ms = v.Signed();
  return Finish(std::move(r), k, v, "ledger entry");
}

std::string EncodeValue(const PaymentEventRecord& r) {
  Writer w(24);
  w.Byte(kValueVersion);
  w.Varint(r.order_id);
  w.Signed(r.received_at_ms);
  return w.Take();
}

Result<PaymentEventRecord> DecodePaymentEvent(std::string_view key, std::string_view value) {
  Reader k(key), v(value);
  PaymentEventRecord r;
  ExpectKind(k, CommerceKind::kPaymentEvent);
  r.event_id = std::string(k.TakeRest());
  v.ExpectVersion();
  r.order_id = v.Varint();
  r.received_at_ms = v.Signed();
  if (r.event_id.empty()) return Corrupt("payment event");
  return Finish(std::move(r), k, v, "payment event");
}

}  // namespace plaza::storage::codec
