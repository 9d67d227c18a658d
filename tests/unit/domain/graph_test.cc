#include "domain/graph.h"

#include <gtest/gtest.h>

#include "domain_test_util.h"

namespace plaza::domain {
namespace {

using testing::DomainFixture;

TEST(GraphTest, FollowUpdatesCountsRelationshipsAndNotifies) {
  DomainFixture f;
  Id a = f.MakeAccount("alice");
  Id b = f.MakeAccount("bob");
  auto rel = f.d().graph().Follow(a, b, {}, {});
  ASSERT_TRUE(rel.ok());
  EXPECT_TRUE(rel->following);
  EXPECT_TRUE(rel->showing_reblogs);
  EXPECT_TRUE(f.d().graph().Get(b, a).followed_by);
  EXPECT_EQ(f.d().accounts().Get(a)->counts.following, 1);
  EXPECT_EQ(f.d().accounts().Get(b)->counts.followers, 1);
  // Following twice changes nothing and does not notify twice.
  ASSERT_TRUE(f.d().graph().Follow(a, b, {}, {}).ok());
  EXPECT_EQ(f.d().accounts().Get(b)->counts.followers, 1);
  auto notes = f.d().notifications().List(b, Page{}, {});
  ASSERT_TRUE(notes.ok());
  ASSERT_EQ(notes->size(), 1u);
  EXPECT_EQ((*notes)[0].type, NotificationType::kFollow);
  EXPECT_EQ((*notes)[0].from_account_id, a);
}

TEST(GraphTest, CannotFollowSelfOrMissing) {
  DomainFixture f;
  Id a = f.MakeAccount("alice");
  EXPECT_EQ(f.d().graph().Follow(a, a, {}, {}).status().code(), StatusCode::kUnprocessable);
  EXPECT_EQ(f.d().graph().Follow(a, 424242, {}, {}).status().code(), StatusCode::kNotFound);
}

TEST(GraphTest, BlockSeversFollowsBothWaysAndPreventsFollowing) {
  DomainFixture f;
  Id a = f.MakeAccount("alice");
  Id b = f.MakeAccount("bob");
  ASSERT_TRUE(f.d().graph().Follow(a, b, {}, {}).ok());
  ASSERT_TRUE(f.d().graph().Follow(b, a, {}, {}).ok());
  auto rel = f.d().graph().Block(a, b);
  ASSERT_TRUE(rel.ok());
  EXPECT_TRUE(rel->blocking);
  EXPECT_FALSE(rel->following);
  EXPECT_FALSE(rel->followed_by);
  EXPECT_EQ(f.d().accounts().Get(a)->counts.followers, 0);
  EXPECT_EQ(f.d().graph().Follow(b, a, {}, {}).status().code(), StatusCode::kForbidden);
  EXPECT_EQ(f.d().graph().Follow(a, b, {}, {}).status().code(), StatusCode::kForbidden);
  ASSERT_TRUE(f.d().graph().Unblock(a, b).ok());
  EXPECT_TRUE(f.d().graph().Follow(b, a, {}, {}).ok());
}

TEST(GraphTest, FollowerListsPaginateByFollowOrder) {
  DomainFixture f;
  Id star = f.MakeAccount("star");
  std::vector<Id> fans;
  for (int i = 0; i < 5; ++i) {
    fans.push_back(f.MakeAccount("fan" + std::to_string(i)));
    ASSERT_TRUE(f.d().graph().Follow(fans.back(), star, {}, {}).ok());
  }
  auto page1 = f.d().graph().Followers(star, Page{.limit = 2});
  ASSERT_EQ(page1.size(), 2u);
  EXPECT_EQ(page1[0].id, fans[4]);
  EXPECT_EQ(page1[1].id, fans[3]);
  auto page2 = f.d().graph().Followers(star, Page{.max_id = page1.back().cursor, .limit = 10});
  ASSERT_EQ(page2.size(), 3u);
  EXPECT_EQ(page2[2].id, fans[0]);
  auto following = f.d().graph().Following(fans[0], Page{});
  ASSERT_EQ(following.size(), 1u);
  EXPECT_EQ(following[0].id, star);
}

TEST(GraphTest, GraphSurvivesRestart) {
  DomainFixture f;
  Id a = f.MakeAccount("alice");
  Id b = f.MakeAccount("bob");
  Id c = f.MakeAccount("carol");
  ASSERT_TRUE(f.d().graph().Follow(a, b, false, true).ok());
  ASSERT_TRUE(f.d().graph().Block(a, c).ok());
  ASSERT_TRUE(f.d().graph().Mute(b, c, false).ok());
  f.Restart();
  auto ab = f.d().graph().Get(a, b);
  EXPECT_TRUE(ab.following);
  EXPECT_FALSE(ab.showing_reblogs);
  EXPECT_TRUE(ab.notifying);
  EXPECT_TRUE(f.d().graph().Get(a, c).blocking);
  auto bc = f.d().graph().Get(b, c);
  EXPECT_TRUE(bc.muting);
  EXPECT_FALSE(bc.muting_notifications);
  EXPECT_EQ(f.d().accounts().Get(b)->counts.followers, 1);
}

}  // namespace
}  // namespace plaza::domain
