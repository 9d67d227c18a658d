#include "text/unicode.h"

#include <unicode/uchar.h>
#include <utf8proc.h>

namespace plaza::text::internal {

char32_t DecodeLenient(std::string_view s, size_t& i) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  unsigned c = p[i];
  if (c < 0x80) {
    ++i;
    return c;
  }
  int len;
  char32_t cp;
  char32_t min;
  if (c >= 0xC2 && c <= 0xDF) {
    len = 1, cp = c & 0x1F, min = 0x80;
  } else if ((c & 0xF0) == 0xE0) {
    len = 2, cp = c & 0x0F, min = 0x800;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 3, cp = c & 0x07, min = 0x10000;
  } else {
    ++i;
    return 0xFFFD;
  }
  if (n - i <= static_cast<size_t>(len)) {
    ++i;
    return 0xFFFD;
  }
  for (int k = 1; k <= len; ++k) {
    unsigned cc = p[i + k];
    if ((cc & 0xC0) != 0x80) {
      ++i;
      return 0xFFFD;
    }
    cp = (cp << 6) | (cc & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    ++i;
    return 0xFFFD;
  }
  i += len + 1;
  return cp;
}

void CodePoints::Decode(std::string_view text) {
  text_ = text;
  cps_.clear();
  offsets_.clear();
  size_t i = 0;
  while (i < text.size()) {
    offsets_.push_back(static_cast<uint32_t>(i));
    cps_.push_back(DecodeLenient(text, i));
  }
  offsets_.push_back(static_cast<uint32_t>(text.size()));
}

size_t CodePoints::Utf16Length(size_t begin, size_t end) const {
  size_t n = 0;
  for (size_t i = begin; i < end && i < cps_.size(); ++i) n += cps_[i] > 0xFFFF ? 2 : 1;
  return n;
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

void AppendSanitizedUtf8(std::string& out, std::string_view text) {
  // Bytes are appended a run at a time: text[run, i) is kept as it is and not yet appended.
  size_t run = 0;
  size_t i = 0;
  while (i < text.size()) {
    if (static_cast<unsigned char>(text[i]) < 0x80) {
      ++i;
      continue;
    }
    size_t start = i;
    char32_t cp = DecodeLenient(text, i);
    if (cp == 0xFFFD && i - start == 1) {
      out.append(text.substr(run, start - run));
      AppendUtf8(out, 0xFFFD);
      run = i;
    }
  }
  out.append(text.substr(run));
}

bool IsSpace(char32_t c) {
  return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         c == 0x180E || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 ||
         c == 0x202F || c == 0x205F || c == 0x3000;
}

bool IsJsWhitespace(char32_t c) {
  return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F ||
         c == 0x205F || c == 0x3000 || c == 0xFEFF;
}

bool IsPunct(char32_t c) {
  switch (c) {
    case '!': case '\'': case '#': case '%': case '&': case '(': case ')': case '*': case '+':
    case ',': case '\\': case '-': case '.': case '/': case ':': case ';': case '<': case '=':
    case '>': case '?': case '@': case '[': case ']': case '^': case '_': case '{': case '|':
    case '}': case '~': case '$':
      return true;
    default:
      return false;
  }
}

bool IsDirectionalMarker(char32_t c) {
  return (c >= 0x202A && c <= 0x202E) || c == 0x061C || c == 0x200E || c == 0x200F ||
         (c >= 0x2066 && c <= 0x2069);
}

bool IsLatinAccent(char32_t c) {
  if (c < 0xC0) return false;
  return (c <= 0xD6) || (c >= 0xD8 && c <= 0xF6) || (c >= 0xF8 && c <= 0x24F) || c == 0x253 ||
         c == 0x254 || c == 0x256 || c == 0x257 || c == 0x259 || c == 0x25B || c == 0x263 ||
         c == 0x268 || c == 0x26F || c == 0x272 || c == 0x289 || c == 0x28B || c == 0x2BB ||
         (c >= 0x300 && c <= 0x36F) || (c >= 0x1E00 && c <= 0x1EFF);
}

bool IsLineBreak(char32_t c) {
  return c == '\n' || c == '\r' || c == 0x0B || c == 0x0C || c == 0x85 || c == 0x2028 ||
         c == 0x2029;
}

bool IsDomainChar(char32_t c) {
  if (c == kEnd) return false;
  if (c < 0x80) return !IsPunct(c) && !IsSpace(c);
  return !IsSpace(c) && !IsInvalidChar(c) && !IsDirectionalMarker(c);
}

namespace {
utf8proc_category_t Category(char32_t c) {
  if (c >= 0x110000) return UTF8PROC_CATEGORY_CN;
  return utf8proc_category(static_cast<utf8proc_int32_t>(c));
}
}  // namespace

bool IsLetterOrMark(char32_t c) {
  if (c < 0x80) return IsAsciiAlpha(c);
  auto cat = Category(c);
  return cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_ME;
}

bool IsDecimalDigit(char32_t c) {
  if (c < 0x80) return IsAsciiDigit(c);
  return Category(c) == UTF8PROC_CATEGORY_ND;
}

bool IsLetterOrNumber(char32_t c) {
  if (c < 0x80) return IsAsciiAlnum(c);
  auto cat = Category(c);
  return (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO) ||
         (cat >= UTF8PROC_CATEGORY_ND && cat <= UTF8PROC_CATEGORY_NO);
}

bool IsHashtagAlnum(char32_t c) {
  if (c < 0x80) return IsAsciiAlnum(c) || c == '_';
  switch (c) {
    case 0x200C: case 0x200D: case 0xA67E: case 0x05BE: case 0x05F3: case 0x05F4: case 0xFF5E:
    case 0x301C: case 0x309B: case 0x309C: case 0x30A0: case 0x30FB: case 0x3003: case 0x0F0B:
    case 0x0F0C: case 0x00B7:
      return true;
    default:
      break;
  }
  auto cat = Category(c);
  return (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_ME) ||
         cat == UTF8PROC_CATEGORY_ND;
}

char32_t FoldCase(char32_t c) {
  if (c < 0x80) return AsciiLower(c);
  if (c >= 0x110000) return c;
  return static_cast<char32_t>(u_foldCase(static_cast<UChar32>(c), U_FOLD_CASE_DEFAULT));
}

namespace {

constexpr char32_t kZwj = 0x200D;
constexpr char32_t kVs16 = 0xFE0F;
constexpr char32_t kVs15 = 0xFE0E;
constexpr char32_t kKeycap = 0x20E3;

bool Has(char32_t c, UProperty p) {
  return c < 0x110000 && u_hasBinaryProperty(static_cast<UChar32>(c), p);
}
bool IsRegionalIndicator(char32_t c) { return c >= 0x1F1E6 && c <= 0x1F1FF; }
bool IsModifier(char32_t c) { return c >= 0x1F3FB && c <= 0x1F3FF; }
bool IsTag(char32_t c) { return c >= 0xE0020 && c <= 0xE007E; }

// One emoji element (no ZWJ). Returns its length and whether it is emoji-presented on its own.
size_t EmojiElement(const CodePoints& cps, size_t i, bool& qualified) {
  char32_t c = cps[i];
  qualified = false;
  if (c == kEnd) return 0;
  if (IsKeycapBase(c)) {
    size_t j = i + 1;
    if (cps[j] == kVs16) ++j;
    if (cps[j] == kKeycap) {
      qualified = true;
      return j + 1 - i;
    }
    return 0;
  }
  if (c < 0xA9) return 0;
  if (IsRegionalIndicator(c)) {
    qualified = true;
    return IsRegionalIndicator(cps[i + 1]) ? 2 : 1;
  }
  bool presentation = Has(c, UCHAR_EMOJI_PRESENTATION);
  if (!presentation && !Has(c, UCHAR_EXTENDED_PICTOGRAPHIC)) return 0;
  size_t j = i + 1;
  qualified = presentation;
  if (cps[j] == kVs15) {
    qualified = false;
    return 0;
  }
  if (cps[j] == kVs16 && !presentation) {
    // RGI sequences carry VS16 only after text-default characters; after an emoji-default one
    // it stands alone (twemoji counts it as a separate emoji).
    qualified = true;
    ++j;
  }
  if (IsModifier(cps[j]) && Has(c, UCHAR_EMOJI_MODIFIER_BASE)) {
    qualified = true;
    ++j;
  }
  if (c == 0x1F3F4 && IsTag(cps[j])) {
    size_t k = j;
    while (IsTag(cps[k])) ++k;
    if (cps[k] == 0xE007F) {
      qualified = true;
      j = k + 1;
    }
  }
  return j - i;
}

}  // namespace

size_t EmojiLengthAt(const CodePoints& cps, size_t i) {
  if (!MayBeginEmoji(cps[i])) return 0;
  if (cps[i] == kVs16) return 1;  // a stray VS16 is an emoji of its own for twemoji
  bool qualified;
  size_t n = EmojiElement(cps, i, qualified);
  if (n == 0) return 0;
  bool joined = false;
  while (cps[i + n] == kZwj) {
    bool q2;
    size_t m = EmojiElement(cps, i + n + 1, q2);
    if (m == 0) break;
    n += 1 + m;
    joined = true;
  }
  return (qualified || joined) ? n : 0;
}

namespace {
constexpr uint32_t kBase = 36, kTMin = 1, kTMax = 26, kSkew = 38, kDamp = 700;

uint32_t Adapt(uint64_t delta, uint64_t num_points, bool first) {
  delta = first ? delta / kDamp : delta / 2;
  delta += delta / num_points;
  uint32_t k = 0;
  while (delta > ((kBase - kTMin) * kTMax) / 2) {
    delta /= kBase - kTMin;
    k += kBase;
  }
  return static_cast<uint32_t>(k + (kBase - kTMin + 1) * delta / (delta + kSkew));
}
}  // namespace

size_t PunycodeEncodedLength(const CodePoints& cps, size_t begin, size_t end) {
  size_t basic = 0;
  size_t total = end - begin;
  for (size_t i = begin; i < end; ++i) {
    if (cps[i] < 0x80) ++basic;
  }
  size_t out = 4 + basic + (basic > 0 ? 1 : 0);
  uint64_t n = 0x80, delta = 0;
  uint32_t bias = 72;
  size_t h = basic;
  while (h < total) {
    uint64_t m = UINT64_MAX;
    for (size_t i = begin; i < end; ++i) {
      if (cps[i] >= n && cps[i] < m) m = cps[i];
    }
    delta += (m - n) * (h + 1);
    n = m;
    for (size_t i = begin; i < end; ++i) {
      char32_t c = cps[i];
      if (c < n) ++delta;
      if (c == n) {
        uint64_t q = delta;
        for (uint32_t k = kBase;; k += kBase) {
          uint32_t t = k <= bias ? kTMin : (k >= bias + kTMax ? kTMax : k - bias);
          if (q < t) break;
          ++out;
          q = (q - t) / (kBase - t);
        }
        ++out;
        bias = Adapt(delta, h + 1, h == basic);
        delta = 0;
        ++h;
      }
    }
    ++delta;
    ++n;
  }
  return out;
}

}  // namespace plaza::text::internal
