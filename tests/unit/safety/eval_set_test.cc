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

}  // namespace
}  // namespace plaza::safety::eval
