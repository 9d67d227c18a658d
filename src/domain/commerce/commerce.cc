#include "domain/commerce/commerce.h"

#include "domain/commerce/campaign_state.h"

#include <algorithm>
#include <chrono>
#include <functional>
#include <future>

#include "common/clock.h"
#include "common/utf8.h"
#include "domain/crypto.h"

namespace plaza::domain::commerce {
namespace {

constexpr uint64_t kLockShop = 60;
constexpr uint64_t kLockProduct = 61;
constexpr uint64_t kLockOrder = 62;
constexpr uint64_t kLockIdempotency = 63;
constexpr uint64_t kLockReservation = 64;
constexpr uint64_t kLockStatusProducts = 65;
constexpr size_t kMaxTitleChars = 200;
constexpr size_t kMaxDescriptionChars = 5000;
constexpr size_t kMaxImages = 9;
constexpr size_t kMaxUrlBytes = 2048;
constexpr size_t kMaxVariants = 100;
constexpr size_t kMaxSkuBytes = 64;
constexpr size_t kMaxIdempotencyKey = 256;

bool ValidCurrency(std::string_view c) {
  return c.size() == 3 && std::all_of(c.begin(), c.end(), [](char ch) { return ch >= 'A' && ch <= 'Z'; });
}

Status CheckText(std::string_view what, std::string_view s, size_t max_chars, bool required) {
  if (!IsValidUtf8(s)) return Status::Invalid(std::string(what) + " is not valid UTF-8");
  if (required && s.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return Status::Unprocessable(std::string(what) + " can't be blank");
  }
  if (CountCodePoints(s) > max_chars) return Status::Unprocessable(std::string(what) + " is too long");
  return Status::Ok();
}

bool IsOpen(OrderState s) {
  return s == OrderState::kPendingPayment || s == OrderState::kPaid || s == OrderState::kShipped ||
         s == OrderState::kCompleted;
}
bool IsSale(OrderState s) {
  return s == OrderState::kPaid || s == OrderState::kShipped || s == OrderState::kCompleted;
}

std::string_view StateName(OrderState s) {
  switch (s) {
    case OrderState::kPendingPayment: return "pending_payment";
    case OrderState::kPaid: return "paid";
    case OrderState::kShipped: return "shipped";
    case OrderState::kCompleted: return "completed";
    case OrderState::kCancelled: return "cancelled";
    case OrderState::kRefunded: return "refunded";
  }
  return "unknown";
}

int64_t UnitsOf(const OrderRecord& o) {
  int64_t n = 0;
  for (const auto& l : o.lines) n += l.quantity;
  return n;
}

int64_t Share(int64_t total, uint32_t bp) {
  return static_cast<int64_t>(static_cast<__int128>(total) * bp / 10000);
}

uint64_t HashKey(std::string_view key) { return std::hash<std::string_view>{}(key); }

}  // namespace

std::string_view OrderStateName(OrderState s) { return StateName(s); }

Commerce::Commerce(storage::Storage& storage, Domain& domain, CommerceConfig config,
                   std::unique_ptr<PaymentProvider> provider)
    : storage_(storage), domain_(domain), config_(std::move(config)) {
  InitCrypto();
  secret_ = config_.webhook_secret.empty() ? RandomToken(32) : config_.webhook_secret;
  provider_ = provider ? std::move(provider)
                       : NewSandboxProvider(secret_, [this](const SignedWebhook& h,
                                                            const PaymentEvent& ev) {
                           return HandleWebhook(h.body, h.signature, ev);
                         });
}

Commerce::~Commerce() { Stop(); }

Status Commerce::Start() {
  {
    std::unique_lock lock(mu_);
    PLAZA_RETURN_IF_ERROR(LoadLocked());
  }
  {
    std::lock_guard lock(commit_mu_);
    commit_stopping_ = false;
  }
  std::lock_guard lock(expiry_mu_);
  stopping_ = false;
  if (!expiry_thread_.joinable()) expiry_thread_ = std::thread([this] { ExpiryLoop(); });
  return Status::Ok();
}

void Commerce::Stop() {
  {
    std::lock_guard lock(expiry_mu_);
    stopping_ = true;
  }
  expiry_cv_.notify_all();
  if (expiry_thread_.joinable()) expiry_thread_.join();
  // Every win handed to storage is answered before Stop returns.
  std::unique_lock lock(commit_mu_);
  commit_stopping_ = true;
  commit_cv_.wait(lock, [this] { return wins_in_flight_ == 0; });
}

void Commerce::ExpiryLoop() {
  std::unique_lock lock(expiry_mu_);
  while (!stopping_) {
    expiry_cv_.wait_for(lock, std::chrono::milliseconds(config_.expiry_scan_interval_ms));
    if (stopping_) break;
    lock.unlock();
    ExpireDue(NowUnixMs());
    lock.lock();
  }
}

Status Commerce::LoadLocked() {
  PLAZA_RETURN_IF_ERROR(storage_.ForEachShop([&](const ShopRecord& r) {
    shops_[r.account_id] = r;
    return Status::Ok();
  }));
  PLAZA_RETURN_IF_ERROR(storage_.ForEachProduct([&](const ProductRecord& r) {
    products_[r.id] = std::make_shared<const ProductRecord>(r);
    products_by_merchant_[r.merchant_id].push_back(r.id);
    ids_.AdvancePast(r.id);
    return Status::Ok();
  }));
  PLAZA_RETURN_IF_ERROR(storage_.ForEachStatusProducts([&](const storage::StatusProductsRecord& r) {
    status_products_[r.status_id] = r.product_ids;
    return Status::Ok();
  }));
  PLAZA_RETURN_IF_ERROR(storage_.ForEachCampaign([&](const CampaignRecord& r) {
    auto c = std::make_shared<CampaignState>();
    c->rec = std::make_shared<const CampaignRecord>(r);
    campaigns_[r.id] = c;
    campaigns_by_merchant_[r.merchant_id].push_back(r.id);
    ids_.AdvancePast(r.id);
    return Status::Ok();
  }));
  PLAZA_RETURN_IF_ERROR(storage_.ForEachReservation([&](const storage::ReservationRecord& r) {
    auto it = campaigns_.find(r.campaign_id);
    if (it != campaigns_.end()) it->second->reservations.insert(r.account_id);
    ids_.AdvancePast(r.id);
    return Status::Ok();
  }));
  // Sold units are whatever the committed orders hold: nothing else is trusted after a crash.
  PLAZA_RETURN_IF_ERROR(storage_.ForEachOrder([&](const OrderRecord& r) {
    ApplyOrderLocked(r);
    if (IsOpen(r.state)) {
      if (r.campaign_id != 0) {
        auto it = campaigns_.find(r.campaign_id);
        if (it != campaigns_.end()) {
          it->second->sold += UnitsOf(r);
          it->second->held_by_account[r.buyer_id] += UnitsOf(r);
        }
      } else {
        for (const auto& l : r.lines) held_[{l.product_id, l.sku}] += l.quantity;
      }
    }
    ids_.AdvancePast(r.id);
    return Status::Ok();
  }));
  PLAZA_RETURN_IF_ERROR(storage_.ForEachLedgerEntry([&](const LedgerEntryRecord& e) {
    ledger_by_order_[e.order_id].push_back(e);
    if (e.account == storage::LedgerAccount::kCommission) {
      commission_by_account_[e.account_id][e.currency] += e.amount_minor;
    }
    ids_.AdvancePast(e.id);
    ids_.AdvancePast(e.txn_id);
    return Status::Ok();
  }));
  return Status::Ok();
}

// ---------------------------------------------------------------- shops

Result<ShopRecord> Commerce::ApplyForShop(Id account, const ShopApplication& in) {
  PLAZA_RETURN_IF_ERROR(CheckText("name", in.name, 60, true));
  PLAZA_RETURN_IF_ERROR(CheckText("description", in.description, kMaxDescriptionChars, false));
  auto guard = locks_.Lock({KeyLocks::Key(kLockShop, account)});
  {
    std::shared_lock lock(mu_);
    auto it = shops_.find(account);
    if (it != shops_.end() && it->second.state != ShopState::kRejected) {
      return Status::Conflict("this account already has a shop application");
    }
  }
  ShopRecord r;
  r.account_id = account;
  r.name = in.name;
  r.description = in.description;
  r.created_at_ms = NowUnixMs();
  storage::WriteBatch batch;
  batch.Put(r);
  PLAZA_RETURN_IF_ERROR(storage_.Commit(batch));
  std::unique_lock lock(mu_);
  shops_[account] = r;
  return r;
}

Result<ShopRecord> Commerce::DecideShop(Id admin, Id shop_account, bool approve) {
  auto actor = domain_.accounts().Get(admin);
  if (!actor || actor->rec->role != storage::Role::kAdmin) {
    return Status::Forbidden("only an admin can approve shops");
  }
  auto guard = locks_.Lock({KeyLocks::Key(kLockShop, shop_account)});
  ShopRecord r;
  {
    std::shared_lock lock(mu_);
    auto it = shops_.find(shop_account);
    if (it == shops_.end()) return Status::NotFound("shop not found");
    r = it->second;
  }
  r.state = approve ? ShopState::kApproved : ShopState::kRejected;
  r.decided_by = admin;
  r.decided_at_ms = NowUnixMs();
  storage::WriteBatch batch;
  batch.Put(r);
  PLAZA_RETURN_IF_ERROR(storage_.Commit(batch));
  std::unique_lock lock(mu_);
  shops_[shop_account] = r;
  version_.fetch_add(1, std::memory_order_release);
  return r;
}

std::optional<ShopRecord> Commerce::GetShop(Id account) const {
  std::shared_lock lock(mu_);
  auto it = shops_.find(account);
  if (it == shops_.end()) return std::nullopt;
  return it->second;
}

bool Commerce::IsVerified(Id account) const {
  std::shared_lock lock(mu_);
  auto it = shops_.find(account);
  return it != shops_.end() && it->second.state == ShopState::kApproved;
}

Result<std::vector<ShopRecord>> Commerce::ListShops(Id admin, ShopState state) const {
  auto actor = domain_.accounts().Get(admin);
  if (!actor || actor->rec->role != storage::Role::kAdmin) {
    return Status::Forbidden("only an admin can list shop applications");
  }
  std::vector<ShopRecord> out;
  std::shared_lock lock(mu_);
  for (const auto& [id, s] : shops_) {
    if (s.state == state) out.push_back(s);
  }
  std::sort(out.begin(), out.end(),
            [](const ShopRecord& a, const ShopRecord& b) { return a.created_at_ms < b.created_at_ms; });
  return out;
}

// ---------------------------------------------------------------- products

ProductView Commerce::ViewLocked(const std::shared_ptr<const ProductRecord>& p) const {
  ProductView v;
  v.rec = p;
  std::lock_guard lock(stock_mu_);
  auto held = [&](const std::string& sku) {
    auto it = held_.find({p->id, sku});
    return it == held_.end() ? 0 : it->second;
  };
  v.available = std::max<int64_t>(0, p->stock - held(""));
  for (const auto& var : p->variants) {
    v.variant_available.push_back(std::max<int64_t>(0, var.stock - held(var.sku)));
  }
  return v;
}

Result<std::string> Commerce::Moderate(Id merchant, std::string_view field,
                                       const std::string& text) const {
  // The same rules as posts and profiles. A product has no review queue of its own, so what the
  // rules would hold for review is refused instead; masked words are stored masked.
  PLAZA_ASSIGN_OR_RETURN(ContentDecision d, domain_.moderation().CheckProfile(merchant, field, text));
  if (d.held()) {
    return Status::Unprocessable(std::string(field) + " needs a moderator's review: " + d.reason);
  }
  return d.action == safety::Action::kMask ? d.text : text;
}

Result<std::shared_ptr<const ProductRecord>> Commerce::CheckProductInput(
    Id merchant, const ProductRecord* old, const ProductInput& in) const {
  ProductRecord r = old ? *old : ProductRecord{};
  if (!old) {
    r.currency = config_.default_currency;
    if (!in.title) return Status::Unprocessable("title is required");
    if (!in.price_minor) return Status::Unprocessable("price is required");
  }
  if (in.title) {
    PLAZA_RETURN_IF_ERROR(CheckText("title", *in.title, kMaxTitleChars, true));
    PLAZA_ASSIGN_OR_RETURN(r.title, Moderate(merchant, "product title", *in.title));
  }
  if (in.description) {
    PLAZA_RETURN_IF_ERROR(CheckText("description", *in.description, kMaxDescriptionChars, false));
    PLAZA_ASSIGN_OR_RETURN(r.description,
                           Moderate(merchant, "product description", *in.description));
  }
  if (in.images) {
    if (in.images->size() > kMaxImages) return Status::Unprocessable("at most 9 images");
    for (const auto& url : *in.images) {
      if (url.size() > kMaxUrlBytes || !IsValidUtf8(url) ||
          !(url.rfind("https://", 0) == 0 || url.rfind("http://", 0) == 0)) {
        return Status::Unprocessable("images must be http(s) URLs");
      }
    }
    r.images = *in.images;
  }
  if (in.price_minor) {
    if (*in.price_minor <= 0 || *in.price_minor > kMaxPriceMinor) {
      return Status::Unprocessable("price must be a positive number of minor units up to " +
                                   std::to_string(kMaxPriceMinor));
    }
    r.price_minor = *in.price_minor;
  }
  if (in.currency) {
    if (!ValidCurrency(*in.currency)) {
      return Status::Unprocessable("currency must be a 3-letter ISO 4217 code such as CNY");
    }
    if (old && *in.currency != old->currency) {
      return Status::Unprocessable("the currency of a product cannot change");
    }
    r.currency = *in.currency;
  }
  if (in.affiliate_bp) {
    if (*in.affiliate_bp < 0 || *in.affiliate_bp > 5000) {
      return Status::Unprocessable("affiliate_rate must be between 0 and 5000 basis points");
    }
    r.affiliate_bp = static_cast<uint32_t>(*in.affiliate_bp);
  }
  if (in.state) r.state = *in.state;

  // Stock arrives as "available now"; the record keeps the total offered, so units held by open
  // orders stay accounted for.
  auto held = [&](const std::string& sku) -> int64_t {
    if (!old) return 0;
    std::lock_guard lock(stock_mu_);
    auto it = held_.find({old->id, sku});
    return it == held_.end() ? 0 : it->second;
  };
  if (in.stock) {
    if (*in.stock < 0 || *in.stock > kMaxStock) {
      return Status::Unprocessable("stock must be between 0 and " + std::to_string(kMaxStock));
    }
    r.stock = *in.stock + held("");
  }
  if (in.variants) {
    if (in.variants->size() > kMaxVariants) return Status::Unprocessable("too many variants");
    std::vector<storage::ProductVariant> vars;
    std::unordered_set<std::string> skus;
    for (const auto& v : *in.variants) {
      if (v.sku.empty() || v.sku.size() > kMaxSkuBytes ||
          !std::all_of(v.sku.begin(), v.sku.end(), [](char c) { return c > ' ' && c < 127; })) {
        return Status::Unprocessable("each variant needs a sku of printable ASCII");
      }
      if (!skus.insert(v.sku).second) return Status::Unprocessable("duplicate sku " + v.sku);
      PLAZA_RETURN_IF_ERROR(CheckText("variant name", v.name, kMaxTitleChars, false));
      if (v.price_minor < 0 || v.price_minor > kMaxPriceMinor) {
        return Status::Unprocessable("variant price is out of range");
      }
      if (v.stock < 0 || v.stock > kMaxStock) {
        return Status::Unprocessable("variant stock is out of range");
      }
      vars.push_back({v.sku, v.name, v.price_minor, v.stock + held(v.sku)});
    }
    r.variants = std::move(vars);
  }
  r.merchant_id = merchant;
  return std::make_shared<const ProductRecord>(std::move(r));
}

Result<ProductView> Commerce::CreateProduct(Id merchant, const ProductInput& in) {
  if (!IsVerified(merchant)) return Status::Forbidden("only an approved shop can list products");
  PLAZA_ASSIGN_OR_RETURN(auto checked, CheckProductInput(merchant, nullptr, in));
  ProductRecord r = *checked;
  r.id = ids_.Next();
  r.created_at_ms = r.updated_at_ms = NowUnixMs();
  storage::WriteBatch batch;
  batch.Put(r);
  PLAZA_RETURN_IF_ERROR(storage_.Commit(batch));
  auto p = std::make_shared<const ProductRecord>(std::move(r));
  std::unique_lock lock(mu_);
  products_[p->id] = p;
  products_by_merchant_[merchant].push_back(p->id);
  return ViewLocked(p);
}

Result<ProductView> Commerce::UpdateProduct(Id merchant, Id product, const ProductInput& in) {
  auto guard = locks_.Lock({KeyLocks::Key(kLockProduct, product)});
  std::shared_ptr<const ProductRecord> old;
  {
    std::shared_lock lock(mu_);
    auto it = products_.find(product);
    if (it == products_.end()) return Status::NotFound("product not found");
    old = it->second;
  }
  if (old->merchant_id != merchant) return Status::Forbidden("this product belongs to another merchant");
  PLAZA_ASSIGN_OR_RETURN(auto checked, CheckProductInput(merchant, old.get(), in));
  ProductRecord r = *checked;
  r.updated_at_ms = NowUnixMs();
  storage::WriteBatch batch;
  batch.Put(r);
  PLAZA_RETURN_IF_ERROR(storage_.Commit(batch));
  auto p = std::make_shared<const ProductRecord>(std::move(r));
  std::unique_lock lock(mu_);
  products_[p->id] = p;
  return ViewLocked(p);
}

Result<ProductView> Commerce::GetProduct(Id viewer, Id product) const {
  std::shared_lock lock(mu_);
  auto it = products_.find(product);
  if (it == products_.end() ||
      (it->second->state != ProductState::kActive && it->second->merchant_id != viewer)) {
    return Status::NotFound("product not found");
  }
  return ViewLocked(it->second);
}

std::vector<ProductView> Commerce::ListProducts(Id viewer, Id merchant) const {
  std::vector<ProductView> out;
  std::shared_lock lock(mu_);
  auto it = products_by_merchant_.find(merchant);
  if (it == products_by_merchant_.end()) return out;
  for (auto id = it->second.rbegin(); id != it->second.rend(); ++id) {
    const auto& p = products_.at(*id);
    if (p->state == ProductState::kActive || viewer == merchant) out.push_back(ViewLocked(p));
  }
  return out;
}

// ---------------------------------------------------------------- products in statuses

Status Commerce::CheckStatusProducts(Id author, const std::vector<Id>& products) const {
  if (products.size() > kMaxProductsPerStatus) {
    return Status::Unprocessable("a status can carry at most 9 products");
  }
  std::unordered_set<Id> seen;
  std::shared_lock lock(mu_);
  for (Id id : products) {
    if (!seen.insert(id).second) return Status::Unprocessable("a product is listed twice");
    auto it = products_.find(id);
    if (it == products_.end()) return Status::Unprocessable("product " + IdToString(id) + " not found");
    if (it->second->merchant_id != author) {
      return Status::Unprocessable("product " + IdToString(id) + " belongs to another merchant");
    }
    if (it->second->state != ProductState::kActive) {
      return Status::Unprocessable("product " + IdToString(id) + " is not active");
    }
  }
  return Status::Ok();
}

Status Commerce::AttachToStatus(Id author, Id status_id, const std::vector<Id>& products) {
  if (products.empty()) return Status::Ok();
  PLAZA_RETURN_IF_ERROR(CheckStatusProducts(author, products));
  auto status = domain_.statuses().Get(author, status_id);
  if (!status.ok()) return status.status();
  auto guard = locks_.Lock({KeyLocks::Key(kLockStatusProducts, status_id)});
  storage::WriteBatch batch;
  PLAZA_RETURN_IF_ERROR(PutStatusProducts(author, *status->rec, products, batch));
  PLAZA_RETURN_IF_ERROR(storage_.Commit(batch));
  ApplyStatusProducts(status_id, products);
  return Status::Ok();
}

void Commerce::CarryProducts(Id author, std::vector<Id> products, NewStatus& post) {
  if (products.empty()) return;
  post.extend_batch = [this, author, products](const StatusMeta& rec,
                                               storage::WriteBatch& batch) -> Status {
    PLAZA_RETURN_IF_ERROR(CheckStatusProducts(author, products));
    return PutStatusProducts(author, rec, products, batch);
  };
  post.applied = [this, products = std::move(products)](const StatusMeta& rec) {
    ApplyStatusProducts(rec.id, products);
  };
}

Status Commerce::PutStatusProducts(Id author, const StatusMeta& status,
                                   const std::vector<Id>& products,
                                   storage::WriteBatch& batch) const {
  if (status.account_id != author || status.reblog_of_id != 0) {
    return Status::Forbidden("only the author can attach products to a status");
  }
  batch.Put(storage::StatusProductsRecord{status.id, products});
  return Status::Ok();
}

void Commerce::ApplyStatusProducts(Id status_id, std::vector<Id> products) {
  std::unique_lock lock(mu_);
  status_products_[status_id] = std::move(products);
  version_.fetch_add(1, std::memory_order_release);
}

std::vector<ProductView> Commerce::ProductsOfStatus(Id status_id) const {
  std::vector<ProductView> out;
  std::shared_lock lock(mu_);
  auto it = status_products_.find(status_id);
  if (it == status_products_.end()) return out;
  for (Id id : it->second) {
    auto p = products_.find(id);
    // Archived products stay on the post (the post was written with them) but drafts never show.
    if (p != products_.end() && p->second->state != ProductState::kDraft) {
      out.push_back(ViewLocked(p->second));
    }
  }
  return out;
}

Result<Id> Commerce::ResolveAffiliate(Id buyer, Id via_status, Id product, Id merchant) const {
  auto v = domain_.statuses().Get(buyer, via_status);
  if (!v.ok()) return Status::Unprocessable("via_status_id does not name a visible status");
  auto carries = [&](Id sid) {
    std::shared_lock lock(mu_);
    auto it = status_products_.find(sid);
    return it != status_products_.end() &&
           std::find(it->second.begin(), it->second.end(), product) != it->second.end();
  };
  bool ok = false;
  if (v->reblog) {
    ok = carries(v->reblog->rec->id);
  } else {
    ok = carries(v->rec->id) || (v->quote && carries(v->quote->rec->id));
  }
  if (!ok) return Status::Unprocessable("the status named by via_status_id does not carry this product");
  Id author = v->rec->account_id;
  bool repost = v->rec->reblog_of_id != 0 || v->rec->quote_of_id() != 0;
  if (repost && author != merchant && author != buyer) return author;
  return Id{0};
}

// ---------------------------------------------------------------- orders

void Commerce::ApplyOrderLocked(const OrderRecord& o) {
  auto rec = std::make_shared<const OrderRecord>(o);
  auto [it, inserted] = orders_.try_emplace(o.id, rec);
  if (!inserted) {
    if (it->second->state == OrderState::kPendingPayment) {
      unpaid_by_expiry_.erase({it->second->expires_at_ms, o.id});
    }
    it->second = rec;
  } else {
    InsertSorted(orders_by_buyer_[o.buyer_id], o.id);
    InsertSorted(orders_by_merchant_[o.merchant_id], o.id);
    if (!o.idempotency_key.empty()) order_by_idempotency_[{o.buyer_id, o.idempotency_key}] = o.id;
  }
  if (o.state == OrderState::kPendingPayment) unpaid_by_expiry_.insert({o.expires_at_ms, o.id});
}

Result<OrderRecord> Commerce::CommitNewOrder(OrderRecord o) {
  storage::WriteBatch batch;
  batch.Put(o);
  if (Status st = storage_.Commit(batch); !st.ok()) {
    ReturnStock(o);
    return st;
  }
  std::unique_lock lock(mu_);
  ApplyOrderLocked(o);
  return o;
}

void Commerce::ReturnStock(const OrderRecord& o) {
  if (o.campaign_id != 0) {
    std::shared_ptr<CampaignState> c;
    {
      std::shared_lock lock(mu_);
      auto it = campaigns_.find(o.campaign_id);
      if (it == campaigns_.end()) return;
      c = it->second;
    }
    std::lock_guard lock(c->mu);
    c->sold -= UnitsOf(o);
    c->held_by_account[o.buyer_id] -= UnitsOf(o);
    return;
  }
  std::lock_guard lock(stock_mu_);
  for (const auto& l : o.lines) held_[{l.product_id, l.sku}] -= l.quantity;
}

Result<OrderRecord> Commerce::PlaceOrder(Id buyer, const NewOrder& in) {
  if (in.lines.empty()) return Status::Unprocessable("an order needs at least one line");
  if (in.lines.size() > kMaxOrderLines) return Status::Unprocessable("too many order lines");
  if (in.idempotency_key.size() > kMaxIdempotencyKey) {
    return Status::Invalid("Idempotency-Key is too long");
  }
  if (!in.currency.empty() && !ValidCurrency(in.currency)) {
    return Status::Unprocessable("currency must be a 3-letter ISO 4217 code such as CNY");
  }
  for (const auto& l : in.lines) {
    if (l.quantity <= 0 || l.quantity > kMaxQuantity) {
      return Status::Unprocessable("quantity must be between 1 and " + std::to_string(kMaxQuantity));
    }
  }
  std::optional<KeyLocks::Guard> idem;
  if (!in.idempotency_key.empty()) {
    idem.emplace(locks_, std::vector<uint64_t>{KeyLocks::Key(kLockIdempotency, buyer,
                                                             HashKey(in.idempotency_key))});
    std::shared_lock lock(mu_);
    auto it = order_by_idempotency_.find({buyer, in.idempotency_key});
    if (it != order_by_idempotency_.end()) return *orders_.at(it->second);
  }

  OrderRecord o;
  o.buyer_id = buyer;
  o.idempotency_key = in.idempotency_key;
  {
    std::shared_lock lock(mu_);
    for (const auto& l : in.lines) {
      auto it = products_.find(l.product_id);
      if (it == products_.end() || it->second->state != ProductState::kActive) {
        return Status::Unprocessable("product " + IdToString(l.product_id) + " is not for sale");
      }
      const ProductRecord& p = *it->second;
      if (o.merchant_id == 0) {
        o.merchant_id = p.merchant_id;
        o.currency = p.currency;
        o.affiliate_bp = p.affiliate_bp;
      } else if (o.merchant_id != p.merchant_id) {
        return Status::Unprocessable("all lines of an order must come from one merchant");
      }
      if (p.currency != o.currency) return Status::Unprocessable("currency mismatch between lines");
      int64_t price = p.price_minor;
      if (p.variants.empty()) {
        if (!l.sku.empty()) return Status::Unprocessable("this product has no variants");
      } else {
        auto v = std::find_if(p.variants.begin(), p.variants.end(),
                              [&](const auto& var) { return var.sku == l.sku; });
        if (v == p.variants.end()) return Status::Unprocessable("choose one of the product's skus");
        if (v->price_minor != 0) price = v->price_minor;
      }
      o.lines.push_back({l.product_id, l.sku, l.quantity, price});
      o.total_minor += price * l.quantity;  // both bounded: no overflow
    }
  }
  if (!in.currency.empty() && in.currency != o.currency) {
    return Status::Unprocessable("currency mismatch: the products are priced in " + o.currency);
  }
  if (o.merchant_id == buyer) return Status::Unprocessable("a merchant cannot buy its own products");
  if (in.via_status_id != 0) {
    PLAZA_ASSIGN_OR_RETURN(o.affiliate_id, ResolveAffiliate(buyer, in.via_status_id,
                                                            o.lines.front().product_id,
                                                            o.merchant_id));
    o.via_status_id = in.via_status_id;
  }
  if (o.affiliate_id == 0) o.affiliate_bp = 0;
  o.platform_fee_bp = config_.platform_fee_bp;

  // Take the units in memory first (short lock), commit outside it, give them back on failure.
  {
    std::shared_lock lock(mu_);
    std::lock_guard stock(stock_mu_);
    std::map<std::pair<Id, std::string>, int64_t> want;
    for (const auto& l : o.lines) want[{l.product_id, l.sku}] += l.quantity;
    for (const auto& [key, qty] : want) {
      const ProductRecord& p = *products_.at(key.first);
      int64_t total = p.stock;
      for (const auto& v : p.variants) {
        if (v.sku == key.second) total = v.stock;
      }
      if (held_[key] + qty > total) return Status::SoldOut("sold out");
    }
    for (const auto& [key, qty] : want) held_[key] += qty;
  }
  o.id = ids_.Next();
  o.created_at_ms = o.updated_at_ms = NowUnixMs();
  o.expires_at_ms = o.created_at_ms + config_.order_ttl_ms;
  return CommitNewOrder(std::move(o));
}

Result<OrderRecord> Commerce::GetOrder(Id viewer, Id order) const {
  std::shared_lock lock(mu_);
  auto it = orders_.find(order);
  if (it == orders_.end() || (it->second->buyer_id != viewer && it->second->merchant_id != viewer)) {
    return Status::NotFound("order not found");
  }
  return *it->second;
}

std::vector<OrderRecord> Commerce::ListOrders(Id viewer, bool as_merchant, size_t limit) const {
  std::vector<OrderRecord> out;
  std::shared_lock lock(mu_);
  const auto& index = as_merchant ? orders_by_merchant_ : orders_by_buyer_;
  auto it = index.find(viewer);
  if (it == index.end()) return out;
  for (auto id = it->second.rbegin(); id != it->second.rend() && out.size() < limit; ++id) {
    out.push_back(*orders_.at(*id));
  }
  return out;
}

Result<OrderRecord> Commerce::Transition(Id actor, Id order, bool actor_is_merchant,
                                         OrderState from_a, OrderState from_b, OrderState to,
                                         std::string_view reason) {
  auto guard = locks_.Lock({KeyLocks::Key(kLockOrder, order)});
  OrderRecord o;
  {
    std::shared_lock lock(mu_);
    auto it = orders_.find(order);
    if (it == orders_.end()) return Status::NotFound("order not found");
    o = *it->second;
  }
  if (actor != 0) {
    if (o.buyer_id != actor && o.merchant_id != actor) return Status::NotFound("order not found");
    if ((actor_is_merchant ? o.merchant_id : o.buyer_id) != actor) {
      return Status::Forbidden(actor_is_merchant ? "only the merchant can do this"
                                                 : "only the buyer can do this");
    }
  }
  if (o.state != from_a && o.state != from_b) {
    return Status::Conflict("the order is " + std::string(StateName(o.state)));
  }
  o.state = to;
  o.cancel_reason = std::string(reason);
  o.updated_at_ms = NowUnixMs();
  storage::WriteBatch batch;
  batch.Put(o);
  PLAZA_RETURN_IF_ERROR(storage_.Commit(batch));
  {
    std::unique_lock lock(mu_);
    ApplyOrderLocked(o);
  }
  if (to == OrderState::kCancelled) ReturnStock(o);
  return o;
}

Result<OrderRecord> Commerce::CancelOrder(Id buyer, Id order) {
  return Transition(buyer, order, false, OrderState::kPendingPayment, OrderState::kPendingPayment,
                    OrderState::kCancelled, "cancelled by buyer");
}

Result<OrderRecord> Commerce::ShipOrder(Id merchant, Id order) {
  return Transition(merchant, order, true, OrderState::kPaid, OrderState::kPaid,
                    OrderState::kShipped, "");
}

Result<OrderRecord> Commerce::CompleteOrder(Id buyer, Id order) {
  return Transition(buyer, order, false, OrderState::kShipped, OrderState::kShipped,
                    OrderState::kCompleted, "");
}

size_t Commerce::ExpireDue(int64_t now_ms) {
  std::vector<Id> due;
  {
    std::shared_lock lock(mu_);
    for (const auto& [at, id] : unpaid_by_expiry_) {
      if (at > now_ms) break;
      due.push_back(id);
    }
  }
  size_t n = 0;
  for (Id id : due) {
    if (Transition(0, id, false, OrderState::kPendingPayment, OrderState::kPendingPayment,
                   OrderState::kCancelled, "expired").ok()) {
      ++n;
    }
  }
  return n;
}

Result<PaymentResult> Commerce::PayOrder(Id buyer, Id order) {
  PLAZA_ASSIGN_OR_RETURN(OrderRecord o, GetOrder(buyer, order));
  if (o.buyer_id != buyer) return Status::Forbidden("only the buyer can pay");
  if (o.state != OrderState::kPendingPayment) {
    return Status::Conflict("the order is " + std::string(StateName(o.state)));
  }
  if (o.expires_at_ms <= NowUnixMs()) {
    ExpireDue(NowUnixMs());
    return Status::Conflict("the order has expired");
  }
  // The provider confirms through the webhook, which takes the order's lock; hold none here.
  PLAZA_ASSIGN_OR_RETURN(SignedWebhook hook, provider_->Charge(o));
  PLAZA_ASSIGN_OR_RETURN(OrderRecord after, GetOrder(buyer, order));
  return PaymentResult{std::move(after), std::string(provider_->name()), std::move(hook)};
}

Result<PaymentResult> Commerce::RefundOrder(Id merchant, Id order) {
  PLAZA_ASSIGN_OR_RETURN(OrderRecord o, GetOrder(merchant, order));
  if (o.merchant_id != merchant) return Status::Forbidden("only the merchant can refund");
  if (!IsSale(o.state)) return Status::Conflict("the order is " + std::string(StateName(o.state)));
  PLAZA_ASSIGN_OR_RETURN(SignedWebhook hook, provider_->Refund(o));
  PLAZA_ASSIGN_OR_RETURN(OrderRecord after, GetOrder(merchant, order));
  return PaymentResult{std::move(after), std::string(provider_->name()), std::move(hook)};
}

std::vector<LedgerEntryRecord> Commerce::PaymentEntries(const OrderRecord& o, bool refund,
                                                        int64_t now) {
  int64_t fee = Share(o.total_minor, o.platform_fee_bp);
  int64_t commission = o.affiliate_id != 0 ? Share(o.total_minor, o.affiliate_bp) : 0;
  int64_t merchant = o.total_minor - fee - commission;
  int64_t sign = refund ? -1 : 1;
  Id txn = ids_.Next();
  std::vector<LedgerEntryRecord> out;
  auto leg = [&](storage::LedgerAccount account, Id account_id, int64_t amount) {
    if (amount == 0 && account != storage::LedgerAccount::kBuyer) return;
    out.push_back({ids_.Next(), txn, o.id, account, account_id, sign * amount, o.currency,
                   refund ? "refund" : "payment", now});
  };
  leg(storage::LedgerAccount::kBuyer, o.buyer_id, -o.total_minor);
  leg(storage::LedgerAccount::kMerchant, o.merchant_id, merchant);
  leg(storage::LedgerAccount::kCommission, o.affiliate_id, commission);
  leg(storage::LedgerAccount::kPlatform, 0, fee);
  return out;
}

Status Commerce::HandleWebhook(std::string_view body, std::string_view signature,
                               const PaymentEvent& ev) {
  int64_t now = NowUnixMs();
  PLAZA_RETURN_IF_ERROR(VerifyWebhook(secret_, signature, body, now, config_.webhook_tolerance_ms));
  if (ev.id.empty() || ev.id.size() > 128) return Status::Invalid("webhook event id is missing");
  auto guard = locks_.Lock({KeyLocks::Key(kLockOrder, ev.order_id)});
  auto prior = storage_.GetPaymentEvent(ev.id);
  if (prior.ok()) return Status::Conflict("webhook event already processed");
  if (!prior.status().IsNotFound()) return prior.status();
  OrderRecord o;
  {
    std::shared_lock lock(mu_);
    auto it = orders_.find(ev.order_id);
    if (it == orders_.end()) return Status::Unprocessable("the webhook names an unknown order");
    o = *it->second;
  }
  if (ev.amount_minor != o.total_minor || ev.currency != o.currency) {
    return Status::Unprocessable("the webhook amount does not match the order");
  }
  bool refund;
  if (ev.type == "payment.succeeded") {
    if (o.state != OrderState::kPendingPayment) {
      return Status::Conflict("the order is " + std::string(StateName(o.state)));
    }
    o.state = OrderState::kPaid;
    o.payment_id = ev.payment_id;
    refund = false;
  } else if (ev.type == "payment.refunded") {
    if (!IsSale(o.state)) return Status::Conflict("the order is " + std::string(StateName(o.state)));
    o.state = OrderState::kRefunded;
    refund = true;
  } else {
    return Status::Unprocessable("unknown webhook event type");
  }
  o.updated_at_ms = now;
  auto entries = PaymentEntries(o, refund, now);
  storage::WriteBatch batch;
  batch.Put(o);
  for (const auto& e : entries) batch.Put(e);
  batch.Put(storage::PaymentEventRecord{ev.id, o.id, now});
  PLAZA_RETURN_IF_ERROR(storage_.Commit(batch));
  {
    std::unique_lock lock(mu_);
    ApplyOrderLocked(o);
    auto& list = ledger_by_order_[o.id];
    for (const auto& e : entries) {
      list.push_back(e);
      if (e.account == storage::LedgerAccount::kCommission) {
        commission_by_account_[e.account_id][e.currency] += e.amount_minor;
      }
    }
  }
  if (refund) ReturnStock(o);
  return Status::Ok();
}

std::vector<LedgerEntryRecord> Commerce::LedgerOfOrder(Id viewer, Id order) const {
  std::shared_lock lock(mu_);
  auto o = orders_.find(order);
  if (o == orders_.end() || (o->second->buyer_id != viewer && o->second->merchant_id != viewer)) {
    return {};
  }
  auto it = ledger_by_order_.find(order);
  return it == ledger_by_order_.end() ? std::vector<LedgerEntryRecord>{} : it->second;
}

std::map<std::string, int64_t> Commerce::CommissionOf(Id account) const {
  std::shared_lock lock(mu_);
  auto it = commission_by_account_.find(account);
  return it == commission_by_account_.end() ? std::map<std::string, int64_t>{} : it->second;
}

// ---------------------------------------------------------------- campaigns

Result<CampaignView> Commerce::CreateCampaign(Id merchant, const CampaignInput& in) {
  if (!IsVerified(merchant)) return Status::Forbidden("only an approved shop can run campaigns");
  PLAZA_RETURN_IF_ERROR(CheckText("title", in.title, kMaxTitleChars, false));
  if (in.units <= 0 || in.units > kMaxStock) {
    return Status::Unprocessable("units must be between 1 and " + std::to_string(kMaxStock));
  }
  if (in.per_account_limit <= 0 || in.per_account_limit > kMaxQuantity) {
    return Status::Unprocessable("per_account_limit must be between 1 and " +
                                 std::to_string(kMaxQuantity));
  }
  if (in.max_attempts_per_account < 0 || in.max_attempts_per_ip < 0 ||
      in.max_attempts_per_account > 1'000'000 || in.max_attempts_per_ip > 1'000'000'000) {
    return Status::Unprocessable("attempt limits are out of range");
  }
  int64_t now = NowUnixMs();
  if (in.start_at_ms <= 0) return Status::Unprocessable("starts_at is required");
  if (in.end_at_ms != 0 && in.end_at_ms <= in.start_at_ms) {
    return Status::Unprocessable("ends_at must be after starts_at");
  }
  CampaignRecord r;
  {
    std::shared_lock lock(mu_);
    auto it = products_.find(in.product_id);
    if (it == products_.end()) return Status::Unprocessable("product not found");
    const ProductRecord& p = *it->second;
    if (p.merchant_id != merchant) return Status::Forbidden("this product belongs to another merchant");
    if (p.state != ProductState::kActive) return Status::Unprocessable("the product is not active");
    r.price_minor = p.price_minor;
    if (p.variants.empty()) {
      if (!in.sku.empty()) return Status::Unprocessable("this product has no variants");
    } else {
      auto v = std::find_if(p.variants.begin(), p.variants.end(),
                            [&](const auto& var) { return var.sku == in.sku; });
      if (v == p.variants.end()) return Status::Unprocessable("choose one of the product's skus");
      if (v->price_minor != 0) r.price_minor = v->price_minor;
    }
    r.currency = p.currency;
  }
  if (in.price_minor) {
    if (*in.price_minor <= 0 || *in.price_minor > kMaxPriceMinor) {
      return Status::Unprocessable("price is out of range");
    }
    r.price_minor = *in.price_minor;
  }
  r.id = ids_.Next();
  r.merchant_id = merchant;
  r.product_id = in.product_id;
  r.sku = in.sku;
  r.title = in.title;
  r.units = in.units;
  r.per_account_limit = static_cast<uint32_t>(in.per_account_limit);
  r.reservation_required = in.reservation_required;
  r.exclude_new_accounts = in.exclude_new_accounts;
  r.max_attempts_per_account = static_cast<uint32_t>(in.max_attempts_per_account);
  r.max_attempts_per_ip = static_cast<uint32_t>(in.max_attempts_per_ip);
  r.created_at_ms = now;
  r.start_at_ms = in.start_at_ms;
  r.end_at_ms = in.end_at_ms;
  storage::WriteBatch batch;
  batch.Put(r);
  PLAZA_RETURN_IF_ERROR(storage_.Commit(batch));
  auto c = std::make_shared<CampaignState>();
  c->rec = std::make_shared<const CampaignRecord>(r);
  {
    std::unique_lock lock(mu_);
    campaigns_[r.id] = c;
    campaigns_by_merchant_[merchant].push_back(r.id);
  }
  return GetCampaign(merchant, r.id);
}

Result<CampaignView> Commerce::GetCampaign(Id viewer, Id campaign) const {
  std::shared_ptr<CampaignState> c;
  {
    std::shared_lock lock(mu_);
    auto it = campaigns_.find(campaign);
    if (it == campaigns_.end()) return Status::NotFound("campaign not found");
    c = it->second;
  }
  CampaignView v;
  v.rec = c->rec;
  std::lock_guard lock(c->mu);
  v.sold = c->sold;
  v.remaining = std::max<int64_t>(0, c->rec->units - c->sold);
  v.reservations = static_cast<int64_t>(c->reservations.size());
  int64_t now = NowUnixMs();
  if (c->rec->end_at_ms != 0 && now >= c->rec->end_at_ms) {
    v.phase = "ended";
  } else if (now < c->rec->start_at_ms) {
    v.phase = "reservation";
  } else {
    v.phase = v.remaining == 0 ? "sold_out" : "on_sale";
  }
  if (viewer != 0) {
    v.reserved = c->reservations.count(viewer) != 0;
    auto h = c->held_by_account.find(viewer);
    v.bought = h == c->held_by_account.end() ? 0 : h->second;
  }
  return v;
}

Result<CampaignView> Commerce::Reserve(Id account, Id campaign) {
  std::shared_ptr<CampaignState> c;
  {
    std::shared_lock lock(mu_);
    auto it = campaigns_.find(campaign);
    if (it == campaigns_.end()) return Status::NotFound("campaign not found");
    c = it->second;
  }
  if (NowUnixMs() >= c->rec->start_at_ms) return Status::Unprocessable("reservations are closed");
  if (c->rec->exclude_new_accounts) {
    auto a = domain_.accounts().Get(account);
    if (!a || a->rec->created_at_ms > c->rec->created_at_ms) {
      return Status::Forbidden("accounts created after the announcement cannot take part");
    }
  }
  auto guard = locks_.Lock({KeyLocks::Key(kLockReservation, campaign, account)});
  bool reserved;
  {
    std::lock_guard lock(c->mu);
    reserved = c->reservations.count(account) != 0;
  }
  if (reserved) return GetCampaign(account, campaign);
  storage::ReservationRecord r{campaign, account, ids_.Next(), NowUnixMs()};
  storage::WriteBatch batch;
  batch.Put(r);
  PLAZA_RETURN_IF_ERROR(storage_.Commit(batch));
  {
    std::lock_guard lock(c->mu);
    c->reservations.insert(account);
  }
  return GetCampaign(account, campaign);
}

Result<OrderRecord> Commerce::Buy(Id buyer, const BuyRequest& in) {
  std::promise<Result<OrderRecord>> answer;
  auto future = answer.get_future();
  BuyAsync(buyer, in, [&answer](Result<OrderRecord> r) { answer.set_value(std::move(r)); });
  return future.get();
}

void Commerce::BuyAsync(Id buyer, const BuyRequest& in, BuyCallback done) {
  if (auto answer = DecideAttempt(buyer, in, done)) done(std::move(*answer));
}

std::optional<Result<OrderRecord>> Commerce::DecideAttempt(Id buyer, const BuyRequest& in,
                                                           BuyCallback& done) {
  if (in.idempotency_key.size() > kMaxIdempotencyKey) {
    return Status::Invalid("Idempotency-Key is too long");
  }
  std::shared_ptr<CampaignState> c;
  {
    std::shared_lock lock(mu_);
    auto it = campaigns_.find(in.campaign_id);
    if (it == campaigns_.end()) return Status::NotFound("campaign not found");
    c = it->second;
  }
  const CampaignRecord& rec = *c->rec;
  if (in.quantity <= 0 || in.quantity > rec.per_account_limit) {
    return Status::Unprocessable("quantity must be between 1 and " +
                                 std::to_string(rec.per_account_limit));
  }
  const bool keyed = !in.idempotency_key.empty();
  std::pair<Id, std::string> idem_key;
  // A retry of a decided attempt hears the same answer: a loss from memory, a committed win as
  // its order now, a win still committing once its commit is done.
  // REQUIRES: campaign_lock holds c->mu and the key is decided. Nothing when `done` now waits
  // for the commit of the key's win.
  auto replay = [&](std::unique_lock<std::mutex>& campaign_lock) -> std::optional<Result<OrderRecord>> {
    auto loss = c->losses.find(idem_key);
    if (loss != c->losses.end()) return Result<OrderRecord>(loss->second);
    auto& win = c->wins.at(idem_key);
    if (!win.durable) {
      win.waiters.push_back(std::move(done));
      return std::nullopt;
    }
    campaign_lock.unlock();
    std::shared_lock lock(mu_);
    auto it = order_by_idempotency_.find(idem_key);
    if (it == order_by_idempotency_.end()) return Status::Internal("a committed win is missing");
    return Result<OrderRecord>(*orders_.at(it->second));
  };
  if (keyed) {
    idem_key = {buyer, in.idempotency_key};
    {
      std::shared_lock lock(mu_);
      auto it = order_by_idempotency_.find(idem_key);
      if (it != order_by_idempotency_.end()) return Result<OrderRecord>(*orders_.at(it->second));
    }
    std::unique_lock lock(c->mu);
    if (c->losses.count(idem_key) != 0 || c->wins.count(idem_key) != 0) return replay(lock);
  }
  int64_t now = NowUnixMs();
  if (now < rec.start_at_ms) return Status::Unprocessable("the sale has not started");
  if (rec.end_at_ms != 0 && now >= rec.end_at_ms) return Status::Unprocessable("the sale has ended");
  if (rec.exclude_new_accounts) {
    auto a = domain_.accounts().Get(buyer);
    if (!a || a->rec->created_at_ms > rec.created_at_ms) {
      return Status::Forbidden("accounts created after the announcement cannot take part");
    }
  }
  if (buyer == rec.merchant_id) return Status::Unprocessable("a merchant cannot buy its own products");
  OrderRecord o;
  if (in.via_status_id != 0) {
    auto affiliate = ResolveAffiliate(buyer, in.via_status_id, rec.product_id, rec.merchant_id);
    if (!affiliate.ok()) return affiliate.status();
    o.affiliate_id = *affiliate;
    o.via_status_id = in.via_status_id;
    if (o.affiliate_id != 0) {
      std::shared_lock lock(mu_);
      auto p = products_.find(rec.product_id);
      o.affiliate_bp = p == products_.end() ? 0 : p->second->affiliate_bp;
    }
  }

  // The decision: memory only, under the campaign's short lock. Losers never touch storage.
  {
    std::unique_lock lock(c->mu);
    if (keyed && (c->losses.count(idem_key) != 0 || c->wins.count(idem_key) != 0)) {
      return replay(lock);
    }
    if (rec.reservation_required && c->reservations.count(buyer) == 0) {
      return Status::Forbidden("only reservation holders may buy");
    }
    if (rec.max_attempts_per_account != 0 &&
        ++c->attempts_by_account[buyer] > rec.max_attempts_per_account) {
      return Status::RateLimited("too many purchase attempts for this account");
    }
    if (rec.max_attempts_per_ip != 0 && !in.client_ip.empty() &&
        ++c->attempts_by_ip[in.client_ip] > rec.max_attempts_per_ip) {
      return Status::RateLimited("too many purchase attempts from this address");
    }
    auto held = c->held_by_account.find(buyer);
    int64_t held_units = held == c->held_by_account.end() ? 0 : held->second;
    if (held_units + in.quantity > rec.per_account_limit) {
      return Status::Unprocessable("the per-account limit of " +
                                   std::to_string(rec.per_account_limit) + " is reached");
    }
    if (c->sold + in.quantity > rec.units) {
      Status sold_out = Status::SoldOut("sold out");
      if (keyed) c->losses.emplace(idem_key, sold_out);
      return sold_out;
    }
    c->sold += in.quantity;
    c->held_by_account[buyer] = held_units + in.quantity;
    o.id = ids_.Next();
    if (keyed) c->wins[idem_key].order_id = o.id;
  }

  o.buyer_id = buyer;
  o.merchant_id = rec.merchant_id;
  o.campaign_id = rec.id;
  o.lines.push_back({rec.product_id, rec.sku, in.quantity, rec.price_minor});
  o.currency = rec.currency;
  o.total_minor = rec.price_minor * in.quantity;
  o.platform_fee_bp = config_.platform_fee_bp;
  o.idempotency_key = in.idempotency_key;
  o.created_at_ms = o.updated_at_ms = now;
  o.expires_at_ms = now + config_.order_ttl_ms;
  bool running = false;
  {
    std::lock_guard lock(commit_mu_);
    running = !commit_stopping_;
    if (running) ++wins_in_flight_;
  }
  if (running) {
    CommitWin(PendingWin{std::move(o), std::move(c), std::move(done)});
    return std::nullopt;
  }
  ReturnStock(o);
  if (keyed) {
    std::lock_guard lock(c->mu);
    c->wins.erase(idem_key);
  }
  return Status::Unavailable("commerce is not running");
}

void Commerce::CommitWin(PendingWin win) {
  storage::WriteBatch batch;
  batch.Put(win.order);
  // Storage groups the wins pending together into one write and one fsync.
  storage_.CommitAsync(std::move(batch),
                       [this, w = std::move(win)](Status st) mutable { FinishWin(w, st); });
}

void Commerce::FinishWin(PendingWin& w, const Status& st) {
  if (st.ok()) {
    std::unique_lock lock(mu_);
    ApplyOrderLocked(w.order);
  } else {
    ReturnStock(w.order);
  }
  std::vector<BuyCallback> waiters;
  if (!w.order.idempotency_key.empty()) {
    std::lock_guard lock(w.campaign->mu);
    auto it = w.campaign->wins.find({w.order.buyer_id, w.order.idempotency_key});
    if (it != w.campaign->wins.end()) {
      waiters = std::move(it->second.waiters);
      if (st.ok()) {
        it->second.durable = true;
        it->second.waiters.clear();
      } else {
        w.campaign->wins.erase(it);
      }
    }
  }
  for (auto& waiter : waiters) {
    waiter(st.ok() ? Result<OrderRecord>(w.order) : Result<OrderRecord>(st));
  }
  w.done(st.ok() ? Result<OrderRecord>(std::move(w.order)) : Result<OrderRecord>(st));
  std::lock_guard lock(commit_mu_);
  --wins_in_flight_;
  commit_cv_.notify_all();  // under the lock: Stop may destroy this object once it sees zero
}

}  // namespace plaza::domain::commerce
