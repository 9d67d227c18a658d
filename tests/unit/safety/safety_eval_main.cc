// safety_eval: prints recall on the evasive variants and the false-positive rate on innocent
// texts of the moderation evaluation set.
//
//   safety_eval [--data DIR] [--show N] [--dump-variants FILE] [--dump-clean FILE]
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>

#include "eval_set.h"

int main(int argc, char** argv) {
  std::string data = PLAZA_SAFETY_EVAL_DIR;
  size_t show = 20;
  std::string dump_variants;
  std::string dump_clean;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--data") == 0) data = argv[i + 1];
    if (std::strcmp(argv[i], "--show") == 0) show = std::strtoul(argv[i + 1], nullptr, 10);
    if (std::strcmp(argv[i], "--dump-variants") == 0) dump_variants = argv[i + 1];
    if (std::strcmp(argv[i], "--dump-clean") == 0) dump_clean = argv[i + 1];
  }
  using namespace plaza::safety;
  auto set = eval::BuildEvalSet(data);
  if (!set.ok()) {
    std::cerr << set.status().message() << '\n';
    return 1;
  }
  auto engine = ModerationEngine::Create();
  if (!engine.ok()) {
    std::cerr << engine.status().message() << '\n';
    return 1;
  }
  if (auto st = (*engine)->Replace(set->rules); !st.ok()) {
    std::cerr << st.message() << '\n';
    return 1;
  }
  if (!dump_variants.empty()) {
    std::ofstream f(dump_variants);
    for (const auto& v : set->variants) f << v.rule_id << '\t' << v.trick << '\t' << v.text << '\n';
  }
  if (!dump_clean.empty()) {
    std::ofstream f(dump_clean);
    for (const auto& c : set->clean) f << c << '\n';
  }
  eval::EvalReport r = eval::Evaluate(**engine, *set);
  std::printf("rules: %zu (allow-list %zu)\n", set->rules.rules.size(), set->rules.allow.size());
  std::printf("recall on variants: %zu / %zu = %.3f%%\n", r.detected, r.variants,
              100.0 * r.recall());
  std::printf("false positives on clean texts: %zu / %zu = %.3f%%\n", r.false_positives, r.clean,
              100.0 * r.fp_rate());
  std::printf("\nby trick:\n");
  for (const auto& [trick, ts] : r.by_trick) {
    std::printf("  %-28s %5zu / %5zu  %.1f%%\n", trick.c_str(), ts.detected, ts.total,
                ts.total ? 100.0 * ts.detected / ts.total : 0.0);
  }
  if (!r.misses.empty()) std::printf("\nmissed variants (first %zu):\n", show);
  for (size_t i = 0; i < r.misses.size() && i < show; ++i) {
    std::printf("  [%s] %s  (%s)\n", r.misses[i]->trick.c_str(), r.misses[i]->text.c_str(),
                r.misses[i]->rule_id.c_str());
  }
  if (!r.false_positive_texts.empty()) std::printf("\nfalse positives (first %zu):\n", show);
  for (size_t i = 0; i < r.false_positive_texts.size() && i < show; ++i) {
    std::printf("  %s\n", r.false_positive_texts[i].c_str());
  }
  return 0;
}
