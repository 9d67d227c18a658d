// ModerationEngine: checks text against a hot-swappable set of moderation rules.
//
// A RuleSet (rules.h) is compiled into an immutable CompiledRules, once per rule-set version:
// every literal rule and allow-list term is normalized (normalizer.h). Literal rules that begin
// with a word character, have a word boundary and are at least four canonical bytes long go
// into a word-start index (CompileOptions): an accepted match of theirs can only begin where a
// word begins, so they are looked up there by their first four bytes. All other literals and
// the allow-list go into ONE Vectorscan literal database (hs_compile_lit_multi; a literal's
// start is end − length, so no start-of-match tracking is needed). Regular-expression rules,
// when a set has any, go into a second database (UTF-8/UCP mode, leftmost start-of-match)
// scanned over the same normalized bytes, but only when the text contains the literal one of
// them begins with (kept in the literal database) or when some regex begins with none; the
// literal API cannot hold regexes, and literals need neither escaping nor start-of-match
// tracking. Compiling into Vectorscan is slow for large sets (measured on the shared 2-core
// machine: 10,000 literals ~2.7 s CPU, 100,000 ~52 s CPU; the bench's generated 100,000-rule set,
// half of it in the word-start index, ~9 s); it happens beside the running set. A check:
//   1. refuses text that is not valid UTF-8 (Status kInvalid, "invalid UTF-8"), checked while
//   2. normalizing it (one pass, table driven, fast paths for ASCII and common CJK) keeping each
//      canonical character's original byte range;
//   3. scans the canonical bytes with a per-thread Vectorscan scratch (the regex database only
//      when its gate opened), and looks up the word-start index at each word start;
//   4. keeps a match only if it passes the rule's word-boundary test (see normalizer.h for the
//      Scunthorpe design) and does not lie inside an allow-listed term;
//   5. returns the strongest action (reject > review > label > mask > allow), the matched rules
//      and the match spans in ORIGINAL byte offsets.
//
// Hot swap: the engine holds a std::atomic<std::shared_ptr<const CompiledRules>>. Replace()
// compiles the new set off to the side and publishes it with one atomic store; a check takes one
// snapshot at its start and uses only that, so every verdict comes from exactly one rule set
// (Verdict::rule_set keeps the snapshot alive). If compiling fails, the running set stays.
//
// Thread-safety: Check() and Mask() may run concurrently from any number of threads, also while
// Replace() runs. Replace() calls are serialized internally.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "safety/normalizer.h"
#include "safety/rules.h"

namespace plaza::safety {

class CompiledRules;

struct MatchSpan {
  uint32_t begin = 0;  // byte offsets in the original text, end exclusive
  uint32_t end = 0;
  uint32_t rule = 0;   // index into CompiledRules::rule()
};

struct Verdict {
  Action action = Action::kAllow;
  std::vector<uint32_t> rules;     // distinct matched rule indices, in order of first match
  std::vector<MatchSpan> matches;  // accepted matches sorted by (begin, end, rule)
  std::shared_ptr<const CompiledRules> rule_set;  // the snapshot that produced this verdict

  bool allowed() const { return action == Action::kAllow; }
  // REQUIRES: i < rules.size().
  const Rule& rule(size_t i) const;
};

// Replaces every span matched by a rule whose action is at least `min_action` (default: mask,
// i.e. every match) with `replacement`; overlapping or touching spans are masked once.
// REQUIRES: `verdict` was produced by checking exactly `text`.
std::string Mask(std::string_view text, const Verdict& verdict,
                 std::string_view replacement = "***", Action min_action = Action::kMask);

// How a rule set is compiled. The defaults are what production uses; the switch exists so tests
// can compare the two ways of finding the same matches.
struct CompileOptions {
  // Literal rules that begin with a word character, have a word boundary (auto/always) and are
  // at least four canonical bytes long can only be accepted where a word starts. They are kept
  // out of the Vectorscan database and looked up by their first four bytes at each word start
  // of the text instead, which Vectorscan cannot do: it must consider every position inside
  // every word. Off: every literal goes to Vectorscan. Verdicts are the same either way.
  bool word_start_index = true;
};

// One compiled, immutable rule-set version.
class CompiledRules {
 public:
  // Compiles `set`. Fails (kInvalid/kTooLarge, message naming the rule's line) when a rule is
  // malformed, normalizes to nothing, or the set exceeds `limits`.
  static Result<std::shared_ptr<const CompiledRules>> Compile(
      const RuleSet& set, std::shared_ptr<const Normalizer> normalizer,
      const RuleLimits& limits = {}, const CompileOptions& options = {});

  ~CompiledRules();
  CompiledRules(const CompiledRules&) = delete;
  CompiledRules& operator=(const CompiledRules&) = delete;

  // Checks `text` against this set. Fails with kInvalid on invalid UTF-8 and kTooLarge on text
  // over 16 MiB. `self` must own this object (it is moved into the verdict).
  static Result<Verdict> Check(std::shared_ptr<const CompiledRules> self, std::string_view text);

  size_t size() const { return rules_.size(); }
  const Rule& rule(size_t i) const { return rules_[i]; }
  uint64_t version() const { return version_; }  // unique per compiled set in this process
  double compile_ms() const { return compile_ms_; }
  const Normalizer& normalizer() const { return *normalizer_; }

  struct Meta;  // per-rule matching data; defined in moderation_engine.cc

 private:
  CompiledRules();

  std::shared_ptr<const Normalizer> normalizer_;
  std::vector<Rule> rules_;
  std::vector<Meta> meta_;  // rules_ then allow-list terms
  std::vector<uint16_t> inner_boundaries_;
  struct Database;
  std::unique_ptr<Database> db_;
  struct WordStartIndex;
  std::unique_ptr<WordStartIndex> word_index_;
  uint64_t version_ = 0;
  double compile_ms_ = 0;
};

struct EngineOptions {
  NormalizerOptions normalizer;
  RuleLimits limits;
  CompileOptions compile;
};

class ModerationEngine {
 public:
  // Builds the normalizer (loads OpenCC once) and starts with an empty rule set.
  static Result<std::unique_ptr<ModerationEngine>> Create(const EngineOptions& options = {});

  // Compiles `set` and swaps it in. On failure the running set is kept and the error returned.
  Status Replace(const RuleSet& set);
  // Parses rules in either format (auto-detected) and swaps them in.
  Status ReplaceFromText(std::string_view text);
  Status ReplaceFromFile(const std::string& path);

  // Checks one text against the current rule set snapshot.
  Result<Verdict> Check(std::string_view text) const;

  std::shared_ptr<const CompiledRules> rules() const { return current_.load(); }
  const Normalizer& normalizer() const { return *normalizer_; }
  const RuleLimits& limits() const { return options_.limits; }

 private:
  ModerationEngine(EngineOptions options, std::shared_ptr<const Normalizer> normalizer);

  // Set at construction.
  const EngineOptions options_;
  const std::shared_ptr<const Normalizer> normalizer_;

  std::mutex replace_mu_;  // serializes Replace()
  std::atomic<std::shared_ptr<const CompiledRules>> current_;
};

}  // namespace plaza::safety
