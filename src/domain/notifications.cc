#include "domain/notifications.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "common/clock.h"

namespace plaza::domain {

bool Notifications::ShouldNotifyLocked(Id recipient, Id from) const {
  if (recipient == from || recipient == 0) return false;
  if (s_.BlockedEitherWay(recipient, from)) return false;
  auto m = s_.mutes.find({recipient, from});
  if (m != s_.mutes.end() && m->second.notifications) return false;
  return s_.FindAccount(recipient) != nullptr;
}

void Notifications::AddLocked(storage::WriteBatch& batch, Id recipient, NotificationType type,
                              Id from, Id status_id) {
  if (!ShouldNotifyLocked(recipient, from)) return;
  storage::NotificationRecord n;
  n.id = s_.ids.Next();
  n.account_id = recipient;
  n.type = type;
  n.from_account_id = from;
  n.status_id = status_id;
  n.created_at_ms = NowUnixMs();
  batch.Put(n);
}

Notifications::~Notifications() { Stop(); }

Status Notifications::Start() {
  std::lock_guard lock(mu_);
  if (worker_.joinable()) return Status::Ok();
  PLAZA_RETURN_IF_ERROR(s_.storage.ForEachPendingNotify([&](const storage::PendingNotifyRecord& r) {
    deliveries_.emplace_back(r.status_id, r.after);
    return Status::Ok();
  }));
  stopping_ = false;
  worker_ = std::thread([this] { Run(); });
  return Status::Ok();
}

void Notifications::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (worker_.joinable()) worker_.join();
  std::lock_guard lock(mu_);
  deliveries_.clear();  // their records stay: the next Start resumes them
}

void Notifications::Deliver(Id status_id) {
  std::lock_guard lock(mu_);
  // Without a worker the delivery waits in storage for the next Start.
  if (!worker_.joinable() || stopping_) return;
  deliveries_.emplace_back(status_id, 0);
  cv_.notify_one();
}

size_t Notifications::PendingDeliveries() {
  std::lock_guard lock(mu_);
  return deliveries_.size();
}

void Notifications::Run() {
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return stopping_ || !deliveries_.empty(); });
    if (stopping_) return;
    auto [status_id, after] = deliveries_.front();
    lock.unlock();
    auto more = DeliverBatch(status_id, after);
    lock.lock();
    // Only the worker takes from the front, so the delivery taken is still there.
    deliveries_.pop_front();
    if (!more.ok()) {
      // Kept, and tried again after the others (or after a pause when it is the only one).
      spdlog::error("notifications: delivery for status {} failed, retrying: {}", status_id,
                    more.status().ToString());
      deliveries_.emplace_back(status_id, after);
      cv_.wait_for(lock, std::chrono::seconds(1), [this] { return stopping_; });
    } else if (*more) {
      deliveries_.emplace_back(status_id, after);
    }
  }
}

Result<bool> Notifications::DeliverBatch(Id status_id, Id& after) {
  storage::WriteBatch batch;
  Id next = after;
  bool finished = true;
  {
    std::shared_lock lock(s_.mu);
    const StatusEntry* st = s_.FindStatus(status_id);
    if (st != nullptr) {
      // Followers in id order, so a delivery resumes after the last one done. Who is notified is
      // decided as each batch is made: a follower who starts asking once the delivery has passed
      // its id is not notified of this post, one whose id is still ahead is.
      std::span<const Id> followers = s_.NotifiedFollowers(st->rec->account_id);
      auto it = std::upper_bound(followers.begin(), followers.end(), after);
      const size_t batch_size = std::max<size_t>(s_.config.status_notify_batch, 1);
      for (size_t n = 0; it != followers.end() && n < batch_size; ++it, ++n) {
        AddStatusLocked(batch, *it, *st->rec);
        next = *it;
      }
      finished = it == followers.end();
    }
  }
  if (finished) {
    batch.Put(storage::DeletePendingNotify{status_id});
  } else {
    batch.Put(storage::PendingNotifyRecord{status_id, next});
  }
  PLAZA_RETURN_IF_ERROR(s_.storage.Commit(batch));
  after = next;
  return !finished;
}

void Notifications::AddStatusLocked(storage::WriteBatch& batch, Id follower,
                                    const StatusMeta& status) {
  const auto& mentioned = status.mention_ids();
  if (std::find(mentioned.begin(), mentioned.end(), follower) != mentioned.end()) return;
  if (s_.CanSee(follower, status)) {
    AddLocked(batch, follower, NotificationType::kStatus, status.account_id, status.id);
  }
}

bool Notifications::AddPublishedLocked(storage::WriteBatch& batch, const StatusMeta& status) {
  const Id author = status.account_id;
  const auto& mentioned = status.mention_ids();
  for (Id m : mentioned) {
    if (s_.CanSee(m, status)) AddLocked(batch, m, NotificationType::kMention, author, status.id);
  }
  const Id parent = status.in_reply_to_account_id;
  if (parent != 0 && std::find(mentioned.begin(), mentioned.end(), parent) == mentioned.end() &&
      s_.CanSee(parent, status)) {
    AddLocked(batch, parent, NotificationType::kMention, author, status.id);
  }
  if (status.quote_of_id() != 0) {
    const StatusEntry* quoted = s_.FindStatus(status.quote_of_id());
    if (quoted != nullptr && s_.CanSee(quoted->rec->account_id, status)) {
      AddLocked(batch, quoted->rec->account_id, NotificationType::kQuote, author, status.id);
    }
  }
  // As Mastodon: a thread the author continues notifies, a reply to someone else does not.
  if (status.visibility == Visibility::kDirect || (parent != 0 && parent != author)) return false;
  std::span<const Id> followers = s_.NotifiedFollowers(author);
  if (followers.size() > s_.config.status_notify_inline) {
    batch.Put(storage::PendingNotifyRecord{status.id, 0});
    return true;
  }
  for (Id follower : followers) AddStatusLocked(batch, follower, status);
  return false;
}

bool Notifications::VisibleLocked(Id account, const storage::NotificationRecord& n) const {
  const AccountEntry* from = s_.FindAccount(n.from_account_id);
  if (from == nullptr || from->rec->suspended) return false;
  if (s_.BlockedEitherWay(account, n.from_account_id)) return false;
  auto m = s_.mutes.find({account, n.from_account_id});
  if (m != s_.mutes.end() && m->second.notifications) return false;
  if (n.status_id != 0) {
    const StatusEntry* st = s_.FindStatus(n.status_id);
    if (st == nullptr || !s_.CanSee(account, *st->rec)) return false;
  }
  return true;
}

Result<std::vector<storage::NotificationRecord>> Notifications::List(
    Id account, const Page& page, const NotificationFilter& filter) {
  std::vector<storage::NotificationRecord> out;
  if (page.limit == 0) return out;
  auto wanted = [&](const storage::NotificationRecord& n) {
    if (!filter.types.empty() &&
        std::find(filter.types.begin(), filter.types.end(), n.type) == filter.types.end()) {
      return false;
    }
    if (std::find(filter.exclude_types.begin(), filter.exclude_types.end(), n.type) !=
        filter.exclude_types.end()) {
      return false;
    }
    if (filter.account_id != 0 && n.from_account_id != filter.account_id) return false;
    return VisibleLocked(account, n);
  };
  std::shared_lock lock(s_.mu);
  Status st;
  if (page.min_id != 0) {
    st = s_.storage.ScanNotifications(
        account, page.min_id + 1, false, [&](const storage::NotificationRecord& n) {
          if (page.max_id != 0 && n.id >= page.max_id) return false;
          if (wanted(n)) out.push_back(n);
          return out.size() < page.limit;
        });
    std::reverse(out.begin(), out.end());
  } else {
    Id start = page.max_id != 0 ? page.max_id - 1 : 0;
    if (page.max_id == 1) return out;
    st = s_.storage.ScanNotifications(account, start, true,
                                      [&](const storage::NotificationRecord& n) {
                                        if (n.id <= page.since_id) return false;
                                        if (wanted(n)) out.push_back(n);
                                        return out.size() < page.limit;
                                      });
  }
  if (!st.ok()) return st;
  return out;
}

Result<storage::NotificationRecord> Notifications::Get(Id account, Id id) {
  std::optional<storage::NotificationRecord> found;
  std::shared_lock lock(s_.mu);
  PLAZA_RETURN_IF_ERROR(s_.storage.ScanNotifications(
      account, id, true, [&](const storage::NotificationRecord& n) {
        if (n.id == id) found = n;
        return false;
      }));
  if (!found || !VisibleLocked(account, *found)) return Status::NotFound("notification not found");
  return *found;
}

Status Notifications::Dismiss(Id account, Id id) {
  PLAZA_RETURN_IF_ERROR(Get(account, id).status());
  storage::WriteBatch batch;
  batch.Put(storage::DeleteNotification{account, id});
  return s_.storage.Commit(batch);
}

Status Notifications::Clear(Id account) {
  storage::WriteBatch batch;
  batch.Put(storage::ClearNotifications{account});
  return s_.storage.Commit(batch);
}

Result<int64_t> Notifications::UnreadCount(Id account, int64_t limit) {
  PLAZA_ASSIGN_OR_RETURN(Id marker, ReadMarker(account));
  int64_t count = 0;
  std::shared_lock lock(s_.mu);
  PLAZA_RETURN_IF_ERROR(s_.storage.ScanNotifications(
      account, 0, true, [&](const storage::NotificationRecord& n) {
        if (n.id <= marker) return false;
        if (VisibleLocked(account, n)) ++count;
        return count < limit;
      }));
  return count;
}

Status Notifications::SetReadMarker(Id account, Id last_read_id) {
  storage::WriteBatch batch;
  batch.Put(storage::NotificationMarker{account, last_read_id});
  return s_.storage.Commit(batch);
}

Result<Id> Notifications::ReadMarker(Id account) { return s_.storage.GetNotificationMarker(account); }

std::optional<NotificationType> Notifications::ParseType(std::string_view name) {
  if (name == "mention") return NotificationType::kMention;
  if (name == "follow") return NotificationType::kFollow;
  if (name == "favourite") return NotificationType::kFavourite;
  if (name == "reblog") return NotificationType::kReblog;
  if (name == "quote") return NotificationType::kQuote;
  if (name == "status") return NotificationType::kStatus;
  if (name == "update") return NotificationType::kUpdate;
  return std::nullopt;
}

std::string_view Notifications::TypeName(NotificationType type) {
  switch (type) {
    case NotificationType::kMention: return "mention";
    case NotificationType::kFollow: return "follow";
    case NotificationType::kFavourite: return "favourite";
    case NotificationType::kReblog: return "reblog";
    case NotificationType::kQuote: return "quote";
    case NotificationType::kStatus: return "status";
    case NotificationType::kUpdate: return "update";
  }
  return "mention";
}

}  // namespace plaza::domain
