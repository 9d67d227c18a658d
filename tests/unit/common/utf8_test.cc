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

// Every sequence of one to three bytes, and every four-byte sequence of a lead from F0 to F7
// with continuation-range or boundary bytes after it, against the definition: a string is valid
// UTF-8 exactly when it decodes, shortest form, to scalar values (no surrogates, none above
// U+10FFFF). Each is checked alone and after ASCII, so the word-at-a-time skip leads into it.
TEST(Utf8Test, AgreesWithTheDefinitionOnEverySequenceUpToThreeBytes) {
  auto valid = [](const std::string& s) {
    size_t i = 0;
    while (i < s.size()) {
      auto c = static_cast<unsigned char>(s[i]);
      if (c < 0x80) {
        ++i;
        continue;
      }
      size_t n;
      char32_t cp;
      if ((c & 0xE0) == 0xC0) {
        n = 1;
        cp = c & 0x1F;
      } else if ((c & 0xF0) == 0xE0) {
        n = 2;
        cp = c & 0x0F;
      } else if ((c & 0xF8) == 0xF0) {
        n = 3;
        cp = c & 0x07;
      } else {
        return false;
      }
      if (i + n >= s.size()) return false;
      for (size_t k = 1; k <= n; ++k) {
        auto b = static_cast<unsigned char>(s[i + k]);
        if ((b & 0xC0) != 0x80) return false;
        cp = (cp << 6) | (b & 0x3F);
      }
      const char32_t least[] = {0, 0x80, 0x800, 0x10000};
      if (cp < least[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
      i += n + 1;
    }
    return true;
  };
  auto check = [&](const std::string& s) {
    ASSERT_EQ(IsValidUtf8(s), valid(s)) << ::testing::PrintToString(s);
    const std::string after = "0123456789" + s;
    ASSERT_EQ(IsValidUtf8(after), valid(after)) << ::testing::PrintToString(after);
  };
  for (int a = 0; a < 256; ++a) {
    check(std::string(1, static_cast<char>(a)));
    for (int b = 0; b < 256; ++b) {
      check({static_cast<char>(a), static_cast<char>(b)});
      if (a < 0xC0) continue;  // a third byte after an ASCII or continuation lead adds nothing new
      for (int c = 0; c < 256; ++c) {
        check({static_cast<char>(a), static_cast<char>(b), static_cast<char>(c)});
      }
    }
  }
  const int seconds[] = {0x00, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xFF};
  for (int a = 0xF0; a <= 0xF7; ++a) {
    for (int b : seconds) {
      for (int c : {0x7F, 0x80, 0xBF, 0xC0}) {
        for (int d : {0x7F, 0x80, 0xBF, 0xC0}) {
          check({static_cast<char>(a), static_cast<char>(b), static_cast<char>(c),
                 static_cast<char>(d)});
        }
      }
    }
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
