// Social commerce under /api/plaza/v1: shops, products, products in statuses, orders and their
// lifecycle, the payment webhook, flash-sale campaigns (reserve, buy) and merchant statistics.
// Handlers parse and validate parameters, call domain::commerce::Commerce, and write entities
// from commerce_entities.h.
#include <cstdio>

#include "api/commerce_entities.h"
#include "api/handlers.h"
#include "domain/commerce/commerce.h"

namespace plaza::api {
namespace {

using domain::commerce::Commerce;
using http::Method;
using http::Request;
using http::Response;

// An optional integer parameter: nullopt when absent, kUnprocessable when not an integer.
Result<std::optional<int64_t>> OptInt(const Request& req, std::string_view key) {
  if (!req.params().Has(key)) return std::optional<int64_t>();
  auto v = req.params().GetInt(key);
  if (!v.ok()) {
    return Status::Unprocessable(std::string(key) + " must be an integer in range");
  }
  return std::optional<int64_t>(*v);
}

Result<Id> IdParam(const Request& req, std::string_view key) {
  auto v = req.params().Get(key);
  if (!v || v->empty()) return Id{0};
  auto id = ParseId(*v);
  if (!id) return Status::Unprocessable(std::string(key) + " is not a valid id");
  return *id;
}

int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

// "2026-11-25T19:13:35Z" or with ".123" milliseconds, UTC only; or a number of Unix ms.
Result<int64_t> ParseTime(std::string_view s, std::string_view key) {
  int y, mo, d, h, mi, sec, n = 0;
  std::string str(s);
  if (std::sscanf(str.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) == 6 &&
      mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h < 24 && mi < 60 && sec < 61) {
    int64_t ms = 0;
    std::string_view rest = s.substr(n);
    if (!rest.empty() && rest.front() == '.') {
      rest.remove_prefix(1);
      int digits = 0;
      while (!rest.empty() && rest.front() >= '0' && rest.front() <= '9') {
        if (digits < 3) ms = ms * 10 + (rest.front() - '0');
        ++digits;
        rest.remove_prefix(1);
      }
      for (; digits < 3; ++digits) ms *= 10;
    }
    if (rest == "Z" || rest == "+00:00") {
      return ((DaysFromCivil(y, mo, d) * 24 + h) * 60 + mi) * 60'000 + sec * 1000 + ms;
    }
  }
  return Status::Unprocessable(std::string(key) + " must be an ISO 8601 UTC time");
}

Result<int64_t> TimeParam(const Request& req, std::string_view key) {
  auto v = req.params().Get(key);
  if (!v || v->empty()) return int64_t{0};
  return ParseTime(*v, key);
}

Result<domain::commerce::ProductInput> ParseProduct(const Request& req) {
  domain::commerce::ProductInput in;
  const auto& p = req.params();
  if (auto v = p.Get("title")) in.title = std::string(*v);
  if (auto v = p.Get("description")) in.description = std::string(*v);
  if (auto v = p.Get("currency")) in.currency = std::string(*v);
  if (p.Has("images")) {
    std::vector<std::string> images;
    for (auto s : p.GetAll("images")) images.emplace_back(s);
    in.images = std::move(images);
  }
  PLAZA_ASSIGN_OR_RETURN(in.price_minor, OptInt(req, "price"));
  PLAZA_ASSIGN_OR_RETURN(in.stock, OptInt(req, "stock"));
  PLAZA_ASSIGN_OR_RETURN(in.affiliate_bp, OptInt(req, "affiliate_rate"));
  if (auto v = p.Get("status")) {
    if (*v == "draft") {
      in.state = storage::ProductState::kDraft;
    } else if (*v == "active") {
      in.state = storage::ProductState::kActive;
    } else if (*v == "archived") {
      in.state = storage::ProductState::kArchived;
    } else {
      return Status::Unprocessable("status must be draft, active or archived");
    }
  }
  if (p.Has("variants[0][sku]")) {
    std::vector<domain::commerce::VariantInput> vars;
    for (size_t i = 0;; ++i) {
      std::string prefix = "variants[" + std::to_string(i) + "]";
      if (!p.Has(prefix + "[sku]")) break;
      domain::commerce::VariantInput v;
      v.sku = std::string(*p.Get(prefix + "[sku]"));
      v.name = ParamString(req, prefix + "[name]");
      PLAZA_ASSIGN_OR_RETURN(auto price, OptInt(req, prefix + "[price]"));
      PLAZA_ASSIGN_OR_RETURN(auto stock, OptInt(req, prefix + "[stock]"));
      v.price_minor = price.value_or(0);
      v.stock = stock.value_or(0);
      vars.push_back(std::move(v));
    }
    in.variants = std::move(vars);
  }
  return in;
}

Result<std::vector<Id>> ProductIds(const Request& req) {
  std::vector<Id> ids;
  for (auto s : req.params().GetAll("product_ids")) {
    auto id = ParseId(s);
    if (!id) return Status::Unprocessable("product_ids must be product ids");
    ids.push_back(*id);
  }
  return ids;
}

}  // namespace

void Api::Handlers::RegisterCommerce(http::Router& r) {
  if (commerce_ == nullptr) return;
  Commerce& c = *commerce_;
  const http::RouteOptions write{.blocking = true, .tag = "user write"};
  const http::RouteOptions read{.tag = "user read"};
  const http::RouteOptions open{.tag = "public read"};

  // ---- shops ----
  r.Add(Method::kPost, "/api/plaza/v1/shops", [&c](Request& req) {
    auto shop = c.ApplyForShop(CallerOf(req).account_id,
                               {ParamString(req, "name"), ParamString(req, "description")});
    if (!shop.ok()) return Fail(shop.status());
    return JsonResponse(200, [&](JsonWriter& w) { WriteShop(w, *shop); });
  }, write);
  r.Add(Method::kGet, "/api/plaza/v1/shops", [&c](Request& req) {
    std::string state = ParamString(req, "state");
    storage::ShopState s = state == "approved" ? storage::ShopState::kApproved
                           : state == "rejected" ? storage::ShopState::kRejected
                                                 : storage::ShopState::kPending;
    auto shops = c.ListShops(CallerOf(req).account_id, s);
    if (!shops.ok()) return Fail(shops.status());
    return JsonResponse(200, [&](JsonWriter& w) {
      w.BeginArray();
      for (const auto& shop : *shops) WriteShop(w, shop);
      w.EndArray();
    });
  }, read);
  r.Add(Method::kGet, "/api/plaza/v1/shops/:id", [&c](Request& req) {
    auto id = PathId(req);
    if (!id.ok()) return Fail(id.status());
    auto shop = c.GetShop(*id);
    if (!shop) return Response::Error(404, "shop not found");
    return JsonResponse(200, [&](JsonWriter& w) { WriteShop(w, *shop); });
  }, open);
  for (bool approve : {true, false}) {
    r.Add(Method::kPost, approve ? "/api/plaza/v1/shops/:id/approve" : "/api/plaza/v1/shops/:id/reject",
          [&c, approve](Request& req) {
            auto id = PathId(req);
            if (!id.ok()) return Fail(id.status());
            auto shop = c.DecideShop(CallerOf(req).account_id, *id, approve);
            if (!shop.ok()) return Fail(shop.status());
            return JsonResponse(200, [&](JsonWriter& w) { WriteShop(w, *shop); });
          }, write);
  }

  // ---- products ----
  auto one_product = [this](const Result<domain::commerce::ProductView>& p) {
    if (!p.ok()) return Fail(p.status());
    return JsonResponse(200, [&](JsonWriter& w) { WriteProduct(w, *p, ctx_); });
  };
  r.Add(Method::kPost, "/api/plaza/v1/products", [&c, one_product](Request& req) {
    auto in = ParseProduct(req);
    if (!in.ok()) return Fail(in.status());
    if (!in->state) in->state = storage::ProductState::kActive;
    return one_product(c.CreateProduct(CallerOf(req).account_id, *in));
  }, write);
  r.Add(Method::kGet, "/api/plaza/v1/products/:id", [&c, one_product](Request& req) {
    auto id = PathId(req);
    if (!id.ok()) return Fail(id.status());
    return one_product(c.GetProduct(CallerOf(req).account_id, *id));
  }, open);
  for (Method m : {Method::kPatch, Method::kPut}) {
    r.Add(m, "/api/plaza/v1/products/:id", [&c, one_product](Request& req) {
      auto id = PathId(req);
      if (!id.ok()) return Fail(id.status());
      auto in = ParseProduct(req);
      if (!in.ok()) return Fail(in.status());
      return one_product(c.UpdateProduct(CallerOf(req).account_id, *id, *in));
    }, write);
  }
  r.Add(Method::kDelete, "/api/plaza/v1/products/:id", [&c, one_product](Request& req) {
    auto id = PathId(req);
    if (!id.ok()) return Fail(id.status());
    domain::commerce::ProductInput in;
    in.state = storage::ProductState::kArchived;
    return one_product(c.UpdateProduct(CallerOf(req).account_id, *id, in));
  }, write);
  r.Add(Method::kGet, "/api/plaza/v1/accounts/:id/products", [this, &c](Request& req) {
    auto id = PathId(req);
    if (!id.ok()) return Fail(id.status());
    auto products = c.ListProducts(CallerOf(req).account_id, *id);
    return JsonResponse(200, [&](JsonWriter& w) {
      w.BeginArray();
      for (const auto& p : products) WriteProduct(w, p, ctx_);
      w.EndArray();
    });
  }, open);

  // ---- products in statuses ----
  r.Add(Method::kGet, "/api/plaza/v1/statuses/:id/products", [this, &c](Request& req) {
    auto id = PathId(req);
    if (!id.ok()) return Fail(id.status());
    auto status = d_.statuses().Get(CallerOf(req).account_id, *id);
    if (!status.ok()) return Fail(status.status());
    Id carrier = status->reblog ? status->reblog->rec->id : *id;
    auto products = c.ProductsOfStatus(carrier);
    return JsonResponse(200, [&](JsonWriter& w) {
      w.BeginArray();
      for (const auto& p : products) WriteProduct(w, p, ctx_);
      w.EndArray();
    });
  }, open);
  r.Add(Method::kPut, "/api/plaza/v1/statuses/:id/products", [this, &c](Request& req) {
    auto id = PathId(req);
    if (!id.ok()) return Fail(id.status());
    auto ids = ProductIds(req);
    if (!ids.ok()) return Fail(ids.status());
    if (ids->empty()) return Response::Error(422, "product_ids is required");
    Id me = CallerOf(req).account_id;
    if (Status st = c.AttachToStatus(me, *id, *ids); !st.ok()) return Fail(st);
    return OneStatus(d_.statuses().Get(me, *id));
  }, write);

  // ---- orders ----
  r.Add(Method::kPost, "/api/plaza/v1/orders", [&c](Request& req) {
    domain::commerce::NewOrder in;
    const auto& p = req.params();
    for (size_t i = 0;; ++i) {
      std::string prefix = "lines[" + std::to_string(i) + "]";
      if (!p.Has(prefix + "[product_id]")) break;
      domain::commerce::LineInput line;
      auto pid = IdParam(req, prefix + "[product_id]");
      if (!pid.ok()) return Fail(pid.status());
      auto qty = OptInt(req, prefix + "[quantity]");
      if (!qty.ok()) return Fail(qty.status());
      line.product_id = *pid;
      line.sku = ParamString(req, prefix + "[sku]");
      line.quantity = qty->value_or(1);
      in.lines.push_back(std::move(line));
    }
    if (in.lines.empty() && p.Has("product_id")) {
      domain::commerce::LineInput line;
      auto pid = IdParam(req, "product_id");
      if (!pid.ok()) return Fail(pid.status());
      auto qty = OptInt(req, "quantity");
      if (!qty.ok()) return Fail(qty.status());
      line.product_id = *pid;
      line.sku = ParamString(req, "sku");
      line.quantity = qty->value_or(1);
      in.lines.push_back(std::move(line));
    }
    in.currency = ParamString(req, "currency");
    auto via = IdParam(req, "via_status_id");
    if (!via.ok()) return Fail(via.status());
    in.via_status_id = *via;
    in.idempotency_key = std::string(req.Header("Idempotency-Key"));
    auto order = c.PlaceOrder(CallerOf(req).account_id, in);
    if (!order.ok()) return Fail(order.status());
    return JsonResponse(200, [&](JsonWriter& w) { WriteOrder(w, *order); });
  }, write);
  r.Add(Method::kGet, "/api/plaza/v1/orders", [&c](Request& req) {
    std::string role = ParamString(req, "role");
    if (!role.empty() && role != "buyer" && role != "merchant") {
      return Response::Error(422, "role must be buyer or merchant");
    }
    auto limit = OptInt(req, "limit");
    if (!limit.ok()) return Fail(limit.status());
    size_t n = static_cast<size_t>(std::clamp<int64_t>(limit->value_or(40), 1, 200));
    auto orders = c.ListOrders(CallerOf(req).account_id, role == "merchant", n);
    return JsonResponse(200, [&](JsonWriter& w) {
      w.BeginArray();
      for (const auto& o : orders) WriteOrder(w, o);
      w.EndArray();
    });
  }, read);
  r.Add(Method::kGet, "/api/plaza/v1/orders/:id", [&c](Request& req) {
    auto id = PathId(req);
    if (!id.ok()) return Fail(id.status());
    auto order = c.GetOrder(CallerOf(req).account_id, *id);
    if (!order.ok()) return Fail(order.status());
    return JsonResponse(200, [&](JsonWriter& w) { WriteOrder(w, *order); });
  }, read);
  r.Add(Method::kGet, "/api/plaza/v1/orders/:id/ledger", [&c](Request& req) {
    auto id = PathId(req);
    if (!id.ok()) return Fail(id.status());
    Id me = CallerOf(req).account_id;
    if (!c.GetOrder(me, *id).ok()) return Response::Error(404, "order not found");
    auto entries = c.LedgerOfOrder(me, *id);
    return JsonResponse(200, [&](JsonWriter& w) {
      w.BeginArray();
      for (const auto& e : entries) WriteLedgerEntry(w, e);
      w.EndArray();
    });
  }, read);
  using Step = Result<storage::OrderRecord> (Commerce::*)(Id, Id);
  auto step = [&r, &c, write](std::string_view path, Step fn) {
    r.Add(Method::kPost, path, [&c, fn](Request& req) {
      auto id = PathId(req);
      if (!id.ok()) return Fail(id.status());
      auto order = (c.*fn)(CallerOf(req).account_id, *id);
      if (!order.ok()) return Fail(order.status());
      return JsonResponse(200, [&](JsonWriter& w) { WriteOrder(w, *order); });
    }, write);
  };
  step("/api/plaza/v1/orders/:id/cancel", &Commerce::CancelOrder);
  step("/api/plaza/v1/orders/:id/ship", &Commerce::ShipOrder);
  step("/api/plaza/v1/orders/:id/complete", &Commerce::CompleteOrder);
  using PayStep = Result<domain::commerce::PaymentResult> (Commerce::*)(Id, Id);
  auto pay_step = [&r, &c, write](std::string_view path, PayStep fn) {
    r.Add(Method::kPost, path, [&c, fn](Request& req) {
      auto id = PathId(req);
      if (!id.ok()) return Fail(id.status());
      auto paid = (c.*fn)(CallerOf(req).account_id, *id);
      if (!paid.ok()) return Fail(paid.status());
      return JsonResponse(200, [&](JsonWriter& w) {
        w.BeginObject().Key("order");
        WriteOrder(w, paid->order);
        w.Field("provider", paid->provider);
        // The sandbox shows what it delivered so integrators can test their own webhook handling.
        if (paid->provider == "sandbox") {
          w.Key("webhook")
              .BeginObject()
              .Field("body", paid->webhook.body)
              .Field("signature", paid->webhook.signature)
              .EndObject();
        }
        w.EndObject();
      });
    }, write);
  };
  pay_step("/api/plaza/v1/orders/:id/pay", &Commerce::PayOrder);
  pay_step("/api/plaza/v1/orders/:id/refund", &Commerce::RefundOrder);

  // ---- payments ----
  // Untagged: the payment provider signs it; no token is needed.
  r.Add(Method::kPost, "/api/plaza/v1/payments/webhook", [&c](Request& req) {
    domain::commerce::PaymentEvent ev;
    ev.id = ParamString(req, "id");
    ev.type = ParamString(req, "type");
    ev.payment_id = ParamString(req, "payment_id");
    if (auto id = ParseId(ParamString(req, "order_id"))) ev.order_id = *id;
    ev.amount_minor = req.params().GetInt("amount").ok() ? *req.params().GetInt("amount") : -1;
    ev.currency = ParamString(req, "currency");
    ev.created_ms = req.params().GetInt("created").ok() ? *req.params().GetInt("created") : 0;
    Status st = c.HandleWebhook(req.body(), req.Header("Plaza-Signature"), ev);
    if (!st.ok()) return Fail(st);
    return JsonResponse(200, [&](JsonWriter& w) { w.BeginObject().Field("received", true).EndObject(); });
  }, {.blocking = true, .tag = ""});

  // ---- campaigns ----
  auto one_campaign = [](const Result<domain::commerce::CampaignView>& v) {
    if (!v.ok()) return Fail(v.status());
    return JsonResponse(200, [&](JsonWriter& w) { WriteCampaign(w, *v); });
  };
  r.Add(Method::kPost, "/api/plaza/v1/campaigns", [&c, one_campaign](Request& req) {
    domain::commerce::CampaignInput in;
    auto pid = IdParam(req, "product_id");
    if (!pid.ok()) return Fail(pid.status());
    in.product_id = *pid;
    in.sku = ParamString(req, "sku");
    in.title = ParamString(req, "title");
    auto price = OptInt(req, "price");
    auto units = OptInt(req, "units");
    auto limit = OptInt(req, "per_account_limit");
    auto per_account = OptInt(req, "max_attempts_per_account");
    auto per_ip = OptInt(req, "max_attempts_per_ip");
    auto starts = TimeParam(req, "starts_at");
    auto ends = TimeParam(req, "ends_at");
    for (const Status* st : {&price.status(), &units.status(), &limit.status(),
                             &per_account.status(), &per_ip.status(), &starts.status(),
                             &ends.status()}) {
      if (!st->ok()) return Fail(*st);
    }
    in.price_minor = *price;
    in.units = units->value_or(0);
    in.per_account_limit = limit->value_or(1);
    in.max_attempts_per_account = per_account->value_or(0);
    in.max_attempts_per_ip = per_ip->value_or(0);
    in.start_at_ms = *starts;
    in.end_at_ms = *ends;
    in.reservation_required = req.params().GetBool("reservation_required", false);
    in.exclude_new_accounts = req.params().GetBool("exclude_new_accounts", false);
    return one_campaign(c.CreateCampaign(CallerOf(req).account_id, in));
  }, write);
  r.Add(Method::kGet, "/api/plaza/v1/campaigns/:id", [&c, one_campaign](Request& req) {
    auto id = PathId(req);
    if (!id.ok()) return Fail(id.status());
    return one_campaign(c.GetCampaign(CallerOf(req).account_id, *id));
  }, open);
  r.Add(Method::kPost, "/api/plaza/v1/campaigns/:id/reserve", [&c, one_campaign](Request& req) {
    auto id = PathId(req);
    if (!id.ok()) return Fail(id.status());
    return one_campaign(c.Reserve(CallerOf(req).account_id, *id));
  }, write);
  // The attempt is decided on the io thread (memory and one short lock): losses, refusals and
  // replays are answered at once, a win once its order is durable (the order committer's group
  // commit). Neither holds the io thread nor a blocking-pool thread while a commit runs.
  r.AddAsync(Method::kPost, "/api/plaza/v1/campaigns/:id/buy",
             [&c](Request& req, http::Responder respond) {
    auto id = PathId(req);
    if (!id.ok()) return respond(Fail(id.status()));
    domain::commerce::BuyRequest in;
    in.campaign_id = *id;
    auto qty = OptInt(req, "quantity");
    if (!qty.ok()) return respond(Fail(qty.status()));
    in.quantity = qty->value_or(1);
    auto via = IdParam(req, "via_status_id");
    if (!via.ok()) return respond(Fail(via.status()));
    in.via_status_id = *via;
    in.idempotency_key = std::string(req.Header("Idempotency-Key"));
    in.client_ip = std::string(req.remote_ip());
    c.BuyAsync(CallerOf(req).account_id, in,
               [respond = std::move(respond)](Result<domain::commerce::OrderRecord> order) {
      if (!order.ok()) return respond(Fail(order.status()));
      respond(JsonResponse(200, [&](JsonWriter& w) { WriteOrder(w, *order); }));
    });
  }, http::RouteOptions{.tag = write.tag});

  // ---- merchant and affiliate views ----
  r.Add(Method::kGet, "/api/plaza/v1/merchant/stats", [&c](Request& req) {
    auto stats = c.Stats(CallerOf(req).account_id);
    return JsonResponse(200, [&](JsonWriter& w) { WriteMerchantStats(w, stats); });
  }, read);
  r.Add(Method::kGet, "/api/plaza/v1/affiliate/earnings", [&c](Request& req) {
    auto earned = c.CommissionOf(CallerOf(req).account_id);
    return JsonResponse(200, [&](JsonWriter& w) {
      w.BeginObject().Key("commission").BeginObject();
      for (const auto& [currency, amount] : earned) w.Field(currency, amount);
      w.EndObject().EndObject();
    });
  }, read);
}

}  // namespace plaza::api
