// Micro-benchmarks of the home-timeline hot path: fan-out delivery (ids pushed per second), home
// timeline assembly of 20 hydrated posts with and without a followed celebrity (pull at read
// time), status JSON rendering, and a post whose author many asked to be notified of. State is
// loaded straight into storage (no argon2id sign-ups) and then into a Domain, exactly as a restart
// would.
#include <benchmark/benchmark.h>

#include <memory>
#include <random>
#include <thread>

#include "api/entities.h"
#include "common/clock.h"
#include "domain/domain.h"
#include "storage/memory/memory_storage.h"

namespace plaza {
namespace {

using domain::Domain;
using domain::DomainConfig;
using storage::AccountRecord;
using storage::EdgeRecord;
using storage::StatusRecord;

constexpr Id kBase = 1'000'000'000'000ull;

struct World {
  std::unique_ptr<storage::Storage> storage = storage::NewMemoryStorage();
  std::unique_ptr<Domain> domain;
  Id reader = 0;
  Id celebrity = 0;
  std::vector<Id> followees;
};

// `followees` ordinary authors with `posts_each` posts each, one reader following all of them and
// (when `celebrity_followers` > 0) a celebrity with that many followers, the reader among them.
std::unique_ptr<World> MakeWorld(int followees, int posts_each, int celebrity_followers) {
  auto w = std::make_unique<World>();
  Id next = kBase;
  storage::WriteBatch batch;
  auto flush = [&] {
    if (batch.size() >= 50000) {
      (void)w->storage->Commit(batch);
      batch.Clear();
    }
  };
  auto account = [&](const std::string& name) {
    AccountRecord a;
    a.id = ++next;
    a.username = name;
    a.email = name + "@bench.invalid";
    a.created_at_ms = NowUnixMs();
    batch.Put(a);
    flush();
    return a.id;
  };
  auto follow = [&](Id src, Id dst) {
    EdgeRecord e;
    e.source = src;
    e.target = dst;
    e.id = ++next;
    batch.Put(e);
    flush();
  };
  w->reader = account("reader");
  for (int i = 0; i < followees; ++i) {
    w->followees.push_back(account("author" + std::to_string(i)));
    follow(w->reader, w->followees.back());
  }
  if (celebrity_followers > 0) {
    w->celebrity = account("celebrity");
    follow(w->reader, w->celebrity);
    for (int i = 1; i < celebrity_followers; ++i) follow(account("fan" + std::to_string(i)), w->celebrity);
  }
  std::mt19937_64 rng(42);
  Id status_id = kBase * 2;
  for (int p = 0; p < posts_each; ++p) {
    for (Id author : w->followees) {
      StatusRecord s;
      s.id = status_id += 1 + rng() % 1000;
      s.account_id = author;
      s.text = "A post with #topic# and some 中文 text number " + std::to_string(p);
      s.content_html = "<p>" + s.text + "</p>";
      s.tags = {"topic"};
      s.created_at_ms = NowUnixMs();
      batch.Put(s);
      flush();
    }
    if (w->celebrity != 0) {
      StatusRecord s;
      s.id = status_id += 1 + rng() % 1000;
      s.account_id = w->celebrity;
      s.text = "Celebrity post " + std::to_string(p);
      s.content_html = "<p>" + s.text + "</p>";
      s.created_at_ms = NowUnixMs();
      batch.Put(s);
      flush();
    }
  }
  (void)w->storage->Commit(batch);
  DomainConfig config;
  config.celebrity_threshold = 10000;
  w->domain = std::make_unique<Domain>(*w->storage, config);
  if (!w->domain->Start().ok()) std::abort();
  return w;
}

// Fan-out: one post pushed into N materialized home timelines.
void BM_FanoutDeliveries(benchmark::State& state) {
  const int followers = static_cast<int>(state.range(0));
  auto w = MakeWorld(1, 1, 0);
  std::vector<Id> recipients;
  for (int i = 0; i < followers; ++i) recipients.push_back(kBase * 3 + static_cast<Id>(i));
  // Materialize every recipient's timeline, as active readers' are.
  for (Id r : recipients) (void)w->domain->timelines().Home(r, domain::Page{.limit = 1});
  Id status = kBase * 5;
  for (auto _ : state) {
    benchmark::DoNotOptimize(w->domain->home().PushTo(recipients, ++status));
  }
  state.SetItemsProcessed(state.iterations() * followers);
  state.counters["deliveries_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations()) * followers,
                         benchmark::Counter::kIsRate);
}
BENCHMARK(BM_FanoutDeliveries)->Arg(100)->Arg(10000)->UseRealTime();

// Fan-out as a server sees it: each post goes to a different set of N followers, drawn from
// 20,000 materialized timelines of 800 ids each (160 MB), so every delivery's timeline is cold —
// unlike BM_FanoutDeliveries, whose few timelines stay in cache.
void BM_FanoutScattered(benchmark::State& state) {
  constexpr int kViewers = 20000;
  constexpr int kTimeline = 800;
  static const std::unique_ptr<World> w = [] {
    auto world = MakeWorld(1, 1, 0);
    std::vector<Id> all;
    for (int i = 0; i < kViewers; ++i) all.push_back(kBase * 3 + static_cast<Id>(i));
    for (Id r : all) (void)world->domain->timelines().Home(r, domain::Page{.limit = 1});
    for (int k = 0; k < kTimeline; ++k) world->domain->home().PushTo(all, kBase * 4 + k);
    return world;
  }();
  const size_t followers = static_cast<size_t>(state.range(0));
  std::mt19937_64 rng(7);
  std::vector<std::vector<Id>> posts(512);
  for (auto& recipients : posts) {
    for (size_t i = 0; i < followers; ++i) recipients.push_back(kBase * 3 + rng() % kViewers);
  }
  static Id status = kBase * 5;
  size_t k = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(w->domain->home().PushTo(posts[k++ % posts.size()], ++status));
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(followers));
}
BENCHMARK(BM_FanoutScattered)->Arg(50)->Arg(100)->Arg(1000)->Arg(5000);

// Home timeline assembly: ids plus hydrated views of 20 posts.
void HomeAssembly(benchmark::State& state, int celebrity_followers) {
  auto w = MakeWorld(200, 8, celebrity_followers);
  domain::Page page{.limit = 20};
  (void)w->domain->timelines().Home(w->reader, page);  // materialize
  for (auto _ : state) {
    auto ids = w->domain->timelines().Home(w->reader, page);
    auto views = w->domain->statuses().GetMany(w->reader, ids);
    benchmark::DoNotOptimize(views.data());
    if (views.size() != 20) state.SkipWithError("expected 20 posts");
  }
}
void BM_HomeAssembly20(benchmark::State& state) { HomeAssembly(state, 0); }
void BM_HomeAssembly20WithCelebrity(benchmark::State& state) {
  HomeAssembly(state, static_cast<int>(state.range(0)));
}
BENCHMARK(BM_HomeAssembly20)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_HomeAssembly20WithCelebrity)->Arg(1'000'000)->Unit(benchmark::kMicrosecond);

// Rendering 20 hydrated statuses to Mastodon JSON, from scratch (Arg 0) and from the render
// cache the server keeps (Arg 1; the first iteration fills it).
void BM_StatusJson20(benchmark::State& state) {
  auto w = MakeWorld(20, 2, 0);
  auto ids = w->domain->timelines().Home(w->reader, domain::Page{.limit = 20});
  auto views = w->domain->statuses().GetMany(w->reader, ids);
  api::RenderContext ctx{"http://127.0.0.1:8080", "127.0.0.1:8080", &w->domain->auth(), nullptr,
                         &w->domain->statuses(),  nullptr};
  if (state.range(0) == 1) ctx.cache = std::make_shared<api::RenderCaches>(1000, 1000);
  std::string out;
  size_t bytes = 0;
  for (auto _ : state) {
    out.clear();
    JsonWriter jw(out);
    jw.BeginArray();
    for (const auto& v : views) api::WriteStatus(jw, v, ctx);
    jw.EndArray();
    bytes += out.size();
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}
BENCHMARK(BM_StatusJson20)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

// A post by an author that 100,000 followers asked to be notified of (a follow with notify): the
// time until the post is acknowledged (Statuses::Create returns). Arg 0: every notification in
// the post's own write, as before session 17 (status_notify_inline above the audience). Arg 1:
// the default, the notifications made after the post by the worker; the counter `all_made_ms` is
// from the post until the last of them is written (not in the iteration's time).
void BM_PostToNotifiedFollowers(benchmark::State& state) {
  constexpr int kFans = 100'000;
  auto storage = storage::NewMemoryStorage();
  Id next = kBase;
  storage::WriteBatch batch;
  AccountRecord author;
  author.id = ++next;
  author.username = "author";
  author.email = "author@bench.invalid";
  batch.Put(author);
  for (int i = 0; i < kFans; ++i) {
    AccountRecord a;
    a.id = ++next;
    a.username = "fan" + std::to_string(i);
    a.email = a.username + "@bench.invalid";
    batch.Put(a);
    EdgeRecord e;
    e.source = a.id;
    e.target = author.id;
    e.id = ++next;
    e.notifications = true;
    batch.Put(e);
  }
  if (!storage->Commit(batch).ok()) std::abort();
  DomainConfig config;
  config.moderation.spam_limits = false;
  if (state.range(0) == 0) config.status_notify_inline = kFans;
  Domain d(*storage, config);
  if (!d.Start().ok()) std::abort();
  domain::NewStatus post;
  post.text = "to every fan";
  double made_ms = 0;
  for (auto _ : state) {
    const int64_t start = MonotonicNs();
    if (!d.statuses().Create(author.id, post).ok()) state.SkipWithError("post refused");
    state.PauseTiming();
    while (d.notifications().PendingDeliveries() > 0) std::this_thread::yield();
    made_ms += static_cast<double>(MonotonicNs() - start) / 1e6;
    state.ResumeTiming();
  }
  state.counters["all_made_ms"] = made_ms / static_cast<double>(state.iterations());
  d.Stop();
}
BENCHMARK(BM_PostToNotifiedFollowers)
    ->Arg(0)
    ->Arg(1)
    ->Iterations(5)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace plaza

BENCHMARK_MAIN();
