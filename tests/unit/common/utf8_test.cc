#include "common/utf8.h"

#include <gtest/gtest.h>

namespace plaza {
namespace {

TEST(Utf8Test, AcceptsValid) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("hello"));
  EXPECT_TRUE(IsValidUtf8("微博 #话题# 😀"));
}

TEST(Utf8Test, RejectsMalformed) {
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));          // overlong slash
  EXPECT_FALSE(IsValidUtf8("\xE0\x80\xAF"));      // overlong
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(IsValidUtf8("abc\xE4\xB8"));       // truncated
  EXPECT_FALSE(IsValidUtf8("\x80"));              // lone continuation
  EXPECT_FALSE(IsValidUtf8("\xFF"));
}

TEST(Utf8Test, DecodeEncodeRoundTrip) {
  std::string s = "a中😀";
  size_t i = 0;
  std::string back;
  while (i < s.size()) AppendUtf8(back, DecodeUtf8(s, i));
  EXPECT_EQ(back, s);
  EXPECT_EQ(CountCodePoints(s), 3u);
}

TEST(Utf8Test, ControlChars) {
  EXPECT_FALSE(HasControlChars("a\tb\nc"));
  EXPECT_TRUE(HasControlChars(std::string("a\0b", 3)));
  EXPECT_TRUE(HasControlChars("\x1b[31m"));
}

}  // namespace
}  // namespace plaza
