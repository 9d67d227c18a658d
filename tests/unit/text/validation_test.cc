#include "text/validation.h"

#include <gtest/gtest.h>

namespace plaza::text {
namespace {

TEST(ValidationTest, Usernames) {
  EXPECT_TRUE(IsValidUsername("@alice_01"));
  EXPECT_FALSE(IsValidUsername("@alice-01"));
  EXPECT_FALSE(IsValidUsername("alice"));
  EXPECT_FALSE(IsValidUsername(""));
  EXPECT_FALSE(IsValidUsername("@张三"));  // usernames are twitter-text's, not nicknames
}

TEST(ValidationTest, Lists) {
  EXPECT_TRUE(IsValidList("@alice/friends"));
  EXPECT_FALSE(IsValidList("@alice/"));
  EXPECT_FALSE(IsValidList("@alice/friends "));
  EXPECT_FALSE(IsValidList(""));
}

TEST(ValidationTest, Hashtags) {
  EXPECT_TRUE(IsValidHashtag("#春节"));
  EXPECT_FALSE(IsValidHashtag("#2024"));
  EXPECT_FALSE(IsValidHashtag("#a b"));
  EXPECT_FALSE(IsValidHashtag(""));
}

TEST(ValidationTest, Urls) {
  EXPECT_TRUE(IsValidUrl("https://example.com/a?b=c#d"));
  EXPECT_FALSE(IsValidUrl("javascript:alert(1)"));
  EXPECT_FALSE(IsValidUrl("ftp://example.com/"));
  EXPECT_FALSE(IsValidUrl("http://example.com/\"onmouseover=\"x"));
  EXPECT_TRUE(IsValidUrl("example.com", true, false));
  EXPECT_FALSE(IsValidUrl("http://例子.中国/", false, true));
  EXPECT_TRUE(IsValidUrl("http://例子.中国/", true, true));
  EXPECT_FALSE(IsValidUrl(std::string("http://a\xff.com/", 15)));
}

}  // namespace
}  // namespace plaza::text
