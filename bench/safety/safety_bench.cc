// Moderation engine benchmarks: throughput (MB/s of input text per core, normalization and UTF-8
// validation included) and the latency distribution of one check, with 10,000 and 100,000
// generated rules, over generated 140-character posts mixing Chinese and English (~303 bytes).
//
//   taskset -c 1 build/bench/safety/safety_bench --benchmark_repetitions=5
//       --benchmark_report_aggregates_only=true
//
// The machine is shared and noisy, so throughput is not bytes / total time (one preemption
// would dominate it): every iteration checks a chunk of 50 posts and is timed on its own, and
// MBps_median is the median over chunks. ref_MBps_median times IsValidUtf8 over the same chunks
// in the same run (a plain byte loop every checker must at least do) and ratio_to_ref relates
// the two, so runs on differently loaded machines can be compared. Latency: each check is timed
// on its own, over 200,000 checks (100 per post) per repetition.
//
// Goals (issue 4): >= 200 MB/s per core; p99 of one 140-character check <= 20 us.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/utf8.h"
#include "safety/moderation_engine.h"

namespace plaza::safety {
namespace {

class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  size_t Below(size_t n) { return static_cast<size_t>(Next() % n); }

 private:
  uint64_t state_;
};

const std::vector<std::string> kChinese = {
    "今天天气真好，和朋友去公园散步了。", "周末去博物馆看了恐龙化石展，孩子们特别开心！",
    "新开的奶茶店排队要一个小时，值得吗？", "地铁四号线延长段今天正式开通，通勤方便多了。",
    "刚刚看完这部电影，结局真的出人意料。", "晚上吃了一碗牛肉面，加了很多辣椒。",
    "这家店的烤鸭很出名，推荐大家去试试。", "明天早上八点开会，千万别迟到啊。",
    "新买的耳机音质很好，降噪效果也不错。", "春节回老家看望爷爷奶奶，一家人团聚真好。",
    "我们团队完成了项目上线，感谢大家的努力！", "秋天的银杏叶黄了，拍了好多照片。",
    "这本小说讲的是一个灯塔看守人的故事。", "国庆假期景区人太多了，建议错峰出行。",
    "学校组织了一次消防演习，同学们都很认真。", "打车软件今天搞活动，十块钱坐到公司。",
};
const std::vector<std::string> kEnglish = {
    "just finished my morning run ", "anyone know a good ramen place? ", "new blog post is up ",
    "the concert was amazing ", "coffee first, emails later ", "who else is watching the finals ",
    "our startup shipped v2.0 today ", "traffic was terrible on the bridge ",
    "learning guitar, day 12 ", "happy birthday to my sister ", "#weekend vibes ",
    "@friend see you at 7pm ", "https://example.com/p/8f3k2 ",
};

std::string RandomLatinWord(Rng& rng, size_t min_len, size_t max_len) {
  size_t len = min_len + rng.Below(max_len - min_len + 1);
  std::string w;
  for (size_t i = 0; i < len; ++i) w += static_cast<char>('a' + rng.Below(26));
  return w;
}

// Chinese characters that occur in real posts, so generated rules share prefixes with the text.
std::vector<char32_t> PostCharacters() {
  std::vector<char32_t> cps;
  for (const auto& s : kChinese) {
    for (size_t i = 0; i < s.size();) {
      char32_t c = DecodeUtf8(s, i);
      if (c >= 0x4E00 && c <= 0x9FFF) cps.push_back(c);
    }
  }
  return cps;
}

// Half Chinese words (3-5 characters, mostly from common characters), half English words and
// two-word phrases; a few regular expressions.
RuleSet GenerateRules(size_t n) {
  Rng rng(n);
  std::vector<char32_t> chars = PostCharacters();
  RuleSet set;
  set.rules.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    Rule r;
    r.id = "g";  // not "g" + std::to_string(i): GCC 12 warns falsely (-Wrestrict) on that form
    r.id += std::to_string(i);
    r.action = static_cast<Action>(1 + rng.Below(4));
    r.category = "spam";
    if (i % 1000 == 999) {
      r.kind = RuleKind::kRegex;
      r.pattern = RandomLatinWord(rng, 3, 4) + "[0-9]{3,}";
    } else if (i % 2 == 0) {
      size_t len = 3 + rng.Below(3);
      for (size_t k = 0; k < len; ++k) {
        char32_t c = rng.Below(3) == 0 ? static_cast<char32_t>(0x4E00 + rng.Below(0x5000))
                                       : chars[rng.Below(chars.size())];
        AppendUtf8(r.pattern, c);
      }
    } else if (i % 5 == 1) {
      r.pattern = RandomLatinWord(rng, 3, 7) + " " + RandomLatinWord(rng, 3, 8);
    } else {
      r.pattern = RandomLatinWord(rng, 4, 10);
    }
    set.rules.push_back(std::move(r));
  }
  set.allow.push_back("大麻烦");
  return set;
}

// 140-code-point posts; about one in twenty contains a rule term.
std::vector<std::string> GeneratePosts(const RuleSet& rules, size_t count) {
  Rng rng(42);
  std::vector<std::string> posts;
  for (size_t p = 0; p < count; ++p) {
    std::string text;
    while (CountCodePoints(text) < 160) {
      size_t pick = rng.Below(10);
      if (pick < 6) {
        text += kChinese[rng.Below(kChinese.size())];
      } else if (pick < 9) {
        text += kEnglish[rng.Below(kEnglish.size())];
      } else if (rng.Below(2) == 0) {
        text += rules.rules[rng.Below(rules.rules.size())].pattern;
      } else {
        text += "😀 ";
      }
    }
    std::string cut;
    size_t i = 0;
    for (int k = 0; k < 140; ++k) AppendUtf8(cut, DecodeUtf8(text, i));
    posts.push_back(std::move(cut));
  }
  return posts;
}

struct Fixture {
  std::unique_ptr<ModerationEngine> engine;
  std::vector<std::string> posts;
  size_t total_bytes = 0;
  double compile_ms = 0;
};

Fixture& GetFixture(size_t rules) {
  static std::map<size_t, std::unique_ptr<Fixture>> cache;
  auto& slot = cache[rules];
  if (!slot) {
    slot = std::make_unique<Fixture>();
    auto engine = ModerationEngine::Create();
    if (!engine.ok()) std::abort();
    RuleSet set = GenerateRules(rules);
    if (Status st = (*engine)->Replace(set); !st.ok()) {
      std::fprintf(stderr, "compile failed: %s\n", st.message().c_str());
      std::abort();
    }
    slot->engine = std::move(*engine);
    slot->compile_ms = slot->engine->rules()->compile_ms();
    slot->posts = GeneratePosts(set, 2000);
    for (const auto& p : slot->posts) slot->total_bytes += p.size();
  }
  return *slot;
}

constexpr size_t kChunkPosts = 50;

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// Runs `f` over chunks of kChunkPosts posts, one chunk per iteration, and reports the median
// throughput over chunks next to the reference (IsValidUtf8 over the same chunk).
template <class F>
void ChunkedThroughput(benchmark::State& state, const Fixture& f, F&& run) {
  std::vector<double> mbps;
  std::vector<double> ref_mbps;
  size_t chunk = 0;
  size_t bytes = 0;
  for (auto _ : state) {
    const size_t first = chunk * kChunkPosts;
    size_t chunk_bytes = 0;
    for (size_t k = first; k < first + kChunkPosts; ++k) chunk_bytes += f.posts[k].size();
    auto start = std::chrono::steady_clock::now();
    for (size_t k = first; k < first + kChunkPosts; ++k) run(f.posts[k]);
    auto mid = std::chrono::steady_clock::now();
    bool valid = true;
    for (size_t k = first; k < first + kChunkPosts; ++k) valid &= IsValidUtf8(f.posts[k]);
    benchmark::DoNotOptimize(valid);
    auto end = std::chrono::steady_clock::now();
    const double s = std::chrono::duration<double>(mid - start).count();
    const double ref_s = std::chrono::duration<double>(end - mid).count();
    state.SetIterationTime(s);
    mbps.push_back(chunk_bytes / s / 1e6);
    ref_mbps.push_back(chunk_bytes / ref_s / 1e6);
    bytes += chunk_bytes;
    if (++chunk == f.posts.size() / kChunkPosts) chunk = 0;
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
  const double median = Median(mbps);
  const double ref = Median(ref_mbps);
  state.counters["MBps_median"] = median;
  state.counters["ref_MBps_median"] = ref;
  state.counters["ratio_to_ref"] = ref > 0 ? median / ref : 0;
  state.counters["post_bytes"] = static_cast<double>(f.total_bytes) / f.posts.size();
}

void BM_CheckThroughput(benchmark::State& state) {
  Fixture& f = GetFixture(static_cast<size_t>(state.range(0)));
  size_t checks = 0;
  size_t flagged = 0;
  ChunkedThroughput(state, f, [&](const std::string& post) {
    auto v = f.engine->Check(post);
    benchmark::DoNotOptimize(v);
    flagged += v.ok() && !v->allowed();
    ++checks;
  });
  state.counters["flagged_pct"] = 100.0 * flagged / std::max<size_t>(1, checks);
  state.counters["compile_ms"] = f.compile_ms;
}
BENCHMARK(BM_CheckThroughput)
    ->Arg(10'000)
    ->Arg(100'000)
    ->UseManualTime()
    ->Unit(benchmark::kMicrosecond);

// Per-check latency: each check is timed on its own and the percentiles are reported as
// counters (in microseconds). p50/p99/p999 are over all samples, so on a loaded machine they
// include preemption and interrupts; p99_post_median is the 99th percentile over posts of each
// post's median, i.e. what the content costs.
void BM_CheckLatency(benchmark::State& state) {
  Fixture& f = GetFixture(static_cast<size_t>(state.range(0)));
  std::vector<double> ns;
  ns.reserve(state.max_iterations);
  std::vector<std::vector<double>> per_post(f.posts.size());
  size_t i = 0;
  for (auto _ : state) {
    auto start = std::chrono::steady_clock::now();
    auto v = f.engine->Check(f.posts[i]);
    auto end = std::chrono::steady_clock::now();
    benchmark::DoNotOptimize(v);
    const double t = std::chrono::duration<double, std::nano>(end - start).count();
    ns.push_back(t);
    per_post[i].push_back(t);
    if (++i == f.posts.size()) i = 0;
  }
  // The latency a post's content costs, without the machine's interference: each post's median
  // over its ~100 checks, then the 99th percentile over posts.
  std::vector<double> post_medians;
  for (auto& samples : per_post) {
    if (!samples.empty()) post_medians.push_back(Median(std::move(samples)));
  }
  std::sort(post_medians.begin(), post_medians.end());
  state.counters["p99_post_median_us"] =
      post_medians.empty()
          ? 0.0
          : post_medians[std::min(post_medians.size() - 1,
                                  static_cast<size_t>(0.99 * post_medians.size()))] /
                1000;
  std::sort(ns.begin(), ns.end());
  auto pct = [&](double p) {
    return ns.empty() ? 0.0 : ns[std::min(ns.size() - 1, static_cast<size_t>(p * ns.size()))];
  };
  state.counters["p50_us"] = pct(0.50) / 1000;
  state.counters["p99_us"] = pct(0.99) / 1000;
  state.counters["p999_us"] = pct(0.999) / 1000;
  state.counters["samples"] = static_cast<double>(ns.size());
}
BENCHMARK(BM_CheckLatency)
    ->Arg(10'000)
    ->Arg(100'000)
    ->Iterations(200'000)
    ->Unit(benchmark::kMicrosecond);

// Normalization alone, for the breakdown.
void BM_Normalize(benchmark::State& state) {
  Fixture& f = GetFixture(10'000);
  NormalizedText out;
  ChunkedThroughput(state, f, [&](const std::string& post) {
    f.engine->normalizer().Normalize(post, out);
    benchmark::DoNotOptimize(out.bytes.data());
  });
}
BENCHMARK(BM_Normalize)->UseManualTime()->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace plaza::safety

BENCHMARK_MAIN();
