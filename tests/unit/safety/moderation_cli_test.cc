#include "safety/moderation_cli.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>

namespace plaza::safety {
namespace {

std::string WriteTemp(const std::string& name, const std::string& content) {
  std::string path = ::testing::TempDir() + "/" + name;
  std::ofstream f(path, std::ios::binary);
  f << content;
  return path;
}

TEST(ModerationCliTest, WritesOneJsonObjectPerLine) {
  std::string rules = WriteTemp("cli_plain.txt", "reject 赌博\nmask fuck\n# comment\n");
  std::istringstream in("hello\nI said f.u.c.k\n去賭 博吧\r\nbad \xff line\n\n");
  std::ostringstream out;
  std::ostringstream err;
  int rc = RunModerationCheck(rules, in, out, err);
  EXPECT_EQ(rc, 0) << err.str();
  EXPECT_EQ(out.str(),
            "{\"action\":\"allow\",\"rules\":[],\"matches\":[]}\n"
            "{\"action\":\"mask\",\"rules\":[\"line-2\"],\"matches\":[[7,14]]}\n"
            "{\"action\":\"reject\",\"rules\":[\"line-1\"],\"matches\":[[3,10]]}\n"
            "{\"error\":\"invalid UTF-8\"}\n"
            "{\"action\":\"allow\",\"rules\":[],\"matches\":[]}\n");
  std::remove(rules.c_str());
}

TEST(ModerationCliTest, ReadsPlazaFormat) {
  std::string rules = WriteTemp("cli_plaza.txt",
                                "plaza-rules 1\nliteral spam-1 spam review buy followers\n"
                                "literal abuse-1 abuse label idiot\n");
  std::istringstream in("BUY followers, you idiot\n");
  std::ostringstream out;
  std::ostringstream err;
  EXPECT_EQ(RunModerationCheck(rules, in, out, err), 0) << err.str();
  EXPECT_EQ(out.str(),
            "{\"action\":\"review\",\"rules\":[\"spam-1\",\"abuse-1\"],"
            "\"matches\":[[0,13],[19,24]]}\n");
  std::remove(rules.c_str());
}

TEST(ModerationCliTest, BadRulesFileFailsWithLineNumber) {
  std::string rules = WriteTemp("cli_bad.txt", "reject ok\nexplode this\n");
  std::istringstream in("text\n");
  std::ostringstream out;
  std::ostringstream err;
  EXPECT_EQ(RunModerationCheck(rules, in, out, err), 2);
  EXPECT_NE(err.str().find("line 2"), std::string::npos) << err.str();
  EXPECT_EQ(out.str(), "");
  EXPECT_EQ(RunModerationCheck("/nonexistent/rules.txt", in, out, err), 2);
  std::remove(rules.c_str());
}

}  // namespace
}  // namespace plaza::safety
