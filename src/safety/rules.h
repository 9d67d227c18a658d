// Moderation rules and the two text formats they are written in.
//
// A Rule is a literal term or a regular expression with a category and an action. Rule files are
// parsed into a RuleSet (rules plus an allow-list); parsing never partially succeeds: a malformed
// line makes the whole file fail with an error naming the line, so a running engine keeps its
// current set.
//
// Plaza rule format ("plaza-rules 1"). The first line that is neither blank nor a comment must be
// exactly `plaza-rules 1`. Then, one entry per line; blank lines and lines whose first
// non-blank character is `#` are ignored:
//
//   plaza-rules 1
//   # KIND    ID          CATEGORY  ACTION  [boundary=auto|always|never]  PATTERN
//   literal   spam-001    spam      reject  代开发票
//   literal   abuse-007   abuse     mask    fuck
//   literal   spam-002    spam      review  buy followers
//   regex     spam-003    spam      review  boundary=never  v[i1]agra[0-9]*
//   allow     scunthorpe
//
//   KIND      `literal` or `regex`; or `allow` followed by a term (the allow-list, see below).
//   ID        unique, 1..64 characters of [A-Za-z0-9._:-].
//   CATEGORY  1..32 characters of [a-z0-9_-] (spam, abuse, illegal, custom, ...).
//   ACTION    reject | review | label | mask (strongest first).
//   boundary  optional; default `auto`: a match that begins (ends) with a letter of a spaced
//             script must begin (end) at a word boundary of the original text; `always` also
//             demands a boundary next to CJK ends; `never` matches anywhere.
//   PATTERN   the rest of the line, leading/trailing blanks trimmed; may contain spaces.
//             Literal terms are normalized like the text (see normalizer.h). Regular expressions
//             (Vectorscan/PCRE syntax) run against the normalized text: lower case, Simplified
//             Chinese, separators removed, "l" folded to "i"; letters written in the pattern
//             outside escapes are mapped the same way.
//
// Plain format: any file whose first meaningful line is not the header. One `ACTION TERM` per
// line (ACTION as above, or `allow` to add TERM to the allow-list); `#` starts a comment anywhere
// on a line. Rules get ids `line-N` and category `custom`.
//
// Allow-list: a rule match that lies entirely inside an occurrence of an allow-listed term (after
// normalization, no boundary rule) is ignored.
//
// Thread-safety: plain values; the functions are pure.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace plaza::safety {

// Ordered by strength: a text matched by several rules gets the largest.
enum class Action : uint8_t { kAllow = 0, kMask, kLabel, kReview, kReject };
enum class RuleKind : uint8_t { kLiteral, kRegex };
enum class WordBoundary : uint8_t { kAuto, kAlways, kNever };

std::string_view ActionName(Action a);
Result<Action> ParseAction(std::string_view name);  // not "allow": that is not a rule action

struct Rule {
  std::string id;
  std::string pattern;
  RuleKind kind = RuleKind::kLiteral;
  std::string category = "custom";
  Action action = Action::kReject;
  WordBoundary word_boundary = WordBoundary::kAuto;
  int line = 0;  // line in the source file, 0 when built in code
};

struct RuleSet {
  std::vector<Rule> rules;
  std::vector<std::string> allow;
};

// Guards against rule sets that would be too large or too slow to compile. Vectorscan compiles
// cannot be interrupted, so sets are checked against these before compiling.
struct RuleLimits {
  size_t max_rules = 100'000;  // compiling 100,000 literals into Vectorscan: ~50 s of CPU here
  size_t max_allow = 100'000;
  size_t max_pattern_bytes = 512;
  size_t max_total_bytes = 16 << 20;
  size_t max_regexes = 2'000;
  size_t max_file_bytes = 64 << 20;
};

// Detects the format from the first meaningful line and parses it.
Result<RuleSet> ParseRules(std::string_view text, const RuleLimits& limits = {});
Result<RuleSet> ParsePlazaRules(std::string_view text, const RuleLimits& limits = {});
Result<RuleSet> ParsePlainRules(std::string_view text, const RuleLimits& limits = {});
Result<RuleSet> LoadRulesFile(const std::string& path, const RuleLimits& limits = {});

// Checks counts and sizes, ids, categories; the error names the rule's line when it has one.
Status ValidateRuleSet(const RuleSet& set, const RuleLimits& limits);

// Writes `set` in the Plaza format (round-trips through ParsePlazaRules).
std::string FormatPlazaRules(const RuleSet& set);

}  // namespace plaza::safety
