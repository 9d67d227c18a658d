// `status` notifications (a follow with notify) beyond what a post's own write takes: made after
// the post, a batch at a time, and resumed after a restart from the record written with it.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>
#include <utility>
#include <vector>

#include "domain_test_util.h"

namespace plaza::domain {
namespace {

using testing::DomainFixture;

DomainConfig SmallBatches(size_t inline_limit, size_t batch) {
  DomainConfig c = testing::TestConfig();
  c.status_notify_inline = inline_limit;
  c.status_notify_batch = batch;
  return c;
}

// The `status` notifications `account` holds, as the ids of their statuses.
std::vector<Id> StatusNotifications(Domain& d, Id account) {
  std::vector<Id> out;
  auto list = d.notifications().List(account, Page{}, {{NotificationType::kStatus}, {}, 0});
  EXPECT_TRUE(list.ok()) << list.status().ToString();
  if (list.ok()) {
    for (const auto& n : *list) out.push_back(n.status_id);
  }
  return out;
}

// The deliveries under way in storage, as (status, last follower done).
std::vector<std::pair<Id, Id>> PendingRecords(storage::Storage& st) {
  std::vector<std::pair<Id, Id>> out;
  EXPECT_TRUE(st.ForEachPendingNotify([&](const storage::PendingNotifyRecord& r) {
                  out.emplace_back(r.status_id, r.after);
                  return Status::Ok();
                }).ok());
  return out;
}

void WaitForDeliveries(Domain& d) {
  for (int i = 0; i < 1000 && d.notifications().PendingDeliveries() > 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(d.notifications().PendingDeliveries(), 0u);
}

class StatusNotifyTest : public ::testing::Test {
 protected:
  // An author and `n` followers who asked to be notified of its posts, in id order.
  void MakeAudience(DomainFixture& f, int n) {
    author_ = f.MakeAccount("author");
    for (int i = 0; i < n; ++i) {
      fans_.push_back(f.MakeAccount("fan" + std::to_string(i)));
      ASSERT_TRUE(f.d().graph().Follow(fans_.back(), author_, {}, true).ok());
    }
  }
  Id author_ = 0;
  std::vector<Id> fans_;
};

TEST_F(StatusNotifyTest, AFewFollowersAreNotifiedInThePostsOwnWrite) {
  DomainFixture f(SmallBatches(3, 2));
  MakeAudience(f, 3);
  // With no worker, only what the post's own write carried can be there.
  f.d().notifications().Stop();
  Id post = f.Post(author_, "hello");
  // No waiting: the notifications were committed with the post.
  for (Id fan : fans_) EXPECT_EQ(StatusNotifications(f.d(), fan), std::vector<Id>{post});
  EXPECT_TRUE(PendingRecords(f.storage()).empty());
}

TEST_F(StatusNotifyTest, ManyFollowersAreNotifiedAfterThePostOnceEach) {
  DomainFixture f(SmallBatches(3, 2));
  MakeAudience(f, 7);
  Id plain = f.MakeAccount("plain");  // follows without notify
  ASSERT_TRUE(f.d().graph().Follow(plain, author_, {}, {}).ok());
  // fans_[1] muted the author's notifications; fans_[0] is mentioned, so gets a mention instead.
  ASSERT_TRUE(f.d().graph().Mute(fans_[1], author_, true).ok());
  Id post = f.Post(author_, "hello @fan0");
  WaitForDeliveries(f.d());
  EXPECT_TRUE(StatusNotifications(f.d(), fans_[0]).empty());
  EXPECT_TRUE(StatusNotifications(f.d(), fans_[1]).empty());
  for (size_t i = 2; i < fans_.size(); ++i) {
    EXPECT_EQ(StatusNotifications(f.d(), fans_[i]), std::vector<Id>{post}) << i;
  }
  EXPECT_TRUE(StatusNotifications(f.d(), plain).empty());
  auto mentions =
      f.d().notifications().List(fans_[0], Page{}, {{NotificationType::kMention}, {}, 0});
  ASSERT_TRUE(mentions.ok());
  EXPECT_EQ(mentions->size(), 1u);
  EXPECT_TRUE(PendingRecords(f.storage()).empty());
  // A second post is delivered as well, and a restart delivers nothing again.
  Id second = f.Post(author_, "again");
  WaitForDeliveries(f.d());
  f.Restart();
  WaitForDeliveries(f.d());
  EXPECT_EQ(StatusNotifications(f.d(), fans_[6]), (std::vector<Id>{second, post}));
}

TEST_F(StatusNotifyTest, ADeliveryInterruptedByARestartResumesWhereItStopped) {
  DomainFixture f(SmallBatches(1, 2));
  MakeAudience(f, 5);
  // With the worker stopped, the post commits its pending record and nothing is delivered: as
  // when the server dies right after acknowledging it.
  f.d().notifications().Stop();
  Id post = f.Post(author_, "hello");
  EXPECT_EQ(PendingRecords(f.storage()), (std::vector<std::pair<Id, Id>>{{post, 0}}));
  for (Id fan : fans_) EXPECT_TRUE(StatusNotifications(f.d(), fan).empty());
  // As if one batch (fans 0 and 1) had been made before the server died.
  storage::WriteBatch progress;
  progress.Put(storage::PendingNotifyRecord{post, fans_[1]});
  ASSERT_TRUE(f.storage().Commit(progress).ok());
  f.Restart();
  WaitForDeliveries(f.d());
  EXPECT_TRUE(StatusNotifications(f.d(), fans_[0]).empty());
  EXPECT_TRUE(StatusNotifications(f.d(), fans_[1]).empty());
  for (size_t i = 2; i < fans_.size(); ++i) {
    EXPECT_EQ(StatusNotifications(f.d(), fans_[i]), std::vector<Id>{post}) << i;
  }
  EXPECT_TRUE(PendingRecords(f.storage()).empty());
}

TEST_F(StatusNotifyTest, ADeliveryForADeletedPostEndsWithoutNotifying) {
  DomainFixture f(SmallBatches(1, 2));
  MakeAudience(f, 4);
  f.d().notifications().Stop();
  Id post = f.Post(author_, "soon gone");
  ASSERT_TRUE(f.d().statuses().Delete(author_, post).ok());
  f.Restart();
  WaitForDeliveries(f.d());
  for (Id fan : fans_) EXPECT_TRUE(StatusNotifications(f.d(), fan).empty());
  EXPECT_TRUE(PendingRecords(f.storage()).empty());
}

TEST_F(StatusNotifyTest, EachBatchNotifiesWhoAsksWhenItIsMade) {
  DomainFixture f(SmallBatches(1, 2));
  Id early = f.MakeAccount("early");  // older than every fan
  MakeAudience(f, 4);
  f.d().notifications().Stop();
  Id post = f.Post(author_, "hello");
  storage::WriteBatch progress;  // fans 0-2 done
  progress.Put(storage::PendingNotifyRecord{post, fans_[2]});
  ASSERT_TRUE(f.storage().Commit(progress).ok());
  // Before the rest is made: fans_[3] stops asking, and two accounts start, one below the
  // delivery's progress (by id) and one above it.
  ASSERT_TRUE(f.d().graph().Follow(fans_[3], author_, {}, false).ok());
  Id late = f.MakeAccount("late");
  ASSERT_TRUE(f.d().graph().Follow(early, author_, {}, true).ok());
  ASSERT_TRUE(f.d().graph().Follow(late, author_, {}, true).ok());
  f.Restart();
  WaitForDeliveries(f.d());
  EXPECT_TRUE(StatusNotifications(f.d(), fans_[3]).empty());
  EXPECT_TRUE(StatusNotifications(f.d(), early).empty());
  EXPECT_EQ(StatusNotifications(f.d(), late), std::vector<Id>{post});
}

}  // namespace
}  // namespace plaza::domain
