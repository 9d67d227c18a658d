#include "safety/rules.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

namespace plaza::safety {
namespace {

TEST(RulesTest, ParsesPlazaFormat) {
  auto r = ParseRules(R"(
# leading comment
plaza-rules 1
literal  spam-001  spam    reject  代开 发票
regex    spam-002  spam    review  boundary=never  v[i1]agra
literal  x.y:z-1   custom  label   boundary=always foo
literal  m1        abuse   mask    boundary=auto   boundary=x
allow    scunthorpe
)");
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->rules.size(), 4u);
  EXPECT_EQ(r->rules[0].id, "spam-001");
  EXPECT_EQ(r->rules[0].pattern, "代开 发票");
  EXPECT_EQ(r->rules[0].kind, RuleKind::kLiteral);
  EXPECT_EQ(r->rules[0].action, Action::kReject);
  EXPECT_EQ(r->rules[0].line, 4);
  EXPECT_EQ(r->rules[1].kind, RuleKind::kRegex);
  EXPECT_EQ(r->rules[1].word_boundary, WordBoundary::kNever);
  EXPECT_EQ(r->rules[1].pattern, "v[i1]agra");
  EXPECT_EQ(r->rules[2].word_boundary, WordBoundary::kAlways);
  EXPECT_EQ(r->rules[2].category, "custom");
  EXPECT_EQ(r->rules[3].pattern, "boundary=x");
  EXPECT_EQ(r->allow, std::vector<std::string>{"scunthorpe"});
}

TEST(RulesTest, PlazaFormatRoundTrips) {
  auto r = ParseRules("plaza-rules 1\nliteral a spam mask boundary=never x y\nregex b abuse "
                      "review a+\nliteral c custom label boundary=auto boundary=q\nallow ok\n");
  ASSERT_TRUE(r.ok()) << r.status().message();
  auto again = ParsePlazaRules(FormatPlazaRules(*r));
  ASSERT_TRUE(again.ok()) << again.status().message();
  ASSERT_EQ(again->rules.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(again->rules[i].id, r->rules[i].id);
    EXPECT_EQ(again->rules[i].pattern, r->rules[i].pattern);
    EXPECT_EQ(again->rules[i].kind, r->rules[i].kind);
    EXPECT_EQ(again->rules[i].action, r->rules[i].action);
    EXPECT_EQ(again->rules[i].word_boundary, r->rules[i].word_boundary);
  }
  EXPECT_EQ(again->allow, r->allow);
}

TEST(RulesTest, ParsesPlainFormat) {
  auto r = ParseRules("# keyword list\nreject 赌博  # gambling\n\nmask  fuck\r\nreview buy "
                      "followers\nallow scunthorpe\n");
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->rules.size(), 3u);
  EXPECT_EQ(r->rules[0].pattern, "赌博");
  EXPECT_EQ(r->rules[0].id, "line-2");
  EXPECT_EQ(r->rules[0].category, "custom");
  EXPECT_EQ(r->rules[1].pattern, "fuck");
  EXPECT_EQ(r->rules[1].action, Action::kMask);
  EXPECT_EQ(r->rules[2].pattern, "buy followers");
  EXPECT_EQ(r->allow, std::vector<std::string>{"scunthorpe"});
}

void ExpectLineError(std::string_view text, int line, std::string_view fragment = "") {
  auto r = ParseRules(text);
  ASSERT_FALSE(r.ok()) << text;
  const std::string& m = r.status().message();
  EXPECT_NE(m.find("line " + std::to_string(line) + ":"), std::string::npos) << m;
  if (!fragment.empty()) {
    EXPECT_NE(m.find(fragment), std::string::npos) << m;
  }
}

TEST(RulesTest, MalformedLinesNameTheLine) {
  ExpectLineError("plaza-rules 1\nliteral a spam reject x\nliteral b spam nuke y\n", 3, "nuke");
  ExpectLineError("plaza-rules 1\nword a spam reject x\n", 2, "unknown kind");
  ExpectLineError("plaza-rules 1\nliteral a spam reject\n", 2);
  ExpectLineError("plaza-rules 1\nliteral bad/id spam reject x\n", 2, "invalid rule id");
  ExpectLineError("plaza-rules 1\nliteral a SPAM reject x\n", 2, "invalid category");
  ExpectLineError("plaza-rules 1\nliteral a spam reject boundary=sometimes x\n", 2, "boundary");
  ExpectLineError("plaza-rules 1\nliteral a spam reject x\nliteral a spam reject y\n", 3,
                  "duplicate");
  ExpectLineError("plaza-rules 2\n", 1, "version");
  ExpectLineError("plaza-rules 1\nallow\n", 2);
  ExpectLineError("reject fine\nbanish term\n", 2, "unknown action");
  ExpectLineError("reject fine\nreject\n", 2, "ACTION TERM");
  ExpectLineError("reject fine\nreject bad\xff\n", 2, "UTF-8");
  ExpectLineError("# c\nplaza-rules 1\nliteral a spam allow x\n", 3);
}

TEST(RulesTest, LimitsAreEnforced) {
  RuleLimits limits;
  limits.max_rules = 2;
  auto r = ParseRules("reject a\nreject b\nreject c\n", limits);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kTooLarge);
  EXPECT_NE(r.status().message().find("line 3"), std::string::npos);
  limits = RuleLimits{};
  limits.max_pattern_bytes = 4;
  r = ParseRules("reject abcdef\n", limits);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kTooLarge);
  limits = RuleLimits{};
  limits.max_regexes = 1;
  r = ParseRules("plaza-rules 1\nregex a s reject x+\nregex b s reject y+\n", limits);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("line 3"), std::string::npos);
  limits = RuleLimits{};
  limits.max_file_bytes = 10;
  EXPECT_EQ(ParseRules("reject aaaaaaaaaaaaaaaaaaaa\n", limits).status().code(),
            StatusCode::kTooLarge);
}

TEST(RulesTest, LoadsFilesAndReportsMissingOnes) {
  std::string path = ::testing::TempDir() + "/rules_test_plain.txt";
  {
    std::ofstream f(path);
    f << "reject 赌博\n";
  }
  auto r = LoadRulesFile(path);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->rules.size(), 1u);
  std::remove(path.c_str());
  auto missing = LoadRulesFile(path);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace plaza::safety
