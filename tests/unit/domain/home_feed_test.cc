#include "domain/home_feed.h"

#include <gtest/gtest.h>

#include "domain_test_util.h"

namespace plaza::domain {
namespace {

using testing::DomainFixture;

// The page's ids; every read also checks that the views the API renders are the same page.
std::vector<Id> Home(Domain& d, Id viewer, Page page = {}) {
  d.home().Flush();
  std::vector<Id> ids = d.timelines().Home(viewer, page);
  std::vector<Id> viewed;
  for (const StatusView& v : d.timelines().HomeViews(viewer, page)) viewed.push_back(v.rec->id);
  EXPECT_EQ(viewed, ids);
  return ids;
}

// Makes `n` accounts that follow `star`, which (the fixture's celebrity threshold is 3) makes its
// posts pulled at read time; appends them to `fans` when given.
void AddFans(DomainFixture& f, Id star, int n, std::vector<Id>* fans = nullptr) {
  for (int i = 0; i < n; ++i) {
    Id fan = f.MakeAccount("fan" + std::to_string(i));
    ASSERT_TRUE(f.d().graph().Follow(fan, star, {}, {}).ok());
    if (fans != nullptr) fans->push_back(fan);
  }
}

TEST(HomeFeedTest, FollowersReceivePostsNewestFirst) {
  DomainFixture f;
  Id alice = f.MakeAccount("alice");
  Id bob = f.MakeAccount("bob");
  ASSERT_TRUE(f.d().graph().Follow(alice, bob, {}, {}).ok());
  EXPECT_TRUE(Home(f.d(), alice).empty());  // materializes alice's timeline
  Id p1 = f.Post(bob, "first");
  Id p2 = f.Post(bob, "second");
  Id own = f.Post(alice, "mine");
  EXPECT_EQ(Home(f.d(), alice), (std::vector<Id>{own, p2, p1}));
  EXPECT_GE(f.d().home().Stats().delivered, 3u);  // pushed, not rebuilt
}

TEST(HomeFeedTest, NonFollowersDoNotSeePosts) {
  DomainFixture f;
  Id alice = f.MakeAccount("alice");
  Id bob = f.MakeAccount("bob");
  f.Post(bob, "hello");
  EXPECT_TRUE(Home(f.d(), alice).empty());
}

TEST(HomeFeedTest, CelebrityPostsArePulledAtReadTime) {
  DomainFixture f;  // celebrity threshold 3
  Id star = f.MakeAccount("star");
  std::vector<Id> fans;
  ASSERT_NO_FATAL_FAILURE(AddFans(f, star, 5, &fans));
  for (Id fan : fans) Home(f.d(), fan);  // materialize every fan's timeline
  uint64_t delivered_before = f.d().home().Stats().delivered;
  Id post = f.Post(star, "to all my fans");
  f.d().home().Flush();
  // Only the author's own timeline got a push; fans pull it.
  EXPECT_LE(f.d().home().Stats().delivered - delivered_before, 1u);
  for (Id fan : fans) EXPECT_EQ(Home(f.d(), fan), std::vector<Id>{post});
}

TEST(HomeFeedTest, MergesPushedAndPulledInOrderWithPagination) {
  DomainFixture f;
  Id reader = f.MakeAccount("reader");
  Id star = f.MakeAccount("star");
  Id friend_ = f.MakeAccount("friend");
  ASSERT_NO_FATAL_FAILURE(AddFans(f, star, 4));
  ASSERT_TRUE(f.d().graph().Follow(reader, star, {}, {}).ok());
  ASSERT_TRUE(f.d().graph().Follow(reader, friend_, {}, {}).ok());
  Home(f.d(), reader);
  std::vector<Id> posted;
  for (int i = 0; i < 6; ++i) posted.push_back(f.Post(i % 2 ? star : friend_, "p" + std::to_string(i)));
  std::vector<Id> expected(posted.rbegin(), posted.rend());
  EXPECT_EQ(Home(f.d(), reader), expected);
  auto first = Home(f.d(), reader, Page{.limit = 4});
  ASSERT_EQ(first.size(), 4u);
  auto next = Home(f.d(), reader, Page{.max_id = first.back(), .limit = 4});
  EXPECT_EQ(next, (std::vector<Id>{expected[4], expected[5]}));
  auto newer = Home(f.d(), reader, Page{.min_id = expected[3], .limit = 2});
  EXPECT_EQ(newer, (std::vector<Id>{expected[1], expected[2]}));
  auto since = Home(f.d(), reader, Page{.since_id = expected[3], .limit = 2});
  EXPECT_EQ(since, (std::vector<Id>{expected[0], expected[1]}));
}

// A read copies only the newest part of the ring (about twice the page). When filtering empties
// that part, the page must come from the rest of the ring, not skip it for a pulled author's
// older posts.
TEST(HomeFeedTest, APageFilteredBeyondTheCopiedWindowReadsTheWholeRing) {
  DomainFixture f;  // celebrity threshold 3
  Id reader = f.MakeAccount("reader");
  Id bob = f.MakeAccount("bob");
  Id carol = f.MakeAccount("carol");
  Id star = f.MakeAccount("star");
  ASSERT_NO_FATAL_FAILURE(AddFans(f, star, 3));
  for (Id t : {bob, carol, star}) ASSERT_TRUE(f.d().graph().Follow(reader, t, {}, {}).ok());
  Home(f.d(), reader);
  std::vector<Id> carols;
  for (int i = 0; i < 5; ++i) carols.push_back(f.Post(carol, "carol " + std::to_string(i)));
  Id pulled = f.Post(star, "star");
  for (int i = 0; i < 40; ++i) f.Post(bob, "bob " + std::to_string(i));  // the ring holds 50
  ASSERT_TRUE(f.d().graph().Mute(reader, bob, true).ok());
  EXPECT_EQ(Home(f.d(), reader, Page{.limit = 3}), (std::vector<Id>{pulled, carols[4], carols[3]}));
  EXPECT_EQ(Home(f.d(), reader, Page{.min_id = carols[0], .limit = 2}),
            (std::vector<Id>{carols[2], carols[1]}));
}

// Follows bob and carol (pushed) and a star (pulled: the fixture's celebrity threshold is 3), and
// posts `n` times among the three before the reader's first read; returns the posts, oldest first.
std::vector<Id> PostBeforeFirstRead(DomainFixture& f, Id reader, int n) {
  Id bob = f.MakeAccount("bob");
  Id carol = f.MakeAccount("carol");
  Id star = f.MakeAccount("star");
  AddFans(f, star, 3);
  for (Id t : {bob, carol, star}) EXPECT_TRUE(f.d().graph().Follow(reader, t, {}, {}).ok());
  std::vector<Id> posts;
  for (int i = 0; i < n; ++i) {
    Id author = i % 5 == 4 ? star : (i % 2 ? bob : carol);
    posts.push_back(f.Post(author, "post " + std::to_string(i)));
  }
  return posts;
}

// Every page of the reader's home, `limit` at a time, newest first.
std::vector<Id> AllPages(DomainFixture& f, Id reader, size_t limit) {
  std::vector<Id> all;
  Page page{.limit = limit};
  for (;;) {
    auto got = Home(f.d(), reader, page);
    if (got.empty()) break;
    all.insert(all.end(), got.begin(), got.end());
    page.max_id = got.back();
  }
  return all;
}

// A first read builds only the newest quarter of the cap (12 of 50 here). Paging past it must
// give every older post, not skip the pushed ones it did not build for the pulled star's.
TEST(HomeFeedTest, PagesPastAFirstReadsShallowTimelineGiveEveryOlderPost) {
  DomainFixture f;  // cap 50
  Id reader = f.MakeAccount("reader");
  std::vector<Id> posts = PostBeforeFirstRead(f, reader, 40);
  std::vector<Id> expected(posts.rbegin(), posts.rend());
  EXPECT_EQ(Home(f.d(), reader, Page{.limit = 5}),
            std::vector<Id>(expected.begin(), expected.begin() + 5));
  EXPECT_EQ(AllPages(f, reader, 5), expected);
}

TEST(HomeFeedTest, BoundsBelowAFirstReadsShallowTimelineGiveTheOlderPosts) {
  DomainFixture f;
  Id reader = f.MakeAccount("reader");
  std::vector<Id> posts = PostBeforeFirstRead(f, reader, 40);
  // min_id below what the first read built: the oldest posts above it.
  EXPECT_EQ(Home(f.d(), reader, Page{.min_id = posts[0], .limit = 3}),
            (std::vector<Id>{posts[3], posts[2], posts[1]}));
  // since_id below it, with a page longer than what it built: the newest posts above the bound.
  DomainFixture g;
  Id reader2 = g.MakeAccount("reader");
  std::vector<Id> posts2 = PostBeforeFirstRead(g, reader2, 40);
  EXPECT_EQ(Home(g.d(), reader2, Page{.since_id = posts2[1], .limit = 40}),
            std::vector<Id>(posts2.rbegin(), posts2.rend() - 2));
}

// Posts pushed into a shallow timeline and then paged past it: the newest `cap` pushed posts and
// every pulled one, in order, once each.
TEST(HomeFeedTest, PostsPushedIntoAShallowTimelineThenPagedPast) {
  DomainFixture f;  // cap 50
  Id reader = f.MakeAccount("reader");
  std::vector<Id> posts = PostBeforeFirstRead(f, reader, 40);
  ASSERT_EQ(Home(f.d(), reader, Page{.limit = 3}).size(), 3u);  // built shallow
  auto bob = f.d().accounts().FindByUsername("bob");
  ASSERT_TRUE(bob.has_value());
  for (int i = 0; i < 30; ++i) posts.push_back(f.Post(bob->rec->id, "later " + std::to_string(i)));
  std::vector<Id> pushed, expected;
  for (size_t i = 0; i < posts.size(); ++i)
    (i < 40 && i % 5 == 4 ? expected : pushed).push_back(posts[i]);
  expected.insert(expected.end(), pushed.end() - 50, pushed.end());  // the cap's newest
  std::sort(expected.rbegin(), expected.rend());
  EXPECT_EQ(AllPages(f, reader, 7), expected);
}

TEST(HomeFeedTest, UnfollowDeleteBlockAndMuteAreReflected) {
  DomainFixture f;
  Id alice = f.MakeAccount("alice");
  Id bob = f.MakeAccount("bob");
  Id carol = f.MakeAccount("carol");
  Id dave = f.MakeAccount("dave");
  for (Id t : {bob, carol, dave}) ASSERT_TRUE(f.d().graph().Follow(alice, t, {}, {}).ok());
  Home(f.d(), alice);
  f.Post(bob, "bob");
  f.Post(carol, "carol");
  Id d = f.Post(dave, "dave");
  Id gone = f.Post(dave, "to be deleted");
  EXPECT_EQ(Home(f.d(), alice).size(), 4u);
  ASSERT_TRUE(f.d().graph().Unfollow(alice, bob).ok());
  ASSERT_TRUE(f.d().graph().Block(carol, alice).ok());
  ASSERT_TRUE(f.d().statuses().Delete(dave, gone).ok());
  EXPECT_EQ(Home(f.d(), alice), std::vector<Id>{d});
  ASSERT_TRUE(f.d().graph().Mute(alice, dave, true).ok());
  EXPECT_TRUE(Home(f.d(), alice).empty());
}

TEST(HomeFeedTest, PrivatePostsOnlyForFollowersAndDirectOnlyForMentioned) {
  DomainFixture f;
  Id alice = f.MakeAccount("alice");
  Id bob = f.MakeAccount("bob");
  Id carol = f.MakeAccount("carol");
  ASSERT_TRUE(f.d().graph().Follow(alice, bob, {}, {}).ok());
  ASSERT_TRUE(f.d().graph().Follow(carol, bob, {}, {}).ok());
  Home(f.d(), alice);
  Home(f.d(), carol);
  Id priv = f.Post(bob, "followers only", Visibility::kPrivate);
  Id dm = f.Post(bob, "@alice secret", Visibility::kDirect);
  EXPECT_EQ(Home(f.d(), alice), (std::vector<Id>{dm, priv}));
  EXPECT_EQ(Home(f.d(), carol), std::vector<Id>{priv});
}

TEST(HomeFeedTest, RestartRebuildsTimelinesFromGraphAndPosts) {
  DomainFixture f;
  Id alice = f.MakeAccount("alice");
  Id bob = f.MakeAccount("bob");
  Id star = f.MakeAccount("star");
  ASSERT_NO_FATAL_FAILURE(AddFans(f, star, 4));
  ASSERT_TRUE(f.d().graph().Follow(alice, bob, {}, {}).ok());
  ASSERT_TRUE(f.d().graph().Follow(alice, star, {}, {}).ok());
  Id p1 = f.Post(bob, "one");
  Id p2 = f.Post(star, "two");
  Id p3 = f.Post(alice, "three");
  auto before = Home(f.d(), alice);
  EXPECT_EQ(before, (std::vector<Id>{p3, p2, p1}));
  f.Restart();
  EXPECT_FALSE(f.d().home().IsMaterialized(alice));
  EXPECT_EQ(Home(f.d(), alice), before);
}

// At most home_timelines_max timelines are kept. A full shard drops the one read longest ago (not
// one read since), and a dropped timeline gets no pushes and reads correctly, built afresh, on its
// reader's next read.
TEST(HomeFeedTest, KeepsAtMostTheConfiguredTimelinesDroppingTheLeastRecentlyRead) {
  DomainConfig config = testing::TestConfig();
  config.home_timelines_max = 128;      // two in each of the 64 shards
  config.celebrity_threshold = 100000;  // the author's posts are pushed
  DomainFixture f(config);
  Id author = f.MakeAccount("author");
  Id alice = f.MakeAccount("alice");
  Id keeper = f.MakeAccount("keeper");
  ASSERT_TRUE(f.d().graph().Follow(alice, author, {}, {}).ok());
  ASSERT_TRUE(f.d().graph().Follow(keeper, author, {}, {}).ok());
  Id p1 = f.Post(author, "before");
  EXPECT_EQ(Home(f.d(), alice), std::vector<Id>{p1});
  EXPECT_TRUE(f.d().home().IsMaterialized(alice));
  // A thousand readers after alice: her shard meets at least two of them (the chance that it
  // does not is ~3e-6). Keeper reads before each of them, so is never the one read longest ago.
  for (int i = 0; i < 1000; ++i) {
    Id v = f.MakeAccount("r" + std::to_string(i));
    ASSERT_TRUE(f.d().graph().Follow(v, author, {}, {}).ok());
    EXPECT_EQ(Home(f.d(), keeper), std::vector<Id>{p1});
    EXPECT_EQ(Home(f.d(), v), std::vector<Id>{p1});
  }
  FanoutStats st = f.d().home().Stats();
  EXPECT_LE(st.home_timelines, 128u);
  EXPECT_EQ(st.home_timelines + st.home_timelines_dropped, 1002u);  // alice, keeper, the readers
  EXPECT_TRUE(f.d().home().IsMaterialized(keeper));
  EXPECT_FALSE(f.d().home().IsMaterialized(alice));
  Id p2 = f.Post(author, "while alice's timeline is dropped");
  f.d().home().Flush();
  EXPECT_EQ(f.d().home().Stats().delivered - st.delivered, st.home_timelines);
  EXPECT_EQ(Home(f.d(), alice), (std::vector<Id>{p2, p1}));
  EXPECT_TRUE(f.d().home().IsMaterialized(alice));
  EXPECT_EQ(Home(f.d(), keeper), (std::vector<Id>{p2, p1}));
}

// A post reaches its followers' timelines by one of two paths (every shard held at once for up to
// 1,024 recipients, shard by shard above); each must push into every materialized timeline of a
// follower and into no other.
TEST(HomeFeedTest, APostReachesEveryMaterializedFollowerWhetherFewOrMany) {
  DomainConfig config = testing::TestConfig();
  config.celebrity_threshold = 100000;  // both authors pushed, never pulled
  DomainFixture f(config);
  Id few_author = f.MakeAccount("few");
  Id many_author = f.MakeAccount("many");
  std::vector<Id> materialized;
  std::vector<Id> fans_of_many;
  for (int i = 0; i < 1100; ++i) {
    Id v = f.MakeAccount("v" + std::to_string(i));
    ASSERT_TRUE(f.d().graph().Follow(v, many_author, {}, {}).ok());
    fans_of_many.push_back(v);
    if (i < 200) {
      ASSERT_TRUE(f.d().graph().Follow(v, few_author, {}, {}).ok());
    }
    if (i % 2 == 0) {
      EXPECT_TRUE(Home(f.d(), v).empty());  // materialized, before any post
      materialized.push_back(v);
    }
  }
  uint64_t before = f.d().home().Stats().delivered;
  Id to_few = f.Post(few_author, "to 200 followers");
  f.d().home().Flush();
  EXPECT_EQ(f.d().home().Stats().delivered - before, 100u);  // the materialized half of 200
  before = f.d().home().Stats().delivered;
  Id to_many = f.Post(many_author, "to 1,100 followers");
  f.d().home().Flush();
  EXPECT_EQ(f.d().home().Stats().delivered - before, 550u);
  for (size_t i = 0; i < materialized.size(); ++i) {
    std::vector<Id> expected =
        i < 100 ? std::vector<Id>{to_many, to_few} : std::vector<Id>{to_many};
    ASSERT_EQ(Home(f.d(), materialized[i]), expected) << "viewer " << i;
  }
}

TEST(HomeFeedTest, TimelineIsCapped) {
  DomainFixture f;  // cap 50
  Id alice = f.MakeAccount("alice");
  Id bob = f.MakeAccount("bob");
  ASSERT_TRUE(f.d().graph().Follow(alice, bob, {}, {}).ok());
  Home(f.d(), alice);
  std::vector<Id> posts;
  for (int i = 0; i < 80; ++i) posts.push_back(f.Post(bob, "post " + std::to_string(i)));
  f.d().home().Flush();
  size_t total = 0;
  Page page{.limit = 40};
  for (;;) {
    auto got = f.d().timelines().Home(alice, page);
    if (got.empty()) break;
    total += got.size();
    page.max_id = got.back();
  }
  EXPECT_GE(total, 50u);
  EXPECT_LE(total, 50u + 50u / 16);  // trimmed back to the cap once past its slack
}

TEST(HomeFeedTest, RepostsRespectShowReblogs) {
  DomainFixture f;
  Id alice = f.MakeAccount("alice");
  Id bob = f.MakeAccount("bob");
  Id carol = f.MakeAccount("carol");
  ASSERT_TRUE(f.d().graph().Follow(alice, bob, /*reblogs=*/false, {}).ok());
  Home(f.d(), alice);
  Id original = f.Post(carol, "original");
  auto reblog = f.d().statuses().Reblog(bob, original, {});
  ASSERT_TRUE(reblog.ok());
  Id own = f.Post(bob, "own words");
  EXPECT_EQ(Home(f.d(), alice), std::vector<Id>{own});
  f.Restart();  // the option is kept apart from the edge, and loaded with it
  EXPECT_EQ(Home(f.d(), alice), std::vector<Id>{own});
  ASSERT_TRUE(f.d().graph().Follow(alice, bob, /*reblogs=*/true, {}).ok());
  EXPECT_EQ(Home(f.d(), alice), (std::vector<Id>{own, reblog->rec->id}));
}

TEST(HomeFeedTest, ViewsCarryCountsTheViewersMarksAndTheRepostedStatus) {
  DomainFixture f;
  Id alice = f.MakeAccount("alice");
  Id bob = f.MakeAccount("bob");
  Id carol = f.MakeAccount("carol");
  ASSERT_TRUE(f.d().graph().Follow(alice, bob, {}, {}).ok());
  Home(f.d(), alice);
  Id original = f.Post(carol, "original");
  auto reblog = f.d().statuses().Reblog(bob, original, {});
  ASSERT_TRUE(reblog.ok());
  Id own = f.Post(bob, "own words");
  ASSERT_TRUE(f.d().statuses().Favourite(alice, own).ok());
  ASSERT_TRUE(f.d().statuses().Bookmark(alice, original).ok());
  ASSERT_TRUE(f.d().statuses().Favourite(carol, own).ok());
  f.d().home().Flush();
  auto views = f.d().timelines().HomeViews(alice, {});
  ASSERT_EQ(views.size(), 2u);
  EXPECT_EQ(views[0].rec->id, own);
  EXPECT_EQ(views[0].author.rec->id, bob);
  EXPECT_EQ(views[0].counts.favourites, 2);
  EXPECT_TRUE(views[0].favourited);
  EXPECT_FALSE(views[0].bookmarked);
  EXPECT_EQ(views[1].rec->id, reblog->rec->id);
  ASSERT_NE(views[1].reblog, nullptr);
  EXPECT_EQ(views[1].reblog->rec->id, original);
  EXPECT_EQ(views[1].reblog->author.rec->id, carol);
  EXPECT_TRUE(views[1].reblog->bookmarked);
  // Once carol blocks alice, the repost of carol's post leaves alice's home, views and ids alike.
  ASSERT_TRUE(f.d().graph().Block(carol, alice).ok());
  EXPECT_EQ(Home(f.d(), alice), std::vector<Id>{own});
}

}  // namespace
}  // namespace plaza::domain
