#include "common/json_writer.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>

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

}  // namespace

// Clean text (nearly all of it) is skipped eight bytes at a time and copied in runs; only a word
// holding something to escape is looked at byte by byte.
void AppendJsonString(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  const char* p = s.data();
  const char* const end = p + s.size();
  const char* run = p;  // the first byte not yet appended
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
      out.append(run, static_cast<size_t>(p - run));
      run = p + 1;
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
        default:
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 0xF];
      }
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
