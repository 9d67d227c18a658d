#include "text/extractor.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace plaza::text {
namespace {

ExtractOptions Weibo() { return ExtractOptions{}; }
ExtractOptions Compat() {
  ExtractOptions o;
  o.weibo_extensions = false;
  return o;
}

std::vector<std::string> Values(const std::vector<Entity>& es) {
  std::vector<std::string> out;
  for (const auto& e : es) out.push_back(e.value);
  return out;
}

const Extractor& X() { return Extractor::Default(); }

TEST(ExtractorTest, TopicWithSpacesAndCjk) {
  auto tags = X().ExtractHashtags("大家 #春节 快乐# 见", Weibo());
  ASSERT_EQ(tags.size(), 1u);
  EXPECT_EQ(tags[0].value, "春节 快乐");
  EXPECT_TRUE(tags[0].topic);
  EXPECT_EQ(tags[0].start, 3u);  // code points
  EXPECT_EQ(tags[0].end, 10u);   // covers the closing '#'
  EXPECT_EQ(tags[0].byte_start, 7u);
  EXPECT_EQ(tags[0].byte_end, 7u + 1 + 6 + 1 + 6 + 1);
}

TEST(ExtractorTest, TopicDirectlyAfterChineseText) {
  EXPECT_EQ(Values(X().ExtractHashtags("今天#春节#快乐", Weibo())),
            std::vector<std::string>{"春节"});
  // Twitter's rule needs a boundary before '#' and rejects a tag followed by '#'.
  EXPECT_TRUE(X().ExtractHashtags("今天#春节#快乐", Compat()).empty());
}

TEST(ExtractorTest, TopicStopsAtNewlineAndLength) {
  EXPECT_EQ(Values(X().ExtractHashtags("#第一行\n第二行#", Weibo())),
            std::vector<std::string>{"第一行"});  // falls back to an ordinary hashtag
  ExtractOptions short_topics = Weibo();
  short_topics.max_topic_length = 4;
  EXPECT_EQ(Values(X().ExtractHashtags("#一二三四# #一二三四五#", short_topics)),
            (std::vector<std::string>{"一二三四"}));
}

TEST(ExtractorTest, HashtagsSeparatedBySpacesAreNotATopic) {
  EXPECT_EQ(Values(X().ExtractHashtags("I like #cats and #dogs", Weibo())),
            (std::vector<std::string>{"cats", "dogs"}));
  EXPECT_EQ(Values(X().ExtractHashtags("#tag1 #tag2#", Weibo())),
            (std::vector<std::string>{"tag1", "tag2"}));
  auto tags = X().ExtractHashtags("#tag1 #tag2#", Weibo());
  EXPECT_FALSE(tags[0].topic);
  EXPECT_TRUE(tags[1].topic);
}

TEST(ExtractorTest, TopicNeedsALetterOrNumberAndNoEdgeSpaces) {
  EXPECT_TRUE(X().ExtractHashtags("#!!# # a#", Weibo()).empty());
  EXPECT_TRUE(X().ExtractHashtags("C#和F#", Weibo()).empty());
  EXPECT_EQ(Values(X().ExtractHashtags("#2024#", Weibo())), std::vector<std::string>{"2024"});
}

TEST(ExtractorTest, ChineseNicknameMentions) {
  auto m = X().ExtractMentions("你好@张三，明天见 //@李四_bj:转发 @王五 。", Weibo());
  EXPECT_EQ(Values(m), (std::vector<std::string>{"张三", "李四_bj", "王五"}));
  EXPECT_EQ(m[0].start, 2u);
  EXPECT_EQ(m[0].end, 5u);
  EXPECT_EQ(m[0].byte_start, 6u);
  EXPECT_EQ(m[0].byte_end, 13u);
}

TEST(ExtractorTest, ChineseNicknameLimitsAndEmails) {
  ExtractOptions o = Weibo();
  o.max_weibo_name_length = 3;
  EXPECT_EQ(Values(X().ExtractMentions("@张三丰 @张三丰丰", o)), std::vector<std::string>{"张三丰"});
  EXPECT_TRUE(X().ExtractMentions("邮件 user@例子.com", Weibo()).empty());
  EXPECT_TRUE(X().ExtractMentions("@张三@李四", Weibo()).empty());
}

TEST(ExtractorTest, WeiboModeContradictionsAreConfined) {
  const std::string text = "の@usernameに到着を待っている";
  EXPECT_EQ(Values(X().ExtractMentions(text, Compat())), std::vector<std::string>{"username"});
  EXPECT_EQ(Values(X().ExtractMentions(text, Weibo())),
            std::vector<std::string>{"usernameに到着を待っている"});
  // ASCII-only names behave identically in both modes.
  const std::string ascii = "RT @alice: hi @bob/friends-list and @carol-x";
  auto a = X().ExtractMentionsOrLists(ascii, Compat());
  auto b = X().ExtractMentionsOrLists(ascii, Weibo());
  EXPECT_EQ(a, b);
  ASSERT_EQ(a.size(), 3u);
  EXPECT_EQ(a[1].list_slug, "/friends-list");
}

TEST(ExtractorTest, ReplyWithChineseNickname) {
  EXPECT_EQ(X().ExtractReplyScreenName("　@张三 你好", Weibo()), std::optional<std::string>("张三"));
  EXPECT_EQ(X().ExtractReplyScreenName("　@张三 你好", Compat()), std::nullopt);
}

TEST(ExtractorTest, EntitiesAreOrderedWithoutOverlap) {
  auto es = X().ExtractEntities("看 http://example.com/#tag @张三 #话题# $TSLA", Weibo());
  ASSERT_EQ(es.size(), 4u);
  EXPECT_EQ(es[0].type, EntityType::kUrl);
  EXPECT_EQ(es[0].value, "http://example.com/#tag");
  EXPECT_TRUE(es[0].has_protocol);
  EXPECT_EQ(es[1].type, EntityType::kMention);
  EXPECT_EQ(es[2].type, EntityType::kHashtag);
  EXPECT_EQ(es[3].type, EntityType::kCashtag);
  EXPECT_EQ(es[3].value, "TSLA");
  for (size_t i = 1; i < es.size(); ++i) EXPECT_LE(es[i - 1].end, es[i].start);
}

// Each kind is scanned on its own, so the kinds come out of the scanners in the reverse of their
// order in this text; a text of many entities takes the sort for long lists.
TEST(ExtractorTest, EntitiesAreSortedWhateverTheOrderOfTheirKinds) {
  const std::string few = "$TSLA #话题# @张三 http://example.com/";
  std::string many;
  for (int i = 0; i < 12; ++i) many += few + " ";
  for (const std::string& text : {few, many}) {
    auto es = X().ExtractEntities(text, Weibo());
    ASSERT_EQ(es.size(), text == few ? 4u : 48u);
    for (size_t i = 0; i < es.size(); ++i) {
      const EntityType expected[] = {EntityType::kCashtag, EntityType::kHashtag,
                                     EntityType::kMention, EntityType::kUrl};
      EXPECT_EQ(es[i].type, expected[i % 4]) << i;
      if (i > 0) {
        EXPECT_LE(es[i - 1].end, es[i].start);
      }
    }
  }
}

TEST(ExtractorTest, ByteOffsetsSliceTheText) {
  const std::string text = "😷 see example.com/路径 and #标签 @bob";
  for (const auto& e : X().ExtractEntities(text, Weibo())) {
    std::string slice = text.substr(e.byte_start, e.byte_end - e.byte_start);
    EXPECT_NE(slice.find(e.value), std::string::npos) << slice;
  }
}

TEST(ExtractorTest, TldListIsData) {
  TldLists lists;
  lists.generic = {"zzz"};
  lists.country = {"qq"};
  Extractor custom(lists);
  EXPECT_EQ(Values(custom.ExtractUrls("go to example.zzz and a.qq, not example.com")),
            (std::vector<std::string>{"example.zzz", "a.qq"}));
  EXPECT_TRUE(X().ExtractUrls("example.zzz").empty());
  EXPECT_EQ(Values(X().ExtractUrls("example.com")), std::vector<std::string>{"example.com"});
}

TEST(ExtractorTest, UrlsWithoutProtocolCanBeTurnedOff) {
  ExtractOptions o = Weibo();
  o.urls_without_protocol = false;
  EXPECT_EQ(Values(X().ExtractUrls("example.com https://a.example.org/x", o)),
            std::vector<std::string>{"https://a.example.org/x"});
}

TEST(ExtractorTest, MalformedUtf8NeverCrashes) {
  const std::vector<std::string> inputs = {
      std::string("\xff\xfe#tag @user http://x.com/\xc3", 28),
      std::string("#\xe6\x98", 3),
      std::string("@\x80\x80 $AB\xf0\x9f", 9),
      std::string("\0#a\0@b\0", 7),
      std::string(1000, '#'),
      std::string(1000, '@'),
      "#" + std::string(300, 'a') + "#",
  };
  for (const auto& s : inputs) {
    auto es = X().ExtractEntities(s, Weibo());
    for (const auto& e : es) {
      EXPECT_LE(e.byte_end, s.size());
      EXPECT_LT(e.byte_start, e.byte_end);
    }
    X().ExtractEntities(s, Compat());
    X().ExtractReplyScreenName(s);
  }
  auto tags = X().ExtractHashtags(std::string("#ab\xff", 4), Compat());
  ASSERT_EQ(tags.size(), 1u);
  EXPECT_EQ(tags[0].value, "ab");
}

TEST(ExtractorTest, EmptyText) {
  EXPECT_TRUE(X().ExtractEntities("").empty());
  EXPECT_EQ(X().ExtractReplyScreenName(""), std::nullopt);
}

}  // namespace
}  // namespace plaza::text
