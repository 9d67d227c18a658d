#include "eval_set.h"

#include <opencc/opencc.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <sstream>

#include "common/utf8.h"

namespace plaza::safety::eval {

namespace {

// splitmix64: small, fast, and the same everywhere.
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
  template <typename T>
  const T& Pick(const std::vector<T>& v) {
    return v[Below(v.size())];
  }

 private:
  uint64_t state_;
};

uint64_t Fnv(std::string_view s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

std::vector<char32_t> Cps(std::string_view s) {
  std::vector<char32_t> out;
  for (size_t i = 0; i < s.size();) out.push_back(DecodeUtf8(s, i));
  return out;
}

bool IsAsciiLetter(char32_t c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsCjk(char32_t c) { return c >= 0x2E80; }

// Splits a term into words (by ASCII space) of code points.
std::vector<std::vector<char32_t>> Words(std::string_view term) {
  std::vector<std::vector<char32_t>> words(1);
  for (char32_t c : Cps(term)) {
    if (c == ' ') {
      if (!words.back().empty()) words.emplace_back();
    } else {
      words.back().push_back(c);
    }
  }
  return words;
}

// Joins the characters of every word with `sep(i)` and the words with `word_sep`.
std::string Interleave(std::string_view term, const std::function<std::string(size_t)>& sep,
                       std::string_view word_sep = " ") {
  std::string out;
  size_t k = 0;
  auto words = Words(term);
  for (size_t w = 0; w < words.size(); ++w) {
    if (w > 0) out += word_sep;
    for (size_t i = 0; i < words[w].size(); ++i) {
      if (i > 0) out += sep(k++);
      AppendUtf8(out, words[w][i]);
    }
  }
  return out;
}

std::string MapChars(std::string_view s, const std::function<std::string(char32_t)>& f) {
  std::string out;
  for (char32_t c : Cps(s)) out += f(c);
  return out;
}

std::string Utf8(char32_t c) {
  std::string s;
  AppendUtf8(s, c);
  return s;
}

const std::vector<std::string> kSymbols = {".", "-", "_", "*", "~", "/", "·", "|", "+", "♥",
                                           "★", "😀", "#", "^", ",", "=", "、", "。", "…", "🔥"};
const std::vector<std::string> kEmoji = {"😀", "🔥", "👍", "🌸", "💯", "🙈", "⭐", "🍉"};
const std::vector<char32_t> kZeroWidth = {0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x00AD};

// Latin letter → look-alike code points from Cyrillic and Greek.
const std::map<char, std::vector<char32_t>> kLookAlikes = {
    {'a', {0x0430, 0x03B1}}, {'b', {0x0412}},         {'c', {0x0441, 0x03F2}},
    {'d', {0x0501}},         {'e', {0x0435, 0x0395}}, {'h', {0x04BB, 0x0397}},
    {'i', {0x0456, 0x0399}}, {'j', {0x0458}},         {'k', {0x043A, 0x039A}},
    {'m', {0x041C, 0x039C}}, {'n', {0x039D}},         {'o', {0x043E, 0x03BF}},
    {'p', {0x0440, 0x03C1}}, {'s', {0x0455}},         {'t', {0x0442, 0x03A4}},
    {'u', {0x03C5}},         {'v', {0x03BD}},         {'w', {0x051D}},
    {'x', {0x0445, 0x03C7}}, {'y', {0x0443}},         {'z', {0x0396}},
    {'l', {0x04CF}},
};

const std::map<char, std::vector<std::string>> kLeet = {
    {'a', {"4", "@"}}, {'e', {"3"}}, {'i', {"1"}}, {'o', {"0"}},
    {'s', {"5", "$"}}, {'t', {"7"}}, {'l', {"1"}},
};

std::string Fullwidth(std::string_view s) {
  return MapChars(s, [](char32_t c) {
    if (c == ' ') return Utf8(0x3000);
    if (c > 0x20 && c < 0x7F) return Utf8(c - 0x21 + 0xFF01);
    return Utf8(c);
  });
}

std::string MathBold(std::string_view s) {
  return MapChars(s, [](char32_t c) {
    if (c >= 'a' && c <= 'z') return Utf8(0x1D41A + (c - 'a'));
    if (c >= 'A' && c <= 'Z') return Utf8(0x1D400 + (c - 'A'));
    return Utf8(c);
  });
}

std::string Homoglyph(std::string_view s, Rng& rng) {
  return MapChars(s, [&](char32_t c) {
    if (c < 0x80) {
      auto it = kLookAlikes.find(static_cast<char>(c));
      if (it != kLookAlikes.end()) return Utf8(rng.Pick(it->second));
    }
    return Utf8(c);
  });
}

// Leet spelling with at most two digits in a row (three or more are read as a number).
std::string Leet(std::string_view s, Rng& rng) {
  std::string out;
  int digits_in_row = 0;
  for (char32_t c : Cps(s)) {
    auto it = c < 0x80 ? kLeet.find(static_cast<char>(c)) : kLeet.end();
    if (it != kLeet.end()) {
      const std::string& r = rng.Pick(it->second);
      bool digit = r[0] >= '0' && r[0] <= '9';
      if (!digit || digits_in_row < 2) {
        out += r;
        digits_in_row = digit ? digits_in_row + 1 : 0;
        continue;
      }
    }
    digits_in_row = 0;
    AppendUtf8(out, c);
  }
  return out;
}

std::string Accents(std::string_view s, Rng& rng) {
  static const std::vector<char32_t> kMarks = {0x0301, 0x0308, 0x0300, 0x0302, 0x0303, 0x0327};
  return MapChars(s, [&](char32_t c) {
    std::string r = Utf8(c);
    if (IsAsciiLetter(c)) r += Utf8(rng.Pick(kMarks));
    return r;
  });
}

std::string MixedCase(std::string_view s, Rng& rng) {
  bool upper = rng.Below(2) == 0;
  return MapChars(s, [&](char32_t c) {
    if (c >= 'a' && c <= 'z') {
      upper = !upper;
      return Utf8(upper ? c - 32 : c);
    }
    return Utf8(c);
  });
}

std::string Upper(std::string_view s) {
  return MapChars(s, [](char32_t c) { return Utf8(c >= 'a' && c <= 'z' ? c - 32 : c); });
}

// One symbol inside the longest word: "fu*ck".
std::string SymbolOnce(std::string_view term, Rng& rng) {
  auto words = Words(term);
  size_t longest = 0;
  for (size_t w = 1; w < words.size(); ++w) {
    if (words[w].size() > words[longest].size()) longest = w;
  }
  if (words[longest].size() < 3) return "";
  size_t at = 1 + rng.Below(words[longest].size() - 1);
  std::string sym = rng.Pick(std::vector<std::string>{".", "-", "*", "_", "~", "·"});
  std::string out;
  for (size_t w = 0; w < words.size(); ++w) {
    if (w > 0) out += ' ';
    for (size_t i = 0; i < words[w].size(); ++i) {
      if (w == longest && i == at) out += sym;
      AppendUtf8(out, words[w][i]);
    }
  }
  return out;
}

class S2T {
 public:
  S2T() {
    od_ = opencc_open("/usr/share/opencc/s2t.json");
    if (od_ == reinterpret_cast<opencc_t>(-1)) od_ = nullptr;
  }
  ~S2T() {
    if (od_ != nullptr) opencc_close(od_);
  }
  bool ok() const { return od_ != nullptr; }
  std::string Convert(const std::string& s) const {
    char* r = opencc_convert_utf8(od_, s.data(), s.size());
    if (r == nullptr) return s;
    std::string out(r);
    opencc_convert_utf8_free(r);
    return out;
  }

 private:
  opencc_t od_ = nullptr;
};

const std::vector<std::string> kLatinCarriers = {
    "{}", "check this {} now", "omg {}!!", "lmao {} 😂", "RT: {} http://t.co/x9",
    "you are such a {}", "“{}” he said", "你好 {} 朋友", "{} #trending", "well... {}, ok?",
    "@friend {} see you", "{} 2024", "真的{}啊", "so u r a {}",
};
const std::vector<std::string> kCjkCarriers = {
    "{}", "快来看{}吧", "{}，私聊我", "今天{}了吗", "【{}】", "朋友说{}真的假的", "hello {} ok",
    "有{}需要的联系", "{}!!!", "@小明 {} 哈哈",
};

std::string Fill(const std::string& carrier, const std::string& v) {
  std::string out = carrier;
  size_t at = out.find("{}");
  out.replace(at, 2, v);
  return out;
}

Result<std::vector<std::string>> ReadLines(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::NotFound("cannot open " + path);
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    lines.push_back(line);
  }
  return lines;
}

void AddVariants(const Rule& rule, const S2T& s2t, std::vector<Variant>& out) {
  const std::string& t = rule.pattern;
  Rng rng(Fnv(t));
  bool latin = false;
  bool cjk = false;
  for (char32_t c : Cps(t)) {
    latin |= IsAsciiLetter(c);
    cjk |= IsCjk(c);
  }
  std::vector<std::pair<std::string, std::string>> vs;  // trick, text
  auto add = [&](std::string trick, std::string text) {
    if (text.empty()) return;
    if (trick != "plain" && text == t) return;  // the trick changed nothing
    vs.emplace_back(std::move(trick), std::move(text));
  };
  add("plain", t);
  auto sym = [&](size_t) { return rng.Pick(kSymbols); };
  auto zw = [&](size_t i) { return Utf8(kZeroWidth[i % kZeroWidth.size()]); };
  auto emoji = [&](size_t) { return rng.Pick(kEmoji); };
  add("spaces", Interleave(t, [](size_t) { return std::string(" "); }, "   "));
  add("symbols", Interleave(t, sym));
  add("symbol_once", SymbolOnce(t, rng));
  add("zero_width", Interleave(t, zw));
  add("fullwidth", Fullwidth(t));
  add("fullwidth_spaced", Interleave(Fullwidth(t), [](size_t) { return Utf8(0x3000); }));
  if (latin) {
    add("upper", Upper(t));
    add("mixed_case", MixedCase(t, rng));
    add("homoglyph", Homoglyph(t, rng));
    add("leet", Leet(t, rng));
    add("accents", Accents(t, rng));
    add("math_letters", MathBold(t));
    add("homoglyph+zero_width", Interleave(Homoglyph(t, rng), zw));
    add("leet+mixed_case", MixedCase(Leet(t, rng), rng));
    add("symbols+homoglyph", Interleave(Homoglyph(t, rng), sym));
    add("leet+spaces", Interleave(Leet(t, rng), [](size_t) { return std::string(" "); }, "   "));
    add("fullwidth+upper+zero_width", Interleave(Fullwidth(Upper(t)), zw));
  }
  if (cjk) {
    add("emoji_between", Interleave(t, emoji));
    if (s2t.ok()) {
      std::string trad = s2t.Convert(t);
      add("traditional", trad);
      add("traditional+symbols", Interleave(trad, sym));
      add("traditional+zero_width", Interleave(trad, zw));
      add("traditional+spaces", Interleave(trad, [](size_t) { return std::string(" "); }));
    }
  }
  for (auto& [trick, text] : vs) {
    const auto& carriers = latin && !cjk ? kLatinCarriers : kCjkCarriers;
    out.push_back(Variant{Fill(rng.Pick(carriers), text), rule.id, t, trick});
  }
}

}  // namespace

Result<EvalSet> BuildEvalSet(const std::string& data_dir) {
  EvalSet set;
  PLAZA_ASSIGN_OR_RETURN(set.rules, LoadRulesFile(data_dir + "/eval_rules.txt"));
  S2T s2t;
  if (!s2t.ok()) return Status::Unavailable("OpenCC s2t.json is needed to build the eval set");
  for (const Rule& r : set.rules.rules) {
    if (r.kind == RuleKind::kLiteral) AddVariants(r, s2t, set.variants);
  }

  PLAZA_ASSIGN_OR_RETURN(auto en, ReadLines(data_dir + "/clean_en.txt"));
  PLAZA_ASSIGN_OR_RETURN(auto zh, ReadLines(data_dir + "/clean_zh.txt"));
  PLAZA_ASSIGN_OR_RETURN(auto words, ReadLines(data_dir + "/lookalikes.txt"));
  Rng rng(20261125);
  for (const auto& s : en) set.clean.push_back(s);
  for (const auto& s : zh) set.clean.push_back(s);
  for (const auto& s : zh) set.clean.push_back(s2t.Convert(s));  // the same posts from HK/TW
  for (size_t i = 0; i < en.size(); i += 4) set.clean.push_back(Fullwidth(en[i]));
  const std::vector<std::string> en_carriers = {
      "{}", "I love {}", "the {} is here", "{} and more", "What about {}?",
      "A note on {} from today", "#{}", "Look at this {} 😀",
  };
  const std::vector<std::string> zh_carriers = {
      "{}", "我们去{}看看", "关于{}的讨论", "{}真不错", "今天聊聊{}", "【{}】", "{}？", "说到{}，我想起来",
  };
  for (const auto& w : words) {
    bool cjk = false;
    for (char32_t c : Cps(w)) cjk |= IsCjk(c);
    for (const auto& c : cjk ? zh_carriers : en_carriers) set.clean.push_back(Fill(c, w));
  }
  const std::vector<std::string> extras = {
      "", " #周末# ", " @friend ", " https://example.com/p/8f3k2 ", " 2024年12月 ", " ¥199 ",
      " $5 ", " 100% ", " 😀😀 ", " (1/3) ", " 555-0134 ", " 🔥 ",
  };
  for (int i = 0; i < 3000; ++i) {
    std::string line;
    int parts = 1 + static_cast<int>(rng.Below(3));
    for (int p = 0; p < parts; ++p) {
      if (p > 0) {
        const std::string& sep = rng.Pick(extras);
        line += sep.empty() ? " " : sep;
      }
      switch (rng.Below(3)) {
        case 0: line += rng.Pick(en); break;
        case 1: line += rng.Pick(zh); break;
        default: line += Fill(rng.Pick(rng.Below(2) ? en_carriers : zh_carriers), rng.Pick(words));
      }
    }
    set.clean.push_back(line);
  }
  return set;
}

EvalReport Evaluate(const ModerationEngine& engine, const EvalSet& set) {
  EvalReport report;
  for (const Variant& v : set.variants) {
    auto verdict = engine.Check(v.text);
    bool hit = false;
    if (verdict.ok()) {
      for (size_t i = 0; i < verdict->rules.size() && !hit; ++i) {
        hit = verdict->rule(i).id == v.rule_id;
      }
    }
    ++report.variants;
    TrickStats& ts = report.by_trick[v.trick];
    ++ts.total;
    if (hit) {
      ++report.detected;
      ++ts.detected;
    } else {
      report.misses.push_back(&v);
    }
  }
  for (const std::string& text : set.clean) {
    auto verdict = engine.Check(text);
    ++report.clean;
    if (verdict.ok() && verdict->allowed()) continue;
    ++report.false_positives;
    std::string why;
    if (verdict.ok()) {
      for (size_t i = 0; i < verdict->rules.size(); ++i) why += " " + verdict->rule(i).id;
    } else {
      why = " error: " + verdict.status().message();
    }
    report.false_positive_texts.push_back(text + "  <-" + why);
  }
  return report;
}

}  // namespace plaza::safety::eval
