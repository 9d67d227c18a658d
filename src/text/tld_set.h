// TldSet: the top-level domains the URL extractor recognises, as data. twitter-text's grammar
// tries generic TLDs before country-code TLDs, and among TLDs that match at the same place the
// longest first; a TLD only matches when the next character is not [A-Za-z0-9@+-].
//
// The default set is generated at build time from the twitter-text conformance copy of tlds.yml
// (see gen_tlds.cmake); callers that load a newer list build their own TldSet from it.
// Immutable after construction and therefore safe to share between threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace plaza::text {

namespace internal {
class CodePoints;
}

struct TldLists {
  std::vector<std::string> generic;  // UTF-8, any case
  std::vector<std::string> country;
};

// The lists generated from tlds.yml at build time.
TldLists DefaultTldLists();

class TldSet {
 public:
  explicit TldSet(const TldLists& lists);

  // The process-wide set built from DefaultTldLists().
  static const TldSet& Default();

  size_t size() const { return count_; }

  // Length in code points of the TLD that matches at cps[pos] without reading at or past
  // `limit` (the end of the string as far as the lookahead is concerned), or 0. Includes
  // twitter-text's Punycode alternative "xn--[-0-9a-z]+".
  size_t MatchAt(const internal::CodePoints& cps, size_t pos, size_t limit) const;

  // True when `tld` (without the dot) is in the set.
  bool Contains(std::string_view tld) const;

 private:
  static constexpr uint8_t kGeneric = 1;
  static constexpr uint8_t kCountry = 2;

  void Add(std::string_view tld, uint8_t kind);
  uint32_t Child(uint32_t node, char32_t c) const;

  std::unordered_map<uint64_t, uint32_t> edges_;  // (node << 21 | folded code point) -> node
  std::vector<uint8_t> kinds_;                    // per node: kGeneric | kCountry bits
  size_t count_ = 0;
};

}  // namespace plaza::text
