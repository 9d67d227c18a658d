#include "domain/statuses.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "domain_test_util.h"

namespace plaza::domain {
namespace {

using testing::DomainFixture;

std::vector<Id> Ids(std::span<const Id> ids) { return {ids.begin(), ids.end()}; }

// A meta keeps its mentions, topics and quoted id in one block, whatever their mix and sizes,
// and none at all for a status without them.
TEST(StatusesTest, AMetaHoldsItsMentionsTopicsAndQuoteInOneBlock) {
  std::vector<Id> many;
  for (Id i = 1; i <= 300; ++i) many.push_back(i * 0x0101010101ull);
  const std::string long_topic(70'000, 'x');  // longer than 16 bits can count
  struct Case {
    std::vector<Id> mentions;
    std::vector<std::string> tags;
    Id quote;
  };
  const std::vector<Case> cases = {
      {{}, {}, 0},
      {{}, {}, 77},
      {{42}, {}, 0},
      {{}, {"plaza"}, 0},
      {{7, 8}, {"春节 快乐", "", "a", long_topic}, 9},
      {many, {"one", "two", "three"}, 0},
  };
  for (const Case& c : cases) {
    StatusMeta m;
    m.set_refs(c.mentions, c.tags, c.quote);
    EXPECT_EQ(Ids(m.mention_ids()), c.mentions);
    EXPECT_EQ(m.tags().ToVector(), c.tags);
    EXPECT_EQ(m.tags().empty(), c.tags.empty());
    EXPECT_EQ(m.quote_of_id(), c.quote);
    StatusMeta moved = std::move(m);  // the block goes with the meta
    EXPECT_EQ(Ids(moved.mention_ids()), c.mentions);
    EXPECT_EQ(moved.tags().ToVector(), c.tags);
    moved.set_refs({}, {}, 0);
    EXPECT_TRUE(moved.mention_ids().empty() && moved.tags().empty());
    EXPECT_EQ(moved.quote_of_id(), 0u);
  }
}

TEST(StatusesTest, CreateRendersAndExtracts) {
  DomainFixture f;
  Id a = f.MakeAccount("alice");
  Id b = f.MakeAccount("bob");
  NewStatus in;
  in.text = "Hi @bob, #春节 快乐# and #Plaza <b>";
  auto s = f.d().statuses().Create(a, in);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(Ids(s->rec->mention_ids()), std::vector<Id>{b});
  EXPECT_EQ(s->rec->tags().ToVector(), (std::vector<std::string>{"春节 快乐", "plaza"}));
  EXPECT_NE(s->body->content_html.find("&lt;b&gt;"), std::string::npos);
  EXPECT_EQ(s->body->content_html.find("<b>"), std::string::npos);
  auto notes = f.d().notifications().List(b, Page{}, {});
  ASSERT_TRUE(notes.ok());
  ASSERT_EQ(notes->size(), 1u);
  EXPECT_EQ((*notes)[0].type, NotificationType::kMention);
}

TEST(StatusesTest, WeiboLengthRuleIsEnforced) {
  DomainFixture f;
  Id a = f.MakeAccount("alice");
  NewStatus in;
  in.text = std::string(140 * 3, '\0');
  in.text.clear();
  for (int i = 0; i < 140; ++i) in.text += "中";
  EXPECT_TRUE(f.d().statuses().Create(a, in).ok());
  in.text += "中";
  EXPECT_EQ(f.d().statuses().Create(a, in).status().code(), StatusCode::kUnprocessable);
  in.text = std::string(280, 'a');  // Latin counts one half
  EXPECT_TRUE(f.d().statuses().Create(a, in).ok());
  in.text += "a";
  EXPECT_EQ(f.d().statuses().Create(a, in).status().code(), StatusCode::kUnprocessable);
  in.text = "   ";
  EXPECT_EQ(f.d().statuses().Create(a, in).status().code(), StatusCode::kUnprocessable);
  in.text = "bad \xC0\xAF utf8";
  EXPECT_EQ(f.d().statuses().Create(a, in).status().code(), StatusCode::kInvalid);
}

TEST(StatusesTest, IdempotencyKeyReturnsTheSameStatus) {
  DomainFixture f;
  Id a = f.MakeAccount("alice");
  NewStatus in;
  in.text = "once";
  in.idempotency_key = "key-1";
  auto first = f.d().statuses().Create(a, in);
  auto second = f.d().statuses().Create(a, in);
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(first->rec->id, second->rec->id);
  EXPECT_EQ(f.d().accounts().Get(a)->counts.statuses, 1);
  in.idempotency_key = "key-2";
  EXPECT_NE(f.d().statuses().Create(a, in)->rec->id, first->rec->id);
}

TEST(StatusesTest, ConcurrentFavouritesCountExactly) {
  DomainFixture f;
  Id author = f.MakeAccount("author");
  Id post = f.Post(author, "like me");
  std::vector<Id> fans;
  for (int i = 0; i < 8; ++i) fans.push_back(f.MakeAccount("fan" + std::to_string(i)));
  std::vector<std::thread> threads;
  for (Id fan : fans) {
    threads.emplace_back([&, fan] {
      for (int k = 0; k < 5; ++k) {
        EXPECT_TRUE(f.d().statuses().Favourite(fan, post).ok());
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(f.d().statuses().Get(author, post)->counts.favourites, 8);
  ASSERT_TRUE(f.d().statuses().Unfavourite(fans[0], post).ok());
  ASSERT_TRUE(f.d().statuses().Unfavourite(fans[0], post).ok());
  EXPECT_EQ(f.d().statuses().Get(author, post)->counts.favourites, 7);
  f.Restart();
  EXPECT_EQ(f.d().statuses().Get(author, post)->counts.favourites, 7);
  auto v = f.d().statuses().Get(fans[1], post);
  EXPECT_TRUE(v->favourited);
  EXPECT_FALSE(f.d().statuses().Get(fans[0], post)->favourited);
}

TEST(StatusesTest, ViewerFlagsFollowMarksInAnyOrderAndAcrossRestart) {
  DomainFixture f;
  Id author = f.MakeAccount("author");
  Id me = f.MakeAccount("me");
  Id other = f.MakeAccount("other");
  std::vector<Id> p;
  for (int i = 0; i < 6; ++i) p.push_back(f.Post(author, "post " + std::to_string(i)));
  // Marked out of id order, so the sorted per-viewer lists are exercised on insert and on load.
  for (int i : {3, 1, 5}) ASSERT_TRUE(f.d().statuses().Favourite(me, p[i]).ok());
  for (int i : {2, 0}) ASSERT_TRUE(f.d().statuses().Bookmark(me, p[i]).ok());
  for (int i : {4, 1}) ASSERT_TRUE(f.d().statuses().Reblog(me, p[i], {}).ok());
  auto check = [&](std::set<int> fav, std::set<int> bm, std::set<int> rb) {
    for (int i = 0; i < 6; ++i) {
      auto v = f.d().statuses().Get(me, p[i]);
      ASSERT_TRUE(v.ok()) << i;
      EXPECT_EQ(v->favourited, fav.count(i) != 0) << i;
      EXPECT_EQ(v->bookmarked, bm.count(i) != 0) << i;
      EXPECT_EQ(v->reblogged, rb.count(i) != 0) << i;
      auto o = f.d().statuses().Get(other, p[i]);
      EXPECT_FALSE(o->favourited || o->bookmarked || o->reblogged) << i;
    }
  };
  check({1, 3, 5}, {0, 2}, {1, 4});
  ASSERT_TRUE(f.d().statuses().Unfavourite(me, p[1]).ok());
  ASSERT_TRUE(f.d().statuses().Unbookmark(me, p[0]).ok());
  ASSERT_TRUE(f.d().statuses().Unreblog(me, p[4]).ok());
  check({3, 5}, {2}, {1});
  f.Restart();
  check({3, 5}, {2}, {1});
  ASSERT_TRUE(f.d().statuses().Favourite(me, p[0]).ok());
  ASSERT_TRUE(f.d().statuses().Bookmark(me, p[4]).ok());
  check({0, 3, 5}, {2, 4}, {1});
}

// A deleted status's favourites and bookmarks leave storage and every list with it.
TEST(StatusesTest, DeletingAStatusDeletesItsMarks) {
  DomainFixture f;
  Id author = f.MakeAccount("author");
  Id me = f.MakeAccount("me");
  Id fan = f.MakeAccount("fan");
  Id kept = f.Post(author, "kept");
  Id gone = f.Post(author, "gone");
  for (Id who : {me, fan}) {
    for (Id st : {kept, gone}) {
      ASSERT_TRUE(f.d().statuses().Favourite(who, st).ok());
      ASSERT_TRUE(f.d().statuses().Bookmark(who, st).ok());
    }
  }
  ASSERT_TRUE(f.d().statuses().Delete(author, gone).ok());
  std::multiset<std::pair<int, Id>> stored;  // {kind, status}
  ASSERT_TRUE(f.storage()
                  .ForEachMark([&](const storage::MarkRecord& m) {
                    stored.insert({static_cast<int>(m.kind), m.status_id});
                    return Status::Ok();
                  })
                  .ok());
  const int fav = static_cast<int>(storage::MarkKind::kFavourite);
  const int bookmark = static_cast<int>(storage::MarkKind::kBookmark);
  EXPECT_EQ(stored, (std::multiset<std::pair<int, Id>>{
                        {fav, kept}, {fav, kept}, {bookmark, kept}, {bookmark, kept}}));
  for (Id who : {me, fan}) {
    ASSERT_EQ(f.d().statuses().BookmarksOf(who, Page{.limit = 1}).size(), 1u);
    EXPECT_EQ(f.d().statuses().BookmarksOf(who, Page{.limit = 1})[0].id, kept);
    ASSERT_EQ(f.d().statuses().FavouritesOf(who, Page{.limit = 1}).size(), 1u);
    EXPECT_EQ(f.d().statuses().FavouritesOf(who, Page{.limit = 1})[0].id, kept);
  }
}

// Favourites and bookmarks list newest mark first, page by mark id, and read the same after a
// restart, whatever order the statuses' ids are in (the load visits marks by account and status).
TEST(StatusesTest, MarkListsPageByMarkOrderAcrossRestart) {
  DomainFixture f;
  Id author = f.MakeAccount("author");
  Id me = f.MakeAccount("me");
  Id fan = f.MakeAccount("fan");
  std::vector<Id> p;
  for (int i = 0; i < 6; ++i) p.push_back(f.Post(author, "post " + std::to_string(i)));
  for (int i : {4, 0, 5, 2}) ASSERT_TRUE(f.d().statuses().Favourite(me, p[i]).ok());
  for (int i : {3, 1}) ASSERT_TRUE(f.d().statuses().Bookmark(me, p[i]).ok());
  ASSERT_TRUE(f.d().statuses().Favourite(fan, p[2]).ok());
  auto ids = [](const std::vector<PageItem>& items) {
    std::vector<Id> out;
    for (const auto& i : items) out.push_back(i.id);
    return out;
  };
  auto check = [&](std::vector<Id> favs, std::vector<Id> bookmarks, std::vector<Id> likers) {
    auto all = f.d().statuses().FavouritesOf(me, Page{.limit = 40});
    EXPECT_EQ(ids(all), favs);
    EXPECT_EQ(ids(f.d().statuses().BookmarksOf(me, Page{.limit = 40})), bookmarks);
    EXPECT_EQ(ids(f.d().statuses().FavouritedBy(me, p[2], Page{.limit = 40})), likers);
    ASSERT_GE(all.size(), 3u);
    // The page below the second mark holds exactly the marks made before it, newest first.
    auto older = f.d().statuses().FavouritesOf(me, Page{.max_id = all[1].cursor, .limit = 40});
    EXPECT_EQ(ids(older), std::vector<Id>(favs.begin() + 2, favs.end()));
    auto newer = f.d().statuses().FavouritesOf(me, Page{.min_id = all[2].cursor, .limit = 1});
    EXPECT_EQ(ids(newer), std::vector<Id>{favs[1]});
  };
  check({p[2], p[5], p[0], p[4]}, {p[1], p[3]}, {fan, me});
  ASSERT_TRUE(f.d().statuses().Unfavourite(me, p[5]).ok());
  check({p[2], p[0], p[4]}, {p[1], p[3]}, {fan, me});
  f.Restart();
  check({p[2], p[0], p[4]}, {p[1], p[3]}, {fan, me});
  ASSERT_TRUE(f.d().statuses().Favourite(me, p[1]).ok());
  ASSERT_TRUE(f.d().statuses().Unbookmark(me, p[1]).ok());
  check({p[1], p[2], p[0], p[4]}, {p[3]}, {fan, me});
  // Deleting a status takes its marks out of every list.
  ASSERT_TRUE(f.d().statuses().Delete(author, p[0]).ok());
  check({p[1], p[2], p[4]}, {p[3]}, {fan, me});
  f.Restart();
  check({p[1], p[2], p[4]}, {p[3]}, {fan, me});
}

TEST(StatusesTest, ReplyRepostQuoteAndCounts) {
  DomainFixture f;
  Id a = f.MakeAccount("alice");
  Id b = f.MakeAccount("bob");
  Id root = f.Post(a, "root");
  NewStatus reply;
  reply.text = "a comment";
  reply.in_reply_to_id = root;
  auto r = f.d().statuses().Create(b, reply);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->rec->in_reply_to_account_id, a);
  auto rb = f.d().statuses().Reblog(b, root, {});
  ASSERT_TRUE(rb.ok());
  ASSERT_TRUE(rb->reblog);
  EXPECT_EQ(rb->reblog->rec->id, root);
  // Reposting twice returns the same repost.
  EXPECT_EQ(f.d().statuses().Reblog(b, root, {})->rec->id, rb->rec->id);
  NewStatus quote;
  quote.text = "look at this";
  quote.quote_of_id = root;
  auto q = f.d().statuses().Create(b, quote);
  ASSERT_TRUE(q.ok());
  ASSERT_TRUE(q->quote);
  auto view = f.d().statuses().Get(a, root);
  EXPECT_EQ(view->counts.replies, 1);
  EXPECT_EQ(view->counts.reblogs, 1);
  EXPECT_EQ(view->counts.quotes, 1);
  EXPECT_TRUE(f.d().statuses().Get(b, root)->reblogged);
  auto types = f.d().notifications().List(a, Page{}, {});
  ASSERT_EQ(types->size(), 3u);
  EXPECT_EQ((*types)[0].type, NotificationType::kQuote);
  EXPECT_EQ((*types)[1].type, NotificationType::kReblog);
  EXPECT_EQ((*types)[2].type, NotificationType::kMention);
  ASSERT_TRUE(f.d().statuses().Unreblog(b, root).ok());
  EXPECT_EQ(f.d().statuses().Get(a, root)->counts.reblogs, 0);
  auto ctx = f.d().statuses().GetContext(a, root);
  ASSERT_EQ(ctx->descendants.size(), 1u);
  EXPECT_EQ(ctx->descendants[0].rec->id, r->rec->id);
  auto up = f.d().statuses().GetContext(a, r->rec->id);
  ASSERT_EQ(up->ancestors.size(), 1u);
}

TEST(StatusesTest, OnlyTheAuthorEditsOrDeletes) {
  DomainFixture f;
  Id a = f.MakeAccount("alice");
  Id b = f.MakeAccount("bob");
  Id post = f.Post(a, "original");
  EXPECT_EQ(f.d().statuses().Delete(b, post).status().code(), StatusCode::kForbidden);
  EXPECT_EQ(f.d().statuses().Edit(b, post, {"hacked", "", false, {}}).status().code(),
            StatusCode::kForbidden);
  auto edited = f.d().statuses().Edit(a, post, {"edited", "", false, {}});
  ASSERT_TRUE(edited.ok());
  EXPECT_NE(edited->body->edited_at_ms, 0);
  auto history = f.d().statuses().History(b, post);
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ((*history)[0].text, "original");
  EXPECT_EQ((*history)[1].text, "edited");
  ASSERT_TRUE(f.d().statuses().Delete(a, post).ok());
  EXPECT_EQ(f.d().statuses().Get(a, post).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(f.d().accounts().Get(a)->counts.statuses, 0);
}

// Only the meta of a status is in memory; its body comes from storage, current after an edit
// and a restart, and a delete answers with the body it had.
TEST(StatusesTest, BodiesAreReadFromStorage) {
  DomainFixture f;
  Id a = f.MakeAccount("alice");
  NewStatus in;
  in.text = "first words #topic";
  in.spoiler_text = "cw";
  in.language = "en";
  auto created = f.d().statuses().Create(a, in);
  ASSERT_TRUE(created.ok());
  ASSERT_NE(created->body, nullptr);  // the creator's answer carries it
  EXPECT_EQ(created->body->text, "first words #topic");
  Id id = created->rec->id;
  auto got = f.d().statuses().Get(a, id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->body, nullptr);  // a read does not
  auto body = f.d().statuses().Body(id);
  ASSERT_NE(body, nullptr);
  EXPECT_EQ(body->text, "first words #topic");
  EXPECT_NE(body->content_html.find("first words"), std::string::npos);
  EXPECT_EQ(body->spoiler_text, "cw");
  EXPECT_EQ(body->language, "en");

  auto edited = f.d().statuses().Edit(a, id, {"second words", "", false, {}});
  ASSERT_TRUE(edited.ok());
  EXPECT_EQ(edited->body->text, "second words");
  EXPECT_EQ(f.d().statuses().Body(id)->text, "second words");
  EXPECT_EQ(f.d().statuses().Body(id)->language, "en");
  EXPECT_TRUE(edited->rec->tags().empty());
  f.Restart();
  EXPECT_EQ(f.d().statuses().Body(id)->text, "second words");
  auto source = f.d().statuses().GetWithBody(a, id);
  ASSERT_TRUE(source.ok());
  EXPECT_NE(source->body->content_html.find("second words"), std::string::npos);
  auto history = f.d().statuses().History(a, id);
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ((*history)[0].text, "first words #topic");

  auto deleted = f.d().statuses().Delete(a, id);
  ASSERT_TRUE(deleted.ok());
  ASSERT_NE(deleted->body, nullptr);
  EXPECT_EQ(deleted->body->text, "second words");
  // A view made before the delete renders an empty body, not an error.
  auto gone = f.d().statuses().Body(id);
  ASSERT_NE(gone, nullptr);
  EXPECT_TRUE(gone->text.empty());
  EXPECT_EQ(f.d().statuses().GetWithBody(a, id).status().code(), StatusCode::kNotFound);
}

TEST(StatusesTest, VisibilityIsEnforcedOnReads) {
  DomainFixture f;
  Id a = f.MakeAccount("alice");
  Id follower = f.MakeAccount("follower");
  Id stranger = f.MakeAccount("stranger");
  Id mentioned = f.MakeAccount("mentioned");
  ASSERT_TRUE(f.d().graph().Follow(follower, a, {}, {}).ok());
  Id priv = f.Post(a, "private", Visibility::kPrivate);
  Id dm = f.Post(a, "hi @mentioned", Visibility::kDirect);
  EXPECT_TRUE(f.d().statuses().Get(follower, priv).ok());
  EXPECT_FALSE(f.d().statuses().Get(stranger, priv).ok());
  EXPECT_FALSE(f.d().statuses().Get(0, priv).ok());
  EXPECT_TRUE(f.d().statuses().Get(mentioned, dm).ok());
  EXPECT_FALSE(f.d().statuses().Get(follower, dm).ok());
  // A private status cannot be reposted by others, nor liked by those who cannot see it.
  EXPECT_EQ(f.d().statuses().Reblog(follower, priv, {}).status().code(), StatusCode::kForbidden);
  EXPECT_EQ(f.d().statuses().Favourite(stranger, priv).status().code(), StatusCode::kNotFound);
  auto pub = f.d().timelines().Public(0, Page{});
  EXPECT_TRUE(pub.empty());
  auto acct = f.d().timelines().Account(stranger, a, Page{}, {});
  EXPECT_TRUE(acct->empty());
  auto acct_f = f.d().timelines().Account(follower, a, Page{}, {});
  EXPECT_EQ(*acct_f, std::vector<Id>{priv});
}

// The ids of a list of views, in order.
std::vector<Id> IdsOf(const std::vector<StatusView>& views) {
  std::vector<Id> ids;
  for (const auto& v : views) ids.push_back(v.rec->id);
  return ids;
}

// An account's page as views is the page of ids, each with its counts, its author, the viewer's
// marks and a repost's original, whatever page of it is asked for.
TEST(StatusesTest, AccountViewsAreTheAccountPageWithCountsMarksAndOriginals) {
  DomainFixture f;
  Id alice = f.MakeAccount("alice");
  Id bob = f.MakeAccount("bob");
  Id carol = f.MakeAccount("carol");
  Id original = f.Post(carol, "original");
  auto reblog = f.d().statuses().Reblog(bob, original, {});
  ASSERT_TRUE(reblog.ok());
  Id own = f.Post(bob, "own words");
  Id hidden = f.Post(bob, "followers only", Visibility::kPrivate);
  ASSERT_TRUE(f.d().statuses().Favourite(alice, own).ok());
  ASSERT_TRUE(f.d().statuses().Favourite(carol, own).ok());
  ASSERT_TRUE(f.d().statuses().Bookmark(alice, original).ok());
  for (const Page& page :
       {Page{}, Page{.max_id = own}, Page{.min_id = reblog->rec->id - 1}, Page{.limit = 1}}) {
    auto ids = f.d().timelines().Account(alice, bob, page, {});
    auto views = f.d().timelines().AccountViews(alice, bob, page, {});
    ASSERT_TRUE(ids.ok() && views.ok());
    EXPECT_EQ(IdsOf(*views), *ids);
  }
  auto views = f.d().timelines().AccountViews(alice, bob, {}, {});
  ASSERT_TRUE(views.ok());
  ASSERT_EQ(views->size(), 2u);  // not the private post: alice does not follow bob
  EXPECT_EQ((*views)[0].rec->id, own);
  EXPECT_EQ((*views)[0].author.rec->id, bob);
  EXPECT_EQ((*views)[0].counts.favourites, 2);
  EXPECT_TRUE((*views)[0].favourited);
  EXPECT_EQ((*views)[1].rec->id, reblog->rec->id);
  ASSERT_NE((*views)[1].reblog, nullptr);
  EXPECT_EQ((*views)[1].reblog->rec->id, original);
  EXPECT_EQ((*views)[1].reblog->author.rec->id, carol);
  EXPECT_TRUE((*views)[1].reblog->bookmarked);
  ASSERT_TRUE(f.d().graph().Follow(alice, bob, {}, {}).ok());
  auto followed = f.d().timelines().AccountViews(alice, bob, {}, {});
  ASSERT_TRUE(followed.ok());
  EXPECT_EQ(IdsOf(*followed), (std::vector<Id>{hidden, own, reblog->rec->id}));
  ASSERT_TRUE(f.d().graph().Block(bob, alice).ok());  // blocked: an empty page, as for the ids
  auto blocked = f.d().timelines().AccountViews(alice, bob, {}, {});
  ASSERT_TRUE(blocked.ok());
  EXPECT_TRUE(blocked->empty());
  EXPECT_EQ(f.d().timelines().AccountViews(alice, 999, {}, {}).status().code(),
            StatusCode::kNotFound);
}

// A list of statuses (bookmarks, favourites, any page GetMany views) and another account's page
// leave out what someone who blocks the viewer wrote, once the block is made: the viewer's blocks
// are asked once for the whole list.
TEST(StatusesTest, ListsLeaveOutStatusesOfThoseWhoBlockTheViewer) {
  DomainFixture f;
  Id alice = f.MakeAccount("alice");
  Id bob = f.MakeAccount("bob");
  Id carol = f.MakeAccount("carol");
  Id carols = f.Post(carol, "carol's words");
  Id bobs = f.Post(bob, "bob's words");
  auto repost = f.d().statuses().Reblog(bob, carols, {});
  ASSERT_TRUE(repost.ok());
  EXPECT_EQ(IdsOf(f.d().statuses().GetMany(alice, {carols, bobs})),
            (std::vector<Id>{carols, bobs}));
  auto page = f.d().timelines().AccountViews(alice, bob, {}, {});
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(IdsOf(*page), (std::vector<Id>{repost->rec->id, bobs}));

  const Id reposted = repost->rec->id;
  EXPECT_EQ(IdsOf(f.d().statuses().GetMany(alice, {reposted, bobs})),
            (std::vector<Id>{reposted, bobs}));

  ASSERT_TRUE(f.d().graph().Block(carol, alice).ok());
  EXPECT_EQ(IdsOf(f.d().statuses().GetMany(alice, {carols, bobs})), std::vector<Id>{bobs});
  // Bob's repost is his, but what it shows is carol's: alice sees it neither in a list nor alone.
  EXPECT_EQ(IdsOf(f.d().statuses().GetMany(alice, {reposted, bobs})), std::vector<Id>{bobs});
  EXPECT_EQ(f.d().statuses().Get(alice, reposted).status().code(), StatusCode::kNotFound);
  page = f.d().timelines().AccountViews(alice, bob, {}, {});
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(IdsOf(*page), std::vector<Id>{bobs});  // not bob's repost of carol's post
  EXPECT_EQ(*f.d().timelines().Account(alice, bob, {}, {}), std::vector<Id>{bobs});
  // Others still see it all.
  EXPECT_EQ(IdsOf(f.d().statuses().GetMany(bob, {carols, bobs})), (std::vector<Id>{carols, bobs}));
}

TEST(StatusesTest, BlockedAccountsCannotSeeOrInteract) {
  DomainFixture f;
  Id a = f.MakeAccount("alice");
  Id b = f.MakeAccount("bob");
  Id post = f.Post(a, "public but not for bob");
  ASSERT_TRUE(f.d().graph().Block(a, b).ok());
  EXPECT_FALSE(f.d().statuses().Get(b, post).ok());
  EXPECT_FALSE(f.d().statuses().Favourite(b, post).ok());
  EXPECT_FALSE(f.d().statuses().Reblog(b, post, {}).ok());
  NewStatus reply;
  reply.text = "reply";
  reply.in_reply_to_id = post;
  EXPECT_EQ(f.d().statuses().Create(b, reply).status().code(), StatusCode::kNotFound);
}

TEST(StatusesTest, TagTimelineUsesNormalizedTopics) {
  DomainFixture f;
  Id a = f.MakeAccount("alice");
  Id p1 = f.Post(a, "#Plaza launch");
  Id p2 = f.Post(a, "more #PLAZA");
  f.Post(a, "#other");
  auto ids = f.d().timelines().Tag(0, "plaza", Page{});
  EXPECT_EQ(ids, (std::vector<Id>{p2, p1}));
}

}  // namespace
}  // namespace plaza::domain
