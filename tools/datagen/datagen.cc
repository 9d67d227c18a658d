#include "tools/datagen/datagen.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <thread>
#include <tuple>

#include <boost/unordered/unordered_flat_set.hpp>

#include "domain/content.h"
#include "domain/crypto.h"

namespace plaza::datagen {
namespace {

// The fixed calendar: every generated id and timestamp lies before 2026-01-01T00:00:00Z.
constexpr int64_t kDayMs = 86'400'000;
constexpr int64_t kEndMs = 1'767'225'600'000;
constexpr int64_t kAccountsFrom = kEndMs - 400 * kDayMs;
constexpr int64_t kAccountsTo = kEndMs - 60 * kDayMs;
constexpr int64_t kEdgesFrom = kEndMs - 60 * kDayMs;
constexpr int64_t kEdgesTo = kEndMs - 30 * kDayMs;
constexpr int64_t kPostsFrom = kEndMs - 30 * kDayMs;
constexpr int64_t kPostsTo = kEndMs;

// Generated ids use their own shard numbers so they never collide with each other or with ids
// the server makes later (shard 0).
enum IdSpace : uint64_t { kPostShard = 1, kEdgeShard = 2, kMarkShard = 3, kAccountShard = 4, kAppShard = 5 };

// The n-th of `count` ids spread evenly over [from, to).
Id SpreadId(IdSpace shard, uint64_t n, uint64_t count, int64_t from, int64_t to) {
  if (count == 0) count = 1;
  if (n >= count) n = count - 1;
  auto span = static_cast<unsigned __int128>(to - from);
  int64_t t = from + static_cast<int64_t>(span * n / count);
  return IdFloorForTime(t) | (static_cast<uint64_t>(shard) << kIdSeqBits) | (n & 0xffff);
}

// splitmix64: a tiny, fast, well-mixed generator whose output is the same on every platform
// (std:: distributions are not).
class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed) {}
  uint64_t Next() {
    uint64_t z = (s_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform in [0, 1).
  double Unit() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  // Uniform in [0, n). REQUIRES: n > 0.
  uint64_t Below(uint64_t n) { return static_cast<uint64_t>(Unit() * static_cast<double>(n)); }
  bool Chance(double p) { return Unit() < p; }
  // Rank in [0, n) with P(r) = ln((r+2)/(r+1)) / ln(n+1): Zipf with s = 1 in continuous form,
  // i.e. an in-degree power law with exponent 2. REQUIRES: n > 0.
  uint64_t Zipf(uint64_t n) {
    double r = std::exp(Unit() * std::log(static_cast<double>(n) + 1.0)) - 1.0;
    auto k = static_cast<uint64_t>(r);
    return k >= n ? n - 1 : k;
  }

 private:
  uint64_t s_;
};

uint64_t Mix(uint64_t a, uint64_t b) { return Rng(a * 0x2545F4914F6CDD1Dull ^ b).Next(); }

class Fnv {
 public:
  void Add(uint64_t v) {
    for (int i = 0; i < 8; ++i) Byte(static_cast<uint8_t>(v >> (8 * i)));
  }
  void Add(std::string_view s) {
    Add(s.size());
    for (char c : s) Byte(static_cast<uint8_t>(c));
  }
  uint64_t value() const { return h_; }

 private:
  void Byte(uint8_t b) {
    h_ ^= b;
    h_ *= 0x100000001b3ull;
  }
  uint64_t h_ = 0xcbf29ce484222325ull;
};

// Commits full batches on helper threads while the next batch is being generated: encoding,
// sorting and writing a batch's table file cost more than generating it, so with two cores two
// committers keep both busy. Generated keys are unique and each batch holds one kind of record
// in key order, so batches cover disjoint key ranges and the order in which they land does not
// matter. Committed batches are cleared and reused, keeping their capacity (no regrowth, no fresh
// pages for every batch). At most `threads + 1` batches exist at once, which bounds memory.
//
// Work whose records are expensive to make (posts: their text is parsed and rendered) is
// submitted as jobs instead: a helper thread runs the job into a batch of its own, commits it and
// clears it. Either way a record is freed by the thread that allocated it: glibc's malloc makes a
// free from another thread take the owning arena's lock, and the generator then contended with
// the committers for every allocation.
class Loader {
 public:
  using Job = std::function<Status(storage::WriteBatch&)>;

  Loader(storage::Storage& st, size_t batch_rows, size_t threads, const Options& options)
      : st_(st), batch_rows_(std::max<size_t>(batch_rows, 1)), options_(options) {
    threads = std::max<size_t>(threads, 1);
    for (size_t i = 0; i <= threads; ++i) free_.push_back(std::make_unique<storage::WriteBatch>());
    cur_ = TakeFree();
    for (size_t i = 0; i < threads; ++i) workers_.emplace_back([this] { Work(); });
  }
  ~Loader() { Stop(); }
  Loader(const Loader&) = delete;
  Loader& operator=(const Loader&) = delete;

  void Add(storage::WriteOp op, const char* phase) {
    cur_->Put(std::move(op));
    ++rows_;
    if (cur_->size() >= batch_rows_) Ship(phase);
  }
  // Ends the current batch, so that the next record starts a new one (one kind of record per
  // batch keeps batches' key ranges disjoint, which bulk-load mode rewards).
  void Cut(const char* phase) { Ship(phase); }
  // Queues `job`, which writes `rows` records into the batch it is given; waits while as many
  // jobs as there are threads are already queued.
  void Submit(uint64_t rows, Job job, const char* phase) {
    {
      std::unique_lock lock(mu_);
      space_cv_.wait(lock, [this] { return queue_.size() < workers_.size(); });
      queue_.push_back(Item{nullptr, std::move(job)});
    }
    work_cv_.notify_one();
    rows_ += rows;
    if (options_.progress) options_.progress(phase, rows_);
  }
  // Waits until everything shipped or submitted so far is committed.
  Status Drain() {
    std::unique_lock lock(mu_);
    idle_cv_.wait(lock, [this] { return queue_.empty() && busy_ == 0; });
    return error_;
  }
  Status Finish() {
    Ship("flush");
    Status s = Drain();
    Stop();
    if (!s.ok()) return s;
    return st_.Flush();
  }
  Status status() const {
    std::lock_guard lock(mu_);
    return error_;
  }
  uint64_t rows() const { return rows_; }

 private:
  struct Item {
    std::unique_ptr<storage::WriteBatch> batch;  // a shipped batch, or null for a job
    Job job;
  };

  std::unique_ptr<storage::WriteBatch> TakeFree() {
    std::unique_ptr<storage::WriteBatch> b;
    {
      std::unique_lock lock(mu_);
      free_cv_.wait(lock, [this] { return !free_.empty(); });
      b = std::move(free_.back());
      free_.pop_back();
    }
    b->Clear();  // here, on the generating thread that allocated its records
    return b;
  }
  void Ship(const char* phase) {
    if (cur_->empty()) return;
    {
      std::lock_guard lock(mu_);
      queue_.push_back(Item{std::move(cur_), nullptr});
    }
    work_cv_.notify_one();
    cur_ = TakeFree();
    if (options_.progress) options_.progress(phase, rows_);
  }
  void Work() {
    storage::WriteBatch own;  // what this thread's jobs fill
    std::unique_lock lock(mu_);
    for (;;) {
      work_cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;
      Item item = std::move(queue_.front());
      queue_.pop_front();
      space_cv_.notify_one();
      ++busy_;
      bool skip = !error_.ok();
      lock.unlock();
      Status s;
      if (!skip && item.batch) {
        s = st_.Commit(*item.batch);
      } else if (!skip) {
        s = item.job(own);
        if (s.ok()) s = st_.Commit(own);
        own.Clear();
      }
      item.job = nullptr;  // its captures are freed here, not under the lock
      lock.lock();
      if (error_.ok() && !s.ok()) error_ = s;
      if (item.batch) {
        free_.push_back(std::move(item.batch));
        free_cv_.notify_one();
      }
      --busy_;
      if (queue_.empty() && busy_ == 0) idle_cv_.notify_all();
    }
  }
  void Stop() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    work_cv_.notify_all();
    for (auto& t : workers_) {
      if (t.joinable()) t.join();
    }
  }

  storage::Storage& st_;
  const size_t batch_rows_;
  const Options& options_;
  std::unique_ptr<storage::WriteBatch> cur_;  // owned by the generating thread
  uint64_t rows_ = 0;
  std::vector<std::thread> workers_;
  mutable std::mutex mu_;
  std::condition_variable work_cv_, free_cv_, idle_cv_, space_cv_;
  // ---- guarded by mu_ ----
  std::deque<Item> queue_;
  std::vector<std::unique_ptr<storage::WriteBatch>> free_;
  size_t busy_ = 0;
  bool stopping_ = false;
  Status error_;
};

constexpr std::array<std::string_view, 24> kChinese = {
    "今天天气真好，出门走走",       "刚刚看完发布会，太震撼了",   "周末去西湖边散步",
    "这家店的小笼包绝了",           "加班到深夜，终于上线了",     "支持国产，期待新品",
    "春节回家的票抢到了吗",         "转发抽奖，祝大家好运",       "这个观点我不太同意",
    "分享一首最近单曲循环的歌",     "北京今天又下雪了",           "健身第一百天打卡",
    "新年快乐，万事如意",           "看了一部好电影，推荐给大家", "双十一的购物车已经满了",
    "早安，打工人",                 "考研加油，坚持就是胜利",     "猫咪今天又拆家了",
    "这波操作我给满分",             "有人一起去看演唱会吗",       "地铁上遇到了好心人",
    "第一次做红烧肉，居然成功了",   "下班路上的晚霞太美了",       "求推荐好看的科幻小说"};
constexpr std::array<std::string_view, 20> kEnglish = {
    "just shipped a new release",   "what a game last night",       "coffee first, then code",
    "cannot believe this happened", "weekend vibes",                "new blog post is up",
    "learning Chinese every day",   "great talk at the meetup",     "who else is watching the finals",
    "happy new year everyone",      "flash sale starts at 10am",    "best noodles in town",
    "working from the cafe today",  "long live open source",        "so proud of the team",
    "this made my day",             "back from Shanghai",           "any tips for Beijing?",
    "reading list for the holidays", "the sunset today was unreal"};
constexpr std::array<std::string_view, 18> kTopics = {
    "#春节#",       "#双十一#",    "#小米新品发布#", "#今日热搜#", "#WorldCup#",  "#open source#",
    "#考研#",       "#北京天气#",  "#美食#",         "#电影推荐#", "#MusicMonday#", "#健身打卡#",
    "#科技#",       "#读书#",      "#旅行#",         "#猫#",       "#NBA#",       "#新年快乐#"};
constexpr std::array<std::string_view, 16> kSurnames = {"王", "李", "张", "刘", "陈", "杨",
                                                        "黄", "赵", "吴", "周", "徐", "孙",
                                                        "马", "朱", "胡", "郭"};
constexpr std::array<std::string_view, 20> kGiven = {"伟", "芳", "娜", "秀英", "敏", "静", "丽",
                                                     "强", "磊", "军", "洋", "勇", "艳", "杰",
                                                     "娟", "涛", "明", "超", "小红", "晓东"};
constexpr std::array<std::string_view, 12> kLatinNames = {
    "Alice", "Bob", "Carol", "David", "Emma", "Frank", "Grace", "Henry", "Ivy", "Jack", "Lily", "Max"};

std::string Username(uint64_t i) { return "u" + std::to_string(i); }

class Generator {
 public:
  Generator(storage::Storage& st, const Options& o)
      : o_(o), sc_(o.scale), loader_(st, o.batch_rows, o.commit_threads, o) {}

  Result<Summary> Run() {
    auto start = std::chrono::steady_clock::now();
    domain::InitCrypto();
    if (sc_.accounts == 0) return Status::Invalid("at least one account is needed");
    PLAZA_ASSIGN_OR_RETURN(password_hash_, domain::HashPassword(o_.password));
    GenerateApp();
    loader_.Cut("app");
    GenerateAccounts();
    loader_.Cut("accounts");
    GenerateTokens();
    loader_.Cut("tokens");
    GenerateFollows();
    loader_.Cut("follows");
    PLAZA_RETURN_IF_ERROR(loader_.status());
    PLAZA_RETURN_IF_ERROR(GeneratePosts());
    loader_.Cut("posts");
    GenerateLikes();
    PLAZA_RETURN_IF_ERROR(loader_.Finish());
    out_.rows = loader_.rows();
    out_.digest = digest_.value();
    out_.celebrity_id = account_ids_[0];
    out_.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return std::move(out_);
  }

 private:
  void Put(storage::WriteOp op, const char* phase) { loader_.Add(std::move(op), phase); }

  void GenerateApp() {
    storage::AppRecord app;
    app.id = SpreadId(kAppShard, 0, 1, kAccountsFrom - kDayMs, kAccountsFrom);
    app.client_id = o_.client_id;
    app.client_secret_hash = domain::Sha256Hex(o_.client_secret);
    app.name = "plaza-bench";
    app.redirect_uris = "urn:ietf:wg:oauth:2.0:oob";
    app.scopes = "read write follow push";
    app.created_at_ms = IdTimeMs(app.id);
    app_id_ = app.id;
    digest_.Add(1);
    digest_.Add(app.id);
    digest_.Add(app.client_id);
    Put(std::move(app), "app");
  }

  void GenerateAccounts() {
    const uint64_t n = sc_.accounts;
    Rng rng(Mix(o_.seed, 1));
    account_ids_.resize(n);
    // The top ranks (celebrities, brands, media) always post; 57% of the rest never do.
    const uint64_t protected_ranks = std::max<uint64_t>(1, std::min<uint64_t>(1000, n / 100));
    const double p_inactive =
        n > protected_ranks ? std::min(1.0, 0.57 * n / static_cast<double>(n - protected_ranks))
                            : 0.0;
    for (uint64_t i = 0; i < n; ++i) {
      storage::AccountRecord a;
      a.id = SpreadId(kAccountShard, i, n, kAccountsFrom, kAccountsTo);
      account_ids_[i] = a.id;
      a.username = Username(i);
      a.email = a.username + "@bench.plaza.test";
      a.password_hash = password_hash_;
      if (rng.Chance(0.7)) {
        a.display_name = std::string(kSurnames[rng.Below(kSurnames.size())]) +
                         std::string(kGiven[rng.Below(kGiven.size())]);
      } else {
        a.display_name = std::string(kLatinNames[rng.Below(kLatinNames.size())]) + " " +
                         std::to_string(rng.Below(1000));
      }
      if (i < protected_ranks) a.display_name += "V";
      a.note = std::string(kChinese[rng.Below(kChinese.size())]) + " | " +
               std::string(kEnglish[rng.Below(kEnglish.size())]);
      a.created_at_ms = IdTimeMs(a.id);
      bool inactive = i >= protected_ranks && rng.Chance(p_inactive);
      if (!inactive) active_list_.push_back(static_cast<uint32_t>(i));
      digest_.Add(2);
      digest_.Add(a.id);
      digest_.Add(a.username);
      digest_.Add(a.display_name);
      digest_.Add(a.note);
      Put(std::move(a), "accounts");
      ++out_.accounts;
    }
    if (active_list_.empty()) active_list_.push_back(0);
  }

  void GenerateTokens() {
    const uint64_t n = sc_.accounts;
    Rng rng(Mix(o_.seed, 2));
    std::vector<uint32_t> order(n);
    for (uint64_t i = 0; i < n; ++i) order[i] = static_cast<uint32_t>(i);
    const uint64_t count = std::min<uint64_t>(std::max<size_t>(sc_.tokens, 1), n);
    // Partial Fisher-Yates over accounts 1..n-1; account 0 (the top celebrity) always gets one.
    for (uint64_t j = 1; j < count; ++j) {
      uint64_t k = j + rng.Below(n - j);
      std::swap(order[j], order[k]);
    }
    for (uint64_t j = 0; j < count; ++j) {
      uint32_t i = order[j];
      TokenLine line;
      char buf[17];
      line.token = "pzb_";
      for (int part = 0; part < 3; ++part) {
        snprintf(buf, sizeof buf, "%016llx",
                 static_cast<unsigned long long>(Mix(o_.seed ^ 0x70cca5, i * 4ull + part)));
        line.token += buf;
      }
      line.account_id = account_ids_[i];
      line.username = Username(i);
      storage::TokenRecord t;
      t.token_hash = domain::Sha256Hex(line.token);
      t.app_id = app_id_;
      t.account_id = line.account_id;
      t.scopes = "read write follow push";
      t.created_at_ms = kAccountsTo;
      digest_.Add(3);
      digest_.Add(t.token_hash);
      digest_.Add(t.account_id);
      Put(std::move(t), "tokens");
      out_.token_lines.push_back(std::move(line));
      ++out_.tokens;
    }
    // Profiles that readers open: a third celebrities (by rank), the rest active accounts.
    for (int j = 0; j < 1000; ++j) {
      uint64_t i = rng.Chance(0.3) ? rng.Zipf(n) : active_list_[rng.Below(active_list_.size())];
      out_.view_targets.push_back(account_ids_[i]);
    }
  }

  void GenerateFollows() {
    const uint64_t n = sc_.accounts;
    if (n < 2) return;
    Rng rng(Mix(o_.seed, 3));
    std::vector<uint32_t> degree(n);
    uint64_t total = 0;
    const uint64_t max_degree = std::min<uint64_t>(n - 1, 5000);
    for (uint64_t i = 0; i < n; ++i) {
      double k = -sc_.follows_mean * std::log(1.0 - rng.Unit());
      degree[i] = static_cast<uint32_t>(std::clamp<uint64_t>(static_cast<uint64_t>(k), 1, max_degree));
      total += degree[i] + 1;
    }
    std::vector<uint32_t> targets;
    // seen_by[t] == i + 1: account i already follows t (no per-account set to clear or rehash).
    std::vector<uint32_t> seen_by(n, 0);
    uint64_t e = 0;
    for (uint64_t i = 0; i < n; ++i) {
      const auto stamp = static_cast<uint32_t>(i + 1);
      targets.clear();
      if (i != 0) {
        targets.push_back(0);
        seen_by[0] = stamp;
      }
      uint64_t want = degree[i];
      for (uint64_t attempts = 0; targets.size() < want && attempts < want * 4 + 16; ++attempts) {
        auto t = static_cast<uint32_t>(rng.Zipf(n));
        if (t == i || seen_by[t] == stamp) continue;
        seen_by[t] = stamp;
        targets.push_back(t);
      }
      std::sort(targets.begin(), targets.end());  // key order: (source, target)
      for (uint32_t t : targets) {
        storage::EdgeRecord edge;
        edge.kind = storage::EdgeKind::kFollow;
        edge.source = account_ids_[i];
        edge.target = account_ids_[t];
        edge.id = SpreadId(kEdgeShard, e++, total, kEdgesFrom, kEdgesTo);
        edge.reblogs = true;
        edge.notifications = false;
        if (t == 0) ++out_.celebrity_followers;
        digest_.Add(4);
        digest_.Add(edge.source);
        digest_.Add(edge.target);
        digest_.Add(edge.id);
        Put(std::move(edge), "follows");
        ++out_.follows;
      }
    }
  }

  uint32_t PickAuthor(Rng& rng) {
    // Half the posts come from the most followed active accounts, half from anyone active.
    if (rng.Chance(0.5)) return active_list_[rng.Zipf(active_list_.size())];
    return active_list_[rng.Below(active_list_.size())];
  }

  uint64_t PickAccountToMention(Rng& rng) const {
    return rng.Chance(0.5) ? rng.Zipf(sc_.accounts) : rng.Below(sc_.accounts);
  }

  // An earlier post that can be replied to, reposted or quoted (not a repost, public or
  // unlisted), recent ones more likely; -1 when none was found.
  int64_t PickEarlier(Rng& rng, uint64_t p) {
    if (p == 0) return -1;
    for (int attempt = 0; attempt < 4; ++attempt) {
      uint64_t back = rng.Chance(0.7) ? rng.Below(std::min<uint64_t>(p, 20'000)) : rng.Below(p);
      uint64_t j = p - 1 - back;
      if (post_flags_[j] == kQuotable) return static_cast<int64_t>(j);
    }
    return -1;
  }

  std::string MakeText(Rng& rng, uint64_t p) const {
    std::string text;
    auto add = [&](std::string_view piece) {
      if (!text.empty()) text += ' ';
      text += piece;
    };
    bool english_first = rng.Chance(0.3);
    if (english_first) add(kEnglish[rng.Below(kEnglish.size())]);
    add(kChinese[rng.Below(kChinese.size())]);
    if (!english_first && rng.Chance(0.5)) add(kEnglish[rng.Below(kEnglish.size())]);
    if (rng.Chance(0.3)) add("@" + Username(PickAccountToMention(rng)));
    if (rng.Chance(0.08)) add("@" + Username(PickAccountToMention(rng)));
    if (rng.Chance(0.35)) add(kTopics[rng.Zipf(kTopics.size())]);
    if (rng.Chance(0.15)) add("https://t.cn/A6" + std::to_string(100000 + p % 900000));
    return text;
  }

  std::optional<Id> Resolve(std::string_view name) const {
    if (name.size() < 2 || (name[0] != 'u' && name[0] != 'U')) return std::nullopt;
    uint64_t i = 0;
    for (char c : name.substr(1)) {
      if (c < '0' || c > '9') return std::nullopt;
      i = i * 10 + static_cast<uint64_t>(c - '0');
      if (i >= sc_.accounts) return std::nullopt;
    }
    return account_ids_[i];
  }

  // What the sequential pass decides about a post; rendering it is left to the helper threads.
  enum class PostKind : uint8_t { kOriginal, kRepost, kReply, kQuote };
  struct PostPlan {
    uint64_t text_seed = 0;  // the post's own generator for its text
    int64_t ref = -1;        // the post reposted, replied to or quoted
    uint32_t author = 0;
    uint32_t ref_author = 0;
    PostKind kind = PostKind::kOriginal;
    storage::Visibility visibility = storage::Visibility::kPublic;
  };
  // Posts per job: fixed, so that the digest does not depend on batch size or thread count.
  static constexpr uint64_t kPostsPerJob = 32768;

  // Posts in two passes. The first, here, is sequential and cheap: who posts, what kind of post
  // it is and which earlier post it refers to (which depends on the kinds of the posts before
  // it). The second, the text with its parsing and HTML, is most of the cost and runs on the
  // loader's threads, a job of kPostsPerJob posts at a time, each post's text drawn from its own
  // seed. Each job's digest is folded in, in job order, once all are done.
  Status GeneratePosts() {
    const uint64_t total = sc_.posts;
    Rng rng(Mix(o_.seed, 4));
    post_flags_.assign(total, 0);
    post_author_.assign(total, 0);
    boost::unordered_flat_set<uint64_t> reposted;  // (author << 32 | original) pairs
    const uint64_t jobs = (total + kPostsPerJob - 1) / kPostsPerJob;
    std::vector<uint64_t> job_digests(jobs, 0);
    for (uint64_t job = 0; job < jobs; ++job) {
      const uint64_t begin = job * kPostsPerJob;
      const uint64_t end = std::min(total, begin + kPostsPerJob);
      auto plans = std::make_shared<std::vector<PostPlan>>(end - begin);
      for (uint64_t p = begin; p < end; ++p) {
        PostPlan& plan = (*plans)[p - begin];
        plan.author = PickAuthor(rng);
        double kind = rng.Unit();
        plan.ref = kind < 0.28 ? PickEarlier(rng, p) : -1;
        if (plan.ref >= 0 && kind < 0.10 &&
            reposted.insert((uint64_t{plan.author} << 32) | static_cast<uint64_t>(plan.ref)).second) {
          plan.kind = PostKind::kRepost;
        } else if (plan.ref >= 0 && kind >= 0.10 && kind < 0.25) {
          plan.kind = PostKind::kReply;
        } else if (plan.ref >= 0 && kind >= 0.25) {
          plan.kind = PostKind::kQuote;
        } else {
          plan.ref = -1;
        }
        if (plan.ref >= 0) plan.ref_author = post_author_[plan.ref];
        double vis = rng.Unit();
        plan.visibility = plan.kind == PostKind::kRepost ? storage::Visibility::kPublic
                          : vis < 0.95                   ? storage::Visibility::kPublic
                          : vis < 0.98                   ? storage::Visibility::kUnlisted
                                                         : storage::Visibility::kPrivate;
        plan.text_seed = rng.Next();
        post_author_[p] = plan.author;
        post_flags_[p] = plan.kind != PostKind::kRepost &&
                                 plan.visibility != storage::Visibility::kPrivate
                             ? kQuotable
                             : 0;
      }
      uint64_t* digest = &job_digests[job];
      loader_.Submit(end - begin, [this, plans, begin, digest](storage::WriteBatch& batch) {
        return RenderPosts(*plans, begin, batch, *digest);
      }, "posts");
    }
    PLAZA_RETURN_IF_ERROR(loader_.Drain());
    for (uint64_t d : job_digests) digest_.Add(d);
    out_.posts += total;
    return Status::Ok();
  }

  // The second pass over posts [first, first + plans.size()): runs on a loader thread and reads
  // only what the first pass and the earlier phases wrote before the job was submitted.
  Status RenderPosts(const std::vector<PostPlan>& plans, uint64_t first, storage::WriteBatch& batch,
                     uint64_t& digest_out) const {
    const uint64_t total = sc_.posts;
    domain::ContentOptions copts{140, o_.base_url, o_.domain};
    domain::MentionResolver resolver = [this](std::string_view name) { return Resolve(name); };
    Fnv digest;
    for (size_t i = 0; i < plans.size(); ++i) {
      const PostPlan& plan = plans[i];
      const uint64_t p = first + i;
      Rng rng(plan.text_seed);
      storage::StatusRecord s;
      s.id = SpreadId(kPostShard, p, total, kPostsFrom, kPostsTo);
      s.created_at_ms = IdTimeMs(s.id);
      s.account_id = account_ids_[plan.author];
      s.app_id = app_id_;
      s.language = "zh";
      s.visibility = plan.visibility;
      const Id ref_id = plan.ref >= 0 ? SpreadId(kPostShard, static_cast<uint64_t>(plan.ref), total,
                                                 kPostsFrom, kPostsTo)
                                      : 0;
      std::string text;
      switch (plan.kind) {
        case PostKind::kRepost:
          s.reblog_of_id = ref_id;
          break;
        case PostKind::kReply:
          s.in_reply_to_id = ref_id;
          s.in_reply_to_account_id = account_ids_[plan.ref_author];
          text = "@" + Username(plan.ref_author) + " " +
                 std::string(kChinese[rng.Below(kChinese.size())]);
          if (rng.Chance(0.4)) text += " " + std::string(kEnglish[rng.Below(kEnglish.size())]);
          break;
        case PostKind::kQuote:
          s.quote_of_id = ref_id;
          text = "转发理由：" + std::string(kChinese[rng.Below(kChinese.size())]);
          break;
        case PostKind::kOriginal:
          text = MakeText(rng, p);
          break;
      }
      if (plan.kind != PostKind::kRepost) {
        auto rendered = domain::RenderContent(text, copts, resolver);
        if (!rendered.ok()) {
          text = std::string(kChinese[p % kChinese.size()]);
          rendered = domain::RenderContent(text, copts, resolver);
          if (!rendered.ok()) return rendered.status();
        }
        s.text = std::move(text);
        s.content_html = std::move(rendered->html);
        s.mention_ids = std::move(rendered->mention_ids);
        s.tags = std::move(rendered->tags);
      }
      digest.Add(5);
      digest.Add(s.id);
      digest.Add(s.account_id);
      digest.Add(s.text);
      digest.Add(s.content_html);
      digest.Add(s.reblog_of_id ^ (s.in_reply_to_id << 1) ^ (s.quote_of_id << 2));
      digest.Add(static_cast<uint64_t>(s.visibility));
      batch.Put(std::move(s));
    }
    digest_out = digest.value();
    return Status::Ok();
  }

  void GenerateLikes() {
    const uint64_t total = sc_.likes;
    if (sc_.posts == 0) return;
    Rng rng(Mix(o_.seed, 5));
    struct Like {
      uint32_t account;
      uint32_t post;
      uint64_t n;
    };
    std::vector<Like> likes(total);
    for (uint64_t l = 0; l < total; ++l) {
      uint64_t p = 0;
      for (int attempt = 0; attempt < 4; ++attempt) {
        p = rng.Chance(0.5) ? sc_.posts - 1 - rng.Below(std::min<uint64_t>(sc_.posts, 50'000))
                            : rng.Below(sc_.posts);
        if (post_flags_[p] == kQuotable) break;
      }
      likes[l] = {active_list_[rng.Below(active_list_.size())], static_cast<uint32_t>(p), l};
    }
    // Written in key order, (account, status), so that batches do not overlap.
    std::sort(likes.begin(), likes.end(), [](const Like& a, const Like& b) {
      return std::tie(a.account, a.post, a.n) < std::tie(b.account, b.post, b.n);
    });
    for (const Like& like : likes) {
      storage::MarkRecord m;
      m.kind = storage::MarkKind::kFavourite;
      m.account_id = account_ids_[like.account];
      m.status_id = SpreadId(kPostShard, like.post, sc_.posts, kPostsFrom, kPostsTo);
      m.id = SpreadId(kMarkShard, like.n, total, kPostsFrom, kPostsTo);
      digest_.Add(6);
      digest_.Add(m.account_id);
      digest_.Add(m.status_id);
      digest_.Add(m.id);
      Put(std::move(m), "likes");
      ++out_.likes;
    }
  }

  static constexpr uint8_t kQuotable = 1;

  const Options& o_;
  const Scale sc_;
  Loader loader_;
  Fnv digest_;
  Summary out_;
  std::string password_hash_;
  Id app_id_ = 0;
  std::vector<Id> account_ids_;
  std::vector<uint32_t> active_list_;
  std::vector<uint8_t> post_flags_;
  std::vector<uint32_t> post_author_;
};

}  // namespace

Result<Scale> ScaleByName(const std::string& name) {
  if (name == "small") return Scale{10'000, 50, 200'000, 200'000, 10'000};
  if (name == "medium") return Scale{100'000, 50, 2'000'000, 2'000'000, 20'000};
  if (name == "large") return Scale{1'000'000, 50, 20'000'000, 20'000'000, 50'000};
  return Status::Invalid("scale must be small, medium or large");
}

Result<Summary> Generate(storage::Storage& storage, const Options& options) {
  Generator g(storage, options);
  return g.Run();
}

}  // namespace plaza::datagen
