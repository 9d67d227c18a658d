#include "text/extractor.h"

#include <algorithm>

#include "text/unicode.h"

namespace plaza::text {
namespace {

using internal::CodePoints;
using internal::IsAsciiAlnum;
using internal::IsAsciiAlpha;
using internal::IsAsciiDigit;

constexpr char32_t kFullwidthAt = 0xFF20;
constexpr char32_t kFullwidthHash = 0xFF03;
constexpr size_t kMaxScreenName = 20;
constexpr size_t kMaxListSlug = 25;
constexpr size_t kMaxUrlLength = 4096;
constexpr size_t kMaxTcoSlug = 40;
constexpr size_t kMaxDomainLabel = 63;

bool IsAtSign(char32_t c) { return c == '@' || c == kFullwidthAt; }
bool IsHashSign(char32_t c) { return c == '#' || c == kFullwidthHash; }
bool IsScreenNameChar(char32_t c) { return IsAsciiAlnum(c) || c == '_'; }

Entity MakeEntity(const CodePoints& cps, EntityType type, size_t start, size_t end,
                  size_t value_start, size_t value_end) {
  Entity e;
  e.type = type;
  e.start = start;
  e.end = end;
  e.byte_start = cps.ByteOffset(start);
  e.byte_end = cps.ByteOffset(end);
  e.value = std::string(cps.Slice(value_start, value_end));
  return e;
}

bool HasSchemeSeparatorAt(const CodePoints& cps, size_t i) {
  return cps[i] == ':' && cps[i + 1] == '/' && cps[i + 2] == '/';
}

// ---------------------------------------------------------------------------------------------
// URLs: a hand-written equivalent of twitter-text's extractUrl regular expression and the
// post-processing of extractUrlsWithIndices (validity, protocol-less ASCII domains, t.co).

bool IsGeneralPathChar(char32_t c) {
  if (IsAsciiAlnum(c)) return true;
  switch (c) {
    case '!': case '*': case '\'': case ';': case ':': case '=': case '+': case ',': case '.':
    case '$': case '/': case '%': case '#': case '[': case ']': case '-': case '_': case '~':
    case '@': case '|': case '&': case 0x2013:
      return true;
    default:
      return internal::IsCyrillic(c) || internal::IsLatinAccent(c);
  }
}

bool IsPathEndingChar(char32_t c) {
  if (IsAsciiAlnum(c)) return true;
  switch (c) {
    case '+': case '-': case '=': case '_': case '#': case '/':
      return true;
    default:
      return internal::IsCyrillic(c) || internal::IsLatinAccent(c);
  }
}

bool IsQueryChar(char32_t c) {
  if (IsAsciiAlnum(c)) return true;
  switch (c) {
    case '!': case '?': case '*': case '\'': case '@': case '(': case ')': case ';': case ':':
    case '&': case '=': case '+': case '$': case '/': case '%': case '#': case '[': case ']':
    case '-': case '_': case '.': case ',': case '~': case '|':
      return true;
    default:
      return false;
  }
}

bool IsQueryEndingChar(char32_t c) {
  return IsAsciiAlnum(c) || c == '-' || c == '_' || c == '&' || c == '=' || c == '#' || c == '/';
}

bool IsLabelChar(char32_t c) { return internal::IsDomainChar(c) || c == '-' || c == '_'; }

bool IsAsciiDomainLabelChar(char32_t c) {
  return IsAsciiAlnum(c) || c == '-' || internal::IsLatinAccent(c);
}

bool IsIdnaSeparator(char32_t c) { return c == 0x3002 || c == 0xFF0E || c == 0xFF61; }

struct UrlMatch {
  size_t start = 0;  // after the preceding character
  size_t end = 0;
  size_t domain_start = 0;
  size_t domain_end = 0;
  bool has_protocol = false;
  bool has_path = false;
};

class UrlScanner {
 public:
  UrlScanner(const CodePoints& cps, const TldSet& tlds)
      : cps_(cps), tlds_(tlds), n_(cps.size()), label_end_(cps.size() + 1) {
    label_end_[n_] = static_cast<uint32_t>(n_);
    for (size_t i = n_; i-- > 0;) {
      label_end_[i] = IsLabelChar(cps_[i]) ? label_end_[i + 1] : static_cast<uint32_t>(i);
    }
  }

  void Scan(bool without_protocol, std::vector<Entity>& out) {
    bool has_dot = false, has_colon = false;
    for (size_t i = 0; i < n_; ++i) {
      has_dot |= cps_[i] == '.';
      has_colon |= cps_[i] == ':';
    }
    if (without_protocol ? !has_dot : !has_colon) return;
    size_t p = 0;
    while (p < n_) {
      std::optional<UrlMatch> m;
      char32_t before = internal::kEnd;
      if (IsPrecedingChar(cps_[p])) {
        m = TryAt(p + 1);
        before = cps_[p];
      }
      if (!m && p == 0) {
        m = TryAt(0);
        before = internal::kEnd;
      }
      if (!m) {
        ++p;
        continue;
      }
      Emit(*m, before, without_protocol, out);
      p = m->end;
    }
  }

  // The end of the first ASCII domain (twitter-text's validAsciiDomain) starting at q and lying
  // within [q, limit), or 0.
  size_t AsciiDomainAt(size_t q, size_t limit) {
    dots_.clear();
    size_t pos = q;
    while (true) {
      size_t e = pos;
      while (e < limit && IsAsciiDomainLabelChar(cps_[e])) ++e;
      if (e == pos || e >= limit || cps_[e] != '.') break;
      dots_.push_back(e);
      pos = e + 1;
    }
    for (size_t j = dots_.size(); j-- > 0;) {
      size_t tld = dots_[j] + 1;
      size_t len = tlds_.MatchAt(cps_, tld, limit);
      if (len > 0) return tld + len;
    }
    return 0;
  }

 private:
  static bool IsPrecedingChar(char32_t c) {
    return !(IsAsciiAlnum(c) || c == '@' || c == kFullwidthAt || c == '$' || c == '#' ||
             c == kFullwidthHash || internal::IsInvalidChar(c));
  }

  bool StartsWithCi(size_t i, std::string_view s) const {
    for (size_t k = 0; k < s.size(); ++k) {
      if (internal::AsciiLower(cps_[i + k]) != static_cast<char32_t>(s[k])) return false;
    }
    return true;
  }

  static bool ValidLabel(const CodePoints& cps, size_t b, size_t e, bool allow_underscore) {
    if (e <= b || !internal::IsDomainChar(cps[b]) || !internal::IsDomainChar(cps[e - 1])) {
      return false;
    }
    if (!allow_underscore) {
      for (size_t i = b; i < e; ++i) {
        if (cps[i] == '_') return false;
      }
    }
    return true;
  }

  // validDomain: subdomain* domainName TLD, with the regular expression's backtracking order
  // (as many subdomains as possible first). Returns the end of the domain or 0.
  size_t MatchDomain(size_t s) {
    dots_.clear();
    size_t pos = s;
    while (true) {
      size_t e = label_end_[pos];
      if (cps_[e] != '.') break;
      dots_.push_back(e);
      pos = e + 1;
    }
    if (dots_.empty()) return 0;
    auto label_start = [&](size_t k) { return k == 0 ? s : dots_[k - 1] + 1; };
    size_t subdomains = 0;
    while (subdomains < dots_.size() &&
           ValidLabel(cps_, label_start(subdomains), dots_[subdomains], true)) {
      ++subdomains;
    }
    size_t kmax = std::min(subdomains, dots_.size() - 1);
    for (size_t k = kmax + 1; k-- > 0;) {
      if (!ValidLabel(cps_, label_start(k), dots_[k], false)) continue;
      size_t tld = dots_[k] + 1;
      size_t len = tlds_.MatchAt(cps_, tld, n_);
      if (len > 0) return tld + len;
    }
    return 0;
  }

  size_t MatchBalancedParens(size_t i) const {
    size_t r1 = i + 1;
    while (IsGeneralPathChar(cps_[r1])) ++r1;
    if (cps_[r1] == ')' && r1 > i + 1) return r1 + 1;
    if (cps_[r1] != '(') return 0;
    size_t r2 = r1 + 1;
    while (IsGeneralPathChar(cps_[r2])) ++r2;
    if (r2 == r1 + 1 || cps_[r2] != ')') return 0;
    size_t r3 = r2 + 1;
    while (IsGeneralPathChar(cps_[r3])) ++r3;
    return cps_[r3] == ')' ? r3 + 1 : 0;
  }

  // The path after '/' at p. twitter-text's path is a run of segments, each either path
  // characters and balanced parenthesis groups ending in a path-ending character, or one
  // balanced group on its own. So the path reaches the last top-level path-ending character of
  // the run of path items, plus any balanced groups that directly follow it.
  size_t MatchPath(size_t p) const {
    size_t last = p, i = p;
    while (true) {
      char32_t c = cps_[i];
      if (IsGeneralPathChar(c)) {
        ++i;
        if (IsPathEndingChar(c)) last = i;
      } else if (c == '(') {
        size_t e = MatchBalancedParens(i);
        if (e == 0) break;
        i = e;
      } else {
        break;
      }
    }
    while (cps_[last] == '(') {
      size_t e = MatchBalancedParens(last);
      if (e == 0) break;
      last = e;
    }
    return last;
  }

  // '?' at q followed by query characters, cut back to the last query-ending one; q if none.
  size_t MatchQuery(size_t q, size_t limit) const {
    size_t last = q;
    for (size_t i = q + 1; i < limit && IsQueryChar(cps_[i]); ++i) {
      if (IsQueryEndingChar(cps_[i])) last = i + 1;
    }
    return last;
  }

  std::optional<UrlMatch> TryAt(size_t s) {
    if (s >= n_) return std::nullopt;
    UrlMatch m;
    m.start = s;
    size_t ds = s;
    if (StartsWithCi(s, "https://")) {
      ds = s + 8;
    } else if (StartsWithCi(s, "http://")) {
      ds = s + 7;
    }
    m.has_protocol = ds != s;
    if (!m.has_protocol && cps_[label_end_[s]] != '.') return std::nullopt;
    size_t de = MatchDomain(ds);
    if (de == 0) return std::nullopt;
    m.domain_start = ds;
    m.domain_end = de;
    size_t e = de;
    if (cps_[e] == ':' && IsAsciiDigit(cps_[e + 1])) {
      ++e;
      while (IsAsciiDigit(cps_[e])) ++e;
    }
    if (cps_[e] == '/') {
      m.has_path = true;
      e = MatchPath(e + 1);
    }
    if (cps_[e] == '?') e = MatchQuery(e, n_);
    m.end = e;
    return m;
  }

  // twitter-text's isValidUrl: each label, Punycode-encoded, has 1..63 characters, and the URL
  // with its domain encoded fits 4096 characters.
  bool ValidLength(const UrlMatch& m) {
    size_t ds = m.domain_start, de = m.domain_end;
    if (de - ds >= 4 && cps_[ds] == 'x' && cps_[ds + 1] == 'n' && cps_[ds + 2] == '-' &&
        cps_[ds + 3] == '-') {
      bool any = false;
      for (size_t q = ds; q < de && !any;) {
        size_t e = AsciiDomainAt(q, de);
        if (e > 0) any = true;
        ++q;
      }
      if (!any) return false;
    }
    size_t encoded = 0;
    size_t label_begin = ds;
    for (size_t i = ds; i <= de; ++i) {
      if (i < de && cps_[i] != '.') continue;
      size_t label_len = 0;
      size_t part_begin = label_begin;
      for (size_t j = label_begin; j <= i; ++j) {
        if (j < i && !IsIdnaSeparator(cps_[j])) continue;
        if (j - part_begin > kMaxDomainLabel) return false;
        bool ascii = true;
        for (size_t k = part_begin; k < j; ++k) ascii &= cps_[k] <= 0x7E;
        label_len += ascii ? j - part_begin : internal::PunycodeEncodedLength(cps_, part_begin, j);
        if (j < i) ++label_len;
        part_begin = j + 1;
      }
      if (label_len < 1 || label_len > kMaxDomainLabel) return false;
      encoded += label_len + (i < de ? 1 : 0);
      label_begin = i + 1;
    }
    size_t protocol = m.has_protocol ? ds - m.start : 8;
    size_t url16 = cps_.Utf16Length(m.start, m.end);
    size_t domain16 = cps_.Utf16Length(ds, de);
    return protocol + url16 + encoded - domain16 <= kMaxUrlLength;
  }

  void Emit(const UrlMatch& m, char32_t before, bool without_protocol, std::vector<Entity>& out) {
    if (!ValidLength(m)) return;
    if (!m.has_protocol) {
      if (!without_protocol) return;
      if (before == '-' || before == '_' || before == '.' || before == '/') return;
      size_t first = out.size();
      for (size_t q = m.domain_start; q < m.domain_end;) {
        size_t e = AsciiDomainAt(q, m.domain_end);
        if (e == 0) {
          ++q;
          continue;
        }
        out.push_back(MakeEntity(cps_, EntityType::kUrl, q, e, q, e));
        q = e;
      }
      if (out.size() == first) return;
      if (m.has_path) {
        Entity& last = out.back();
        last.value += cps_.Slice(m.domain_end, m.end);
        last.end = m.end;
        last.byte_end = cps_.ByteOffset(m.end);
      }
      return;
    }
    size_t end = m.end;
    if (m.domain_start + 5 <= m.end && StartsWithCi(m.domain_start, "t.co/")) {
      size_t slug = m.domain_start + 5, e = slug;
      while (e < m.end && IsAsciiAlnum(cps_[e])) ++e;
      if (e > slug) {
        if (e - slug > kMaxTcoSlug) return;
        if (e < m.end && cps_[e] == '?') e = MatchQuery(e, m.end);
        end = e;
      }
    }
    Entity entity = MakeEntity(cps_, EntityType::kUrl, m.start, end, m.start, end);
    entity.has_protocol = true;
    out.push_back(std::move(entity));
  }

  const CodePoints& cps_;
  const TldSet& tlds_;
  const size_t n_;
  // End of the run of label characters starting at i.
  boost::container::small_vector<uint32_t, CodePoints::kInline + 1> label_end_;
  boost::container::small_vector<size_t, 16> dots_;  // scratch
};

// ---------------------------------------------------------------------------------------------
// Mentions.

bool ExcludedBeforeMention(char32_t c) {
  return IsAsciiAlnum(c) || c == '_' || c == '!' || c == '#' || c == '$' || c == '%' ||
         c == '&' || c == '*' || IsAtSign(c);
}

bool ExcludedBeforeRt(char32_t c) {
  return IsAsciiAlnum(c) || c == '_' || c == '+' || c == '~' || c == '.' || c == '-';
}

// twitter-text's validMentionPrecedingChars for the at-sign at i, where characters before
// `consumed` already belong to an earlier match.
bool ValidMentionPreceding(const CodePoints& cps, size_t i, size_t consumed) {
  if (i == 0) return true;
  if (i - 1 >= consumed && !ExcludedBeforeMention(cps[i - 1])) return true;
  size_t j = i;
  if (cps[j - 1] == ':') --j;
  if (j >= 2 && j - 2 >= consumed) {
    char32_t r = cps[j - 2], t = cps[j - 1];
    if ((r == 'r' || r == 'R') && (t == 't' || t == 'T')) {
      size_t k = j - 2;
      if (k == 0) return true;
      if (k - 1 >= consumed && !ExcludedBeforeRt(cps[k - 1])) return true;
    }
  }
  return false;
}

bool EndsMentionBadly(const CodePoints& cps, size_t i) {
  return IsAtSign(cps[i]) || internal::IsLatinAccent(cps[i]) || HasSchemeSeparatorAt(cps, i);
}

bool IsWeiboNameChar(char32_t c) {
  return internal::IsLetterOrMark(c) || internal::IsDecimalDigit(c) || c == '_' || c == '-';
}

// A Weibo nickname after the at-sign at i: [i+1, end). Returns 0 when the name is not one
// (ASCII-only names go by twitter-text's rule) or is too long.
size_t MatchWeiboName(const CodePoints& cps, size_t i, const ExtractOptions& options) {
  size_t b = i + 1;
  char32_t first = cps[b];
  if (!(internal::IsLetterOrNumber(first) || first == '_') || first == internal::kEnd) return 0;
  bool non_ascii = false;
  size_t e = b;
  while (IsWeiboNameChar(cps[e])) {
    non_ascii |= cps[e] >= 0x80;
    ++e;
  }
  if (!non_ascii) return 0;
  while (e > b && cps[e - 1] == '-') --e;
  if (e == b || e - b > options.max_weibo_name_length) return 0;
  return e;
}

struct MentionMatch {
  size_t name_end = 0;  // 0: no match at all
  size_t end = 0;       // including the list slug
  bool accepted = false;
};

MentionMatch MatchMentionAt(const CodePoints& cps, size_t i, const ExtractOptions& options,
                            bool allow_list) {
  MentionMatch m;
  if (options.weibo_extensions) {
    size_t e = MatchWeiboName(cps, i, options);
    if (e > 0) {
      m.name_end = m.end = e;
      m.accepted = !IsAtSign(cps[e]) && !HasSchemeSeparatorAt(cps, e);
      return m;
    }
  }
  size_t j = i + 1;
  while (j < i + 1 + kMaxScreenName && IsScreenNameChar(cps[j])) ++j;
  if (j == i + 1) return m;
  m.name_end = m.end = j;
  if (allow_list && cps[j] == '/' && IsAsciiAlpha(cps[j + 1])) {
    size_t k = j + 2;
    while (k < j + 1 + kMaxListSlug && (IsAsciiAlnum(cps[k]) || cps[k] == '_' || cps[k] == '-')) {
      ++k;
    }
    m.end = k;
  }
  m.accepted = !EndsMentionBadly(cps, m.end);
  return m;
}

void ScanMentions(const CodePoints& cps, const ExtractOptions& options, std::vector<Entity>& out) {
  size_t consumed = 0;
  for (size_t i = 0; i < cps.size(); ++i) {
    if (i < consumed || !IsAtSign(cps[i]) || !ValidMentionPreceding(cps, i, consumed)) continue;
    MentionMatch m = MatchMentionAt(cps, i, options, true);
    if (m.name_end == 0) continue;
    consumed = m.end;
    if (!m.accepted) continue;
    Entity e = MakeEntity(cps, EntityType::kMention, i, m.end, i + 1, m.name_end);
    e.list_slug = std::string(cps.Slice(m.name_end, m.end));
    out.push_back(std::move(e));
  }
}

// ---------------------------------------------------------------------------------------------
// Hashtags and topics.

// The Weibo `#topic#` starting at i: returns the index of the closing sign, or 0.
size_t MatchTopic(const CodePoints& cps, size_t i, const ExtractOptions& options) {
  if (i > 0) {
    char32_t prev = cps[i - 1];
    if (IsAsciiAlnum(prev) || prev == '_' || prev == '&') return 0;
  }
  size_t b = i + 1;
  size_t limit = std::min(cps.size(), b + options.max_topic_length + 1);
  size_t j = b;
  while (j < limit && !IsHashSign(cps[j])) {
    char32_t c = cps[j];
    if (c < 0x20 || c == 0x7F || internal::IsLineBreak(c) || internal::IsInvalidChar(c)) return 0;
    ++j;
  }
  if (j >= limit || j == b) return 0;
  char32_t first = cps[b], last = cps[j - 1];
  if (internal::IsJsWhitespace(first) || internal::IsSpace(first) ||
      internal::IsJsWhitespace(last) || internal::IsSpace(last) || first == 0xFE0F ||
      first == 0x20E3) {
    return 0;
  }
  for (size_t k = b; k < j; ++k) {
    if (internal::IsLetterOrNumber(cps[k])) return j;
  }
  return 0;
}

void ScanHashtags(const CodePoints& cps, const ExtractOptions& options, std::vector<Entity>& out) {
  size_t consumed = 0;
  for (size_t i = 0; i < cps.size(); ++i) {
    if (i < consumed || !IsHashSign(cps[i])) continue;
    if (options.weibo_extensions) {
      size_t close = MatchTopic(cps, i, options);
      if (close > 0) {
        Entity e = MakeEntity(cps, EntityType::kHashtag, i, close + 1, i + 1, close);
        e.topic = true;
        out.push_back(std::move(e));
        consumed = close + 1;
        continue;
      }
    }
    if (i > 0) {
      char32_t prev = cps[i - 1];
      bool boundary = prev == 0xFE0E || prev == 0xFE0F ||
                      (!internal::IsHashtagAlnum(prev) && prev != '&');
      if (i - 1 < consumed || !boundary) continue;
    }
    if (cps[i + 1] == 0xFE0F || cps[i + 1] == 0x20E3) continue;
    size_t j = i + 1;
    bool has_alpha = false;
    while (internal::IsHashtagAlnum(cps[j])) {
      has_alpha |= internal::IsLetterOrMark(cps[j]);
      ++j;
    }
    if (!has_alpha) continue;
    consumed = j;
    if (IsHashSign(cps[j]) || HasSchemeSeparatorAt(cps, j)) continue;
    out.push_back(MakeEntity(cps, EntityType::kHashtag, i, j, i + 1, j));
  }
}

// ---------------------------------------------------------------------------------------------
// Cashtags: (^|space)$[a-z]{1,6}([._][a-z]{1,2})? followed by the end, a space or punctuation.

bool CashtagMayEndBefore(const CodePoints& cps, size_t i) {
  return i >= cps.size() || internal::IsJsWhitespace(cps[i]) || internal::IsPunct(cps[i]);
}

void ScanCashtags(const CodePoints& cps, std::vector<Entity>& out) {
  size_t consumed = 0;
  for (size_t i = 0; i < cps.size(); ++i) {
    if (i < consumed || cps[i] != '$') continue;
    if (i > 0 && (i - 1 < consumed || !internal::IsSpace(cps[i - 1]))) continue;
    size_t j = i + 1;
    while (IsAsciiAlpha(cps[j])) ++j;
    if (j == i + 1 || j - (i + 1) > 6) continue;
    size_t end = 0;
    if (cps[j] == '.' || cps[j] == '_') {
      size_t k = j + 1;
      while (IsAsciiAlpha(cps[k])) ++k;
      if (k > j + 1 && k - (j + 1) <= 2 && CashtagMayEndBefore(cps, k)) end = k;
    }
    if (end == 0 && CashtagMayEndBefore(cps, j)) end = j;
    if (end == 0) continue;
    consumed = end;
    out.push_back(MakeEntity(cps, EntityType::kCashtag, i, end, i + 1, end));
  }
}

// twitter-text's removeOverlappingEntities: by start, dropping any entity that begins before the
// previous kept one ends.
void RemoveOverlaps(std::vector<Entity>& entities) {
  auto by_start = [](const Entity& a, const Entity& b) { return a.start < b.start; };
  // A post's few entities are sorted in place (an insertion sort, stable): std::stable_sort
  // allocates a buffer for every call, one more allocation for every post written.
  constexpr size_t kSortInPlace = 32;
  if (entities.size() <= kSortInPlace) {
    for (auto it = entities.begin(); it != entities.end(); ++it) {
      std::rotate(std::upper_bound(entities.begin(), it, *it, by_start), it, it + 1);
    }
  } else {
    std::stable_sort(entities.begin(), entities.end(), by_start);
  }
  size_t kept = 0;
  for (size_t i = 0; i < entities.size(); ++i) {
    if (kept > 0 && entities[kept - 1].end > entities[i].start) continue;
    if (kept != i) entities[kept] = std::move(entities[i]);
    ++kept;
  }
  entities.resize(kept);
}

}  // namespace

Extractor::Extractor()
    : tlds_(std::shared_ptr<const TldSet>(&TldSet::Default(), [](const TldSet*) {})) {}

Extractor::Extractor(TldLists tlds) : tlds_(std::make_shared<const TldSet>(tlds)) {}

const Extractor& Extractor::Default() {
  static const Extractor* const kExtractor = new Extractor();
  return *kExtractor;
}

std::vector<Entity> Extractor::ExtractUrls(std::string_view text,
                                           const ExtractOptions& options) const {
  return ExtractUrls(CodePoints(text), options);
}

std::vector<Entity> Extractor::ExtractUrls(const CodePoints& cps,
                                           const ExtractOptions& options) const {
  std::vector<Entity> out;
  UrlScanner(cps, *tlds_).Scan(options.urls_without_protocol, out);
  return out;
}

std::vector<Entity> Extractor::ExtractMentionsOrLists(std::string_view text,
                                                      const ExtractOptions& options) const {
  std::vector<Entity> out;
  if (text.find('@') == std::string_view::npos && text.find("\xEF\xBC\xA0") == std::string_view::npos) {
    return out;
  }
  CodePoints cps(text);
  ScanMentions(cps, options, out);
  return out;
}

std::vector<Entity> Extractor::ExtractMentions(std::string_view text,
                                               const ExtractOptions& options) const {
  std::vector<Entity> out = ExtractMentionsOrLists(text, options);
  std::erase_if(out, [](const Entity& e) { return !e.list_slug.empty(); });
  return out;
}

std::optional<std::string> Extractor::ExtractReplyScreenName(std::string_view text,
                                                             const ExtractOptions& options) const {
  CodePoints cps(text);
  size_t i = 0;
  while (internal::IsSpace(cps[i])) ++i;
  if (!IsAtSign(cps[i])) return std::nullopt;
  MentionMatch m = MatchMentionAt(cps, i, options, false);
  if (m.name_end == 0 || !m.accepted) return std::nullopt;
  return std::string(cps.Slice(i + 1, m.name_end));
}

std::vector<Entity> Extractor::ExtractHashtags(std::string_view text,
                                               const ExtractOptions& options) const {
  std::vector<Entity> out;
  if (text.find('#') == std::string_view::npos && text.find("\xEF\xBC\x83") == std::string_view::npos) {
    return out;
  }
  CodePoints cps(text);
  ScanHashtags(cps, options, out);
  if (out.empty()) return out;
  std::vector<Entity> urls;
  UrlScanner(cps, *tlds_).Scan(options.urls_without_protocol, urls);
  if (urls.empty()) return out;
  out.insert(out.end(), std::make_move_iterator(urls.begin()), std::make_move_iterator(urls.end()));
  RemoveOverlaps(out);
  std::erase_if(out, [](const Entity& e) { return e.type != EntityType::kHashtag; });
  return out;
}

std::vector<Entity> Extractor::ExtractCashtags(std::string_view text,
                                               const ExtractOptions& options) const {
  std::vector<Entity> out;
  if (text.find('$') == std::string_view::npos) return out;
  CodePoints cps(text);
  ScanCashtags(cps, out);
  return out;
}

std::vector<Entity> Extractor::ExtractEntities(std::string_view text,
                                               const ExtractOptions& options) const {
  CodePoints cps(text);
  return ExtractEntities(cps, ExtractUrls(cps, options), options);
}

std::vector<Entity> Extractor::ExtractEntities(const CodePoints& cps, std::vector<Entity> urls,
                                               const ExtractOptions& options) const {
  std::vector<Entity> out = std::move(urls);
  ScanMentions(cps, options, out);
  ScanHashtags(cps, options, out);
  ScanCashtags(cps, out);
  RemoveOverlaps(out);
  return out;
}

}  // namespace plaza::text
