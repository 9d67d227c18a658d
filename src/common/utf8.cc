#include "common/utf8.h"

#include <cstdint>
#include <cstring>

namespace plaza {

// The well-formed sequences of Unicode's table 3-7, each length checked on its own: a post in
// Chinese is mostly three-byte sequences, whose check is two continuation masks and, for the
// leads E0 and ED alone, one bound on the second byte.
bool IsValidUtf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  auto continuation = [](unsigned char b) { return (b & 0xC0) == 0x80; };
  while (p < end) {
    const unsigned c = *p;
    if (c < 0x80) {
      ++p;
      // ASCII runs (paths, header values, most of a post) eight bytes at a time.
      uint64_t word;
      while (end - p >= 8 && (std::memcpy(&word, p, 8), (word & 0x8080808080808080ULL) == 0)) {
        p += 8;
      }
      continue;
    }
    if (c < 0xE0) {  // C2..DF, then one continuation (80..C1 lead nothing)
      if (c < 0xC2 || end - p < 2 || !continuation(p[1])) return false;
      p += 2;
    } else if (c < 0xF0) {  // E0..EF, then two: E0 A0..BF, ED 80..9F (no surrogates)
      if (end - p < 3 || !continuation(p[1]) || !continuation(p[2])) return false;
      if ((c == 0xE0 && p[1] < 0xA0) || (c == 0xED && p[1] >= 0xA0)) return false;
      p += 3;
    } else {  // F0..F4, then three: F0 90..BF, F4 80..8F (nothing above U+10FFFF)
      if (c > 0xF4 || end - p < 4 || !continuation(p[1]) || !continuation(p[2]) ||
          !continuation(p[3])) {
        return false;
      }
      if ((c == 0xF0 && p[1] < 0x90) || (c == 0xF4 && p[1] >= 0x90)) return false;
      p += 4;
    }
  }
  return true;
}

char32_t DecodeUtf8(std::string_view s, size_t& i) {
  auto c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) {
    ++i;
    return c;
  }
  int n = (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2 : 3;
  char32_t cp = c & (n == 1 ? 0x1F : n == 2 ? 0x0F : 0x07);
  for (int k = 1; k <= n && i + k < s.size(); ++k) {
    cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  }
  i += n + 1;
  return cp;
}

void AppendUtf8(std::string& out, char32_t cp) {
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

size_t CountCodePoints(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

bool HasControlChars(std::string_view s) {
  for (unsigned char c : s) {
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F) return true;
  }
  return false;
}

}  // namespace plaza
