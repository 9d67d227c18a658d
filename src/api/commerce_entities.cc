#include "api/commerce_entities.h"

#include "common/clock.h"

namespace plaza::api {
namespace {

using domain::commerce::ProductView;

std::string_view ShopStateName(storage::ShopState s) {
  switch (s) {
    case storage::ShopState::kPending: return "pending";
    case storage::ShopState::kApproved: return "approved";
    case storage::ShopState::kRejected: return "rejected";
  }
  return "pending";
}

std::string_view ProductStateName(storage::ProductState s) {
  switch (s) {
    case storage::ProductState::kDraft: return "draft";
    case storage::ProductState::kActive: return "active";
    case storage::ProductState::kArchived: return "archived";
  }
  return "draft";
}

std::string_view LedgerAccountName(storage::LedgerAccount a) {
  switch (a) {
    case storage::LedgerAccount::kBuyer: return "buyer";
    case storage::LedgerAccount::kMerchant: return "merchant";
    case storage::LedgerAccount::kCommission: return "commission";
    case storage::LedgerAccount::kPlatform: return "platform";
  }
  return "platform";
}

void TimeField(JsonWriter& w, std::string_view key, int64_t ms) {
  w.Key(key);
  if (ms > 0) {
    w.String(FormatIso8601(ms));
  } else {
    w.Null();
  }
}

std::string ProductUrl(const RenderContext& ctx, Id id) {
  return ctx.base_url + "/api/plaza/v1/products/" + IdToString(id);
}

void WriteRows(JsonWriter& w, std::string_view key, std::string_view key_name,
               const std::vector<domain::commerce::SalesRow>& rows, bool commission) {
  w.Key(key).BeginArray();
  for (const auto& r : rows) {
    w.BeginObject()
        .Field(key_name, r.key)
        .Field("orders", r.orders)
        .Field("units", r.units)
        .Field("revenue", r.revenue_minor);
    if (commission) w.Field("commission", r.commission_minor);
    w.EndObject();
  }
  w.EndArray();
}

}  // namespace

void WriteShop(JsonWriter& w, const storage::ShopRecord& s) {
  w.BeginObject()
      .Field("account_id", IdToString(s.account_id))
      .Field("name", s.name)
      .Field("description", s.description)
      .Field("state", ShopStateName(s.state))
      .Field("verified", s.state == storage::ShopState::kApproved);
  TimeField(w, "created_at", s.created_at_ms);
  TimeField(w, "decided_at", s.decided_at_ms);
  w.EndObject();
}

void WriteProduct(JsonWriter& w, const ProductView& p, const RenderContext& ctx) {
  const storage::ProductRecord& r = *p.rec;
  w.BeginObject()
      .Field("id", IdToString(r.id))
      .Field("merchant_id", IdToString(r.merchant_id))
      .Field("title", r.title)
      .Field("description", r.description)
      .Field("url", ProductUrl(ctx, r.id));
  w.Key("images").BeginArray();
  for (const auto& url : r.images) w.String(url);
  w.EndArray();
  w.Field("price", r.price_minor)
      .Field("currency", r.currency)
      .Field("stock", p.available)
      .Field("status", ProductStateName(r.state))
      .Field("affiliate_rate", static_cast<int64_t>(r.affiliate_bp));
  w.Key("variants").BeginArray();
  for (size_t i = 0; i < r.variants.size(); ++i) {
    const auto& v = r.variants[i];
    w.BeginObject()
        .Field("sku", v.sku)
        .Field("name", v.name)
        .Field("price", v.price_minor != 0 ? v.price_minor : r.price_minor)
        .Field("stock", i < p.variant_available.size() ? p.variant_available[i] : 0)
        .EndObject();
  }
  w.EndArray();
  TimeField(w, "created_at", r.created_at_ms);
  TimeField(w, "updated_at", r.updated_at_ms);
  w.EndObject();
}

void WriteOrder(JsonWriter& w, const storage::OrderRecord& o) {
  w.BeginObject()
      .Field("id", IdToString(o.id))
      .Field("buyer_id", IdToString(o.buyer_id))
      .Field("merchant_id", IdToString(o.merchant_id))
      .Field("status", domain::commerce::OrderStateName(o.state));
  w.Key("campaign_id");
  if (o.campaign_id != 0) {
    w.String(IdToString(o.campaign_id));
  } else {
    w.Null();
  }
  w.Key("lines").BeginArray();
  for (const auto& l : o.lines) {
    w.BeginObject()
        .Field("product_id", IdToString(l.product_id))
        .Field("sku", l.sku)
        .Field("quantity", l.quantity)
        .Field("unit_price", l.unit_price_minor)
        .EndObject();
  }
  w.EndArray();
  w.Field("total", o.total_minor).Field("currency", o.currency);
  if (!o.cancel_reason.empty()) w.Field("cancel_reason", o.cancel_reason);
  w.Key("via_status_id");
  if (o.via_status_id != 0) {
    w.String(IdToString(o.via_status_id));
  } else {
    w.Null();
  }
  w.Key("affiliate_id");
  if (o.affiliate_id != 0) {
    w.String(IdToString(o.affiliate_id));
  } else {
    w.Null();
  }
  w.Field("affiliate_rate", static_cast<int64_t>(o.affiliate_bp));
  if (!o.payment_id.empty()) w.Field("payment_id", o.payment_id);
  TimeField(w, "created_at", o.created_at_ms);
  TimeField(w, "expires_at", o.state == storage::OrderState::kPendingPayment ? o.expires_at_ms : 0);
  TimeField(w, "updated_at", o.updated_at_ms);
  w.EndObject();
}

void WriteLedgerEntry(JsonWriter& w, const storage::LedgerEntryRecord& e) {
  w.BeginObject()
      .Field("id", IdToString(e.id))
      .Field("transaction_id", IdToString(e.txn_id))
      .Field("order_id", IdToString(e.order_id))
      .Field("account", LedgerAccountName(e.account))
      .Field("account_id", IdToString(e.account_id))
      .Field("amount", e.amount_minor)
      .Field("currency", e.currency)
      .Field("memo", e.memo);
  TimeField(w, "created_at", e.created_at_ms);
  w.EndObject();
}

void WriteCampaign(JsonWriter& w, const domain::commerce::CampaignView& c) {
  const storage::CampaignRecord& r = *c.rec;
  w.BeginObject()
      .Field("id", IdToString(r.id))
      .Field("merchant_id", IdToString(r.merchant_id))
      .Field("product_id", IdToString(r.product_id))
      .Field("sku", r.sku)
      .Field("title", r.title)
      .Field("price", r.price_minor)
      .Field("currency", r.currency)
      .Field("units", r.units)
      .Field("remaining", c.remaining)
      .Field("sold", c.sold)
      .Field("reservations_count", c.reservations)
      .Field("per_account_limit", static_cast<int64_t>(r.per_account_limit))
      .Field("reservation_required", r.reservation_required)
      .Field("exclude_new_accounts", r.exclude_new_accounts)
      .Field("phase", c.phase);
  TimeField(w, "announced_at", r.created_at_ms);
  TimeField(w, "starts_at", r.start_at_ms);
  TimeField(w, "ends_at", r.end_at_ms);
  w.Key("me")
      .BeginObject()
      .Field("reserved", c.reserved)
      .Field("bought", c.bought)
      .EndObject();
  w.EndObject();
}

void WriteMerchantStats(JsonWriter& w, const domain::commerce::MerchantStats& s) {
  w.BeginObject().Field("currency", s.currency);
  WriteRows(w, "by_product", "product_id", s.by_product, false);
  WriteRows(w, "by_status", "status_id", s.by_status, false);
  WriteRows(w, "by_day", "day", s.by_day, false);
  WriteRows(w, "top_reposters", "account_id", s.top_reposters, true);
  w.Key("campaigns").BeginArray();
  for (const auto& c : s.campaigns) {
    w.BeginObject()
        .Field("campaign_id", IdToString(c.campaign_id))
        .Field("units", c.units)
        .Field("reservations", c.reservations)
        .Field("orders", c.orders)
        .Field("units_sold", c.units_sold)
        .Field("paid_orders", c.paid_orders)
        .Field("reservation_holders_who_bought", c.reservation_holders_who_bought)
        .EndObject();
  }
  w.EndArray().EndObject();
}

void WriteStatusCard(JsonWriter& w, const std::vector<ProductView>& products,
                     const RenderContext& ctx) {
  if (products.empty()) {
    w.Null();
    return;
  }
  const storage::ProductRecord& p = *products.front().rec;
  w.BeginObject()
      .Field("url", ProductUrl(ctx, p.id))
      .Field("title", p.title)
      .Field("description", p.description)
      .Field("type", "link")
      .Field("author_name", "")
      .Field("author_url", "")
      .Field("provider_name", "Plaza")
      .Field("provider_url", ctx.base_url)
      .Field("html", "")
      .Field("width", 0)
      .Field("height", 0);
  w.Key("image");
  if (p.images.empty()) {
    w.Null();
  } else {
    w.String(p.images.front());
  }
  w.Field("embed_url", "").Key("blurhash").Null();
  w.EndObject();
}

void WriteStatusPlaza(JsonWriter& w, const std::vector<ProductView>& products,
                      const RenderContext& ctx) {
  if (products.empty()) {
    // Most statuses: the object without building it key by key.
    w.BeginRawValue() += std::string_view(R"({"products":[]})");
    return;
  }
  w.BeginObject().Key("products").BeginArray();
  for (const auto& p : products) WriteProduct(w, p, ctx);
  w.EndArray().EndObject();
}

}  // namespace plaza::api
