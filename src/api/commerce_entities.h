// Commerce entities as JSON (Plaza extensions, no Mastodon equivalent): shop, product, order,
// ledger entry, campaign, merchant stats — and the two places commerce shows on a Mastodon
// status: the first product as the status's preview `card`, all of them under `plaza.products`.
// Money is always integer minor units plus a currency code. Internal to src/api.
#pragma once

#include "api/entities.h"
#include "common/json_writer.h"
#include "domain/commerce/commerce.h"

namespace plaza::api {

void WriteShop(JsonWriter& w, const storage::ShopRecord& s);
void WriteProduct(JsonWriter& w, const domain::commerce::ProductView& p, const RenderContext& ctx);
void WriteOrder(JsonWriter& w, const storage::OrderRecord& o);
void WriteLedgerEntry(JsonWriter& w, const storage::LedgerEntryRecord& e);
void WriteCampaign(JsonWriter& w, const domain::commerce::CampaignView& c);
void WriteMerchantStats(JsonWriter& w, const domain::commerce::MerchantStats& s);

// The value of a status's `card`: the first product as a Mastodon PreviewCard, or null.
void WriteStatusCard(JsonWriter& w, const std::vector<domain::commerce::ProductView>& products,
                     const RenderContext& ctx);
// The status's `plaza` extension object: {"products": [...]}.
void WriteStatusPlaza(JsonWriter& w, const std::vector<domain::commerce::ProductView>& products,
                      const RenderContext& ctx);

}  // namespace plaza::api
