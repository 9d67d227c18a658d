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

// Followers are kept in follow order, which a load (reading follows by follower) rebuilds, and
// which an unfollow and a second follow change as they should.
TEST(GraphTest, FollowerOrderSurvivesUnfollowRefollowAndRestart) {
  DomainFixture f;
  Id star = f.MakeAccount("star");
  std::vector<Id> fans;
  for (int i = 0; i < 6; ++i) fans.push_back(f.MakeAccount("fan" + std::to_string(i)));
  // Followed in the reverse of account order.
  for (auto it = fans.rbegin(); it != fans.rend(); ++it) {
    ASSERT_TRUE(f.d().graph().Follow(*it, star, {}, {}).ok());
  }
  ASSERT_TRUE(f.d().graph().Unfollow(fans[3], star).ok());
  ASSERT_TRUE(f.d().graph().Follow(fans[5], star, false, {}).ok());  // an update keeps its place
  ASSERT_TRUE(f.d().graph().Follow(fans[3], star, {}, {}).ok());     // a new follow: the newest
  auto ids = [](const std::vector<PageItem>& items) {
    std::vector<Id> out;
    for (const PageItem& i : items) out.push_back(i.id);
    return out;
  };
  const std::vector<Id> expected{fans[3], fans[0], fans[1], fans[2], fans[4], fans[5]};
  for (int round = 0; round < 2; ++round) {
    SCOPED_TRACE(round == 0 ? "live" : "after restart");
    auto all = f.d().graph().Followers(star, Page{});
    EXPECT_EQ(ids(all), expected);
    ASSERT_EQ(all.size(), expected.size());
    for (size_t i = 1; i < all.size(); ++i) EXPECT_GT(all[i - 1].cursor, all[i].cursor);
    auto older = f.d().graph().Followers(star, Page{.max_id = all[1].cursor, .limit = 2});
    EXPECT_EQ(ids(older), (std::vector<Id>{fans[1], fans[2]}));
    auto newer = f.d().graph().Followers(star, Page{.min_id = all[4].cursor, .limit = 2});
    EXPECT_EQ(ids(newer), (std::vector<Id>{fans[1], fans[2]}));
    auto since = f.d().graph().Followers(star, Page{.since_id = all[2].cursor});
    EXPECT_EQ(ids(since), (std::vector<Id>{fans[3], fans[0]}));
    EXPECT_FALSE(f.d().graph().Get(fans[5], star).showing_reblogs);
    EXPECT_TRUE(f.d().graph().Get(fans[3], star).showing_reblogs);
    EXPECT_EQ(f.d().accounts().Get(star)->counts.followers, 6);
    f.Restart();
  }
  // An unfollow after the restart finds its follower in the rebuilt order.
  ASSERT_TRUE(f.d().graph().Unfollow(fans[1], star).ok());
  EXPECT_EQ(ids(f.d().graph().Followers(star, Page{})),
            (std::vector<Id>{fans[3], fans[0], fans[2], fans[4], fans[5]}));
  EXPECT_EQ(f.d().accounts().Get(star)->counts.followers, 5);
}

// Each account's blocks and mutes are its own lists, newest first, kept through unblocks,
// re-mutes and a restart; and the checks that read them (relationships, visibility) follow them:
// once the last block between two accounts is lifted, nothing of it stays.
TEST(GraphTest, BlockAndMuteListsAreEachAccountsOwnInOrder) {
  DomainFixture f;
  Id alice = f.MakeAccount("alice");
  Id bob = f.MakeAccount("bob");
  std::vector<Id> others;
  for (int i = 0; i < 4; ++i) others.push_back(f.MakeAccount("other" + std::to_string(i)));
  for (Id o : others) ASSERT_TRUE(f.d().graph().Block(alice, o).ok());
  ASSERT_TRUE(f.d().graph().Block(bob, others[0]).ok());
  ASSERT_TRUE(f.d().graph().Unblock(alice, others[1]).ok());
  ASSERT_TRUE(f.d().graph().Mute(alice, others[2], true).ok());
  ASSERT_TRUE(f.d().graph().Mute(alice, bob, true).ok());
  ASSERT_TRUE(f.d().graph().Mute(alice, others[2], false).ok());  // an update keeps its place
  auto ids = [](const std::vector<PageItem>& items) {
    std::vector<Id> out;
    for (const PageItem& i : items) out.push_back(i.id);
    return out;
  };
  Id post = f.Post(others[0], "hello");
  for (int round = 0; round < 2; ++round) {
    SCOPED_TRACE(round == 0 ? "live" : "after restart");
    EXPECT_EQ(ids(f.d().graph().Blocked(alice, Page{})),
              (std::vector<Id>{others[3], others[2], others[0]}));
    EXPECT_EQ(ids(f.d().graph().Blocked(alice, Page{.limit = 1})), std::vector<Id>{others[3]});
    EXPECT_EQ(ids(f.d().graph().Blocked(bob, Page{})), std::vector<Id>{others[0]});
    EXPECT_TRUE(f.d().graph().Blocked(others[0], Page{}).empty());
    EXPECT_EQ(ids(f.d().graph().Muted(alice, Page{})), (std::vector<Id>{bob, others[2]}));
    EXPECT_FALSE(f.d().graph().Get(alice, others[2]).muting_notifications);
    EXPECT_TRUE(f.d().graph().Get(others[0], alice).blocked_by);
    EXPECT_FALSE(f.d().statuses().Get(alice, post).ok());
    f.Restart();
  }
  ASSERT_TRUE(f.d().graph().Unblock(alice, others[0]).ok());
  EXPECT_TRUE(f.d().statuses().Get(alice, post).ok());
  EXPECT_FALSE(f.d().statuses().Get(bob, post).ok()) << "others[0] is still in bob's block";
  ASSERT_TRUE(f.d().graph().Unblock(bob, others[0]).ok());
  EXPECT_TRUE(f.d().statuses().Get(bob, post).ok());
  ASSERT_TRUE(f.d().graph().Unmute(alice, bob).ok());
  EXPECT_EQ(ids(f.d().graph().Muted(alice, Page{})), std::vector<Id>{others[2]});
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
