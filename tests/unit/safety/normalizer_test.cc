#include "safety/normalizer.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "common/utf8.h"

namespace plaza::safety {
namespace {

const Normalizer& N() {
  static std::shared_ptr<const Normalizer> n = [] {
    auto r = Normalizer::Default();
    EXPECT_TRUE(r.ok()) << r.status().message();
    return *r;
  }();
  return *n;
}

TEST(NormalizerTest, CaseFoldAndNfkc) {
  EXPECT_EQ(N().Canonical("FUCK"), "fuck");
  EXPECT_EQ(N().Canonical("ﬁne"), "fine");        // ligature
  EXPECT_EQ(N().Canonical("𝐟𝐮𝐜𝐤"), "fuck");      // mathematical bold
  EXPECT_EQ(N().Canonical("fück"), "fuck");       // mark stripped
  EXPECT_EQ(N().Canonical("fu\u0301ck"), "fuck");  // combining mark dropped
}

TEST(NormalizerTest, FullWidthToHalfWidth) {
  EXPECT_EQ(N().Canonical("ｆｕｃｋ"), "fuck");
  EXPECT_EQ(N().Canonical("ＳＥＸ"), "sex");
}

TEST(NormalizerTest, TraditionalToSimplified) {
  ASSERT_TRUE(N().has_traditional_conversion());
  EXPECT_EQ(N().Canonical("賭博"), "赌博");
  EXPECT_EQ(N().Canonical("發票"), "发票");
  EXPECT_EQ(N().Canonical("槍支彈藥"), "枪支弹药");
}

TEST(NormalizerTest, StripsZeroWidthAndFormatCharacters) {
  EXPECT_EQ(N().Canonical("f\u200Bu\u200Cc\u200Dk\uFEFF"), "fuck");
  EXPECT_EQ(N().Canonical("赌\u200B博\u2060"), "赌博");
  EXPECT_EQ(N().Canonical("s\u00ADe\u2062x"), "sex");  // soft hyphen, invisible times
}

TEST(NormalizerTest, RemovesSeparatorsAndSymbolsBetweenCharacters) {
  EXPECT_EQ(N().Canonical("f.u.c.k"), "fuck");
  EXPECT_EQ(N().Canonical("f u c k"), "fuck");
  EXPECT_EQ(N().Canonical("赌😀博"), "赌博");
  EXPECT_EQ(N().Canonical("赌、博。"), "赌博");
  EXPECT_EQ(N().Canonical("赌　博"), "赌博");  // ideographic space
}

TEST(NormalizerTest, LookAlikeLetters) {
  EXPECT_EQ(N().Canonical("fuсk"), "fuck");   // Cyrillic es
  EXPECT_EQ(N().Canonical("ΡΟRΝ"), "porn");   // Greek capitals
  EXPECT_EQ(N().Canonical("ѕех"), "sex");     // Cyrillic dze, ie, ha
  EXPECT_EQ(N().Canonical("kill"), "kiii");   // l and i are folded together
  EXPECT_EQ(N().Canonical("KILL"), N().Canonical("ki11"));
}

TEST(NormalizerTest, LeetDigitsOnlyInsideWords) {
  EXPECT_EQ(N().Canonical("sh1t"), "shit");
  EXPECT_EQ(N().Canonical("a$$"), "ass");
  EXPECT_EQ(N().Canonical("p0rn"), "porn");
  EXPECT_EQ(N().Canonical("h4t3"), "hate");
  EXPECT_EQ(N().Canonical("@ss"), "ass");
  EXPECT_EQ(N().Canonical("57up1d"), "stupid");
  // Pure numbers stay numbers.
  EXPECT_EQ(N().Canonical("I have 455 apples"), "ihave455appies");
  EXPECT_EQ(N().Canonical("2024年"), "2024年");
  // A spaced-out run of one-character tokens decides as a whole.
  EXPECT_EQ(N().Canonical("5 3 x"), "sex");
  EXPECT_EQ(N().Canonical("1 2 3"), "123");
  // Runs of three or more digits are numbers and separate tokens.
  EXPECT_EQ(N().Canonical("qq123456"), "qq123456");
  EXPECT_EQ(N().Canonical("b00bs"), "boobs");
  NormalizedText nt;
  N().Normalize("fuck2024", nt);
  EXPECT_TRUE(nt.units[3].flags & kUnitRightEdge);
  EXPECT_TRUE(nt.units[4].flags & kUnitLeftEdge);
  EXPECT_FALSE(nt.units[4].flags & kUnitHardInner);
}

TEST(NormalizerTest, OffsetsMapBackToOriginal) {
  NormalizedText nt;
  std::string text = "ab ｆ.ü 發";
  N().Normalize(text, nt);
  ASSERT_EQ(nt.bytes, "abfu发");
  ASSERT_EQ(nt.units.size(), 5u);
  auto orig = [&](size_t u) {
    return text.substr(nt.units[u].orig_begin, nt.units[u].orig_end - nt.units[u].orig_begin);
  };
  EXPECT_EQ(orig(0), "a");
  EXPECT_EQ(orig(1), "b");
  EXPECT_EQ(orig(2), "ｆ");
  EXPECT_EQ(orig(3), "ü");
  EXPECT_EQ(orig(4), "發");
  for (uint32_t b = 0; b < nt.bytes.size(); ++b) {
    uint32_t u = nt.UnitAt(b);
    ASSERT_LT(u, nt.units.size());
    EXPECT_LE(nt.units[u].byte_begin, b);
    if (u + 1 < nt.units.size()) {
      EXPECT_LT(b, nt.units[u + 1].byte_begin);
    }
  }
  EXPECT_EQ(nt.UnitAt(4), 4u);  // "发" is bytes 4..6 of "abfu发"
  EXPECT_EQ(nt.UnitAt(6), 4u);
}

TEST(NormalizerTest, TokenFlagsDescribeOriginalWords) {
  NormalizedText nt;
  N().Normalize("class is f u c k", nt);
  ASSERT_EQ(nt.bytes, "ciassisfuck");
  // "class" | "is": whitespace between two multi-character tokens is a hard boundary.
  EXPECT_TRUE(nt.units[0].flags & kUnitLeftEdge);
  EXPECT_TRUE(nt.units[4].flags & kUnitRightEdge);
  EXPECT_TRUE(nt.units[5].flags & kUnitHardInner);
  EXPECT_FALSE(nt.units[2].flags & kUnitLeftEdge);
  // Between one-character tokens it is not.
  EXPECT_FALSE(nt.units[8].flags & kUnitHardInner);
  EXPECT_TRUE(nt.units[8].flags & kUnitLeftEdge);
  EXPECT_TRUE(nt.units[8].flags & kUnitWord);
  EXPECT_EQ(nt.word_starts, (std::vector<uint32_t>{0, 5, 7, 8, 9, 10}));
  N().Normalize("中文fuck2024 x", nt);
  EXPECT_EQ(nt.word_starts, (std::vector<uint32_t>{2, 6, 10}));
}

TEST(NormalizerTest, ExpansionsKeepTheirSourceOffsets) {
  NormalizedText nt;
  std::string text = "x ﬃ ß";
  N().Normalize(text, nt);
  ASSERT_EQ(nt.bytes, "xffiss");
  EXPECT_EQ(nt.units[1].orig_begin, 2u);
  EXPECT_EQ(nt.units[3].orig_end, 5u);
  EXPECT_EQ(nt.units[4].orig_begin, 6u);
  EXPECT_EQ(nt.units[5].orig_end, 8u);
}

// The fast path (Normalize: ASCII and common-CJK shortcuts, packed table, UTF-8 validated while
// decoding) must agree with the general per-code-point path (NormalizeReference) exactly: bytes,
// offsets, flags and groups of every unit.
void ExpectSameAsReference(std::string_view text) {
  NormalizedText fast;
  NormalizedText ref;
  ASSERT_TRUE(N().Normalize(text, fast)) << text;
  N().NormalizeReference(text, ref);
  ASSERT_EQ(fast.bytes, ref.bytes) << text;
  ASSERT_EQ(fast.units.size(), ref.units.size()) << text;
  ASSERT_EQ(fast.word_starts, ref.word_starts) << text;
  // UnitAt maps every canonical byte to the unit it belongs to.
  for (size_t u = 0; u < fast.units.size(); ++u) {
    const uint32_t end = u + 1 < fast.units.size() ? fast.units[u + 1].byte_begin
                                                   : static_cast<uint32_t>(fast.bytes.size());
    for (uint32_t b = fast.units[u].byte_begin; b < end; ++b) {
      ASSERT_EQ(fast.UnitAt(b), u) << text << " byte " << b;
    }
  }
  size_t word_left_edges = 0;
  for (const NormalizedUnit& u : ref.units) {
    word_left_edges += (u.flags & kUnitWord) != 0 && (u.flags & kUnitLeftEdge) != 0;
  }
  ASSERT_EQ(ref.word_starts.size(), word_left_edges) << text;
  for (const uint32_t u : ref.word_starts) {
    ASSERT_LT(u, ref.units.size()) << text;
    ASSERT_NE(ref.units[u].flags & kUnitWord, 0) << text;
    ASSERT_NE(ref.units[u].flags & kUnitLeftEdge, 0) << text;
  }
  for (size_t u = 0; u < ref.units.size(); ++u) {
    const NormalizedUnit& a = fast.units[u];
    const NormalizedUnit& b = ref.units[u];
    ASSERT_EQ(a.orig_begin, b.orig_begin) << text << " unit " << u;
    ASSERT_EQ(a.orig_end, b.orig_end) << text << " unit " << u;
    ASSERT_EQ(a.byte_begin, b.byte_begin) << text << " unit " << u;
    ASSERT_EQ(a.flags, b.flags) << text << " unit " << u;
    if ((b.flags & kUnitSpaced) != 0) {
      ASSERT_EQ(a.group_begin, b.group_begin) << text << " unit " << u;
      ASSERT_EQ(a.group_end, b.group_end) << text << " unit " << u;
    }
  }
}

class TestRng {
 public:
  explicit TestRng(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  uint32_t Below(uint32_t n) { return static_cast<uint32_t>(Next() % n); }

 private:
  uint64_t state_;
};

void AppendCodePoint(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// A code point from one of the families evasive and ordinary text is made of.
char32_t RandomCodePoint(TestRng& rng) {
  static const char32_t kPicks[] = {
      U'賭', U'發', U'槍', U'彈', U'藥', U'國', U'們', U'爲', U'ｆ', U'Ｓ', U'１', U'＠', U'　',
      U'а', U'е', U'о', U'р', U'с', U'х', U'Α', U'Ο', U'Ρ', U'ν', U'ı', U'ø', U'ß', U'ﬃ', U'ﬁ',
      U'½', U'①', U'㎏', U'\uFDFA', U'\u200B', U'\u200C', U'\u200D', U'\uFEFF', U'\u2060',
      U'\u00AD', U'\u0301', U'\u0308', U'😀', U'👍', U'。', U'、', U'！', U'$', U'@', U'.',
      U'-', U'_', U'*', U'\t', U'\n', U'é', U'ü', U'ñ', U'𝐟', U'𝐮', U'\U00020000',
      U'\U0002A6D6', U'\U00030000', U'\U000E0041', U'\U0010FFFD', U'\uFFFD', U'\u3000',
  };
  switch (rng.Below(10)) {
    case 0:
    case 1:
      return U'a' + rng.Below(26);
    case 2:
      return "0123456789 .,!?'@$"[rng.Below(18)];
    case 3:
      return U'A' + rng.Below(26);
    case 4:
    case 5:
      return 0x4E00 + rng.Below(0x5200);  // CJK unified ideographs, Simplified and Traditional
    case 6:
      return kPicks[rng.Below(sizeof(kPicks) / sizeof(kPicks[0]))];
    case 7: {
      static const std::pair<char32_t, char32_t> kRanges[] = {
          {0x0300, 0x036F}, {0x0370, 0x03FF}, {0x0400, 0x04FF}, {0x1D00, 0x1D2B},
          {0x2000, 0x206F}, {0x2460, 0x24FF}, {0x3000, 0x30FF}, {0x3300, 0x33FF},
          {0xAC00, 0xD7A3}, {0xF900, 0xFAFF}, {0xFB00, 0xFB4F}, {0xFE00, 0xFE6F},
          {0xFF00, 0xFFEF}, {0x1D400, 0x1D7FF}, {0x1F300, 0x1F6FF}, {0x2F800, 0x2FA1F},
      };
      const auto& [lo, hi] = kRanges[rng.Below(sizeof(kRanges) / sizeof(kRanges[0]))];
      return lo + rng.Below(hi - lo + 1);
    }
    case 8:
      return ' ';
    default: {
      char32_t cp;
      do {
        cp = rng.Below(0x110000);
      } while (cp >= 0xD800 && cp <= 0xDFFF);
      return cp;
    }
  }
}

TEST(NormalizerTest, FastPathAgreesWithReferenceOnRandomMixedText) {
  TestRng rng(20261126);
  for (int t = 0; t < 20000; ++t) {
    std::string text;
    const uint32_t len = 1 + rng.Below(60);
    // Some texts are pure ASCII or pure CJK so that long runs of each fast path are covered.
    const uint32_t kind = rng.Below(4);
    for (uint32_t k = 0; k < len; ++k) {
      char32_t cp = RandomCodePoint(rng);
      if (kind == 0) cp = cp < 0x80 ? cp : U'a' + rng.Below(26);
      if (kind == 1) cp = 0x4E00 + rng.Below(0x5200);
      AppendCodePoint(text, cp);
    }
    ExpectSameAsReference(text);
    if (HasFatalFailure()) return;
  }
}

TEST(NormalizerTest, FastPathAgreesWithReferenceOnEveryCodePoint) {
  // Every scalar value alone and between word characters (so classes, expansions and flags of
  // every table entry and of the computed range above it are compared).
  for (char32_t cp = 1; cp < 0x110000; ++cp) {
    if (cp >= 0xD800 && cp <= 0xDFFF) continue;
    std::string text = "x";
    AppendCodePoint(text, cp);
    text += "1 ";
    AppendCodePoint(text, cp);
    ExpectSameAsReference(text);
    if (HasFatalFailure()) return;
  }
}

// The fast path handles runs of ASCII and of common CJK in loops of their own and everything
// else one code point at a time, so every switch between those (and every separator class
// between them) is compared with the reference: all sequences of up to four pieces drawn from
// one representative of each kind. Every proper prefix of each text must be refused exactly
// when it is not valid UTF-8 (cut inside a multi-byte sequence).
TEST(NormalizerTest, FastPathAgreesWithReferenceAtEveryRunBoundary) {
  static const char* const kPieces[] = {
      "中",          // common CJK, maps to itself (run loop)
      "發",          // Traditional: CJK through the table
      "，",          // full-width punctuation
      "\u3000",      // ideographic space
      "f",           // ASCII letter
      "K",           // ASCII capital
      "1",           // leet digit
      "2",           // digit without leet
      "@",           // symbol that is a word character
      " ",           // ASCII space
      ".",           // ASCII punctuation
      "\x01",        // dropped ASCII control
      "\u200B",      // zero-width: dropped
      "ｆ",          // full-width letter
      "ﬃ",           // expansion
      "😀",           // emoji (four bytes, punctuation class)
      "\U00020000",  // CJK extension B (four bytes, maps to itself)
      "а",           // Cyrillic look-alike
  };
  constexpr size_t kCount = sizeof(kPieces) / sizeof(kPieces[0]);
  NormalizedText nt;
  for (size_t len = 1; len <= 4; ++len) {
    size_t total = 1;
    for (size_t k = 0; k < len; ++k) total *= kCount;
    for (size_t code = 0; code < total; ++code) {
      std::string text;
      for (size_t k = 0, c = code; k < len; ++k, c /= kCount) text += kPieces[c % kCount];
      ExpectSameAsReference(text);
      if (HasFatalFailure()) return;
      if (len > 2) continue;
      for (size_t cut = 1; cut < text.size(); ++cut) {
        const std::string_view prefix = std::string_view(text).substr(0, cut);
        ASSERT_EQ(N().Normalize(prefix, nt), IsValidUtf8(prefix))
            << testing::PrintToString(std::string(prefix));
      }
    }
  }
}

TEST(NormalizerTest, InvalidUtf8IsRefusedAndValidTextIsNot) {
  NormalizedText nt;
  for (std::string_view bad :
       {"\x80", "ab\xC0\x80", "\xC1\xBF", "\xE0\x80\x80", "\xED\xA0\x80", "\xF4\x90\x80\x80",
        "\xF5\x80\x80\x80", "\xFF", "abc\xE4\xBD", "\xE4\xBD", "\xF0\x9F\x98", "x\xC3",
        // Inside runs of three-byte code points: a bad continuation, an overlong form and a
        // surrogate after common CJK and after CJK punctuation.
        "\xE4\xB8\xAD\xE4\x41\x41", "\xE4\xB8\xAD\xE0\x80\x80\xE4\xB8\xAD",
        "\xE4\xB8\xAD\xEF\xBC\x8C\xED\xA0\x80\xE4\xB8\xAD", "\xEF\xBC\x8C\xE4\xB8"}) {
    nt.bytes = "stale";
    EXPECT_FALSE(N().Normalize(bad, nt)) << testing::PrintToString(std::string(bad));
    EXPECT_TRUE(nt.bytes.empty());
    EXPECT_TRUE(nt.units.empty());
  }
  // Random byte strings (mostly invalid) and random valid text with one byte corrupted: refused
  // exactly when the shared validator says so, and otherwise the same as the reference.
  TestRng rng(7);
  for (int t = 0; t < 20000; ++t) {
    std::string text;
    if (t % 2 == 0) {
      const uint32_t len = rng.Below(12);
      for (uint32_t k = 0; k < len; ++k) text += static_cast<char>(rng.Below(256));
    } else {
      const uint32_t len = 1 + rng.Below(20);
      for (uint32_t k = 0; k < len; ++k) AppendCodePoint(text, RandomCodePoint(rng));
      text[rng.Below(static_cast<uint32_t>(text.size()))] = static_cast<char>(rng.Below(256));
    }
    const bool valid = IsValidUtf8(text);
    ASSERT_EQ(N().Normalize(text, nt), valid) << testing::PrintToString(text);
    if (valid) {
      ExpectSameAsReference(text);
      if (HasFatalFailure()) return;
    }
  }
}

TEST(NormalizerTest, MissingOpenccConfigIsAClearError) {
  NormalizerOptions options;
  options.opencc_config = "/nonexistent/t2s.json";
  auto r = Normalizer::Create(options);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("opencc"), std::string::npos);
  EXPECT_NE(r.status().message().find("/nonexistent/t2s.json"), std::string::npos);
}

TEST(NormalizerTest, WorksWithoutTraditionalConversionWhenDisabled) {
  NormalizerOptions options;
  options.opencc_config.clear();
  auto r = Normalizer::Create(options);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE((*r)->has_traditional_conversion());
  EXPECT_EQ((*r)->Canonical("賭博"), "賭博");
  EXPECT_EQ((*r)->Canonical("ｆ.ｕ"), "fu");
}

}  // namespace
}  // namespace plaza::safety
