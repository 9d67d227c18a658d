// Notifications: reading, dismissing and counting what other accounts did to you. Notifications
// are created by the write that causes them (in the same storage batch), never here; this service
// reads them back through the viewer's current blocks and mutes. Thread-safe.
#pragma once

#include <optional>
#include <string>
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
  // durable with it; an author with N such followers makes a write of N more records (Mastodon
  // queues these; nothing here caps N). REQUIRES: State::mu held.
  void AddPublishedLocked(storage::WriteBatch& batch, const StatusMeta& status);

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

  State& s_;
};

}  // namespace plaza::domain
