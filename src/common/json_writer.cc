#include "common/json_writer.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace plaza {

namespace {

constexpr uint64_t kOnes = 0x0101010101010101ull;
constexpr uint64_t kHighBits = 0x8080808080808080ull;

// Whether any of the eight bytes of `w` has a value JSON must escape: a control character, '"' or
// '\\'. (x - ones*n) & ~x & highs is non-zero exactly when some byte of x is below n (n <= 128).
bool AnyNeedsEscape(uint64_t w) {
  uint64_t quote = w ^ (kOnes * '"');
  uint64_t backslash = w ^ (kOnes * '\\');
  uint64_t below =
      ((w - kOnes * 0x20) & ~w) | ((quote - kOnes) & ~quote) | ((backslash - kOnes) & ~backslash);
  return (below & kHighBits) != 0;
}

// Appends the escape of `c`, a byte JSON does not allow unescaped in a string.
void AppendEscaped(std::string& out, unsigned char c) {
  static constexpr char kHex[] = "0123456789abcdef";
  switch (c) {
    case '"':
      out += "\\\"";
      break;
    case '\\':
      out += "\\\\";
      break;
    case '\n':
      out += "\\n";
      break;
    case '\r':
      out += "\\r";
      break;
    case '\t':
      out += "\\t";
      break;
    case '\b':
      out += "\\b";
      break;
    case '\f':
      out += "\\f";
      break;
    default: {
      const char u[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
      out.append(u, sizeof u);
    }
  }
}

}  // namespace

// Text is copied in runs between the bytes that need escaping. Those are found sixteen bytes at a
// time (SSE2: one mask of the block's quotes, backslashes and control characters, then one step
// a byte found), so that HTML, with a quote every few dozen bytes, is not looked at byte by byte;
// the last bytes eight at a time, then one by one.
void AppendJsonString(std::string& out, std::string_view s) {
  out += '"';
  const char* p = s.data();
  const char* const end = p + s.size();
  const char* run = p;  // the first byte not yet appended
  auto escape_at = [&](const char* at) {
    out.append(run, static_cast<size_t>(at - run));
    AppendEscaped(out, static_cast<unsigned char>(*at));
    run = at + 1;
  };
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  const __m128i control_max = _mm_set1_epi8(0x1F);
  for (; end - p >= 16; p += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    // A byte is at most 0x1F (unsigned) exactly when max(byte, 0x1F) is 0x1F.
    const __m128i hit =
        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
                     _mm_cmpeq_epi8(_mm_max_epu8(v, control_max), control_max));
    for (auto mask = static_cast<unsigned>(_mm_movemask_epi8(hit)); mask != 0; mask &= mask - 1) {
      escape_at(p + std::countr_zero(mask));
    }
  }
#endif
  while (p < end) {
    if (end - p >= 8) {
      uint64_t w;
      std::memcpy(&w, p, sizeof w);
      if (!AnyNeedsEscape(w)) {
        p += 8;
        continue;
      }
    }
    for (const char* stop = std::min(p + 8, end); p < stop; ++p) {
      auto c = static_cast<unsigned char>(*p);
      if (c >= 0x20 && c != '"' && c != '\\') continue;
      escape_at(p);
    }
  }
  out.append(run, static_cast<size_t>(end - run));
  out += '"';
}

void AppendJsonInt(std::string& out, int64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

void AppendJsonUint(std::string& out, uint64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

void JsonWriter::AppendString(std::string_view s) { AppendJsonString(out_, s); }

JsonWriter& JsonWriter::Double(double v) {
  Sep();
  if (!std::isfinite(v)) {
    out_ += "null";
  } else {
    fmt::format_to(std::back_inserter(out_), "{}", v);
  }
  return *this;
}

}  // namespace plaza
