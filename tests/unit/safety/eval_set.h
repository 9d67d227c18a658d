// The moderation evaluation set: the rule terms in data/eval_rules.txt, evasive variants of each
// generated deterministically with every trick the normalizer claims to defeat, and innocent
// texts (data/clean_*.txt, data/lookalikes.txt expanded into carrier sentences) that must not be
// flagged. Used by the safety_eval program and by EvalSetTest.
//
// Generation is deterministic: the random choices for a term are seeded from the term itself, so
// the same data gives the same set on every machine.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/status.h"
#include "safety/moderation_engine.h"
#include "safety/rules.h"

namespace plaza::safety::eval {

struct Variant {
  std::string text;     // the full line to check (variant inside a carrier sentence)
  std::string rule_id;  // the rule that must match it
  std::string term;     // the plain term
  std::string trick;    // which evasion produced it
};

struct EvalSet {
  RuleSet rules;
  std::vector<Variant> variants;
  std::vector<std::string> clean;
};

// Reads `data_dir`/{eval_rules.txt, clean_en.txt, clean_zh.txt, lookalikes.txt} and generates the
// set. Needs OpenCC's s2t.json for Traditional variants.
Result<EvalSet> BuildEvalSet(const std::string& data_dir);

struct TrickStats {
  size_t total = 0;
  size_t detected = 0;
};

struct EvalReport {
  size_t variants = 0;
  size_t detected = 0;
  size_t clean = 0;
  size_t false_positives = 0;
  std::map<std::string, TrickStats> by_trick;
  std::vector<const Variant*> misses;
  std::vector<std::string> false_positive_texts;  // "text  <- rule ids"

  double recall() const { return variants == 0 ? 0 : double(detected) / double(variants); }
  double fp_rate() const { return clean == 0 ? 0 : double(false_positives) / double(clean); }
};

// Checks every variant (detected = the intended rule matched) and every clean text (a false
// positive = any rule matched).
EvalReport Evaluate(const ModerationEngine& engine, const EvalSet& set);

}  // namespace plaza::safety::eval
