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

// ASCII is skipped eight bytes at a time: a sequence at any offset of a long ASCII run, and at
// either end of it, is still checked.
TEST(Utf8Test, SequencesAnywhereInAnAsciiRunAreChecked) {
  const std::string ascii(40, 'a');
  const char* valid[] = {"\xC3\xA9", "\xE4\xB8\xAD", "\xF0\x9F\x98\x80"};
  const char* invalid[] = {"\xFF", "\x80", "\xC0\xAF", "\xED\xA0\x80", "\xE4\xB8"};
  for (size_t at = 0; at <= ascii.size(); ++at) {
    for (const char* v : valid) {
      EXPECT_TRUE(IsValidUtf8(ascii.substr(0, at) + v + ascii.substr(at))) << at;
    }
    for (const char* bad : invalid) {
      EXPECT_FALSE(IsValidUtf8(ascii.substr(0, at) + bad + ascii.substr(at))) << at;
    }
    // A truncated sequence at the very end, after `at` ASCII bytes.
    EXPECT_FALSE(IsValidUtf8(ascii.substr(0, at) + "\xF0\x9F\x98")) << at;
  }
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
