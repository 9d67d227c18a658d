// The internal Unicode helpers: the emoji fast path against ICU's own properties, and decoding of
// texts on both sides of CodePoints' inline capacity.
#include "text/unicode.h"

#include <gtest/gtest.h>
#include <unicode/uchar.h>

#include <string>

namespace plaza::text::internal {
namespace {

TEST(UnicodeTest, EmojiFastPathNeverSkipsACodePointThatCanBeginAnEmoji) {
  size_t may_bmp = 0;
  for (char32_t c = 0; c < 0x110000; ++c) {
    const bool begins = u_hasBinaryProperty(static_cast<UChar32>(c), UCHAR_EXTENDED_PICTOGRAPHIC) ||
                        u_hasBinaryProperty(static_cast<UChar32>(c), UCHAR_EMOJI_PRESENTATION) ||
                        (c >= 0x1F1E6 && c <= 0x1F1FF) || (c >= '0' && c <= '9') || c == '#' ||
                        c == '*' || c == 0xFE0F;
    if (begins) {
      ASSERT_TRUE(MayBeginEmoji(c)) << std::hex << "U+" << static_cast<uint32_t>(c);
    }
    if (c < 0x10000 && MayBeginEmoji(c)) ++may_bmp;
  }
  // The fast path rules out nearly all of the Basic Multilingual Plane (all of CJK among it).
  EXPECT_FALSE(MayBeginEmoji(U'中'));
  EXPECT_FALSE(MayBeginEmoji(U'a'));
  EXPECT_LT(may_bmp, 0x10000u / 8);
}

TEST(UnicodeTest, EmojiLengthsAroundChineseText) {
  CodePoints cps("中\xF0\x9F\x98\x80" "1\xEF\xB8\x8F\xE2\x83\xA3" "\xC2\xA9\xEF\xB8\x8F" "文");
  // 中, 😀, 1 VS16 keycap, © VS16, 文
  EXPECT_EQ(EmojiLengthAt(cps, 0), 0u);
  EXPECT_EQ(EmojiLengthAt(cps, 1), 1u);
  EXPECT_EQ(EmojiLengthAt(cps, 2), 3u);
  EXPECT_EQ(EmojiLengthAt(cps, 5), 2u);
  EXPECT_EQ(EmojiLengthAt(cps, 7), 0u);
}

TEST(UnicodeTest, DecodesTextsShorterAndLongerThanTheInlineCapacity) {
  for (size_t n : {size_t{0}, size_t{1}, CodePoints::kInline - 1, CodePoints::kInline,
                   CodePoints::kInline + 1, 3 * CodePoints::kInline}) {
    std::string text;
    for (size_t i = 0; i < n; ++i) text += (i % 2 == 0) ? "中" : "a";
    CodePoints cps(text);
    ASSERT_EQ(cps.size(), n);
    for (size_t i = 0; i < n; ++i) {
      ASSERT_EQ(cps[i], (i % 2 == 0) ? U'中' : U'a') << i;
      ASSERT_EQ(cps.ByteOffset(i), (i / 2) * 4 + (i % 2) * 3) << i;
    }
    EXPECT_EQ(cps.ByteOffset(n), text.size());
    EXPECT_EQ(cps[n], kEnd);
  }
}

}  // namespace
}  // namespace plaza::text::internal
