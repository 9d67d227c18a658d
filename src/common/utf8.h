// UTF-8 validation and iteration. Plaza refuses text that is not valid UTF-8 at the edge, so
// everything behind the API may assume valid UTF-8.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace plaza {

// True when `s` is well-formed UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF).
bool IsValidUtf8(std::string_view s);

// Decodes the code point at s[i] and advances i. REQUIRES: s is valid UTF-8 and i < s.size().
char32_t DecodeUtf8(std::string_view s, size_t& i);
void AppendUtf8(std::string& out, char32_t cp);

// Number of code points in valid UTF-8.
size_t CountCodePoints(std::string_view s);

// True when `s` contains a control character other than tab, newline, carriage return.
bool HasControlChars(std::string_view s);

}  // namespace plaza
