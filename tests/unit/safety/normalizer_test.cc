#include "safety/normalizer.h"

#include <gtest/gtest.h>

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
  for (size_t b = 0; b < nt.bytes.size(); ++b) {
    uint32_t u = nt.byte_to_unit[b];
    EXPECT_LE(nt.units[u].byte_begin, b);
  }
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
