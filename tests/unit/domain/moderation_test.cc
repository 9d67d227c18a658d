#include "domain/moderation.h"

#include <gtest/gtest.h>

#include "domain_test_util.h"

namespace plaza::domain {
namespace {

using testing::DomainFixture;
using testing::TestConfig;

// A fixture with an admin, a moderator and two users, and four rules (one per action).
class ModerationTest : public ::testing::Test {
 protected:
  explicit ModerationTest(DomainConfig config = TestConfig()) : f_(config) {
    admin_ = f_.MakeAccount("admin");
    mod_ = f_.MakeAccount("moderator");
    alice_ = f_.MakeAccount("alice");
    bob_ = f_.MakeAccount("bob");
    EXPECT_TRUE(f_.d().accounts().SetRole(admin_, Role::kAdmin).ok());
    EXPECT_TRUE(f_.d().accounts().SetRole(mod_, Role::kModerator).ok());
    AddRule("literal", "badword", "abuse", "reject");
    AddRule("literal", "holdme", "spam", "review");
    AddRule("literal", "darn", "profanity", "mask");
    AddRule("literal", "gore", "graphic", "label");
  }

  Moderation& m() { return f_.d().moderation(); }

  std::string AddRule(std::string kind, std::string pattern, std::string category,
                      std::string action) {
    RuleInput in;
    in.kind = kind;
    in.pattern = pattern;
    in.category = category;
    in.action = action;
    auto r = m().CreateRule(admin_, in);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->id : "";
  }

  Result<StatusView> Post(Id author, const std::string& text) {
    NewStatus in;
    in.text = text;
    return f_.d().statuses().Create(author, in);
  }

  DomainFixture f_;
  Id admin_ = 0, mod_ = 0, alice_ = 0, bob_ = 0;
};

TEST_F(ModerationTest, RejectNamesThePolicyAndStoresNothing) {
  auto r = Post(alice_, "so much ｂ.ａ.ｄ.ｗ.ｏ.ｒ.ｄ");
  ASSERT_EQ(r.status().code(), StatusCode::kUnprocessable);
  EXPECT_NE(r.status().message().find("abuse"), std::string::npos) << r.status().message();
  EXPECT_EQ(f_.d().accounts().Get(alice_)->counts.statuses, 0);
  auto log = m().AuditLog(admin_, Page{.limit = 100});
  ASSERT_TRUE(log.ok());
  EXPECT_TRUE(std::any_of(log->begin(), log->end(),
                          [](const auto& a) { return a.action == "status.auto_reject"; }));
}

TEST_F(ModerationTest, MaskAndLabel) {
  auto masked = Post(alice_, "darn it");
  ASSERT_TRUE(masked.ok());
  EXPECT_EQ(masked->body->text, "*** it");
  EXPECT_EQ(masked->body->content_html.find("darn"), std::string::npos);
  auto labelled = Post(alice_, "gore ahead");
  ASSERT_TRUE(labelled.ok());
  EXPECT_TRUE(labelled->rec->sensitive);
  EXPECT_NE(labelled->body->spoiler_text.find("graphic"), std::string::npos);
}

TEST_F(ModerationTest, HeldStatusIsSeenByAuthorAndStaffOnlyUntilApproved) {
  auto held = Post(alice_, "holdme please");
  ASSERT_TRUE(held.ok());
  Id id = held->rec->id;
  EXPECT_TRUE(f_.d().statuses().Get(alice_, id).ok());
  EXPECT_TRUE(f_.d().statuses().Get(mod_, id).ok());
  EXPECT_FALSE(f_.d().statuses().Get(bob_, id).ok());
  EXPECT_FALSE(f_.d().statuses().Get(0, id).ok());
  auto queue = m().ListHolds(mod_, false);
  ASSERT_TRUE(queue.ok());
  ASSERT_EQ(queue->size(), 1u);
  EXPECT_EQ((*queue)[0].target_id, id);

  EXPECT_EQ(m().ApproveHold(bob_, id, "").status().code(), StatusCode::kForbidden);
  ASSERT_TRUE(m().ApproveHold(mod_, id, "fine").ok());
  EXPECT_TRUE(f_.d().statuses().Get(bob_, id).ok());
  EXPECT_TRUE(m().ListHolds(mod_, false)->empty());
}

TEST_F(ModerationTest, MentionsInAHeldStatusNotifyOnlyWhenApproved) {
  auto held = Post(alice_, "holdme @bob");
  ASSERT_TRUE(held.ok());
  EXPECT_TRUE(f_.d().notifications().List(bob_, Page{}, {})->empty());
  ASSERT_TRUE(m().ApproveHold(mod_, held->rec->id, "").ok());
  auto notes = f_.d().notifications().List(bob_, Page{}, {});
  ASSERT_TRUE(notes.ok());
  ASSERT_EQ(notes->size(), 1u);
  EXPECT_EQ((*notes)[0].status_id, held->rec->id);
}

TEST_F(ModerationTest, DeletingAHeldStatusEmptiesItsHold) {
  auto held = Post(alice_, "holdme then delete");
  ASSERT_TRUE(held.ok());
  ASSERT_TRUE(f_.d().statuses().Delete(alice_, held->rec->id).ok());
  EXPECT_TRUE(m().ListHolds(mod_, false)->empty());
  f_.Restart();
  EXPECT_TRUE(m().ListHolds(mod_, false)->empty());
}

TEST_F(ModerationTest, HoldsRulesAndAuditSurviveRestart) {
  auto held = Post(alice_, "holdme later");
  ASSERT_TRUE(held.ok());
  size_t audit = m().AuditLog(admin_, Page{.limit = 1000})->size();
  f_.Restart();
  EXPECT_FALSE(f_.d().statuses().Get(bob_, held->rec->id).ok());
  EXPECT_EQ(Post(alice_, "badword").status().code(), StatusCode::kUnprocessable);
  EXPECT_EQ(m().ListRules(admin_)->size(), 4u);
  EXPECT_GE(m().AuditLog(admin_, Page{.limit = 1000})->size(), audit);
}

TEST_F(ModerationTest, MalformedRuleKeepsTheRunningSet) {
  RuleInput in;
  in.kind = "regex";
  in.pattern = "broken(";
  auto r = m().CreateRule(admin_, in);
  EXPECT_EQ(r.status().code(), StatusCode::kUnprocessable);
  EXPECT_EQ(m().ListRules(admin_)->size(), 4u);
  EXPECT_EQ(Post(alice_, "badword").status().code(), StatusCode::kUnprocessable);
}

TEST_F(ModerationTest, RolesAreChecked) {
  RuleInput in;
  in.pattern = "x";
  EXPECT_EQ(m().CreateRule(mod_, in).status().code(), StatusCode::kForbidden);
  EXPECT_EQ(m().CreateRule(bob_, in).status().code(), StatusCode::kForbidden);
  EXPECT_TRUE(m().ListRules(mod_).ok());
  EXPECT_EQ(m().ListRules(bob_).status().code(), StatusCode::kForbidden);
  EXPECT_EQ(m().AuditLog(mod_, Page{}).status().code(), StatusCode::kForbidden);
  EXPECT_EQ(m().ActOnAccount(mod_, admin_, AccountActionType::kSuspend, "", 0).code(),
            StatusCode::kForbidden);
}

TEST_F(ModerationTest, SuspendHidesTheAccountAndStopsSignIn) {
  Id post = f_.Post(bob_, "hello");
  ASSERT_TRUE(m().ActOnAccount(mod_, bob_, AccountActionType::kSuspend, "spam", 0).ok());
  EXPECT_FALSE(f_.d().statuses().Get(alice_, post).ok());
  EXPECT_FALSE(f_.d().accounts().CheckPassword("bob", "password123").ok());
}

TEST_F(ModerationTest, ReportFlow) {
  Id post = f_.Post(bob_, "something");
  auto rep = m().CreateReport(alice_, {bob_, {post}, "spam", "please look"});
  ASSERT_TRUE(rep.ok()) << rep.status().ToString();
  EXPECT_EQ(m().CreateReport(alice_, {bob_, {post}, "nonsense", ""}).status().code(),
            StatusCode::kUnprocessable);
  ASSERT_TRUE(m().AssignReport(mod_, rep->id, true).ok());
  auto resolved = m().ResolveReport(mod_, rep->id, true);
  ASSERT_TRUE(resolved.ok());
  EXPECT_TRUE(resolved->action_taken);
  EXPECT_EQ(resolved->assigned_account_id, mod_);
  EXPECT_EQ(m().GetReport(bob_, rep->id).status().code(), StatusCode::kForbidden);
}

TEST_F(ModerationTest, AppealOfRejectedStatusPublishesItWhenApproved) {
  auto held = Post(alice_, "holdme appeal");
  ASSERT_TRUE(held.ok());
  Id id = held->rec->id;
  ASSERT_TRUE(m().RejectHold(mod_, id, "no").ok());
  EXPECT_EQ(m().CreateAppeal(bob_, "status", id, "mine?").status().code(), StatusCode::kNotFound);
  auto appeal = m().CreateAppeal(alice_, "status", id, "please");
  ASSERT_TRUE(appeal.ok());
  EXPECT_FALSE(f_.d().statuses().Get(bob_, id).ok());
  ASSERT_TRUE(m().DecideAppeal(mod_, appeal->id, true, "ok").ok());
  EXPECT_TRUE(f_.d().statuses().Get(bob_, id).ok());
}

TEST_F(ModerationTest, ProfileReviewWaitsUnappliedUntilApproved) {
  ProfileUpdate u;
  u.note = "holdme bio";
  auto view = f_.d().accounts().UpdateProfile(alice_, u);
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->rec->note, "holdme bio");  // the author sees it
  EXPECT_EQ(f_.d().accounts().Get(alice_)->rec->note, "");
  ASSERT_TRUE(m().ApproveHold(mod_, alice_, "").ok());
  EXPECT_EQ(f_.d().accounts().Get(alice_)->rec->note, "holdme bio");
  u.note = "badword bio";
  EXPECT_EQ(f_.d().accounts().UpdateProfile(alice_, u).status().code(),
            StatusCode::kUnprocessable);
}

class SpamLimitTest : public ModerationTest {
 protected:
  static DomainConfig Config() {
    DomainConfig c = TestConfig();
    c.moderation.spam_limits = true;
    c.moderation.new_account_max_posts = 3;
    c.moderation.new_account_max_duplicates = 1;
    return c;
  }
  SpamLimitTest() : ModerationTest(Config()) {}
};

TEST_F(SpamLimitTest, DuplicatesAndVelocityOfNewAccounts) {
  ASSERT_TRUE(Post(alice_, "Follow me now").ok());
  EXPECT_EQ(Post(alice_, "follow  ME now!").status().code(), StatusCode::kUnprocessable);
  ASSERT_TRUE(Post(alice_, "two").ok());
  ASSERT_TRUE(Post(alice_, "three").ok());
  EXPECT_EQ(Post(alice_, "four").status().code(), StatusCode::kRateLimited);
  EXPECT_TRUE(Post(bob_, "bob is not limited by alice").ok());
}

}  // namespace
}  // namespace plaza::domain
