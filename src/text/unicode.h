// Internal to plaza_text: lenient UTF-8 decoding into code points (with byte offsets), the
// character classes of twitter-text's grammar, emoji sequence recognition and Punycode length.
// Not a public interface: other libraries must use extractor.h, weighted_length.h, html.h.
// Everything here is pure and thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <boost/container/small_vector.hpp>

namespace plaza::text::internal {

// Returned for positions past the end; belongs to no character class.
inline constexpr char32_t kEnd = 0x110000;

// Decodes the code point at s[i] and advances i past it; a malformed byte decodes to U+FFFD and
// advances by one. REQUIRES: i < s.size().
char32_t DecodeLenient(std::string_view s, size_t& i);

// A text decoded once so that scanners can look behind and ahead in O(1). Malformed UTF-8 never
// fails: each bad byte decodes to U+FFFD and keeps its own byte offset. A post-sized text (up to
// kInline code points) is decoded without touching the heap: every post is decoded several times
// on its way in (length, entities, HTML), and allocation was a third of that cost.
class CodePoints {
 public:
  static constexpr size_t kInline = 320;  // code points held without a heap allocation

  CodePoints() = default;
  explicit CodePoints(std::string_view text) { Decode(text); }
  void Decode(std::string_view text);

  size_t size() const { return cps_.size(); }
  char32_t operator[](size_t i) const { return i < cps_.size() ? cps_[i] : kEnd; }
  // Byte offset of code point i; ByteOffset(size()) is the text's length.
  uint32_t ByteOffset(size_t i) const { return offsets_[i < cps_.size() ? i : cps_.size()]; }
  std::string_view text() const { return text_; }
  // The bytes of code points [begin, end).
  std::string_view Slice(size_t begin, size_t end) const {
    return text_.substr(ByteOffset(begin), ByteOffset(end) - ByteOffset(begin));
  }
  // Length of [begin, end) in UTF-16 code units.
  size_t Utf16Length(size_t begin, size_t end) const;

 private:
  std::string_view text_;
  boost::container::small_vector<char32_t, kInline> cps_;
  boost::container::small_vector<uint32_t, kInline + 1> offsets_;  // size() + 1 entries
};

// Appends `text` with malformed UTF-8 replaced by U+FFFD.
void AppendSanitizedUtf8(std::string& out, std::string_view text);
void AppendUtf8(std::string& out, char32_t cp);

inline bool IsAsciiAlpha(char32_t c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }
inline bool IsAsciiDigit(char32_t c) { return c >= '0' && c <= '9'; }
inline bool IsAsciiAlnum(char32_t c) { return IsAsciiAlpha(c) || IsAsciiDigit(c); }
inline char32_t AsciiLower(char32_t c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

// twitter-text's spaces group (used for cashtag and reply boundaries).
bool IsSpace(char32_t c);
// JavaScript's \s (cashtag lookahead).
bool IsJsWhitespace(char32_t c);
// twitter-text's punct set: !'#%&()*+,\-./:;<=>?@[]^_{|}~$ and backslash.
bool IsPunct(char32_t c);
// U+FFFE, U+FEFF, U+FFFF: characters that make a post invalid.
inline bool IsInvalidChar(char32_t c) { return c == 0xFFFE || c == 0xFEFF || c == 0xFFFF; }
bool IsDirectionalMarker(char32_t c);
bool IsLatinAccent(char32_t c);
inline bool IsCyrillic(char32_t c) { return c >= 0x0400 && c <= 0x04FF; }
bool IsLineBreak(char32_t c);

// Characters allowed in a domain label (anything but punctuation, spaces, invalid characters and
// directional markers).
bool IsDomainChar(char32_t c);

// General-category tests.
bool IsLetterOrMark(char32_t c);  // \p{L}\p{M}
bool IsDecimalDigit(char32_t c);  // \p{Nd}
bool IsLetterOrNumber(char32_t c);  // \p{L}\p{N}
// Hashtag body characters: letters, marks, decimal digits and twitter-text's special characters.
bool IsHashtagAlnum(char32_t c);

// Case folding used for TLD comparison (ASCII fast path, ICU simple fold otherwise).
char32_t FoldCase(char32_t c);

// 0-9, # and *: the characters a keycap sequence (base, optional VS16, U+20E3) starts with.
inline bool IsKeycapBase(char32_t c) { return IsAsciiDigit(c) || c == '#' || c == '*'; }

// False when no emoji sequence can start with c: c is neither a keycap base, a regional
// indicator, nor Extended_Pictographic or Emoji_Presentation (which no code point in
// U+00AA-U+203B except U+00AE, nor in U+329A-U+1EFFF, is as of Unicode 15; a unit test checks
// every code point against ICU). Lets the scanners skip the property lookups for CJK text.
inline bool MayBeginEmoji(char32_t c) {
  if (c < 0xA9) return IsKeycapBase(c);
  if (c > 0xAE && c < 0x203C) return false;
  if (c > 0x3299 && c < 0x1F000) return c == 0xFE0F;  // a stray VS16 counts as an emoji
  return true;
}

// Number of code points of the emoji sequence starting at cps[i] (0 when none starts there):
// keycaps, flags, modifier, presentation, tag and ZWJ sequences after UTS #51.
size_t EmojiLengthAt(const CodePoints& cps, size_t i);

// Length of "xn--" + Punycode(label) per RFC 3492 for code points [begin, end) of cps.
size_t PunycodeEncodedLength(const CodePoints& cps, size_t begin, size_t end);

}  // namespace plaza::text::internal
