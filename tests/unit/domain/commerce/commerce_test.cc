// Commerce on the real storage engines (memory and RocksDB): shops and products, products in
// statuses, concurrent flash-sale buyers (never oversold, per-account limit holds, wins survive a
// restart), idempotent retries, the payment webhook (tampering and replay refused), the ledger
// (balances, commission to the reposter), expiry returning stock.
#include "domain/commerce/commerce.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <future>
#include <mutex>
#include <set>
#include <thread>

#include "common/clock.h"
#include "storage/memory/memory_storage.h"
#include "storage/rocksdb/rocksdb_storage.h"

namespace plaza::domain::commerce {
namespace {

using namespace std::chrono_literals;

enum class Engine { kMemory, kRocksDb };

class CommerceTest : public ::testing::TestWithParam<Engine> {
 protected:
  void SetUp() override {
    if (GetParam() == Engine::kRocksDb) {
      std::string tmpl = ::testing::TempDir() + "plaza_commerce_XXXXXX";
      ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
      dir_ = tmpl;
    } else {
      storage_ = storage::NewMemoryStorage();
    }
    Open();
    admin_ = MakeAccount("admin");
    ASSERT_TRUE(domain_->accounts().SetRole(admin_, storage::Role::kAdmin).ok());
    merchant_ = MakeShop("merchant");
  }

  void TearDown() override {
    Close();
    storage_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  void Open() {
    if (GetParam() == Engine::kRocksDb && !storage_) {
      auto s = storage::OpenRocksDbStorage(dir_, {});
      ASSERT_TRUE(s.ok()) << s.status().ToString();
      storage_ = std::move(s).value();
    }
    DomainConfig dc;
    dc.password_ops = 1;
    dc.password_mem_bytes = 8192;
    domain_ = std::make_unique<Domain>(*storage_, dc);
    ASSERT_TRUE(domain_->Start().ok());
    CommerceConfig cc = config_;
    commerce_ = std::make_unique<Commerce>(*storage_, *domain_, cc);
    ASSERT_TRUE(commerce_->Start().ok());
  }

  void Close() {
    commerce_.reset();
    if (domain_) domain_->Stop();
    domain_.reset();
  }

  // A restart: everything in memory is rebuilt from storage (RocksDB is reopened).
  void Restart() {
    Close();
    if (GetParam() == Engine::kRocksDb) storage_.reset();
    Open();
  }

  Id MakeAccount(const std::string& name) {
    auto a = domain_->accounts().Register({name, name + "@example.com", "password123", true});
    EXPECT_TRUE(a.ok()) << a.status().ToString();
    return a.ok() ? a->rec->id : 0;
  }

  Id MakeShop(const std::string& name) {
    Id id = MakeAccount(name);
    EXPECT_TRUE(commerce_->ApplyForShop(id, {name + " shop", ""}).ok());
    EXPECT_TRUE(commerce_->DecideShop(admin_, id, true).ok());
    return id;
  }

  Id MakeProduct(Id merchant, int64_t price = 12900, int64_t stock = 10, int64_t affiliate = 0) {
    ProductInput in;
    in.title = "Phone";
    in.price_minor = price;
    in.stock = stock;
    in.state = ProductState::kActive;
    in.affiliate_bp = affiliate;
    auto p = commerce_->CreateProduct(merchant, in);
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    return p.ok() ? p->rec->id : 0;
  }

  Id MakeCampaign(Id product, int64_t units, int64_t limit, int64_t start_in_ms,
                  bool reservation_required = false, bool exclude_new = false) {
    CampaignInput in;
    in.product_id = product;
    in.title = "Flash sale";
    in.units = units;
    in.per_account_limit = limit;
    in.start_at_ms = NowUnixMs() + start_in_ms;
    in.reservation_required = reservation_required;
    in.exclude_new_accounts = exclude_new;
    auto c = commerce_->CreateCampaign(merchant_, in);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return c.ok() ? c->rec->id : 0;
  }

  Id Post(Id author, const std::string& text) {
    NewStatus in;
    in.text = text;
    auto s = domain_->statuses().Create(author, in);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? s->rec->id : 0;
  }

  CommerceConfig config_;
  std::string dir_;
  std::unique_ptr<storage::Storage> storage_;
  std::unique_ptr<Domain> domain_;
  std::unique_ptr<Commerce> commerce_;
  Id admin_ = 0;
  Id merchant_ = 0;
};

TEST_P(CommerceTest, OnlyAdminsApproveShopsAndApprovalGivesTheBadge) {
  Id alice = MakeAccount("alice");
  ASSERT_TRUE(commerce_->ApplyForShop(alice, {"Alice's", ""}).ok());
  EXPECT_EQ(commerce_->ApplyForShop(alice, {"again", ""}).status().code(), StatusCode::kConflict);
  EXPECT_FALSE(commerce_->IsVerified(alice));
  EXPECT_EQ(commerce_->DecideShop(alice, alice, true).status().code(), StatusCode::kForbidden);
  ProductInput in;
  in.title = "x";
  in.price_minor = 100;
  EXPECT_EQ(commerce_->CreateProduct(alice, in).status().code(), StatusCode::kForbidden);
  ASSERT_TRUE(commerce_->DecideShop(admin_, alice, true).ok());
  EXPECT_TRUE(commerce_->IsVerified(alice));
  Restart();
  EXPECT_TRUE(commerce_->IsVerified(alice));
}

TEST_P(CommerceTest, BadProductInputIsRefusedAndChangesNothing) {
  auto bad = [&](ProductInput in) { return commerce_->CreateProduct(merchant_, in).status().code(); };
  ProductInput in;
  in.title = "Phone";
  in.price_minor = -1;
  EXPECT_EQ(bad(in), StatusCode::kUnprocessable);
  in.price_minor = 0;
  EXPECT_EQ(bad(in), StatusCode::kUnprocessable);
  in.price_minor = kMaxPriceMinor + 1;
  EXPECT_EQ(bad(in), StatusCode::kUnprocessable);
  in.price_minor = 100;
  in.currency = "cny";
  EXPECT_EQ(bad(in), StatusCode::kUnprocessable);
  in.currency = "CNY";
  in.stock = -5;
  EXPECT_EQ(bad(in), StatusCode::kUnprocessable);
  in.stock = 1;
  in.variants = std::vector<VariantInput>{{"A", "a", 0, 1}, {"A", "b", 0, 1}};
  EXPECT_EQ(bad(in), StatusCode::kUnprocessable);
  EXPECT_TRUE(commerce_->ListProducts(merchant_, merchant_).empty());

  Id p = MakeProduct(merchant_);
  Id other = MakeShop("other");
  ProductInput change;
  change.price_minor = 1;
  EXPECT_EQ(commerce_->UpdateProduct(other, p, change).status().code(), StatusCode::kForbidden);
  EXPECT_EQ(commerce_->GetProduct(0, p)->rec->price_minor, 12900);
}

TEST_P(CommerceTest, ProductTextGoesThroughModeration) {
  RuleInput rule;
  rule.pattern = "counterfeit";
  rule.action = "reject";
  ASSERT_TRUE(domain_->moderation().CreateRule(admin_, rule).ok());
  ProductInput in;
  in.title = "Counterfeit watch";
  in.price_minor = 100;
  EXPECT_EQ(commerce_->CreateProduct(merchant_, in).status().code(), StatusCode::kUnprocessable);
  in.title = "Watch";
  in.description = "not counterfeit at all";
  EXPECT_EQ(commerce_->CreateProduct(merchant_, in).status().code(), StatusCode::kUnprocessable);
  EXPECT_TRUE(commerce_->ListProducts(merchant_, merchant_).empty());
  in.description = "genuine";
  EXPECT_TRUE(commerce_->CreateProduct(merchant_, in).ok());
}

TEST_P(CommerceTest, StatusesCarryOnlyTheirAuthorsProductsUpToNine) {
  Id mine = MakeProduct(merchant_);
  Id other = MakeShop("other");
  Id theirs = MakeProduct(other);
  EXPECT_EQ(commerce_->CheckStatusProducts(merchant_, {mine, theirs}).code(),
            StatusCode::kUnprocessable);
  std::vector<Id> ten;
  for (int i = 0; i < 10; ++i) ten.push_back(MakeProduct(merchant_));
  EXPECT_EQ(commerce_->CheckStatusProducts(merchant_, ten).code(), StatusCode::kUnprocessable);
  Id status = Post(merchant_, "new phone");
  ASSERT_TRUE(commerce_->AttachToStatus(merchant_, status, {mine, ten[0]}).ok());
  Restart();
  auto products = commerce_->ProductsOfStatus(status);
  ASSERT_EQ(products.size(), 2u);
  EXPECT_EQ(products[0].rec->id, mine);
}

TEST_P(CommerceTest, APostAndItsProductsCommitTogether) {
  Id mine = MakeProduct(merchant_);
  Id other = MakeShop("other");
  Id theirs = MakeProduct(other);
  auto stored_links = [&] {
    int n = 0;
    EXPECT_TRUE(storage_->ForEachStatusProducts([&](const storage::StatusProductsRecord&) {
      ++n;
      return Status::Ok();
    }).ok());
    return n;
  };
  auto posts = [&] {
    auto ids = domain_->timelines().Account(merchant_, merchant_, Page{}, {});
    EXPECT_TRUE(ids.ok());
    return ids.ok() ? ids->size() : 0;
  };
  const size_t posts_before = posts();

  // Refused products refuse the post: neither the post nor a products record is stored.
  NewStatus bad;
  bad.text = "not mine to sell";
  commerce_->CarryProducts(merchant_, {mine, theirs}, bad);
  EXPECT_EQ(domain_->statuses().Create(merchant_, bad).status().code(),
            StatusCode::kUnprocessable);
  EXPECT_EQ(posts(), posts_before);
  EXPECT_EQ(stored_links(), 0);

  NewStatus good;
  good.text = "new phone";
  commerce_->CarryProducts(merchant_, {mine}, good);
  auto post = domain_->statuses().Create(merchant_, good);
  ASSERT_TRUE(post.ok()) << post.status().ToString();
  // Shown as soon as the post is answered, and stored with it.
  ASSERT_EQ(commerce_->ProductsOfStatus(post->rec->id).size(), 1u);
  EXPECT_EQ(stored_links(), 1);
  Restart();
  auto products = commerce_->ProductsOfStatus(post->rec->id);
  ASSERT_EQ(products.size(), 1u);
  EXPECT_EQ(products[0].rec->id, mine);
}

TEST_P(CommerceTest, ConcurrentBuyersNeverOversellAndWinsSurviveARestart) {
  constexpr int kUnits = 40;
  constexpr int kBuyers = 160;
  Id product = MakeProduct(merchant_);
  Id campaign = MakeCampaign(product, kUnits, 1, -1);
  std::vector<Id> buyers;
  for (int i = 0; i < kBuyers; ++i) buyers.push_back(MakeAccount("b" + std::to_string(i)));
  std::atomic<int> wins{0}, sold_out{0}, other{0};
  std::mutex mu;
  std::set<Id> winners;
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = t; i < kBuyers; i += 8) {
        for (int attempt = 0; attempt < 2; ++attempt) {
          BuyRequest req;
          req.campaign_id = campaign;
          auto r = commerce_->Buy(buyers[i], req);
          if (r.ok()) {
            ++wins;
            std::lock_guard lock(mu);
            winners.insert(r->buyer_id);
          } else if (r.status().code() == StatusCode::kSoldOut) {
            ++sold_out;
          } else {
            ++other;  // the per-account limit on a winner's second attempt
          }
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(wins.load(), kUnits);
  EXPECT_EQ(winners.size(), static_cast<size_t>(kUnits));
  EXPECT_EQ(other.load(), kUnits);
  EXPECT_EQ(sold_out.load(), 2 * kBuyers - 2 * kUnits);
  EXPECT_EQ(commerce_->GetCampaign(0, campaign)->remaining, 0);
  Restart();
  auto after = commerce_->GetCampaign(0, campaign);
  EXPECT_EQ(after->sold, kUnits);
  EXPECT_EQ(commerce_->ListOrders(merchant_, true, 1000).size(), static_cast<size_t>(kUnits));
  BuyRequest req;
  req.campaign_id = campaign;
  EXPECT_EQ(commerce_->Buy(MakeAccount("late"), req).status().code(), StatusCode::kSoldOut);
}

// Xiaomi's shape, scaled down: many more attempts than units, one per account. Exactly the
// offered units are won, by distinct accounts; prints the decision rate as a figure.
TEST_P(CommerceTest, BurstOfAttemptsSellsExactlyTheUnits) {
  constexpr int kUnits = 500;
  constexpr int kAttempts = 100'000;
  constexpr int kThreads = 8;
  Id campaign = MakeCampaign(MakeProduct(merchant_), kUnits, 1, -1);
  std::atomic<int> wins{0}, sold_out{0};
  int64_t start = MonotonicNs();
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      BuyRequest req;
      req.campaign_id = campaign;
      // Buyer ids need not be accounts here: the campaign allows everyone.
      for (int i = t; i < kAttempts; i += kThreads) {
        auto r = commerce_->Buy(Id{1'000'000} + static_cast<Id>(i), req);
        if (r.ok()) {
          ++wins;
        } else if (r.status().code() == StatusCode::kSoldOut) {
          ++sold_out;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  double secs = static_cast<double>(MonotonicNs() - start) / 1e9;
  EXPECT_EQ(wins.load(), kUnits);
  EXPECT_EQ(sold_out.load(), kAttempts - kUnits);
  std::set<Id> buyers;
  for (const auto& o : commerce_->ListOrders(merchant_, true, kAttempts)) buyers.insert(o.buyer_id);
  EXPECT_EQ(buyers.size(), static_cast<size_t>(kUnits));
  std::printf("[ figure ] %d attempts, %d durable wins in %.3f s: %.0f attempts/s\n", kAttempts,
              kUnits, secs, kAttempts / secs);
}

TEST_P(CommerceTest, PerAccountLimitHoldsUnderConcurrency) {
  Id product = MakeProduct(merchant_);
  Id campaign = MakeCampaign(product, 100, 2, -1);
  Id buyer = MakeAccount("greedy");
  std::atomic<int> wins{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 5; ++i) {
        BuyRequest req;
        req.campaign_id = campaign;
        req.idempotency_key = "k" + std::to_string(t) + "-" + std::to_string(i);
        if (commerce_->Buy(buyer, req).ok()) ++wins;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(wins.load(), 2);
  BuyRequest three;
  three.campaign_id = campaign;
  three.quantity = 3;
  EXPECT_EQ(commerce_->Buy(MakeAccount("x"), three).status().code(), StatusCode::kUnprocessable);
  three.quantity = 0;
  EXPECT_EQ(commerce_->Buy(MakeAccount("y"), three).status().code(), StatusCode::kUnprocessable);
}

TEST_P(CommerceTest, RetriesWithTheSameKeyGetTheSameAnswer) {
  Id product = MakeProduct(merchant_);
  Id campaign = MakeCampaign(product, 1, 1, -1);
  Id a = MakeAccount("a"), b = MakeAccount("b");
  BuyRequest req;
  req.campaign_id = campaign;
  req.idempotency_key = "retry-1";
  auto first = commerce_->Buy(a, req);
  ASSERT_TRUE(first.ok());
  auto again = commerce_->Buy(a, req);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->id, first->id);
  EXPECT_EQ(commerce_->Buy(b, req).status().code(), StatusCode::kSoldOut);
  // The unit comes back (the winner cancels), but b's retry still hears its first answer.
  ASSERT_TRUE(commerce_->CancelOrder(a, first->id).ok());
  EXPECT_EQ(commerce_->Buy(b, req).status().code(), StatusCode::kSoldOut);
  Restart();
  auto after = commerce_->Buy(a, req);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->id, first->id);
}

// BuyAsync, as the HTTP io thread uses it: losers are answered before the call returns (no
// storage on their path), winners later from the order committer, grouped; every answered win
// survives a restart, and a retry of a win still committing hears that same win.
TEST_P(CommerceTest, AsyncAttemptsAnswerLosersAtOnceAndGroupCommitWins) {
  constexpr int kUnits = 300;
  constexpr int kAttempts = 3'000;
  Id campaign = MakeCampaign(MakeProduct(merchant_), kUnits, 1, -1);
  std::mutex mu;
  std::condition_variable cv;
  std::vector<Id> won;
  int answered = 0, sold_out_inline = 0, sold_out = 0;
  std::vector<char> returned(kAttempts, 0);  // guarded by mu
  BuyRequest req;
  req.campaign_id = campaign;
  for (int i = 0; i < kAttempts; ++i) {
    req.idempotency_key = "k" + std::to_string(i);
    commerce_->BuyAsync(Id{1'000'000} + static_cast<Id>(i), req, [&, i](Result<OrderRecord> r) {
      std::lock_guard lock(mu);
      if (r.ok()) {
        won.push_back(r->id);
      } else if (r.status().code() == StatusCode::kSoldOut) {
        ++sold_out;
        if (!returned[i]) ++sold_out_inline;
      }
      ++answered;
      cv.notify_all();
    });
    std::lock_guard lock(mu);
    returned[i] = 1;
  }
  {
    std::unique_lock lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, 60s, [&] { return answered == kAttempts; }));
  }
  EXPECT_EQ(won.size(), static_cast<size_t>(kUnits));
  EXPECT_EQ(sold_out, kAttempts - kUnits);
  EXPECT_EQ(sold_out_inline, kAttempts - kUnits);

  // A win and its retry issued back to back: the retry waits for the same order.
  Id late = MakeCampaign(MakeProduct(merchant_), 1, 1, -1);
  BuyRequest one;
  one.campaign_id = late;
  one.idempotency_key = "twice";
  std::promise<Result<OrderRecord>> first, second;
  commerce_->BuyAsync(42, one, [&](Result<OrderRecord> r) { first.set_value(std::move(r)); });
  commerce_->BuyAsync(42, one, [&](Result<OrderRecord> r) { second.set_value(std::move(r)); });
  auto a = first.get_future().get();
  auto b = second.get_future().get();
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(a->id, b->id);
  auto view = commerce_->GetCampaign(0, late);
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->sold, 1);

  Restart();
  std::set<Id> stored;
  for (const auto& o : commerce_->ListOrders(merchant_, true, kAttempts)) {
    if (o.campaign_id == campaign) stored.insert(o.id);
  }
  EXPECT_EQ(stored, std::set<Id>(won.begin(), won.end()));
  auto again = commerce_->Buy(42, one);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->id, a->id);
}

TEST_P(CommerceTest, SaleRulesBeforeStartReservationsAndNewAccounts) {
  Id product = MakeProduct(merchant_);
  Id early = MakeAccount("early");
  Id campaign = MakeCampaign(product, 10, 1, 1000, /*reservation_required=*/true,
                             /*exclude_new=*/true);
  std::this_thread::sleep_for(5ms);  // creation times are compared in milliseconds
  Id late = MakeAccount("late");
  BuyRequest req;
  req.campaign_id = campaign;
  EXPECT_EQ(commerce_->Buy(early, req).status().code(), StatusCode::kUnprocessable);
  ASSERT_TRUE(commerce_->Reserve(early, campaign).ok());
  ASSERT_TRUE(commerce_->Reserve(early, campaign).ok());  // one reservation per account
  EXPECT_EQ(commerce_->GetCampaign(early, campaign)->reservations, 1);
  EXPECT_EQ(commerce_->Reserve(late, campaign).status().code(), StatusCode::kForbidden);
  std::this_thread::sleep_for(1050ms);
  EXPECT_EQ(commerce_->Buy(late, req).status().code(), StatusCode::kForbidden);
  EXPECT_EQ(commerce_->Buy(admin_, req).status().code(), StatusCode::kForbidden);
  EXPECT_TRUE(commerce_->Buy(early, req).ok());
  EXPECT_EQ(commerce_->GetCampaign(early, campaign)->bought, 1);
}

TEST_P(CommerceTest, AttemptLimitsPerAccountAndPerAddressAndTheEnd) {
  CampaignInput in;
  in.product_id = MakeProduct(merchant_);
  in.units = 1;
  in.per_account_limit = 1;
  in.max_attempts_per_account = 2;
  in.max_attempts_per_ip = 3;
  in.start_at_ms = NowUnixMs() - 1;
  in.end_at_ms = NowUnixMs() + 600;
  auto c = commerce_->CreateCampaign(merchant_, in);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  BuyRequest req;
  req.campaign_id = c->rec->id;
  req.client_ip = "10.0.0.1";
  ASSERT_TRUE(commerce_->Buy(Id{900}, req).ok());
  EXPECT_EQ(commerce_->Buy(Id{901}, req).status().code(), StatusCode::kSoldOut);
  EXPECT_EQ(commerce_->Buy(Id{901}, req).status().code(), StatusCode::kSoldOut);
  EXPECT_EQ(commerce_->Buy(Id{902}, req).status().code(), StatusCode::kRateLimited);  // 4th from the IP
  req.client_ip = "10.0.0.2";
  EXPECT_EQ(commerce_->Buy(Id{901}, req).status().code(), StatusCode::kRateLimited);  // 3rd for 901
  EXPECT_EQ(commerce_->Buy(Id{903}, req).status().code(), StatusCode::kSoldOut);
  std::this_thread::sleep_for(650ms);
  EXPECT_EQ(commerce_->Buy(Id{904}, req).status().code(), StatusCode::kUnprocessable);  // ended
  EXPECT_EQ(commerce_->GetCampaign(0, c->rec->id)->phase, "ended");
  EXPECT_EQ(commerce_->GetCampaign(0, c->rec->id)->sold, 1);
}

TEST_P(CommerceTest, PaymentCommissionRefundAndTheLedgerBalances) {
  Id product = MakeProduct(merchant_, 10000, 10, /*affiliate=*/500);
  Id post = Post(merchant_, "buy this");
  ASSERT_TRUE(commerce_->AttachToStatus(merchant_, post, {product}).ok());
  Id fan = MakeAccount("fan");
  auto repost = domain_->statuses().Reblog(fan, post, std::nullopt);
  ASSERT_TRUE(repost.ok());
  Id buyer = MakeAccount("buyer");
  NewOrder in;
  in.lines = {{product, "", 2}};
  in.via_status_id = repost->rec->id;
  auto order = commerce_->PlaceOrder(buyer, in);
  ASSERT_TRUE(order.ok()) << order.status().ToString();
  EXPECT_EQ(order->affiliate_id, fan);
  EXPECT_EQ(order->total_minor, 20000);
  EXPECT_EQ(commerce_->GetProduct(0, product)->available, 8);

  auto paid = commerce_->PayOrder(buyer, order->id);
  ASSERT_TRUE(paid.ok()) << paid.status().ToString();
  EXPECT_EQ(paid->order.state, OrderState::kPaid);
  EXPECT_EQ(commerce_->CommissionOf(fan).at("CNY"), 1000);  // 5% of 200.00
  int64_t sum = 0;
  for (const auto& e : commerce_->LedgerOfOrder(buyer, order->id)) sum += e.amount_minor;
  EXPECT_EQ(sum, 0);
  EXPECT_TRUE(commerce_->LedgerOfOrder(fan, order->id).empty());  // not a party to the order

  EXPECT_EQ(commerce_->RefundOrder(buyer, order->id).status().code(), StatusCode::kForbidden);
  auto refunded = commerce_->RefundOrder(merchant_, order->id);
  ASSERT_TRUE(refunded.ok()) << refunded.status().ToString();
  EXPECT_EQ(refunded->order.state, OrderState::kRefunded);
  EXPECT_EQ(commerce_->CommissionOf(fan).at("CNY"), 0);
  EXPECT_EQ(commerce_->GetProduct(0, product)->available, 10);

  NewOrder second;
  second.lines = {{product, "", 1}};
  auto o2 = commerce_->PlaceOrder(buyer, second);
  ASSERT_TRUE(o2.ok());
  ASSERT_TRUE(commerce_->PayOrder(buyer, o2->id).ok());
  auto report = CheckLedger(*storage_);
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->balanced) << (report->problems.empty() ? "" : report->problems[0]);
  EXPECT_EQ(report->transactions, 3u);
  EXPECT_EQ(report->totals["buyer:CNY"], -10000);
  EXPECT_EQ(report->totals["platform:CNY"], 200);
  EXPECT_EQ(report->totals["merchant:CNY"], 9800);
}

TEST_P(CommerceTest, WebhookRefusesTamperingReplaysAndStaleSignatures) {
  config_.webhook_secret = "test-secret";
  Restart();
  Id product = MakeProduct(merchant_);
  Id buyer = MakeAccount("buyer");
  NewOrder in;
  in.lines = {{product, "", 1}};
  auto order = commerce_->PlaceOrder(buyer, in);
  ASSERT_TRUE(order.ok());
  auto paid = commerce_->PayOrder(buyer, order->id);
  ASSERT_TRUE(paid.ok());
  const SignedWebhook& hook = paid->webhook;
  PaymentEvent ev;
  ev.id = "evt-replayed";
  ev.type = "payment.succeeded";
  ev.order_id = order->id;
  ev.amount_minor = order->total_minor;
  ev.currency = "CNY";
  // Replaying the delivered event is refused.
  std::string body = hook.body;
  PaymentEvent delivered = ev;
  delivered.id = body.substr(7, body.find('"', 7) - 7);
  EXPECT_EQ(commerce_->HandleWebhook(hook.body, hook.signature, delivered).code(),
            StatusCode::kConflict);
  // A tampered body fails the signature.
  std::string tampered = hook.body;
  tampered.replace(tampered.find("\"amount\":") + 9, 1, "9");
  EXPECT_EQ(commerce_->HandleWebhook(tampered, hook.signature, ev).code(),
            StatusCode::kUnauthorized);
  EXPECT_EQ(commerce_->HandleWebhook(hook.body, "t=1,v1=00", ev).code(), StatusCode::kUnauthorized);
  // Correctly signed but ten minutes old.
  int64_t old = NowUnixMs() - 600'000;
  std::string stale = WebhookBody(ev);
  EXPECT_EQ(commerce_->HandleWebhook(stale, SignWebhook("test-secret", old, stale), ev).code(),
            StatusCode::kInvalid);
  auto report = CheckLedger(*storage_);
  EXPECT_TRUE(report->balanced);
  EXPECT_EQ(report->transactions, 1u);
}

TEST_P(CommerceTest, UnpaidOrdersExpireAndTheirStockReturns) {
  Id product = MakeProduct(merchant_, 500, 3);
  Id campaign = MakeCampaign(MakeProduct(merchant_), 1, 1, -1);
  Id buyer = MakeAccount("buyer");
  NewOrder in;
  in.lines = {{product, "", 3}};
  auto order = commerce_->PlaceOrder(buyer, in);
  ASSERT_TRUE(order.ok());
  EXPECT_EQ(commerce_->PlaceOrder(MakeAccount("b2"), in).status().code(), StatusCode::kSoldOut);
  BuyRequest req;
  req.campaign_id = campaign;
  auto win = commerce_->Buy(buyer, req);
  ASSERT_TRUE(win.ok());
  EXPECT_EQ(commerce_->ExpireDue(NowUnixMs() + config_.order_ttl_ms + 1), 2u);
  EXPECT_EQ(commerce_->GetOrder(buyer, order->id)->state, OrderState::kCancelled);
  EXPECT_EQ(commerce_->GetOrder(buyer, order->id)->cancel_reason, "expired");
  EXPECT_EQ(commerce_->GetProduct(0, product)->available, 3);
  EXPECT_EQ(commerce_->GetCampaign(0, campaign)->remaining, 1);
  EXPECT_EQ(commerce_->PayOrder(buyer, order->id).status().code(), StatusCode::kConflict);
  Restart();
  EXPECT_EQ(commerce_->GetCampaign(0, campaign)->remaining, 1);
}

TEST_P(CommerceTest, OrdersAreVisibleOnlyToBuyerAndMerchant) {
  Id product = MakeProduct(merchant_);
  Id buyer = MakeAccount("buyer"), stranger = MakeAccount("stranger");
  NewOrder in;
  in.lines = {{product, "", 1}};
  in.currency = "USD";
  EXPECT_EQ(commerce_->PlaceOrder(buyer, in).status().code(), StatusCode::kUnprocessable);
  in.currency = "";
  in.lines[0].quantity = -1;
  EXPECT_EQ(commerce_->PlaceOrder(buyer, in).status().code(), StatusCode::kUnprocessable);
  in.lines[0].quantity = 1;
  auto order = commerce_->PlaceOrder(buyer, in);
  ASSERT_TRUE(order.ok());
  EXPECT_TRUE(commerce_->GetOrder(buyer, order->id).ok());
  EXPECT_TRUE(commerce_->GetOrder(merchant_, order->id).ok());
  EXPECT_EQ(commerce_->GetOrder(stranger, order->id).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(commerce_->CancelOrder(stranger, order->id).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(commerce_->ShipOrder(buyer, order->id).status().code(), StatusCode::kForbidden);
  EXPECT_TRUE(commerce_->ListOrders(stranger, false, 10).empty());
}

INSTANTIATE_TEST_SUITE_P(Engines, CommerceTest,
                         ::testing::Values(Engine::kMemory, Engine::kRocksDb),
                         [](const auto& info) {
                           return info.param == Engine::kMemory ? "Memory" : "RocksDb";
                         });

}  // namespace
}  // namespace plaza::domain::commerce
