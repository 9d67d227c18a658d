#include "api/entities.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <memory>

namespace plaza::api {
namespace {

std::string Render(const domain::AccountView& a, const RenderContext& ctx) {
  std::string out;
  JsonWriter w(out);
  WriteAccount(w, a, ctx);
  return out;
}

// An account's filled JSON is kept on its template: a rendering with other counts, or of a changed
// record, must not answer with what was kept.
TEST(EntitiesTest, AKeptAccountRenderingFollowsItsCountsAndRecord) {
  RenderContext ctx{"http://plaza.test",
                    "plaza.test",
                    nullptr,
                    nullptr,
                    nullptr,
                    std::make_shared<RenderCaches>(16, 16)};
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

}  // namespace
}  // namespace plaza::api
