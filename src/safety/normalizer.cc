#include "safety/normalizer.h"

#include <opencc/Config.hpp>
#include <opencc/Conversion.hpp>
#include <opencc/ConversionChain.hpp>
#include <opencc/Converter.hpp>
#include <opencc/Dict.hpp>
#include <opencc/DictEntry.hpp>
#include <opencc/Lexicon.hpp>
#include <utf8proc.h>

#include <algorithm>
#include <bit>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <mutex>

#include "common/utf8.h"

namespace plaza::safety {

namespace {

// Code points below this are precomputed; the rest (rare: CJK extensions beyond B..F, tags) are
// computed per use.
constexpr char32_t kTableSize = 0x30000;
// Upper bound on the expansion of one code point (NFKC of U+FDFA is 18 code points).
constexpr int kMaxExpansion = 32;
// Digit runs at least this long are numbers: never leet, and a token of their own.
constexpr uint32_t kMinNumberRun = 3;

enum Class : uint8_t { kDrop = 0, kSpace, kPunct, kLetter, kDigit, kSym, kCjk };

bool IsWordClass(uint8_t c) { return c == kLetter || c == kDigit || c == kSym; }

// Look-alikes of Latin letters, keyed by the code point as written (before case folding, since
// folding would turn e.g. Greek capital Eta "Η" into "η", which no longer looks like "h").
constexpr std::pair<char32_t, char> kHomoglyphs[] = {
    // Cyrillic capitals and small letters.
    {0x0410, 'a'}, {0x0430, 'a'}, {0x0412, 'b'}, {0x0432, 'b'}, {0x0415, 'e'}, {0x0435, 'e'},
    {0x0401, 'e'}, {0x0451, 'e'}, {0x041A, 'k'}, {0x043A, 'k'}, {0x041C, 'm'}, {0x043C, 'm'},
    {0x041D, 'h'}, {0x043D, 'h'}, {0x041E, 'o'}, {0x043E, 'o'}, {0x0420, 'p'}, {0x0440, 'p'},
    {0x0421, 'c'}, {0x0441, 'c'}, {0x0422, 't'}, {0x0442, 't'}, {0x0423, 'y'}, {0x0443, 'y'},
    {0x0425, 'x'}, {0x0445, 'x'}, {0x0405, 's'}, {0x0455, 's'}, {0x0406, 'i'}, {0x0456, 'i'},
    {0x0407, 'i'}, {0x0457, 'i'}, {0x0408, 'j'}, {0x0458, 'j'}, {0x0500, 'd'}, {0x0501, 'd'},
    {0x04BA, 'h'}, {0x04BB, 'h'}, {0x04AE, 'y'}, {0x04AF, 'y'}, {0x051A, 'q'}, {0x051B, 'q'},
    {0x051C, 'w'}, {0x051D, 'w'}, {0x04C0, 'i'}, {0x04CF, 'i'}, {0x0417, '3'}, {0x0437, '3'},
    {0x0427, '4'}, {0x0447, '4'}, {0x042C, 'b'}, {0x044C, 'b'}, {0x0413, 'r'}, {0x0433, 'r'},
    {0x041F, 'n'}, {0x043F, 'n'}, {0x0418, 'u'}, {0x0438, 'u'},
    // Greek capitals and small letters.
    {0x0391, 'a'}, {0x03B1, 'a'}, {0x0392, 'b'}, {0x03B2, 'b'}, {0x0395, 'e'}, {0x03B5, 'e'},
    {0x0396, 'z'}, {0x0397, 'h'}, {0x03B7, 'n'}, {0x0399, 'i'}, {0x03B9, 'i'}, {0x039A, 'k'},
    {0x03BA, 'k'}, {0x039C, 'm'}, {0x039D, 'n'}, {0x03BD, 'v'}, {0x039F, 'o'}, {0x03BF, 'o'},
    {0x03A1, 'p'}, {0x03C1, 'p'}, {0x03A4, 't'}, {0x03C4, 't'}, {0x03A5, 'y'}, {0x03C5, 'u'},
    {0x03A7, 'x'}, {0x03C7, 'x'}, {0x03F2, 'c'}, {0x03F9, 'c'}, {0x03C9, 'w'}, {0x0394, 'a'},
    {0x03A3, 'e'}, {0x03C3, 'o'}, {0x03C2, 's'}, {0x03BC, 'u'},
    // Latin look-alikes that NFKC leaves alone.
    {0x0131, 'i'}, {0x0251, 'a'}, {0x0261, 'g'}, {0x0269, 'i'}, {0x026A, 'i'}, {0x0280, 'r'},
    {0x028F, 'y'}, {0x1D00, 'a'}, {0x1D04, 'c'}, {0x1D05, 'd'}, {0x1D07, 'e'}, {0x1D0A, 'j'},
    {0x1D0B, 'k'}, {0x1D0D, 'm'}, {0x1D0F, 'o'}, {0x1D18, 'p'}, {0x1D1B, 't'}, {0x1D1C, 'u'},
    {0x1D20, 'v'}, {0x1D21, 'w'}, {0x1D22, 'z'}, {0x0274, 'n'}, {0x029C, 'h'}, {0x0299, 'b'},
    {0x0262, 'g'}, {0x029F, 'i'}, {0x0432, 'b'}, {0x00F8, 'o'}, {0x00D8, 'o'}, {0x0111, 'd'},
    {0x0110, 'd'}, {0x0127, 'h'}, {0x0126, 'h'}, {0x0142, 'i'}, {0x0141, 'i'}, {0x0180, 'b'},
    {0x01B6, 'z'},
};

// Leet substitutions applied inside tokens that contain a real letter.
char LeetOf(char32_t cp) {
  switch (cp) {
    case '0': return 'o';
    case '1': return 'i';
    case '3': return 'e';
    case '4': return 'a';
    case '5': return 's';
    case '7': return 't';
    case '@': return 'a';
    case '$': return 's';
    default: return 0;
  }
}

char32_t Homoglyph(char32_t cp) {
  static const std::vector<char32_t> table = [] {
    std::vector<char32_t> t(0x2000, 0);
    for (const auto& [from, to] : kHomoglyphs) {
      if (from < t.size() && t[from] == 0) t[from] = static_cast<char32_t>(to);
    }
    return t;
  }();
  return cp < table.size() ? table[cp] : 0;
}

bool IsCjkRange(char32_t c) {
  return (c >= 0x1100 && c <= 0x11FF) || (c >= 0x2E80 && c <= 0x2FDF) ||
         (c >= 0x3005 && c <= 0x3007) || (c >= 0x3021 && c <= 0x3029) ||
         (c >= 0x3031 && c <= 0x303C) || (c >= 0x3040 && c <= 0x31FF) ||
         (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x4E00 && c <= 0x9FFF) ||
         (c >= 0xA960 && c <= 0xA97F) || (c >= 0xAC00 && c <= 0xD7FF) ||
         (c >= 0xF900 && c <= 0xFAFF) || (c >= 0xFF66 && c <= 0xFFDC) ||
         (c >= 0x20000 && c <= 0x3FFFF);
}

uint8_t Classify(char32_t c) {
  if (c == ' ' || (c >= '\t' && c <= '\r')) return kSpace;
  if (c == '@' || c == '$') return kSym;
  switch (utf8proc_category(static_cast<utf8proc_int32_t>(c))) {
    case UTF8PROC_CATEGORY_ZS:
    case UTF8PROC_CATEGORY_ZL:
    case UTF8PROC_CATEGORY_ZP:
      return kSpace;
    case UTF8PROC_CATEGORY_CC:
    case UTF8PROC_CATEGORY_CF:
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_ME:
    case UTF8PROC_CATEGORY_CS:
      return kDrop;
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_MC:
      return IsCjkRange(c) ? kCjk : kLetter;
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NO:
      return kDigit;
    default:
      return kPunct;  // punctuation, symbols (emoji), private use, unassigned
  }
}

struct Unit {
  uint32_t orig_begin;
  uint32_t orig_end;
  char32_t cp;
  uint8_t cls;
  uint8_t leet;
  uint8_t sep_before;  // 0 none, 1 punctuation/symbol, 2 whitespace
};

struct Token {
  uint32_t begin;  // unit index
  uint32_t end;
  bool has_letter;
  bool leetable = true;  // false: no digit, "@" or "$" in it, so leet changes nothing
};

struct Scratch {
  std::vector<Unit> units;  // NormalizeReference: one push_back per unit
  std::vector<Token> tokens;
  // Normalize (size is capacity): one class byte per unit, and where runs of word units begin.
  std::vector<uint8_t> classes;
  std::vector<uint32_t> runs;
};

// Packed table entry: bits 0-20 the value (a code point, or an index into expansions_ when the
// count is above 1), bits 21-23 the class, bits 24-31 the count.
constexpr uint32_t Pack(uint32_t value, uint8_t cls, uint8_t count) {
  return value | (static_cast<uint32_t>(cls) << 21) | (static_cast<uint32_t>(count) << 24);
}
constexpr uint32_t PackedValue(uint32_t e) { return e & 0x1FFFFF; }
constexpr uint8_t PackedClass(uint32_t e) { return static_cast<uint8_t>((e >> 21) & 7); }
constexpr uint8_t PackedCount(uint32_t e) { return static_cast<uint8_t>(e >> 24); }

Scratch& ThreadScratch() {
  thread_local Scratch scratch;
  return scratch;
}

}  // namespace

struct Normalizer::Entry {
  uint32_t value = 0;  // the code point when count == 1; index into expansions_ when count > 1
  uint8_t count = 0;   // number of code points produced (0: dropped)
  uint8_t cls = kDrop;
  uint8_t leet = 0;
};

Normalizer::Normalizer() = default;
Normalizer::~Normalizer() = default;

namespace {

// Runs the per-code-point pipeline; returns how many (code point, class) pairs it wrote.
int ComputeSequence(char32_t cp, const std::vector<std::pair<char32_t, char32_t>>& t2s,
                    char32_t* out_cp, uint8_t* out_cls) {
  if (cp >= 0xD800 && cp <= 0xDFFF) return 0;
  if (char32_t h = Homoglyph(cp); h != 0) cp = h;
  std::string utf8;
  AppendUtf8(utf8, cp);
  utf8proc_uint8_t* mapped = nullptr;
  utf8proc_ssize_t len = utf8proc_map(
      reinterpret_cast<const utf8proc_uint8_t*>(utf8.data()),
      static_cast<utf8proc_ssize_t>(utf8.size()), &mapped,
      static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPAT | UTF8PROC_COMPOSE |
                                     UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK | UTF8PROC_IGNORE));
  std::string norm;
  if (len < 0) {
    norm = utf8;
  } else {
    norm.assign(reinterpret_cast<const char*>(mapped), static_cast<size_t>(len));
  }
  std::free(mapped);
  int n = 0;
  for (size_t i = 0; i < norm.size() && n < kMaxExpansion;) {
    char32_t r = DecodeUtf8(norm, i);
    if (char32_t h = Homoglyph(r); h != 0) r = h;
    auto it = std::lower_bound(t2s.begin(), t2s.end(), std::make_pair(r, char32_t{0}));
    if (it != t2s.end() && it->first == r) r = it->second;
    if (r == 'l') r = 'i';
    uint8_t cls = Classify(r);
    out_cp[n] = r;
    out_cls[n] = cls;
    ++n;
  }
  return n;
}

Result<std::vector<std::pair<char32_t, char32_t>>> LoadT2s(const std::string& config) {
  std::error_code ec;
  if (!std::filesystem::exists(config, ec)) {
    return Status::Unavailable("OpenCC config " + config +
                               " not found: install the Debian 'opencc' package (it ships "
                               "t2s.json and TSCharacters.ocd2) or set another opencc_config");
  }
  std::vector<std::pair<char32_t, char32_t>> pairs;
  try {
    opencc::Config cfg;
    opencc::ConverterPtr converter = cfg.NewFromFile(config);
    for (const auto& conversion : converter->GetConversionChain()->GetConversions()) {
      opencc::LexiconPtr lexicon = conversion->GetDict()->GetLexicon();
      for (const auto& entry : *lexicon) {
        std::string key = entry->Key();
        std::string value = entry->GetDefault();
        if (key.empty() || value.empty() || !IsValidUtf8(key) || !IsValidUtf8(value)) continue;
        if (CountCodePoints(key) != 1 || CountCodePoints(value) != 1) continue;
        size_t i = 0;
        size_t j = 0;
        char32_t from = DecodeUtf8(key, i);
        char32_t to = DecodeUtf8(value, j);
        if (from != to) pairs.emplace_back(from, to);
      }
    }
  } catch (const std::exception& e) {
    return Status::Unavailable("cannot load OpenCC config " + config + ": " + e.what());
  }
  if (pairs.empty()) {
    return Status::Unavailable("OpenCC config " + config +
                               " has no character-level Traditional→Simplified entries");
  }
  std::sort(pairs.begin(), pairs.end());
  pairs.erase(std::unique(pairs.begin(), pairs.end(),
                          [](const auto& a, const auto& b) { return a.first == b.first; }),
              pairs.end());
  return pairs;
}

}  // namespace

Result<std::shared_ptr<const Normalizer>> Normalizer::Create(const NormalizerOptions& options) {
  std::shared_ptr<Normalizer> n(new Normalizer());
  if (!options.opencc_config.empty()) {
    PLAZA_ASSIGN_OR_RETURN(n->t2s_, LoadT2s(options.opencc_config));
    n->has_t2s_ = true;
  }
  n->table_.assign(kTableSize, 0);
  n->cjk_self_.assign(kTableSize / 64, 0);
  char32_t cps[kMaxExpansion];
  uint8_t classes[kMaxExpansion];
  for (char32_t cp = 0; cp < kTableSize; ++cp) {
    int count = ComputeSequence(cp, n->t2s_, cps, classes);
    // Separators and dropped code points inside an expansion are kept so that e.g. "½" → "1⁄2"
    // still separates the digits.
    if (count == 1) {
      n->table_[cp] = Pack(cps[0], classes[0], 1);
      if (cps[0] == cp && classes[0] == kCjk) n->cjk_self_[cp >> 6] |= uint64_t{1} << (cp & 63);
    } else if (count > 1) {
      if (n->expansions_.size() + count > PackedValue(~0u)) {
        return Status::Internal("normalizer expansion table too large");
      }
      n->table_[cp] = Pack(static_cast<uint32_t>(n->expansions_.size()), classes[0],
                           static_cast<uint8_t>(count));
      for (int k = 0; k < count; ++k) {
        n->expansions_.push_back(Entry{cps[k], 1, classes[k], static_cast<uint8_t>(LeetOf(cps[k]))});
      }
    }
  }
  for (char32_t c = 0; c < 0x80; ++c) {
    const uint32_t e = n->table_[c];
    if (PackedCount(e) == 0) continue;  // dropped (controls)
    if (PackedCount(e) != 1 || PackedValue(e) >= 0x80) {
      return Status::Internal("normalizer maps an ASCII character outside ASCII");
    }
    n->ascii_class_[c] = PackedClass(e);
    n->ascii_byte_[c] = static_cast<uint8_t>(PackedValue(e));
  }
  return std::shared_ptr<const Normalizer>(std::move(n));
}

Result<std::shared_ptr<const Normalizer>> Normalizer::Default() {
  static std::once_flag once;
  static Result<std::shared_ptr<const Normalizer>>* instance = nullptr;
  std::call_once(once, [] {
    instance = new Result<std::shared_ptr<const Normalizer>>(Create(NormalizerOptions{}));
  });
  return *instance;
}

Normalizer::Entry Normalizer::Lookup(char32_t cp) const {
  if (cp >= kTableSize) return Compute(cp);
  const uint32_t e = table_[cp];
  const uint8_t count = PackedCount(e);
  const uint32_t value = PackedValue(e);
  return Entry{value, count, PackedClass(e),
               static_cast<uint8_t>(count == 1 ? LeetOf(static_cast<char32_t>(value)) : 0)};
}

Normalizer::Entry Normalizer::Compute(char32_t cp) const {
  char32_t cps[kMaxExpansion];
  uint8_t classes[kMaxExpansion];
  int count = ComputeSequence(cp, t2s_, cps, classes);
  // Beyond the table only single code points are representable; longer expansions (none are
  // known above U+2FFFF) keep their first character.
  if (count == 0) return Entry{};
  return Entry{cps[0], 1, classes[0], static_cast<uint8_t>(LeetOf(cps[0]))};
}

char32_t Normalizer::MapLetter(char32_t cp) const {
  Entry e = Lookup(cp);
  if (e.count != 1 || (e.cls != kLetter && e.cls != kCjk)) return 0;
  return e.value;
}

namespace {

// Passes 2 and 3, shared by both pass-1 implementations: tokens, leet, flags, canonical bytes.
void Finish(Unit* units, const uint32_t count, std::vector<Token>& tokens, NormalizedText& out) {
  // Pass 2: find tokens (runs of word units with nothing between them).
  tokens.clear();
  for (uint32_t k = 0; k < count;) {
    if (!IsWordClass(units[k].cls)) {
      ++k;
      continue;
    }
    uint32_t end = k + 1;
    while (end < count && IsWordClass(units[end].cls) && units[end].sep_before == 0) ++end;
    // A run of kMinNumberRun or more digits is a number, not leet: it becomes a token of its own
    // ("qq123456" → "qq" + "123456", "fuck2024" → "fuck" + "2024").
    uint32_t start = k;
    for (uint32_t p = k; p < end;) {
      if (units[p].cls != kDigit) {
        ++p;
        continue;
      }
      uint32_t q = p;
      while (q < end && units[q].cls == kDigit) ++q;
      if (q - p >= kMinNumberRun) {
        if (p > start) tokens.push_back(Token{start, p, false});
        tokens.push_back(Token{p, q, false});
        start = q;
      }
      p = q;
    }
    if (start < end) tokens.push_back(Token{start, end, false});
    k = end;
  }
  out.word_starts.clear();
  for (Token& t : tokens) {
    for (uint32_t p = t.begin; p < t.end && !t.has_letter; ++p) {
      t.has_letter = units[p].cls == kLetter || units[p].cls == kSym;
    }
    out.word_starts.push_back(t.begin);
  }

  // Pass 3: decide leet per token (per run of one-character tokens), set flags, emit bytes.
  out.units.resize(count);
  for (uint32_t k = 0; k < count; ++k) {
    const Unit& u = units[k];
    NormalizedUnit& nu = out.units[k];
    nu.orig_begin = u.orig_begin;
    nu.orig_end = u.orig_end;
    nu.group_begin = 0;
    nu.group_end = 0;
    uint8_t flags = u.sep_before == 2 ? kUnitSpaceBefore : 0;
    if (u.cls == kCjk) {
      flags |= kUnitCjk;
      if (k == 0 || u.sep_before != 0 || units[k - 1].cls != kCjk) flags |= kUnitLeftEdge;
      if (k + 1 == count || units[k + 1].sep_before != 0 || units[k + 1].cls != kCjk) {
        flags |= kUnitRightEdge;
      }
    }
    nu.flags = flags;
  }
  for (size_t t = 0; t < tokens.size();) {
    size_t group_end = t + 1;
    bool leet = tokens[t].has_letter;
    if (tokens[t].end - tokens[t].begin == 1) {
      while (group_end < tokens.size() && tokens[group_end].end - tokens[group_end].begin == 1 &&
             tokens[group_end].begin == tokens[group_end - 1].end) {
        leet |= tokens[group_end].has_letter;
        ++group_end;
      }
      // A lone digit between words is a letter too ("1 w1ll k1ll y0u"); "page 1 of 3" is not
      // affected unless a term spans it.
      if (!leet && group_end == t + 1) {
        const bool prev_word = t > 0 && tokens[t - 1].end == tokens[t].begin &&
                               tokens[t - 1].has_letter;
        const bool next_word = t + 1 < tokens.size() &&
                               tokens[t + 1].begin == tokens[t].end && tokens[t + 1].has_letter;
        leet = prev_word || next_word;
      }
    }
    const bool spaced = group_end - t >= 2;
    for (size_t g = t; g < group_end; ++g) {
      const Token& tok = tokens[g];
      if (spaced) {
        NormalizedUnit& nu = out.units[tok.begin];
        nu.flags |= kUnitSpaced;
        nu.group_begin = tokens[t].begin;
        nu.group_end = tokens[group_end - 1].end;
      }
      const bool single = tok.end - tok.begin == 1;
      for (uint32_t k = tok.begin; k < tok.end; ++k) {
        if (leet && units[k].leet != 0) units[k].cp = units[k].leet;
        out.units[k].flags |= kUnitWord;
      }
      out.units[tok.begin].flags |= kUnitLeftEdge;
      out.units[tok.end - 1].flags |= kUnitRightEdge;
      if (g > 0 && tokens[g - 1].end == tok.begin && units[tok.begin].sep_before == 2) {
        const bool prev_single = tokens[g - 1].end - tokens[g - 1].begin == 1;
        if (!(single && prev_single)) out.units[tok.begin].flags |= kUnitHardInner;
      }
    }
    t = group_end;
  }
  out.bytes.resize(static_cast<size_t>(count) * 4);
  char* bytes = out.bytes.data();
  uint32_t pos = 0;
  for (uint32_t k = 0; k < count; ++k) {
    out.units[k].byte_begin = pos;
    const char32_t cp = units[k].cp;
    if (cp < 0x80) {
      bytes[pos] = static_cast<char>(cp);
      ++pos;
    } else if (cp < 0x800) {
      bytes[pos] = static_cast<char>(0xC0 | (cp >> 6));
      bytes[pos + 1] = static_cast<char>(0x80 | (cp & 0x3F));
      pos += 2;
    } else if (cp < 0x10000) {
      bytes[pos] = static_cast<char>(0xE0 | (cp >> 12));
      bytes[pos + 1] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      bytes[pos + 2] = static_cast<char>(0x80 | (cp & 0x3F));
      pos += 3;
    } else {
      bytes[pos] = static_cast<char>(0xF0 | (cp >> 18));
      bytes[pos + 1] = static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      bytes[pos + 2] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      bytes[pos + 3] = static_cast<char>(0x80 | (cp & 0x3F));
      pos += 4;
    }
  }
  out.bytes.resize(pos);
}

}  // namespace

void Normalizer::NormalizeReference(std::string_view text, NormalizedText& out) const {
  out.Clear();
  Scratch& scratch = ThreadScratch();
  std::vector<Unit>& units = scratch.units;
  units.clear();
  units.reserve(text.size());

  // Pass 1: map every code point and drop separators, remembering what separated the units.
  uint8_t pending_sep = 0;
  auto add = [&](const Entry& e, uint32_t begin, uint32_t end) {
    switch (e.cls) {
      case kDrop:
        return;
      case kSpace:
        pending_sep = 2;
        return;
      case kPunct:
        if (pending_sep == 0) pending_sep = 1;
        return;
      default:
        units.push_back(Unit{begin, end, e.value, e.cls, e.leet, pending_sep});
        pending_sep = 0;
    }
  };
  const size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    auto begin = static_cast<uint32_t>(i);
    auto c = static_cast<unsigned char>(text[i]);
    char32_t cp;
    if (c < 0x80) {
      cp = c;
      ++i;
    } else {
      cp = DecodeUtf8(text, i);
    }
    Entry e = Lookup(cp);
    auto end = static_cast<uint32_t>(i);
    if (e.count <= 1) {
      add(e, begin, end);
    } else {
      for (uint32_t k = 0; k < e.count; ++k) add(expansions_[e.value + k], begin, end);
    }
  }
  Finish(units.data(), static_cast<uint32_t>(units.size()), scratch.tokens, out);
}

namespace {

// The fast path keeps one byte per unit for the token pass: the class in bits 0-2 and what
// separated the unit from the previous one (0 nothing, 1 punctuation/symbol, 2 whitespace) in
// bits 3-4.
constexpr int kSepShift = 3;
constexpr uint8_t kClassMask = 7;

// How a code point of each class raises the separator pending before the next unit.
constexpr uint8_t kSepOfClass[8] = {0, 2, 1, 0, 0, 0, 0, 0};

// Converts between a little-endian word and the host's order (an involution).
inline uint32_t FromLittleEndian(uint32_t w) {
  if constexpr (std::endian::native == std::endian::little) {
    return w;
  } else {
    return __builtin_bswap32(w);
  }
}

inline uint32_t EncodeUtf8(char32_t cp, char* out) {
  if (cp < 0x80) {
    out[0] = static_cast<char>(cp);
    return 1;
  }
  if (cp < 0x800) {
    out[0] = static_cast<char>(0xC0 | (cp >> 6));
    out[1] = static_cast<char>(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    out[0] = static_cast<char>(0xE0 | (cp >> 12));
    out[1] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out[2] = static_cast<char>(0x80 | (cp & 0x3F));
    return 3;
  }
  out[0] = static_cast<char>(0xF0 | (cp >> 18));
  out[1] = static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
  out[2] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
  out[3] = static_cast<char>(0x80 | (cp & 0x3F));
  return 4;
}

// The fast path's token pass: the same decisions as Finish() (tokens, number runs, leet per run
// of one-character tokens, edges, hard inner boundaries, spaced groups), made over the one-byte
// classes of pass 1 for the runs of word units pass 1 listed, and applied to the units and
// canonical bytes it wrote. CJK units are complete already. Leet only turns ASCII digits and
// "@"/"$" into ASCII letters, so it rewrites bytes in place.
void FinishWordRuns(const uint8_t* cls, NormalizedUnit* units, const uint32_t count, char* bytes,
                    const uint32_t* runs, const uint32_t run_count, std::vector<Token>& tokens) {
  tokens.clear();
  for (uint32_t r = 0; r < run_count; ++r) {
    const uint32_t k = runs[r];
    // Runs of kMinNumberRun or more digits are tokens of their own.
    const uint8_t c = cls[k] & kClassMask;
    bool has_letter = c != kDigit;
    bool leetable = c != kLetter;  // per run: a token of it may hold a digit, "@" or "$"
    uint32_t digits = c == kDigit ? 1 : 0;
    uint32_t start = k;
    uint32_t end = k + 1;
    for (; end < count; ++end) {
      const uint8_t d = cls[end];  // a word class with nothing before it continues the run
      if (d == kCjk || d > kClassMask) break;
      leetable |= d != kLetter;
      if (d == kDigit) {
        ++digits;
        continue;
      }
      if (digits >= kMinNumberRun) {
        if (end - digits > start) {
          tokens.push_back(Token{start, end - digits, has_letter, leetable});
        }
        tokens.push_back(Token{end - digits, end, false, leetable});
        start = end;
      }
      digits = 0;
      has_letter = true;
    }
    if (digits >= kMinNumberRun) {
      if (end - digits > start) tokens.push_back(Token{start, end - digits, has_letter, leetable});
      tokens.push_back(Token{end - digits, end, false, leetable});
    } else {
      tokens.push_back(Token{start, end, has_letter, leetable});
    }
  }

  const size_t token_count = tokens.size();
  for (size_t t = 0; t < token_count;) {
    size_t group_end = t + 1;
    bool leet = tokens[t].has_letter;
    if (tokens[t].end - tokens[t].begin == 1) {
      while (group_end < token_count && tokens[group_end].end - tokens[group_end].begin == 1 &&
             tokens[group_end].begin == tokens[group_end - 1].end) {
        leet |= tokens[group_end].has_letter;
        ++group_end;
      }
      if (!leet && group_end == t + 1) {
        const bool prev_word =
            t > 0 && tokens[t - 1].end == tokens[t].begin && tokens[t - 1].has_letter;
        const bool next_word =
            t + 1 < token_count && tokens[t + 1].begin == tokens[t].end && tokens[t + 1].has_letter;
        leet = prev_word || next_word;
      }
    }
    const bool spaced = group_end - t >= 2;
    for (size_t g = t; g < group_end; ++g) {
      const Token& tok = tokens[g];
      if (spaced) {
        NormalizedUnit& nu = units[tok.begin];
        nu.flags |= kUnitSpaced;
        nu.group_begin = tokens[t].begin;
        nu.group_end = tokens[group_end - 1].end;
      }
      if (leet && tok.leetable) {
        for (uint32_t k = tok.begin; k < tok.end; ++k) {
          char& b = bytes[units[k].byte_begin];
          if (const char l = LeetOf(static_cast<unsigned char>(b)); l != 0) b = l;
        }
      }
      units[tok.begin].flags |= kUnitLeftEdge;
      units[tok.end - 1].flags |= kUnitRightEdge;
      if (g > 0 && tokens[g - 1].end == tok.begin && (cls[tok.begin] >> kSepShift) == 2) {
        const bool single = tok.end - tok.begin == 1;
        const bool prev_single = tokens[g - 1].end - tokens[g - 1].begin == 1;
        if (!(single && prev_single)) units[tok.begin].flags |= kUnitHardInner;
      }
    }
    t = group_end;
  }
}

}  // namespace

bool Normalizer::Normalize(std::string_view text, NormalizedText& out) const {
  Scratch& scratch = ThreadScratch();
  const size_t n = text.size();
  // Invariant: before each code point, room for one unit per remaining byte plus one expansion,
  // and four canonical bytes per unit.
  size_t capacity = n + kMaxExpansion;
  out.units.resize(capacity);
  out.bytes.resize(4 * capacity);
  if (scratch.classes.size() < capacity) scratch.classes.resize(capacity);
  if (scratch.runs.size() < capacity) scratch.runs.resize(capacity);
  NormalizedUnit* units = out.units.data();
  char* bytes = out.bytes.data();
  uint8_t* cls = scratch.classes.data();
  uint32_t* runs = scratch.runs.data();
  uint32_t run_count = 0;
  uint32_t count = 0;
  uint32_t pos = 0;
  uint8_t pending_sep = 0;
  uint8_t prev_class = kDrop;  // class of the last unit written (kDrop: none yet)
  const auto* const data = reinterpret_cast<const unsigned char*>(text.data());
  const uint64_t* const cjk_self = cjk_self_.data();
  auto is_cjk_self = [cjk_self](char32_t cp) {
    return ((cjk_self[cp >> 6] >> (cp & 63)) & 1) != 0;
  };

  // Writes unit `count` (the caller writes its bytes at `pos`). A CJK unit that directly follows
  // another joins its run; a word unit after anything else starts a run of word units.
  auto unit = [&](uint32_t begin, uint32_t end, uint8_t c) {
    uint8_t flags = pending_sep == 2 ? kUnitSpaceBefore : 0;
    if (c == kCjk) {
      flags |= kUnitCjk | kUnitRightEdge;
      if (pending_sep == 0 && prev_class == kCjk) {
        units[count - 1].flags &= static_cast<uint8_t>(~kUnitRightEdge);
      } else {
        flags |= kUnitLeftEdge;
      }
    } else {
      flags |= kUnitWord;
      if (pending_sep != 0 || prev_class == kCjk || prev_class == kDrop) runs[run_count++] = count;
    }
    units[count] = NormalizedUnit{begin, end, pos, 0, 0, flags};
    cls[count] = static_cast<uint8_t>(c | (pending_sep << kSepShift));
    ++count;
    pending_sep = 0;
    prev_class = c;
  };
  auto put = [&](uint32_t begin, uint32_t end, char32_t cp, uint8_t c) {
    if (c <= kPunct) {
      pending_sep = std::max(pending_sep, kSepOfClass[c]);
      return;
    }
    unit(begin, end, c);
    pos += EncodeUtf8(cp, bytes + pos);
  };
  auto fail = [&] {
    out.Clear();
    return false;
  };
  size_t i = 0;
  while (i < n) {
    unsigned c = data[i];
    if (c < 0x80) {
      // A run of ASCII, without branches per byte: every byte is written as a unit, and only
      // word characters advance the output.
      do {
        const unsigned b = data[i];
        const uint8_t a = ascii_class_[b];
        const bool word = a > kPunct;
        const bool starts_run = pending_sep != 0 || prev_class == kCjk || prev_class == kDrop;
        runs[run_count] = count;
        run_count += static_cast<uint32_t>(word && starts_run);
        const auto begin = static_cast<uint32_t>(i);
        const uint8_t flags = pending_sep == 2 ? kUnitWord | kUnitSpaceBefore : kUnitWord;
        units[count] = NormalizedUnit{begin, begin + 1, pos, 0, 0, flags};
        cls[count] = static_cast<uint8_t>(a | (pending_sep << kSepShift));
        bytes[pos] = static_cast<char>(ascii_byte_[b]);
        count += word;
        pos += word;
        const uint8_t raised = std::max(pending_sep, kSepOfClass[a]);
        pending_sep = word ? 0 : raised;
        prev_class = word ? a : prev_class;
        ++i;
      } while (i < n && data[i] < 0x80);
      continue;
    }
    if ((c & 0xF0) == 0xE0 && i + 2 < n) {
      // Three-byte code points: runs of common CJK (Simplified, kana, Hangul), which map to
      // themselves as one CJK unit without a table access, and between them the other
      // three-byte code points that map to at most one character (CJK punctuation, Traditional
      // characters, full-width forms), without going back to the dispatch above. Expansions and
      // anything invalid go the general way below.
      for (;;) {
        const uint32_t first = count;
        while (i + 2 < n) {
          // The three bytes (and one more, written past `pos` and overwritten later: the
          // canonical buffer has four bytes per unit) as one little-endian word.
          uint32_t w;
          if (i + 3 < n) {
            std::memcpy(&w, data + i, 4);
            w = FromLittleEndian(w);
          } else {
            w = data[i] | (data[i + 1] << 8) | (data[i + 2] << 16);
          }
          if ((w & 0xC0C0F0) != 0x8080E0) break;
          const char32_t cp = ((w & 0x0F) << 12) | ((w >> 2) & 0xFC0) | ((w >> 16) & 0x3F);
          // The bitmap holds no surrogate and no code point below U+0800 (no overlong form).
          if (!is_cjk_self(cp)) break;
          const auto begin = static_cast<uint32_t>(i);
          units[count] = NormalizedUnit{begin, begin + 3, pos, 0, 0, kUnitCjk};
          cls[count] = kCjk;
          const uint32_t out_word = FromLittleEndian(w);
          std::memcpy(bytes + pos, &out_word, 4);
          ++count;
          pos += 3;
          i += 3;
        }
        if (count > first) {
          NormalizedUnit& head = units[first];
          if (pending_sep == 2) head.flags |= kUnitSpaceBefore;
          cls[first] = static_cast<uint8_t>(kCjk | (pending_sep << kSepShift));
          if (pending_sep == 0 && prev_class == kCjk) {
            units[first - 1].flags &= static_cast<uint8_t>(~kUnitRightEdge);
          } else {
            head.flags |= kUnitLeftEdge;
          }
          units[count - 1].flags |= kUnitRightEdge;
          pending_sep = 0;
          prev_class = kCjk;
        }
        if (i + 2 >= n) break;
        const unsigned b0 = data[i];
        const unsigned b1 = data[i + 1];
        const unsigned b2 = data[i + 2];
        if ((b0 & 0xF0) != 0xE0 || (b1 & 0xC0) != 0x80 || (b2 & 0xC0) != 0x80) break;
        const char32_t cp = ((b0 & 0x0F) << 12) | ((b1 & 0x3F) << 6) | (b2 & 0x3F);
        if (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF)) return fail();
        const uint32_t e = table_[cp];
        const uint8_t k = PackedCount(e);
        if (k > 1) break;
        const auto begin = static_cast<uint32_t>(i);
        i += 3;
        put(begin, begin + 3, PackedValue(e), k == 0 ? uint8_t{kDrop} : PackedClass(e));
      }
      if (i + 2 >= n || (data[i] & 0xF0) != 0xE0) continue;
      c = data[i];  // an expansion or an invalid sequence: the general way below
    }
    // Decode and validate (no overlongs, no surrogates, nothing above U+10FFFF).
    const auto begin = static_cast<uint32_t>(i);
    char32_t cp;
    if (c < 0xE0) {
      if (c < 0xC2 || i + 1 >= n || (data[i + 1] & 0xC0) != 0x80) return fail();
      cp = ((c & 0x1F) << 6) | (data[i + 1] & 0x3F);
      i += 2;
    } else if (c < 0xF0) {
      if (i + 2 >= n || (data[i + 1] & 0xC0) != 0x80 || (data[i + 2] & 0xC0) != 0x80) {
        return fail();
      }
      cp = ((c & 0x0F) << 12) | ((data[i + 1] & 0x3F) << 6) | (data[i + 2] & 0x3F);
      if (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF)) return fail();
      i += 3;
    } else {
      if (c > 0xF4 || i + 3 >= n || (data[i + 1] & 0xC0) != 0x80 ||
          (data[i + 2] & 0xC0) != 0x80 || (data[i + 3] & 0xC0) != 0x80) {
        return fail();
      }
      cp = ((c & 0x07) << 18) | ((data[i + 1] & 0x3F) << 12) | ((data[i + 2] & 0x3F) << 6) |
           (data[i + 3] & 0x3F);
      if (cp < 0x10000 || cp > 0x10FFFF) return fail();
      i += 4;
    }
    const auto end = static_cast<uint32_t>(i);
    if (cp >= kTableSize) {
      const Entry e = Compute(cp);
      put(begin, end, e.value, e.count == 0 ? uint8_t{kDrop} : e.cls);
      continue;
    }
    if (is_cjk_self(cp)) {  // a common CJK code point of four bytes (extension B and later)
      put(begin, end, cp, kCjk);
      continue;
    }
    const uint32_t e = table_[cp];
    const uint8_t k = PackedCount(e);
    if (k <= 1) {
      put(begin, end, PackedValue(e), k == 0 ? uint8_t{kDrop} : PackedClass(e));
      continue;
    }
    if (count + k + (n - i) + kMaxExpansion > capacity) {
      capacity = 2 * (count + k + (n - i) + kMaxExpansion);
      out.units.resize(capacity);
      out.bytes.resize(4 * capacity);
      scratch.classes.resize(capacity);
      scratch.runs.resize(capacity);
      units = out.units.data();
      bytes = out.bytes.data();
      cls = scratch.classes.data();
      runs = scratch.runs.data();
    }
    for (uint32_t x = 0; x < k; ++x) {
      const Entry& ex = expansions_[PackedValue(e) + x];
      put(begin, end, ex.value, ex.cls);
    }
  }
  FinishWordRuns(cls, units, count, bytes, runs, run_count, scratch.tokens);
  out.word_starts.resize(scratch.tokens.size());
  for (size_t t = 0; t < scratch.tokens.size(); ++t) out.word_starts[t] = scratch.tokens[t].begin;
  out.units.resize(count);
  out.bytes.resize(pos);
  return true;
}

uint32_t NormalizedText::UnitAt(uint32_t pos) const {
  // The last unit that begins at or before `pos` (the first begins at 0). Halving without a
  // branch on the comparison, which is unpredictable.
  const NormalizedUnit* base = units.data();
  size_t n = units.size();
  while (n > 1) {
    const size_t half = n / 2;
    base = base[half].byte_begin <= pos ? base + half : base;
    n -= half;
  }
  return static_cast<uint32_t>(base - units.data());
}

std::string Normalizer::Canonical(std::string_view text) const {
  NormalizedText out;
  Normalize(text, out);  // invalid UTF-8: empty
  return out.bytes;
}

}  // namespace plaza::safety
