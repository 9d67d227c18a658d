#include "text/validation.h"

#include "text/unicode.h"

namespace plaza::text {
namespace {

using internal::CodePoints;
using internal::IsAsciiAlnum;
using internal::IsAsciiAlpha;
using internal::IsAsciiDigit;

ExtractOptions Compat() {
  ExtractOptions o;
  o.weibo_extensions = false;
  return o;
}

// The text after its first code point, i.e. JavaScript's slice(1) for a BMP sigil.
std::string_view AfterSigil(const CodePoints& cps) { return cps.Slice(1, cps.size()); }

// ----- isValidUrl pieces (validateUrl* regular expressions of twitter-text, anchored) -----

bool IsHex(char32_t c) { return IsAsciiDigit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f'); }
bool IsUnreserved(char32_t c) {
  return IsAsciiAlnum(c) || internal::IsCyrillic(c) || c == '-' || c == '.' || c == '_' || c == '~';
}
bool IsSubDelim(char32_t c) {
  switch (c) {
    case '!': case '$': case '&': case '\'': case '(': case ')': case '*': case '+': case ',':
    case ';': case '=':
      return true;
    default:
      return false;
  }
}

// Matches [b, e) against (unreserved | pct-encoded | sub-delims | extra)*.
bool AllPchars(const CodePoints& cps, size_t b, size_t e, std::u32string_view extra) {
  for (size_t i = b; i < e;) {
    char32_t c = cps[i];
    if (IsUnreserved(c) || IsSubDelim(c) || extra.find(c) != std::u32string_view::npos) {
      ++i;
    } else if (c == '%' && i + 2 < e && IsHex(cps[i + 1]) && IsHex(cps[i + 2])) {
      i += 3;
    } else {
      return false;
    }
  }
  return true;
}

bool IsDecOctet(const CodePoints& cps, size_t b, size_t e) {
  size_t n = e - b;
  if (n == 0 || n > 3) return false;
  for (size_t i = b; i < e; ++i) {
    if (!IsAsciiDigit(cps[i])) return false;
  }
  if (n > 1 && cps[b] == '0') return false;
  int v = 0;
  for (size_t i = b; i < e; ++i) v = v * 10 + static_cast<int>(cps[i] - '0');
  return v <= 255;
}

bool IsIpv4(const CodePoints& cps, size_t b, size_t e) {
  size_t start = b;
  int parts = 0;
  for (size_t i = b; i <= e; ++i) {
    if (i < e && cps[i] != '.') continue;
    if (!IsDecOctet(cps, start, i)) return false;
    ++parts;
    start = i + 1;
  }
  return parts == 4;
}

bool DomainChar(char32_t c, bool unicode) { return IsAsciiAlnum(c) || (unicode && c >= 0x80); }

// One domain label: first and last [a-z0-9] (or non-ASCII), middle also '-' (and '_' when
// allow_underscore); a TLD must start with a letter (or non-ASCII).
bool IsDomainLabel(const CodePoints& cps, size_t b, size_t e, bool unicode, bool allow_underscore,
                   bool tld) {
  if (e <= b) return false;
  char32_t first = cps[b];
  if (tld ? !(IsAsciiAlpha(first) || (unicode && first >= 0x80)) : !DomainChar(first, unicode)) {
    return false;
  }
  if (e - b == 1) return true;
  if (!DomainChar(cps[e - 1], unicode)) return false;
  for (size_t i = b + 1; i + 1 < e; ++i) {
    char32_t c = cps[i];
    if (!(DomainChar(c, unicode) || c == '-' || (allow_underscore && c == '_'))) return false;
  }
  return true;
}

bool IsDomain(const CodePoints& cps, size_t b, size_t e, bool unicode) {
  std::vector<std::pair<size_t, size_t>> labels;
  size_t start = b;
  for (size_t i = b; i <= e; ++i) {
    if (i < e && cps[i] != '.') continue;
    labels.emplace_back(start, i);
    start = i + 1;
  }
  if (labels.size() < 2) return false;
  size_t last = labels.size() - 1;
  if (!IsDomainLabel(cps, labels[last].first, labels[last].second, unicode, false, true)) {
    return false;
  }
  if (!IsDomainLabel(cps, labels[last - 1].first, labels[last - 1].second, unicode, false, false)) {
    return false;
  }
  for (size_t k = 0; k + 1 < last; ++k) {
    if (!IsDomainLabel(cps, labels[k].first, labels[k].second, unicode, true, false)) return false;
  }
  return true;
}

bool IsAuthority(const CodePoints& cps, size_t b, size_t e, bool unicode) {
  for (size_t i = b; i < e; ++i) {
    if (cps[i] == '@') {
      if (!AllPchars(cps, b, i, U":")) return false;
      b = i + 1;
      break;
    }
  }
  if (b >= e) return false;
  size_t host_end = e;
  if (cps[b] == '[') {
    size_t i = b + 1;
    while (i < e && (IsHex(cps[i]) || cps[i] == ':' || cps[i] == '.')) ++i;
    if (i == b + 1 || i >= e || cps[i] != ']') return false;
    host_end = i + 1;
    if (host_end == e) return true;
  } else {
    for (size_t i = e; i-- > b;) {
      if (cps[i] == ':') {
        host_end = i;
        break;
      }
    }
    bool ip = IsIpv4(cps, b, host_end);
    if (!ip && !IsDomain(cps, b, host_end, unicode)) return false;
    if (host_end == e) return true;
  }
  if (cps[host_end] != ':') return false;
  size_t digits = e - host_end - 1;
  if (digits < 1 || digits > 5) return false;
  for (size_t i = host_end + 1; i < e; ++i) {
    if (!IsAsciiDigit(cps[i])) return false;
  }
  return true;
}

}  // namespace

bool IsValidUsername(std::string_view text, const Extractor& extractor) {
  if (text.empty()) return false;
  CodePoints cps(text);
  auto mentions = extractor.ExtractMentions(text, Compat());
  return mentions.size() == 1 && mentions[0].value == AfterSigil(cps);
}

bool IsValidList(std::string_view text) {
  CodePoints cps(text);
  if (cps[0] != '@' && cps[0] != 0xFF20) return false;
  size_t i = 1;
  while (i < 21 && (IsAsciiAlnum(cps[i]) || cps[i] == '_')) ++i;
  if (i == 1 || cps[i] != '/' || !IsAsciiAlpha(cps[i + 1])) return false;
  size_t j = i + 2;
  while (j < i + 26 && (IsAsciiAlnum(cps[j]) || cps[j] == '_' || cps[j] == '-')) ++j;
  return j == cps.size() && cps.ByteOffset(j) == text.size();
}

bool IsValidHashtag(std::string_view text, const Extractor& extractor) {
  if (text.empty()) return false;
  CodePoints cps(text);
  auto tags = extractor.ExtractHashtags(text, Compat());
  return tags.size() == 1 && tags[0].value == AfterSigil(cps);
}

bool IsValidUrl(std::string_view url, bool unicode_domains, bool require_protocol) {
  if (url.empty()) return false;
  CodePoints cps(url);
  const size_t n = cps.size();
  for (size_t i = 0; i < n; ++i) {
    if (cps[i] == 0xFFFD && cps.Slice(i, i + 1) != "\xEF\xBF\xBD") return false;  // bad UTF-8
  }
  // ^(?:([^:/?#]+)://)?([^/?#]*)([^?#]*)(?:\?([^#]*))?(?:#(.*))?$
  size_t i = 0;
  bool has_scheme = false;
  size_t scheme_end = 0;
  while (i < n && cps[i] != ':' && cps[i] != '/' && cps[i] != '?' && cps[i] != '#') ++i;
  if (i > 0 && cps[i] == ':' && cps[i + 1] == '/' && cps[i + 2] == '/') {
    has_scheme = true;
    scheme_end = i;
    i += 3;
  } else {
    i = 0;
  }
  size_t auth_b = i;
  while (i < n && cps[i] != '/' && cps[i] != '?' && cps[i] != '#') ++i;
  size_t auth_e = i, path_b = i;
  while (i < n && cps[i] != '?' && cps[i] != '#') ++i;
  size_t path_e = i;
  size_t query_b = n, query_e = n, frag_b = n, frag_e = n;
  if (i < n && cps[i] == '?') {
    query_b = ++i;
    while (i < n && cps[i] != '#') ++i;
    query_e = i;
  }
  if (i < n && cps[i] == '#') {
    frag_b = ++i;
    frag_e = n;
    for (size_t k = frag_b; k < n; ++k) {
      char32_t c = cps[k];
      if (c == '\n' || c == '\r' || c == 0x2028 || c == 0x2029) return false;
    }
  }
  if (require_protocol) {
    if (!has_scheme) return false;
    std::string scheme;
    for (size_t k = 0; k < scheme_end; ++k) {
      scheme += static_cast<char>(cps[k] < 0x80 ? internal::AsciiLower(cps[k]) : '?');
    }
    if (scheme != "http" && scheme != "https") return false;
  }
  // Path: (/pchar*)*
  if (path_b < path_e && cps[path_b] != '/') return false;
  if (!AllPchars(cps, path_b, path_e, U":|@/")) return false;
  if (query_b < n && !AllPchars(cps, query_b, query_e, U":|@/?")) return false;
  if (frag_b < n && !AllPchars(cps, frag_b, frag_e, U":|@/?")) return false;
  return IsAuthority(cps, auth_b, auth_e, unicode_domains);
}

}  // namespace plaza::text
