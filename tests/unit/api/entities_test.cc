#include "api/entities.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <memory>
#include <string>
#include <vector>

namespace plaza::api {
namespace {

// A context whose renderings are kept (`cached`) or not.
RenderContext Context(bool cached) {
  return {"http://plaza.test",
          "plaza.test",
          nullptr,
          nullptr,
          nullptr,
          cached ? std::make_shared<RenderCaches>(16, 16) : nullptr};
}

std::string Render(const domain::AccountView& a, const RenderContext& ctx) {
  std::string out;
  JsonWriter w(out);
  WriteAccount(w, a, ctx);
  return out;
}

// An account's filled JSON is kept on its template: a rendering with other counts, or of a changed
// record, must not answer with what was kept.
TEST(EntitiesTest, AKeptAccountRenderingFollowsItsCountsAndRecord) {
  const RenderContext ctx = Context(true);
  auto rec = std::make_shared<storage::AccountRecord>();
  rec->id = 42;
  rec->username = "alice";
  rec->created_at_ms = 1'700'000'000'000;
  domain::AccountView a{rec, {.followers = 3, .following = 4, .statuses = 5}};

  auto parse = [&](const domain::AccountView& v) {
    return boost::json::parse(Render(v, ctx)).as_object();
  };
  auto first = parse(a);
  EXPECT_EQ(first.at("followers_count").as_int64(), 3);
  EXPECT_EQ(first.at("following_count").as_int64(), 4);
  EXPECT_EQ(first.at("statuses_count").as_int64(), 5);
  EXPECT_TRUE(first.at("last_status_at").is_null());
  EXPECT_EQ(Render(a, ctx), Render(a, ctx));

  a.counts.followers = 1'000'000;
  a.counts.last_status_at_ms = 1'764'000'000'000;  // 2025-11-24
  auto changed = parse(a);
  EXPECT_EQ(changed.at("followers_count").as_int64(), 1'000'000);
  EXPECT_EQ(changed.at("last_status_at").as_string(), "2025-11-24");
  EXPECT_EQ(changed.at("statuses_count").as_int64(), 5);

  auto edited = std::make_shared<storage::AccountRecord>(*rec);
  edited->display_name = "Alice Liddell";
  domain::AccountView b{edited, a.counts};
  auto after_edit = parse(b);
  EXPECT_EQ(after_edit.at("display_name").as_string(), "Alice Liddell");
  EXPECT_EQ(after_edit.at("followers_count").as_int64(), 1'000'000);
  EXPECT_EQ(parse(a).at("display_name").as_string(), "");
}

std::string Render(const domain::StatusView& s, const RenderContext& ctx) {
  std::string out;
  JsonWriter w(out);
  WriteStatus(w, s, ctx);
  return out;
}

std::shared_ptr<storage::AccountRecord> MakeAccount(Id id, const char* username) {
  auto a = std::make_shared<storage::AccountRecord>();
  a->id = id;
  a->username = username;
  a->created_at_ms = 1'700'000'000'000;
  return a;
}

// A status (a repost of `reblog_of` when not 0) with its body at hand.
domain::StatusView MakeStatus(Id id, Id author, Id reblog_of, const std::string& text) {
  boost::intrusive_ptr<domain::StatusMeta> meta(new domain::StatusMeta);
  meta->id = id;
  meta->account_id = author;
  meta->reblog_of_id = reblog_of;
  auto body = std::make_shared<domain::StatusBody>();
  body->text = text;
  body->content_html = text.empty() ? "" : "<p>" + text + "</p>";
  body->created_at_ms = 1'700'000'100'000 + static_cast<int64_t>(id);
  domain::StatusView v;
  v.rec = meta;
  v.body = body;
  return v;
}

// A status's JSON, filled but for the viewer's flags, is kept on its template: every rendering
// must equal one made with nothing kept, whatever changed since (counts, the viewer's flags, the
// author's counts or record).
TEST(EntitiesTest, AKeptStatusRenderingFollowsCountsViewerAndAuthor) {
  const RenderContext cached = Context(true);
  const RenderContext fresh = Context(false);
  auto author = std::make_shared<storage::AccountRecord>();
  author->id = 42;
  author->username = "alice";
  author->created_at_ms = 1'700'000'000'000;
  boost::intrusive_ptr<domain::StatusMeta> meta(new domain::StatusMeta);
  meta->id = 7;
  meta->account_id = 42;
  auto body = std::make_shared<domain::StatusBody>();
  body->text = "hello";
  body->content_html = "<p>hello</p>";
  body->created_at_ms = 1'700'000'100'000;
  domain::StatusView s;
  s.rec = meta;
  s.body = body;
  s.counts = {.replies = 1, .reblogs = 2, .favourites = 3, .quotes = 0};
  s.author = {author, {.followers = 10, .following = 20, .statuses = 30}};

  auto same = [&] {
    std::string kept = Render(s, cached);
    EXPECT_EQ(kept, Render(s, fresh));
    return boost::json::parse(kept).as_object();
  };
  auto first = same();
  EXPECT_EQ(first.at("favourites_count").as_int64(), 3);
  EXPECT_FALSE(first.at("favourited").as_bool());
  EXPECT_EQ(first.at("account").at("statuses_count").as_int64(), 30);
  same();  // from what was kept

  s.favourited = true;  // another viewer
  s.bookmarked = true;
  auto viewer = same();
  EXPECT_TRUE(viewer.at("favourited").as_bool());
  EXPECT_TRUE(viewer.at("bookmarked").as_bool());
  s.favourited = s.bookmarked = false;
  EXPECT_FALSE(same().at("favourited").as_bool());
  s.bookmarked = true;  // each flag in its own place
  auto bookmarked = same();
  EXPECT_TRUE(bookmarked.at("bookmarked").as_bool());
  EXPECT_FALSE(bookmarked.at("favourited").as_bool());
  EXPECT_FALSE(bookmarked.at("reblogged").as_bool());
  EXPECT_FALSE(bookmarked.at("muted").as_bool());
  s.bookmarked = false;

  s.counts.favourites = 9;
  EXPECT_EQ(same().at("favourites_count").as_int64(), 9);
  s.author.counts.statuses = 31;
  EXPECT_EQ(same().at("account").at("statuses_count").as_int64(), 31);

  auto renamed = std::make_shared<storage::AccountRecord>(*author);
  renamed->display_name = "Alice Liddell";
  s.author.rec = renamed;
  EXPECT_EQ(same().at("account").at("display_name").as_string(), "Alice Liddell");
  s.author.rec = author;
  EXPECT_EQ(same().at("account").at("display_name").as_string(), "");
}

// A repost's JSON is kept too, with the reposted status left out and appended from its own kept
// JSON: every rendering must equal one made with nothing kept, whatever changed in the original
// (its counts, the viewer's flags on it, its author) or in the repost.
TEST(EntitiesTest, AKeptRepostRenderingFollowsItsOriginal) {
  const RenderContext cached = Context(true);
  const RenderContext fresh = Context(false);
  auto original = std::make_shared<domain::StatusView>(MakeStatus(7, 42, 0, "hello"));
  original->author = {MakeAccount(42, "alice"), {.followers = 10, .following = 20, .statuses = 30}};
  original->counts = {.replies = 1, .reblogs = 1, .favourites = 3, .quotes = 0};
  domain::StatusView repost = MakeStatus(8, 43, 7, "");
  repost.author = {MakeAccount(43, "bob"), {.followers = 1, .following = 2, .statuses = 3}};
  repost.reblog = original;

  auto same = [&] {
    std::string kept = Render(repost, cached);
    EXPECT_EQ(kept, Render(repost, fresh));
    return boost::json::parse(kept).as_object();
  };
  auto first = same();
  EXPECT_EQ(first.at("account").at("username").as_string(), "bob");
  EXPECT_EQ(first.at("reblog").at("id").as_string(), "7");
  EXPECT_EQ(first.at("reblog").at("favourites_count").as_int64(), 3);
  same();  // from what was kept

  auto liked = std::make_shared<domain::StatusView>(*original);
  liked->counts.favourites = 4;
  liked->favourited = true;  // this viewer liked the original
  repost.reblog = liked;
  auto after = same();
  EXPECT_EQ(after.at("reblog").at("favourites_count").as_int64(), 4);
  EXPECT_TRUE(after.at("reblog").at("favourited").as_bool());
  EXPECT_FALSE(after.at("favourited").as_bool());

  liked->author.rec = MakeAccount(42, "alice");
  std::const_pointer_cast<storage::AccountRecord>(liked->author.rec)->display_name = "Alice";
  EXPECT_EQ(same().at("reblog").at("account").at("display_name").as_string(), "Alice");
  repost.counts.favourites = 2;
  repost.reblogged = true;
  auto own = same();
  EXPECT_EQ(own.at("favourites_count").as_int64(), 2);
  EXPECT_TRUE(own.at("reblogged").as_bool());
  EXPECT_EQ(own.at("reblog").at("account").at("display_name").as_string(), "Alice");
}

// A page is written with every status's kept parts found first (WriteStatuses): it must be the
// array of what WriteStatus writes of each status alone with nothing kept, whether the cache holds
// all of the page, some of it (a cache of one entry a shard) or none, and after its statuses,
// their authors and a repost's original change.
TEST(EntitiesTest, APageIsItsStatusesEachWrittenAlone) {
  const RenderContext fresh = Context(false);
  auto alice = MakeAccount(42, "alice");
  auto bob = MakeAccount(43, "bob");
  std::vector<domain::StatusView> page;
  for (Id id = 20; id >= 11; --id) {
    page.push_back(MakeStatus(id, id % 2 == 0 ? 42 : 43, 0, "post " + std::to_string(id)));
    page.back().author = {id % 2 == 0 ? alice : bob, {.followers = 1, .statuses = 10}};
    page.back().counts.favourites = id;
  }
  auto original = std::make_shared<domain::StatusView>(page[3]);
  page[1] = MakeStatus(30, 43, original->rec->id, "");  // a repost of a status also on the page
  page[1].author = {bob, {.followers = 1, .statuses = 10}};
  page[1].reblog = original;
  page[5].favourited = true;

  auto written = [&](const RenderContext& ctx) {
    std::string out;
    JsonWriter w(out);
    w.BeginArray();
    WriteStatuses(w, page, ctx);
    w.EndArray();
    return out;
  };
  auto alone = [&] {
    std::string out = "[";
    for (const auto& v : page) out += (out.size() > 1 ? "," : "") + Render(v, fresh);
    return out + "]";
  };
  for (size_t capacity : {16, 1024}) {
    SCOPED_TRACE(capacity);
    RenderContext cached = Context(true);
    cached.cache = std::make_shared<RenderCaches>(capacity, capacity);
    EXPECT_EQ(written(cached), alone());  // nothing kept yet
    EXPECT_EQ(written(cached), alone());  // from what was kept
    EXPECT_EQ(boost::json::parse(written(cached)).as_array().size(), 10u);

    page[0].counts.favourites = 99;
    page[4].author.counts.statuses = 11;
    auto liked = std::make_shared<domain::StatusView>(*original);
    liked->counts.reblogs = 5;
    liked->favourited = true;
    page[1].reblog = liked;
    page[6].author.rec = MakeAccount(42, "alice");  // alice's record changed
    std::const_pointer_cast<storage::AccountRecord>(page[6].author.rec)->display_name = "Alice";
    std::string after = written(cached);
    EXPECT_EQ(after, alone());
    auto parsed = boost::json::parse(after).as_array();
    EXPECT_EQ(parsed[0].at("favourites_count").as_int64(), 99);
    EXPECT_EQ(parsed[1].at("reblog").at("reblogs_count").as_int64(), 5);
    EXPECT_TRUE(parsed[1].at("reblog").at("favourited").as_bool());
    EXPECT_EQ(parsed[4].at("account").at("statuses_count").as_int64(), 11);
    EXPECT_EQ(parsed[6].at("account").at("display_name").as_string(), "Alice");
    EXPECT_EQ(written(cached), alone());
    page[1].reblog = original;
  }
}

}  // namespace
}  // namespace plaza::api
