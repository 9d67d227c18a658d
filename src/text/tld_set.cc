#include "text/tld_set.h"

#include "text/unicode.h"

namespace plaza::text {

using internal::CodePoints;
using internal::FoldCase;

namespace {
constexpr uint32_t kNone = UINT32_MAX;

bool BlocksTld(char32_t c) {
  return internal::IsAsciiAlnum(c) || c == '@' || c == '+' || c == '-';
}
}  // namespace

TldSet::TldSet(const TldLists& lists) {
  kinds_.push_back(0);
  for (const auto& t : lists.generic) Add(t, kGeneric);
  for (const auto& t : lists.country) Add(t, kCountry);
}

const TldSet& TldSet::Default() {
  static const TldSet* const kSet = new TldSet(DefaultTldLists());
  return *kSet;
}

void TldSet::Add(std::string_view tld, uint8_t kind) {
  CodePoints cps(tld);
  if (cps.size() == 0) return;
  uint32_t node = 0;
  for (size_t i = 0; i < cps.size(); ++i) {
    uint64_t key = (static_cast<uint64_t>(node) << 21) | FoldCase(cps[i]);
    auto it = edges_.find(key);
    if (it == edges_.end()) {
      uint32_t next = static_cast<uint32_t>(kinds_.size());
      kinds_.push_back(0);
      edges_.emplace(key, next);
      node = next;
    } else {
      node = it->second;
    }
  }
  if (kinds_[node] == 0) ++count_;
  kinds_[node] |= kind;
}

uint32_t TldSet::Child(uint32_t node, char32_t c) const {
  auto it = edges_.find((static_cast<uint64_t>(node) << 21) | FoldCase(c));
  return it == edges_.end() ? kNone : it->second;
}

size_t TldSet::MatchAt(const CodePoints& cps, size_t pos, size_t limit) const {
  size_t best_generic = 0, best_country = 0;
  uint32_t node = 0;
  for (size_t i = pos; i < limit; ++i) {
    node = Child(node, cps[i]);
    if (node == kNone) break;
    uint8_t kind = kinds_[node];
    if (kind != 0 && (i + 1 >= limit || !BlocksTld(cps[i + 1]))) {
      if (kind & kGeneric) best_generic = i + 1 - pos;
      if (kind & kCountry) best_country = i + 1 - pos;
    }
  }
  if (best_generic > 0) return best_generic;
  if (best_country > 0) return best_country;
  // Punycode: xn--[-0-9a-z]+ (no lookahead).
  if (pos + 4 < limit && internal::AsciiLower(cps[pos]) == 'x' &&
      internal::AsciiLower(cps[pos + 1]) == 'n' && cps[pos + 2] == '-' && cps[pos + 3] == '-') {
    size_t j = pos + 4;
    while (j < limit && (internal::IsAsciiAlnum(cps[j]) || cps[j] == '-')) ++j;
    if (j > pos + 4) return j - pos;
  }
  return 0;
}

bool TldSet::Contains(std::string_view tld) const {
  CodePoints cps(tld);
  uint32_t node = 0;
  for (size_t i = 0; i < cps.size(); ++i) {
    node = Child(node, cps[i]);
    if (node == kNone) return false;
  }
  return cps.size() > 0 && kinds_[node] != 0;
}

}  // namespace plaza::text
