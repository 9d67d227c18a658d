#include "text/weighted_length.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace plaza::text {
namespace {

std::string Repeat(const std::string& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

TEST(WeightedLengthTest, MixedChineseAndEnglish) {
  ParseResult r = ParseTweet("Hello世界");
  EXPECT_EQ(r.weighted_length, 5 + 2 * 2);
  EXPECT_TRUE(r.valid);
  EXPECT_EQ(WeiboLength("Hello世界").length, 5);  // 4.5 rounded up
  EXPECT_EQ(WeiboLength("春节快乐 happy new year").length, 4 + 8);  // 4 + 15/2 rounded up
}

TEST(WeightedLengthTest, WeiboLimitIs140ChineseOr280Latin) {
  EXPECT_TRUE(WeiboLength(Repeat("中", 140)).valid);
  EXPECT_FALSE(WeiboLength(Repeat("中", 141)).valid);
  EXPECT_EQ(WeiboLength(Repeat("中", 141)).length, 141);
  EXPECT_TRUE(WeiboLength(Repeat("a", 280)).valid);
  EXPECT_FALSE(WeiboLength(Repeat("a", 281)).valid);
  EXPECT_TRUE(WeiboLength(Repeat("中", 139) + "ab").valid);
  EXPECT_FALSE(WeiboLength(Repeat("中", 139) + "abc").valid);
}

TEST(WeightedLengthTest, WeiboLimitIsConfigurable) {
  EXPECT_TRUE(WeiboLength(Repeat("中", 10), 10).valid);
  EXPECT_FALSE(WeiboLength(Repeat("中", 11), 10).valid);
  EXPECT_TRUE(WeiboLength(Repeat("中", 2000), 2000).valid);
}

TEST(WeightedLengthTest, UrlsCountAsFixedLength) {
  std::string url = "https://example.com/" + Repeat("x", 200);
  EXPECT_EQ(ParseTweet(url).weighted_length, 23);
  EXPECT_EQ(WeiboLength("看" + url).length, 1 + 12);  // (2 + 23) / 2 rounded up
  EXPECT_EQ(ParseTweet("see 例子.com").weighted_length, 4 + 2 + 2 + 4);  // no ASCII domain
}

TEST(WeightedLengthTest, EmptyAndWhitespaceAreInvalid) {
  EXPECT_FALSE(ParseTweet("").valid);
  EXPECT_FALSE(WeiboLength("").valid);
  EXPECT_FALSE(WeiboLength(" \n\t　").valid);
  EXPECT_FALSE(IsValidTweet(""));
}

TEST(WeightedLengthTest, InvalidCharactersMakeTextInvalid) {
  ParseResult r = ParseTweet("abc\xEF\xBB\xBF" "def");  // U+FEFF
  EXPECT_TRUE(r.has_invalid_characters);
  EXPECT_FALSE(r.valid);
  EXPECT_FALSE(WeiboLength("abc\xEF\xBF\xBF").valid);  // U+FFFF
}

TEST(WeightedLengthTest, MalformedUtf8NeverCrashes) {
  for (const std::string& s : {std::string("\xff\xff\xff"), std::string("a\xe4\xb8"),
                               std::string("\xf0\x9f\x98", 3), std::string("\0\0", 2)}) {
    ParseResult r = ParseTweet(s);
    EXPECT_GE(r.weighted_length, 0);
    WeiboLength(s);
  }
}

TEST(WeightedLengthTest, EmojiSequencesCountOnceWithV3) {
  EXPECT_EQ(ParseTweet("👨‍👩‍👧‍👦").weighted_length, 2);
  EXPECT_EQ(ParseTweet("👍🏽").weighted_length, 2);
  EXPECT_EQ(ParseTweet("🇨🇳").weighted_length, 2);
}

TEST(WeightConfigTest, ParsesConfigJson) {
  auto c = WeightConfig::FromJson(R"({"version": 2, "maxWeightedTweetLength": 280, "scale": 100,
      "defaultWeight": 200, "transformedURLLength": 23,
      "ranges": [{"start": 0, "end": 4351, "weight": 100}]})");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->version, 2);
  EXPECT_FALSE(c->emoji_parsing_enabled);
  ASSERT_EQ(c->ranges.size(), 1u);
  EXPECT_EQ(c->ranges[0].end, 4351u);
  EXPECT_EQ(ParseTweet("👍🏽", *c).weighted_length, 4);  // no emoji parsing in v2
}

TEST(WeightConfigTest, RejectsBadJson) {
  EXPECT_FALSE(WeightConfig::FromJson("").ok());
  EXPECT_FALSE(WeightConfig::FromJson("{").ok());
  EXPECT_FALSE(WeightConfig::FromJson("[1,2]").ok());
  EXPECT_FALSE(WeightConfig::FromJson(R"({"version": 3})").ok());
  EXPECT_FALSE(WeightConfig::FromJson(R"({"version": 1, "maxWeightedTweetLength": 140,
      "scale": 0, "defaultWeight": 1, "transformedURLLength": 23})").ok());
  EXPECT_FALSE(WeightConfig::FromJson(R"({"version": 1, "maxWeightedTweetLength": 140,
      "scale": 1, "defaultWeight": 1, "transformedURLLength": 23,
      "ranges": [{"start": 5, "end": 1, "weight": 1}]})").ok());
  EXPECT_EQ(WeightConfig::FromJson("{} x").status().code(), StatusCode::kInvalid);
}

TEST(WeightConfigTest, BuiltInV3) {
  const WeightConfig& v3 = WeightConfig::V3();
  EXPECT_EQ(v3.version, 3);
  EXPECT_EQ(v3.max_weighted_tweet_length, 280);
  EXPECT_TRUE(v3.emoji_parsing_enabled);
  EXPECT_EQ(v3.ranges.size(), 4u);
}

// What a post asks for at once (ParseTweet and WeiboLength with the entities) is exactly what
// the separate calls give, whether the one decoding serves both (NFC text) or not.
TEST(WeightedLengthTest, LengthWithEntitiesIsLengthAndExtractEntities) {
  const std::vector<std::string> texts = {
      "",
      "plain ascii",
      "see example.com and https://t.co/abc?x=1 now",
      "春节快乐 @小明 看 #春晚 直播# 和 #topic http://weibo.com/123 好",
      "caf\u00e9 versus cafe\xcc\x81 @bob #tag example.org",  // precomposed, then decomposed (not
                                                              // NFC)
      "emoji \xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9 $TWTR @user/list-1 #hash",
      "\xef\xbc\xa0"
      "fullwidth \xef\xbc\x83tag ftp://nope.example www.example.com/path",
      "bad \xff\xfe utf8 @x example.com",
      "zero\xef\xbb\xbfwidth no-break @y",
      "链接紧贴中文example.com中文 和https://例子.测试/路径",
      Repeat("中", 150) + " @tail example.net",
  };
  for (const std::string& text : texts) {
    for (bool without_protocol : {true, false}) {
      for (bool weibo : {true, false}) {
        ExtractOptions options;
        options.urls_without_protocol = without_protocol;
        options.weibo_extensions = weibo;
        const Extractor& x = Extractor::Default();
        std::vector<Entity> entities;
        ParseResult both = ParseTweet(text, WeightConfig::V3(), x, options, entities);
        ParseResult alone = ParseTweet(text, WeightConfig::V3(), x);
        EXPECT_EQ(both.scaled_weight, alone.scaled_weight) << text;
        EXPECT_EQ(both.valid, alone.valid) << text;
        EXPECT_EQ(both.valid_range_end, alone.valid_range_end) << text;
        EXPECT_EQ(both.display_range_end, alone.display_range_end) << text;
        EXPECT_EQ(both.has_invalid_characters, alone.has_invalid_characters) << text;
        EXPECT_EQ(entities, x.ExtractEntities(text, options))
            << text << " without_protocol=" << without_protocol << " weibo=" << weibo;
        std::vector<Entity> again;
        WeiboLengthResult w = WeiboLength(text, 140, WeightConfig::V3(), x, options, again);
        EXPECT_EQ(w.length, WeiboLength(text).length) << text;
        EXPECT_EQ(w.valid, WeiboLength(text).valid) << text;
        EXPECT_EQ(again, entities) << text;
      }
    }
  }
}

}  // namespace
}  // namespace plaza::text
