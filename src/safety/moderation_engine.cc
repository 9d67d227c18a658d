#include "safety/moderation_engine.h"

#include <hs/hs.h>

#include <algorithm>
#include <chrono>
#include <cstring>

#include "common/utf8.h"

namespace plaza::safety {

namespace {

constexpr size_t kMaxTextBytes = 16 << 20;
// A regular expression whose leading literal is shorter than this is not worth gating.
constexpr size_t kMinGateBytes = 3;
// Literals in the word-start index are looked up by this many leading canonical bytes.
constexpr uint32_t kWordKeyBytes = 4;
// At most this many literals of the index share a key.
constexpr size_t kMaxWordKeyShare = 16;

std::atomic<uint64_t> g_next_version{1};

struct RawMatch {
  uint32_t id;
  uint32_t from;
  uint32_t to;
};

struct UnitSpan {
  uint32_t first;  // unit indices, inclusive
  uint32_t last;
  uint32_t rule;
};

// Per-thread Vectorscan scratch, grown to fit every database this thread has scanned with.
struct ThreadScratch {
  hs_scratch_t* scratch = nullptr;
  uint64_t sized_for = 0;
  ~ThreadScratch() {
    if (scratch != nullptr) hs_free_scratch(scratch);
  }
};

struct CheckBuffers {
  NormalizedText text;
  std::vector<RawMatch> raw;
  std::vector<UnitSpan> accepted;
  std::vector<UnitSpan> allowed;
};

CheckBuffers& ThreadBuffers() {
  thread_local CheckBuffers buffers;
  return buffers;
}

int OnMatch(unsigned int id, unsigned long long from, unsigned long long to, unsigned int,
            void* ctx) {
  static_cast<std::vector<RawMatch>*>(ctx)->push_back(
      RawMatch{id, static_cast<uint32_t>(from), static_cast<uint32_t>(to)});
  return 0;
}

// Canonical letters that are words on their own in English chat ("a", "I", "u", "r", "y", "o").
bool IsOneLetterWord(char c) {
  return c == 'a' || c == 'i' || c == 'u' || c == 'r' || c == 'y' || c == 'o';
}

// Maps the literal letters of a regular expression the way text is normalized, leaving escapes
// (\x{..}, \p{..}, \d, ...) and POSIX classes ([:alpha:]) untouched.
std::string NormalizeRegex(std::string_view pattern, const Normalizer& normalizer) {
  std::string out;
  size_t i = 0;
  while (i < pattern.size()) {
    char c = pattern[i];
    if (c == '\\' && i + 1 < pattern.size()) {
      size_t start = i;
      i += 1;
      DecodeUtf8(pattern, i);
      if (i < pattern.size() && pattern[i] == '{') {
        size_t close = pattern.find('}', i);
        i = close == std::string_view::npos ? pattern.size() : close + 1;
      }
      out.append(pattern.substr(start, i - start));
      continue;
    }
    if (c == '[' && i + 1 < pattern.size() && pattern[i + 1] == ':') {
      size_t close = pattern.find(":]", i);
      if (close != std::string_view::npos) {
        out.append(pattern.substr(i, close + 2 - i));
        i = close + 2;
        continue;
      }
    }
    if (c == '(' && pattern.substr(i, 3) == "(?<") {  // named group: keep the name
      size_t close = pattern.find('>', i);
      if (close != std::string_view::npos) {
        out.append(pattern.substr(i, close + 1 - i));
        i = close + 1;
        continue;
      }
    }
    size_t start = i;
    char32_t cp = DecodeUtf8(pattern, i);
    bool letter = cp >= 0x80 || (cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z');
    char32_t mapped = letter ? normalizer.MapLetter(cp) : 0;
    if (mapped != 0) {
      AppendUtf8(out, mapped);
    } else {
      out.append(pattern.substr(start, i - start));
    }
  }
  return out;
}

// A literal every match of `pattern` (a normalized regular expression) begins with, or "" when
// none is known. Conservative: only a leading run of lower-case ASCII letters and digits and of
// caseless CJK characters, in a pattern without any alternation; a character followed by a
// quantifier that may repeat it zero times (or by "{") is left out. The canonical text is case
// folded, so these characters can only match themselves there.
std::string RegexLeadingLiteral(std::string_view pattern) {
  if (pattern.find('|') != std::string_view::npos) return "";
  size_t i = 0;
  size_t literal_end = 0;
  while (i < pattern.size()) {
    const char32_t cp = DecodeUtf8(pattern, i);
    const bool plain = (cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9') ||
                       (cp >= 0x3040 && cp <= 0x30FF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
                       (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0xAC00 && cp <= 0xD7A3);
    if (!plain) break;
    if (i < pattern.size() && (pattern[i] == '?' || pattern[i] == '*' || pattern[i] == '{')) {
      break;
    }
    literal_end = i;
  }
  return std::string(pattern.substr(0, literal_end));
}

}  // namespace

struct CompiledRules::Meta {
  uint32_t length = 0;  // canonical byte length (literals)
  uint32_t inner_begin = 0;
  uint16_t inner_count = 0;
  RuleKind kind = RuleKind::kLiteral;
  WordBoundary boundary = WordBoundary::kAuto;
  bool allow = false;
  Action action = Action::kAllow;  // the rule's, kept here so a verdict never touches the Rule
};

struct CompiledRules::Database {
  hs_database_t* literals = nullptr;  // literal rules and allow-list terms
  hs_database_t* regexes = nullptr;   // regular-expression rules, when there are any
  // The literal database also holds, with ids from `gate_base` on, the literal each gated
  // regular expression begins with; the regex database is scanned only when one of them occurs
  // in the text, or always when some regular expression has no such literal.
  uint32_t gate_base = 0;
  bool regexes_always = false;
  ~Database() {
    if (literals != nullptr) hs_free_database(literals);
    if (regexes != nullptr) hs_free_database(regexes);
  }
};

// Literals found by their first kWordKeyBytes canonical bytes at the word starts of a text
// (CompileOptions::word_start_index). An open-addressing table maps each distinct key to the
// literals that begin with it.
struct CompiledRules::WordStartIndex {
  struct Literal {
    uint32_t offset;  // into bytes
    uint32_t length;
    uint32_t id;  // rule index
  };
  struct Slot {
    uint32_t key;
    uint32_t begin;  // into literals
    uint32_t count;  // 0: empty slot
  };
  std::string bytes;              // canonical bytes of every literal, concatenated
  std::vector<Literal> literals;  // grouped by key
  std::vector<Slot> slots;        // size a power of two, at most half full
  uint32_t shift = 32;

  static uint32_t Key(const char* p) {
    uint32_t key;
    std::memcpy(&key, p, sizeof key);
    return key;
  }
  uint32_t Home(uint32_t key) const { return (key * 0x9E3779B1u) >> shift; }

  // `entries` pairs each literal with its key; called once.
  void Build(std::vector<std::pair<uint32_t, Literal>> entries) {
    std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
      return a.first != b.first ? a.first < b.first : a.second.id < b.second.id;
    });
    size_t distinct = 0;
    for (size_t i = 0; i < entries.size(); ++i) {
      distinct += i == 0 || entries[i].first != entries[i - 1].first;
    }
    uint32_t bits = 1;
    while ((size_t{1} << bits) < 2 * distinct) ++bits;
    shift = 32 - bits;
    slots.assign(size_t{1} << bits, Slot{0, 0, 0});
    literals.reserve(entries.size());
    for (size_t i = 0; i < entries.size();) {
      const uint32_t key = entries[i].first;
      const auto begin = static_cast<uint32_t>(literals.size());
      for (; i < entries.size() && entries[i].first == key; ++i) {
        literals.push_back(entries[i].second);
      }
      uint32_t h = Home(key);
      while (slots[h].count != 0) h = (h + 1) & (static_cast<uint32_t>(slots.size()) - 1);
      slots[h] = Slot{key, begin, static_cast<uint32_t>(literals.size()) - begin};
    }
  }

  // Reports every literal that occurs in `text` at byte `pos`.
  void FindAt(std::string_view text, uint32_t pos, std::vector<RawMatch>& out) const {
    if (pos + kWordKeyBytes > text.size()) return;
    const uint32_t key = Key(text.data() + pos);
    const uint32_t mask = static_cast<uint32_t>(slots.size()) - 1;
    for (uint32_t h = Home(key);; h = (h + 1) & mask) {
      const Slot& slot = slots[h];
      if (slot.count == 0) return;
      if (slot.key != key) continue;
      for (uint32_t k = slot.begin; k < slot.begin + slot.count; ++k) {
        const Literal& lit = literals[k];
        if (pos + lit.length > text.size()) continue;
        // The key covers the first kWordKeyBytes bytes; literals are short, so a plain loop.
        const char* a = text.data() + pos;
        const char* b = bytes.data() + lit.offset;
        uint32_t j = kWordKeyBytes;
        while (j < lit.length && a[j] == b[j]) ++j;
        if (j == lit.length) out.push_back(RawMatch{lit.id, pos, pos + lit.length});
      }
      return;
    }
  }
};

CompiledRules::CompiledRules() = default;
CompiledRules::~CompiledRules() = default;

const Rule& Verdict::rule(size_t i) const { return rule_set->rule(rules[i]); }

Result<std::shared_ptr<const CompiledRules>> CompiledRules::Compile(
    const RuleSet& set, std::shared_ptr<const Normalizer> normalizer, const RuleLimits& limits,
    const CompileOptions& options) {
  PLAZA_RETURN_IF_ERROR(ValidateRuleSet(set, limits));
  auto started = std::chrono::steady_clock::now();
  std::shared_ptr<CompiledRules> c(new CompiledRules());
  c->normalizer_ = std::move(normalizer);
  c->rules_ = set.rules;
  c->version_ = g_next_version.fetch_add(1);
  const size_t total = set.rules.size() + set.allow.size();
  c->meta_.resize(total);

  std::vector<std::string> expressions(total);
  std::vector<unsigned> flags(total);
  std::vector<unsigned> ids(total);
  std::vector<bool> word_start(total, false);
  NormalizedText nt;
  auto where = [](const Rule& r) {
    return r.line > 0 ? "rules line " + std::to_string(r.line) + ": " : "rule '" + r.id + "': ";
  };
  for (size_t i = 0; i < total; ++i) {
    const bool allow = i >= set.rules.size();
    const Rule* rule = allow ? nullptr : &set.rules[i];
    Meta& m = c->meta_[i];
    m.allow = allow;
    if (rule != nullptr) m.action = rule->action;
    ids[i] = static_cast<unsigned>(i);
    if (rule != nullptr && rule->kind == RuleKind::kRegex) {
      m.kind = RuleKind::kRegex;
      m.boundary = rule->word_boundary;
      expressions[i] = NormalizeRegex(rule->pattern, *c->normalizer_);
      flags[i] = HS_FLAG_UTF8 | HS_FLAG_UCP | HS_FLAG_CASELESS | HS_FLAG_SOM_LEFTMOST;
      continue;
    }
    const std::string& pattern = allow ? set.allow[i - set.rules.size()] : rule->pattern;
    c->normalizer_->Normalize(pattern, nt);
    if (nt.bytes.empty()) {
      std::string msg = "'" + pattern + "' normalizes to nothing (only separators or symbols)";
      return Status::Invalid(allow ? "allow-list term " + msg : where(*rule) + "pattern " + msg);
    }
    m.kind = RuleKind::kLiteral;
    m.boundary = allow ? WordBoundary::kNever : rule->word_boundary;
    m.length = static_cast<uint32_t>(nt.bytes.size());
    m.inner_begin = static_cast<uint32_t>(c->inner_boundaries_.size());
    for (size_t u = 1; u < nt.units.size(); ++u) {
      if ((nt.units[u].flags & kUnitSpaceBefore) != 0) {
        c->inner_boundaries_.push_back(static_cast<uint16_t>(u));
        ++m.inner_count;
      }
    }
    expressions[i] = nt.bytes;
    flags[i] = 0;
    // An accepted match of a bounded literal that begins with a word character begins at a word
    // start (see Check), so the index finds every match that can be accepted.
    word_start[i] = options.word_start_index && !allow && m.boundary != WordBoundary::kNever &&
                    (nt.units[0].flags & kUnitWord) != 0 && nt.bytes.size() >= kWordKeyBytes;
  }

  {
    // Every literal sharing a key is compared at each word start with that key; keys shared by
    // more than kMaxWordKeyShare literals ("free ..." phrases) leave theirs to Vectorscan, so
    // a crafted text costs at most that many comparisons per word.
    std::vector<uint32_t> keys;
    for (size_t i = 0; i < total; ++i) {
      if (word_start[i]) keys.push_back(WordStartIndex::Key(expressions[i].data()));
    }
    std::sort(keys.begin(), keys.end());
    for (size_t i = 0; i < total; ++i) {
      if (!word_start[i]) continue;
      const uint32_t key = WordStartIndex::Key(expressions[i].data());
      const auto [lo, hi] = std::equal_range(keys.begin(), keys.end(), key);
      if (hi - lo > static_cast<std::ptrdiff_t>(kMaxWordKeyShare)) word_start[i] = false;
    }
  }

  c->db_ = std::make_unique<Database>();
  std::vector<const char*> lit_ptrs;
  std::vector<size_t> lit_lens;
  std::vector<unsigned> lit_flags;
  std::vector<unsigned> lit_ids;
  std::vector<const char*> re_ptrs;
  std::vector<unsigned> re_flags;
  std::vector<unsigned> re_ids;
  std::vector<std::string> gates;
  std::vector<std::pair<uint32_t, WordStartIndex::Literal>> indexed;
  auto index = std::make_unique<WordStartIndex>();
  for (size_t i = 0; i < total; ++i) {
    if (word_start[i]) {
      const std::string& bytes = expressions[i];
      indexed.emplace_back(
          WordStartIndex::Key(bytes.data()),
          WordStartIndex::Literal{static_cast<uint32_t>(index->bytes.size()),
                                  static_cast<uint32_t>(bytes.size()), static_cast<uint32_t>(i)});
      index->bytes += bytes;
    } else if (c->meta_[i].kind == RuleKind::kLiteral) {
      lit_ptrs.push_back(expressions[i].data());
      lit_lens.push_back(expressions[i].size());
      lit_flags.push_back(flags[i]);
      lit_ids.push_back(ids[i]);
    } else {
      re_ptrs.push_back(expressions[i].c_str());
      re_flags.push_back(flags[i]);
      re_ids.push_back(ids[i]);
      std::string gate = RegexLeadingLiteral(expressions[i]);
      if (gate.size() < kMinGateBytes) {
        c->db_->regexes_always = true;
      } else {
        gates.push_back(std::move(gate));
      }
    }
  }
  if (!indexed.empty()) {
    index->Build(std::move(indexed));
    c->word_index_ = std::move(index);
  }
  c->db_->gate_base = static_cast<uint32_t>(total);
  if (!c->db_->regexes_always) {
    for (size_t g = 0; g < gates.size(); ++g) {
      lit_ptrs.push_back(gates[g].data());
      lit_lens.push_back(gates[g].size());
      lit_flags.push_back(HS_FLAG_CASELESS | HS_FLAG_SINGLEMATCH);
      lit_ids.push_back(static_cast<unsigned>(total + g));
    }
  }
  auto fail = [&](hs_compile_error_t* error, const std::vector<unsigned>& id_of) -> Status {
    std::string message = error != nullptr ? error->message : "unknown error";
    int expr = error != nullptr ? error->expression : -1;
    hs_free_compile_error(error);
    if (expr >= 0 && static_cast<size_t>(expr) < id_of.size() && id_of[expr] < total) {
      size_t rule = id_of[expr];
      if (rule < set.rules.size()) {
        return Status::Invalid(where(set.rules[rule]) + "pattern does not compile: " + message);
      }
      return Status::Invalid("allow-list term does not compile: " + message);
    }
    return Status::TooLarge("rule set does not compile: " + message);
  };
  if (!lit_ptrs.empty()) {
    hs_compile_error_t* error = nullptr;
    if (hs_compile_lit_multi(lit_ptrs.data(), lit_flags.data(), lit_ids.data(), lit_lens.data(),
                             static_cast<unsigned>(lit_ptrs.size()), HS_MODE_BLOCK, nullptr,
                             &c->db_->literals, &error) != HS_SUCCESS) {
      return fail(error, lit_ids);
    }
  }
  if (!re_ptrs.empty()) {
    hs_compile_error_t* error = nullptr;
    if (hs_compile_multi(re_ptrs.data(), re_flags.data(), re_ids.data(),
                         static_cast<unsigned>(re_ptrs.size()), HS_MODE_BLOCK, nullptr,
                         &c->db_->regexes, &error) != HS_SUCCESS) {
      return fail(error, re_ids);
    }
  }
  c->compile_ms_ = std::chrono::duration<double, std::milli>(
                       std::chrono::steady_clock::now() - started)
                       .count();
  return std::shared_ptr<const CompiledRules>(std::move(c));
}

Result<Verdict> CompiledRules::Check(std::shared_ptr<const CompiledRules> self,
                                     std::string_view text) {
  if (text.size() > kMaxTextBytes) return Status::TooLarge("text is longer than 16 MiB");
  Verdict verdict;
  const CompiledRules& rs = *self;  // kept alive by the verdict
  verdict.rule_set = std::move(self);
  const Database& db = *rs.db_;
  if ((db.literals == nullptr && db.regexes == nullptr && rs.word_index_ == nullptr) ||
      text.empty()) {
    if (!IsValidUtf8(text)) return Status::Invalid("invalid UTF-8");
    return verdict;
  }

  CheckBuffers& buf = ThreadBuffers();
  // Normalizing validates UTF-8 in the same pass.
  if (!rs.normalizer_->Normalize(text, buf.text)) return Status::Invalid("invalid UTF-8");
  const NormalizedText& nt = buf.text;
  if (nt.bytes.empty()) return verdict;

  thread_local ThreadScratch scratch;
  if (scratch.sized_for != rs.version_) {
    for (hs_database_t* d : {db.literals, db.regexes}) {
      if (d != nullptr && hs_alloc_scratch(d, &scratch.scratch) != HS_SUCCESS) {
        return Status::Internal("cannot allocate Vectorscan scratch");
      }
    }
    scratch.sized_for = rs.version_;
  }
  buf.raw.clear();
  auto scan = [&](hs_database_t* d) {
    return hs_scan(d, nt.bytes.data(), static_cast<unsigned>(nt.bytes.size()), 0, scratch.scratch,
                   OnMatch, &buf.raw);
  };
  hs_error_t rc = HS_SUCCESS;
  if (db.literals != nullptr) rc = scan(db.literals);
  if (rc == HS_SUCCESS && db.regexes != nullptr) {
    bool gate_open = db.regexes_always;
    if (!gate_open) {
      auto gate = std::remove_if(buf.raw.begin(), buf.raw.end(),
                                 [&](const RawMatch& m) { return m.id >= db.gate_base; });
      gate_open = gate != buf.raw.end();
      buf.raw.erase(gate, buf.raw.end());
    }
    if (gate_open) rc = scan(db.regexes);
  }
  if (rc != HS_SUCCESS) return Status::Internal("Vectorscan scan failed: " + std::to_string(rc));
  if (rs.word_index_ != nullptr) {
    for (const uint32_t u : nt.word_starts) {
      rs.word_index_->FindAt(nt.bytes, nt.units[u].byte_begin, buf.raw);
    }
  }
  if (buf.raw.empty()) return verdict;

  buf.accepted.clear();
  buf.allowed.clear();
  const auto& units = nt.units;
  for (const RawMatch& m : buf.raw) {
    const Meta& meta = rs.meta_[m.id];
    uint32_t from = meta.kind == RuleKind::kLiteral ? m.to - meta.length : m.from;
    if (m.to <= from) continue;  // empty regex match
    uint32_t first = nt.UnitAt(from);
    uint32_t last = nt.UnitAt(m.to - 1);
    if (meta.allow) {
      buf.allowed.push_back(UnitSpan{first, last, m.id});
      continue;
    }
    const uint8_t lf = units[first].flags;
    const uint8_t rf = units[last].flags;
    if (meta.boundary == WordBoundary::kAlways) {
      if ((lf & kUnitLeftEdge) == 0 || (rf & kUnitRightEdge) == 0) continue;
    } else if (meta.boundary == WordBoundary::kAuto) {
      if ((lf & kUnitWord) != 0 && (lf & kUnitLeftEdge) == 0) continue;
      if ((rf & kUnitWord) != 0 && (rf & kUnitRightEdge) == 0) continue;
    }
    if (meta.boundary != WordBoundary::kNever && first != last && (lf & kUnitSpaced) != 0 &&
        (rf & kUnitSpaced) != 0 && units[first].group_begin == units[last].group_begin) {
      // Inside a spaced-out run the match must be the whole run, except for one-letter words
      // ("so u r a f u c k"), so "G R A P E S" does not contain "rape".
      bool ok = true;
      for (uint32_t u = units[first].group_begin; u < units[last].group_end && ok; ++u) {
        if (u == first) u = last + 1;
        if (u >= units[last].group_end) break;
        ok = IsOneLetterWord(nt.bytes[units[u].byte_begin]);
      }
      if (!ok) continue;
    }
    if (meta.kind == RuleKind::kLiteral) {
      bool ok = true;
      const uint16_t* inner = rs.inner_boundaries_.data() + meta.inner_begin;
      for (uint32_t u = first + 1; u <= last && ok; ++u) {
        if ((units[u].flags & kUnitHardInner) == 0) continue;
        ok = std::find(inner, inner + meta.inner_count, static_cast<uint16_t>(u - first)) !=
             inner + meta.inner_count;
      }
      if (!ok) continue;
    }
    buf.accepted.push_back(UnitSpan{first, last, m.id});
  }

  for (const UnitSpan& s : buf.accepted) {
    bool suppressed = false;
    for (const UnitSpan& a : buf.allowed) {
      if (a.first <= s.first && s.last <= a.last) {
        suppressed = true;
        break;
      }
    }
    if (suppressed) continue;
    verdict.matches.push_back(MatchSpan{units[s.first].orig_begin, units[s.last].orig_end, s.rule});
  }
  if (verdict.matches.empty()) return verdict;
  std::sort(verdict.matches.begin(), verdict.matches.end(),
            [](const MatchSpan& a, const MatchSpan& b) {
              if (a.begin != b.begin) return a.begin < b.begin;
              if (a.end != b.end) return a.end < b.end;
              return a.rule < b.rule;
            });
  verdict.matches.erase(std::unique(verdict.matches.begin(), verdict.matches.end(),
                                    [](const MatchSpan& a, const MatchSpan& b) {
                                      return a.begin == b.begin && a.end == b.end &&
                                             a.rule == b.rule;
                                    }),
                        verdict.matches.end());
  for (const MatchSpan& m : verdict.matches) {
    if (std::find(verdict.rules.begin(), verdict.rules.end(), m.rule) == verdict.rules.end()) {
      verdict.rules.push_back(m.rule);
    }
    verdict.action = std::max(verdict.action, rs.meta_[m.rule].action);
  }
  return verdict;
}

std::string Mask(std::string_view text, const Verdict& verdict, std::string_view replacement,
                 Action min_action) {
  std::vector<std::pair<uint32_t, uint32_t>> spans;
  for (const MatchSpan& m : verdict.matches) {
    if (verdict.rule_set->rule(m.rule).action < min_action) continue;
    if (m.end > text.size() || m.begin >= m.end) continue;
    spans.emplace_back(m.begin, m.end);
  }
  std::sort(spans.begin(), spans.end());
  std::string out;
  out.reserve(text.size());
  size_t pos = 0;
  for (size_t i = 0; i < spans.size();) {
    uint32_t begin = spans[i].first;
    uint32_t end = spans[i].second;
    for (++i; i < spans.size() && spans[i].first <= end; ++i) end = std::max(end, spans[i].second);
    if (begin < pos) begin = static_cast<uint32_t>(pos);
    out.append(text.substr(pos, begin - pos));
    out.append(replacement);
    pos = end;
  }
  out.append(text.substr(std::min(pos, text.size())));
  return out;
}

ModerationEngine::ModerationEngine(EngineOptions options,
                                   std::shared_ptr<const Normalizer> normalizer)
    : options_(std::move(options)), normalizer_(std::move(normalizer)) {}

Result<std::unique_ptr<ModerationEngine>> ModerationEngine::Create(const EngineOptions& options) {
  std::shared_ptr<const Normalizer> normalizer;
  if (options.normalizer.opencc_config == kDefaultOpenccT2sConfig) {
    PLAZA_ASSIGN_OR_RETURN(normalizer, Normalizer::Default());
  } else {
    PLAZA_ASSIGN_OR_RETURN(normalizer, Normalizer::Create(options.normalizer));
  }
  PLAZA_ASSIGN_OR_RETURN(
      auto empty, CompiledRules::Compile(RuleSet{}, normalizer, options.limits, options.compile));
  std::unique_ptr<ModerationEngine> engine(new ModerationEngine(options, std::move(normalizer)));
  engine->current_.store(std::move(empty));
  return engine;
}

Status ModerationEngine::Replace(const RuleSet& set) {
  std::lock_guard<std::mutex> lock(replace_mu_);
  PLAZA_ASSIGN_OR_RETURN(
      auto compiled, CompiledRules::Compile(set, normalizer_, options_.limits, options_.compile));
  current_.store(std::move(compiled));
  return Status::Ok();
}

Status ModerationEngine::ReplaceFromText(std::string_view text) {
  PLAZA_ASSIGN_OR_RETURN(RuleSet set, ParseRules(text, options_.limits));
  return Replace(set);
}

Status ModerationEngine::ReplaceFromFile(const std::string& path) {
  PLAZA_ASSIGN_OR_RETURN(RuleSet set, LoadRulesFile(path, options_.limits));
  return Replace(set);
}

Result<Verdict> ModerationEngine::Check(std::string_view text) const {
  return CompiledRules::Check(current_.load(), text);
}

}  // namespace plaza::safety
