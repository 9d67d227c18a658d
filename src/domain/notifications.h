// Notifications: reading, dismissing and counting what other accounts did to you. Notifications
// are created by the write that causes them (in the same storage batch); this service reads them
// back through the viewer's current blocks and mutes. The one exception is a post whose author
// has many followers who asked to be notified of its posts: past `status_notify_inline` of them,
// the rest are made after the post by this service's worker, `status_notify_batch` to a write,
// from a record written with the post (storage::PendingNotifyRecord) that a restart resumes.
// Thread-safe.
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "common/status.h"
#include "domain/model.h"
#include "domain/state.h"

namespace plaza::domain {

struct NotificationFilter {
  std::vector<NotificationType> types;          // empty = all
  std::vector<NotificationType> exclude_types;
  Id account_id = 0;                            // only from this account, 0 = any
};

class Notifications {
 public:
  explicit Notifications(State& state) : s_(state) {}
  ~Notifications();
  Notifications(const Notifications&) = delete;
  Notifications& operator=(const Notifications&) = delete;

  // Takes up the deliveries a restart interrupted and starts the worker that makes them.
  // REQUIRES: the model is loaded. A delivery handed over while no worker runs (before Start,
  // after Stop) waits in storage for the next Start.
  Status Start();
  // Stops the worker; deliveries not finished resume at the next Start.
  void Stop();

  // REQUIRES: State::mu held (shared at least). Whether `from` doing something to `recipient`
  // should notify: not oneself, no block either way, not muted with notifications.
  bool ShouldNotifyLocked(Id recipient, Id from) const;
  // Appends a notification to `batch` if it should be made. REQUIRES: State::mu held.
  void AddLocked(storage::WriteBatch& batch, Id recipient, NotificationType type, Id from,
                 Id status_id);
  // Appends the notifications a status makes when it is published (posted, or released from a
  // moderation hold): a mention to each mentioned account and to the author of the status it
  // replies to, a quote to the quoted status's author, each only if they can see it; and a
  // `status` notification to each follower who asked to be notified of the author's posts
  // (Mastodon's follow `notify`), for a post that is neither direct nor a reply to someone else,
  // unless that follower is mentioned in it. All go into the status's own batch, so they are
  // durable with it, except `status` notifications past config.status_notify_inline: then the
  // batch takes none of them but a PendingNotifyRecord, and this returns true. The caller then
  // calls Deliver(status.id) once the batch is committed and the status is in the model.
  // REQUIRES: State::mu held.
  [[nodiscard]] bool AddPublishedLocked(storage::WriteBatch& batch, const StatusMeta& status);
  // Hands the worker a status whose PendingNotifyRecord is committed.
  void Deliver(Id status_id);
  // Deliveries not finished (GET /api/plaza/v1/fanout).
  size_t PendingDeliveries();

  Result<std::vector<storage::NotificationRecord>> List(Id account, const Page& page,
                                                        const NotificationFilter& filter);
  Result<storage::NotificationRecord> Get(Id account, Id id);
  Status Dismiss(Id account, Id id);
  Status Clear(Id account);
  // Notifications newer than the read marker, counting at most `limit`.
  Result<int64_t> UnreadCount(Id account, int64_t limit);
  Status SetReadMarker(Id account, Id last_read_id);
  Result<Id> ReadMarker(Id account);

  static std::optional<NotificationType> ParseType(std::string_view name);
  static std::string_view TypeName(NotificationType type);

 private:
  // REQUIRES: State::mu held (shared).
  bool VisibleLocked(Id account, const storage::NotificationRecord& n) const;
  // The `status` notification `follower` gets for `status`, if any. REQUIRES: State::mu held.
  void AddStatusLocked(storage::WriteBatch& batch, Id follower, const StatusMeta& status);
  // Makes the next batch of a delivery and commits it with the delivery's progress; false when
  // the delivery is finished (or its status is gone).
  Result<bool> DeliverBatch(Id status_id, Id& after);
  void Run();

  State& s_;
  std::mutex mu_;
  std::condition_variable cv_;
  // Deliveries under way as (status, last follower done), taken in turn a batch at a time.
  std::deque<std::pair<Id, Id>> deliveries_;
  bool stopping_ = false;
  std::thread worker_;
};

}  // namespace plaza::domain
