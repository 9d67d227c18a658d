// The quality goals of the moderation engine, asserted on the evaluation set: recall >= 99% on
// evasive variants, false positives <= 0.1% on innocent texts.
#include <gtest/gtest.h>

#include "eval_set.h"

namespace plaza::safety::eval {
namespace {

class EvalSetTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto set = BuildEvalSet(PLAZA_SAFETY_EVAL_DIR);
    ASSERT_TRUE(set.ok()) << set.status().message();
    auto engine = ModerationEngine::Create();
    ASSERT_TRUE(engine.ok()) << engine.status().message();
    ASSERT_TRUE((*engine)->Replace(set->rules).ok());
    report_ = new EvalReport(Evaluate(**engine, *set));
    set_ = new EvalSet(std::move(*set));
  }
  static EvalSet* set_;
  static EvalReport* report_;
};

EvalSet* EvalSetTest::set_ = nullptr;
EvalReport* EvalSetTest::report_ = nullptr;

TEST_F(EvalSetTest, SetIsLargeAndCoversEveryTrick) {
  ASSERT_NE(report_, nullptr);
  EXPECT_GE(set_->rules.rules.size(), 300u);
  EXPECT_GE(report_->variants, 4000u);
  EXPECT_GE(report_->clean, 4000u);
  for (const char* trick :
       {"plain", "spaces", "symbols", "symbol_once", "zero_width", "fullwidth", "upper",
        "mixed_case", "homoglyph", "leet", "accents", "math_letters", "traditional",
        "emoji_between", "traditional+symbols", "homoglyph+zero_width", "leet+mixed_case"}) {
    EXPECT_GE(report_->by_trick[trick].total, 20u) << trick;
  }
}

TEST_F(EvalSetTest, RecallOnEvasiveVariantsIsAtLeast99Percent) {
  ASSERT_NE(report_, nullptr);
  std::string misses;
  for (size_t i = 0; i < report_->misses.size() && i < 20; ++i) {
    misses += "\n  [" + report_->misses[i]->trick + "] " + report_->misses[i]->text;
  }
  EXPECT_GE(report_->recall(), 0.99) << report_->detected << "/" << report_->variants << misses;
}

TEST_F(EvalSetTest, FalsePositiveRateOnCleanTextIsAtMostOneInAThousand) {
  ASSERT_NE(report_, nullptr);
  std::string fps;
  for (size_t i = 0; i < report_->false_positive_texts.size() && i < 20; ++i) {
    fps += "\n  " + report_->false_positive_texts[i];
  }
  EXPECT_LE(report_->fp_rate(), 0.001) << report_->false_positives << "/" << report_->clean << fps;
}

// The word-start index (CompileOptions) replaces Vectorscan for most Latin literals; verdicts
// must not change. Compared on every text of the set and on texts that splice rule terms into
// each other with separators, digits, case changes and CJK between or around them (so matches
// start inside words, at word starts, across spaced-out runs and at the ends of the text).
TEST_F(EvalSetTest, WordStartIndexGivesTheSameVerdictsAsVectorscanAlone) {
  ASSERT_NE(set_, nullptr);
  EngineOptions plain_options;
  plain_options.compile.word_start_index = false;
  auto indexed = ModerationEngine::Create();
  auto plain = ModerationEngine::Create(plain_options);
  ASSERT_TRUE(indexed.ok() && plain.ok());
  ASSERT_TRUE((*indexed)->Replace(set_->rules).ok());
  ASSERT_TRUE((*plain)->Replace(set_->rules).ok());

  std::vector<std::string> texts = set_->clean;
  for (const Variant& v : set_->variants) texts.push_back(v.text);
  uint64_t state = 12345;
  auto below = [&](size_t n) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<size_t>((state >> 33) % n);
  };
  static const char* const kGlue[] = {"",   " ", ".",      "  ", "-",  "1", "2024",
                                      "中", "x", "\u200B", "@",  "ab", "$", " a "};
  const auto& rules = set_->rules.rules;
  for (int t = 0; t < 20000; ++t) {
    std::string text;
    const size_t parts = 1 + below(5);
    for (size_t p = 0; p < parts; ++p) {
      std::string term = rules[below(rules.size())].pattern;
      if (below(4) == 0) term = term.substr(0, 1 + below(term.size()));  // may cut UTF-8
      if (below(5) == 0) {
        for (char& ch : term) {
          if (ch >= 'a' && ch <= 'z' && below(3) == 0) ch = static_cast<char>(ch - 'a' + 'A');
        }
      }
      if (below(4) == 0) {
        std::string spaced;
        for (char ch : term) {
          spaced += ch;
          if (static_cast<unsigned char>(ch) < 0x80) spaced += ' ';
        }
        term = spaced;
      }
      text += kGlue[below(sizeof(kGlue) / sizeof(kGlue[0]))];
      text += term;
    }
    texts.push_back(std::move(text));
  }
  size_t flagged = 0;
  for (const std::string& text : texts) {
    auto a = (*indexed)->Check(text);
    auto b = (*plain)->Check(text);
    ASSERT_EQ(a.ok(), b.ok()) << text;
    if (!a.ok()) continue;
    ASSERT_EQ(a->action, b->action) << text;
    ASSERT_EQ(a->rules, b->rules) << text;
    ASSERT_EQ(a->matches.size(), b->matches.size()) << text;
    for (size_t m = 0; m < a->matches.size(); ++m) {
      ASSERT_EQ(a->matches[m].begin, b->matches[m].begin) << text;
      ASSERT_EQ(a->matches[m].end, b->matches[m].end) << text;
      ASSERT_EQ(a->matches[m].rule, b->matches[m].rule) << text;
    }
    flagged += !a->allowed();
  }
  EXPECT_GT(flagged, texts.size() / 4);  // the comparison is not only over allowed texts
}

}  // namespace
}  // namespace plaza::safety::eval
