#include "text/html.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace plaza::text {
namespace {

const RenderOptions kOptions{"https://plaza.example"};

std::optional<MentionTarget> KnowsAliceAndZhangsan(std::string_view name) {
  if (name == "alice") return MentionTarget{"alice", ""};
  if (name == "张三") return MentionTarget{"张三", ""};
  return std::nullopt;
}

std::string Render(std::string_view text) {
  auto entities = Extractor::Default().ExtractEntities(text);
  return RenderStatusHtml(text, entities, kOptions, KnowsAliceAndZhangsan);
}

TEST(HtmlTest, EscapesEverything) {
  EXPECT_EQ(EscapeHtml(R"(<script>alert("x&'y")</script>)"),
            "&lt;script&gt;alert(&quot;x&amp;&#39;y&quot;)&lt;/script&gt;");
  EXPECT_EQ(Render("<script>alert(1)</script>"), "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>");
}

TEST(HtmlTest, ParagraphsAndLineBreaks) {
  EXPECT_EQ(Render("one\ntwo\n\nthree\r\nfour\n \nfive\n\n"),
            "<p>one<br />two</p><p>three<br />four</p><p>five</p>");
  EXPECT_EQ(Render("\n\nhi"), "<p>hi</p>");
  EXPECT_EQ(Render(""), "");
}

TEST(HtmlTest, LinksUrls) {
  EXPECT_EQ(Render("see https://example.com/a?b=1&c=2 now"),
            "<p>see <a href=\"https://example.com/a?b=1&amp;c=2\" rel=\"nofollow noopener "
            "noreferrer\" target=\"_blank\">https://example.com/a?b=1&amp;c=2</a> now</p>");
  EXPECT_EQ(Render("看example.com"),
            "<p>看<a href=\"http://example.com\" rel=\"nofollow noopener noreferrer\" "
            "target=\"_blank\">example.com</a></p>");
}

TEST(HtmlTest, QuotesCannotBreakOutOfHref) {
  std::string html = Render("http://example.com/\"onmouseover=\"alert(1)");
  EXPECT_EQ(html.find("\"onmouseover"), std::string::npos) << html;
  EXPECT_NE(html.find("&quot;onmouseover=&quot;alert(1)"), std::string::npos) << html;
  // A crafted entity with a quote in its value is escaped inside the attribute.
  std::string text = "x";
  Entity e;
  e.type = EntityType::kUrl;
  e.byte_start = 0;
  e.byte_end = 1;
  e.value = "http://a.com/\"><script>";
  std::vector<Entity> es = {e};
  html = RenderStatusHtml(text, es, kOptions, nullptr);
  EXPECT_EQ(html.find("<script>"), std::string::npos) << html;
  EXPECT_NE(html.find("href=\"http://a.com/&quot;&gt;&lt;script&gt;\""), std::string::npos);
}

TEST(HtmlTest, JavascriptUrlsAreNeverLinks) {
  EXPECT_EQ(Render("javascript:alert(1)"), "<p>javascript:alert(1)</p>");
  const std::string text = "javascript:alert(document.cookie)";
  for (std::string value : {"javascript:alert(document.cookie)", "JavaScript:alert(1)",
                            "data:text/html,x", "vbscript:x", "java\nscript:x", "//evil.com"}) {
    Entity e;
    e.type = EntityType::kUrl;
    e.byte_start = 0;
    e.byte_end = text.size();
    e.value = value;
    std::vector<Entity> es = {e};
    std::string html = RenderStatusHtml(text, es, kOptions, nullptr);
    EXPECT_EQ(html, "<p>javascript:alert(document.cookie)</p>") << value;
  }
}

TEST(HtmlTest, MentionsOnlyWhenTheAccountExists) {
  EXPECT_EQ(Render("hi @alice and @nobody"),
            "<p>hi <span class=\"h-card\"><a href=\"https://plaza.example/@alice\" "
            "class=\"u-url mention\">@<span>alice</span></a></span> and @nobody</p>");
  EXPECT_EQ(Render("你好@张三，"),
            "<p>你好<span class=\"h-card\"><a href=\"https://plaza.example/@%E5%BC%A0%E4%B8%89\" "
            "class=\"u-url mention\">@<span>张三</span></a></span>，</p>");
  auto entities = Extractor::Default().ExtractEntities("@alice");
  EXPECT_EQ(RenderStatusHtml("@alice", entities, kOptions, nullptr), "<p>@alice</p>");
}

TEST(HtmlTest, HashtagsAndTopics) {
  EXPECT_EQ(Render("#Café"),
            "<p><a href=\"https://plaza.example/tags/Caf%C3%A9\" class=\"mention hashtag\" "
            "rel=\"tag\">#<span>Café</span></a></p>");
  EXPECT_EQ(Render("#春节 快乐#"),
            "<p><a href=\"https://plaza.example/tags/%E6%98%A5%E8%8A%82%20%E5%BF%AB%E4%B9%90\" "
            "class=\"mention hashtag\" rel=\"tag\">#<span>春节 快乐</span>#</a></p>");
  // A topic holding markup is still only text.
  std::string html = Render("#<script>alert(1)</script>#");
  EXPECT_EQ(html.find("<script"), std::string::npos) << html;
  EXPECT_NE(html.find("#<span>&lt;script&gt;alert(1)&lt;/script&gt;</span>#"), std::string::npos)
      << html;
  EXPECT_NE(html.find("/tags/%3Cscript%3Ealert%281%29%3C%2Fscript%3E\""), std::string::npos)
      << html;
}

TEST(HtmlTest, BadEntitiesAreIgnored) {
  Entity out_of_range;
  out_of_range.type = EntityType::kHashtag;
  out_of_range.byte_start = 2;
  out_of_range.byte_end = 99;
  out_of_range.value = "x";
  Entity reversed = out_of_range;
  reversed.byte_start = 3;
  reversed.byte_end = 1;
  std::vector<Entity> es = {out_of_range, reversed};
  EXPECT_EQ(RenderStatusHtml("a <b>", es, kOptions, nullptr), "<p>a &lt;b&gt;</p>");
}

TEST(HtmlTest, MalformedUtf8IsReplaced) {
  EXPECT_EQ(EscapeHtml(std::string("a\xff<", 3)), "a\xEF\xBF\xBD&lt;");
  EXPECT_EQ(EscapeHtml(std::string("\0", 1)), "\xEF\xBF\xBD");
  std::string bad("#tag \xe4\xb8 @alice", 15);
  std::string html = Render(bad);
  EXPECT_NE(html.find("\xEF\xBF\xBD"), std::string::npos);
}

TEST(HtmlTest, NormalizeTag) {
  EXPECT_EQ(NormalizeTag("Café"), NormalizeTag("CAFÉ"));
  EXPECT_EQ(NormalizeTag("ＣＡＦＥ"), "cafe");
  EXPECT_EQ(NormalizeTag("Straße"), "strasse");
  EXPECT_EQ(NormalizeTag(" 春节　 快乐 "), "春节 快乐");
  EXPECT_EQ(NormalizeTag("Cafe\xCC\x81"), NormalizeTag("café"));  // combining accent
  EXPECT_FALSE(NormalizeTag(std::string("\xff", 1)).empty());
}

}  // namespace
}  // namespace plaza::text
