// Statuses (Weibo posts): create, edit, delete, reply (comment), repost (reblog), quote (repost
// with a comment), like (favourite), bookmark, thread context and edit history, and hydration of
// status ids into viewer-relative views. Every read checks visibility for the viewer; every
// write checks ownership. Counters are derived from the stored relations, so they stay correct.
// Thread-safe.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "domain/home_feed.h"
#include "domain/model.h"
#include "domain/notifications.h"
#include "domain/state.h"

namespace plaza::domain {

class Moderation;
struct ContentDecision;

struct NewStatus {
  std::string text;
  std::string spoiler_text;
  std::optional<Visibility> visibility;  // default public
  bool sensitive = false;
  std::string language;
  Id in_reply_to_id = 0;
  Id quote_of_id = 0;
  Id app_id = 0;
  std::string idempotency_key;  // empty = none
  // For records another domain keeps with the post (a merchant's products): `extend_batch` adds
  // them to the post's own batch, with the new status (its id set), before the commit, so post
  // and records are durable together or not at all; an error refuses the post. `applied` runs
  // once the batch is durable and the post is in memory, before the caller is answered.
  std::function<Status(const StatusMeta&, storage::WriteBatch&)> extend_batch;
  std::function<void(const StatusMeta&)> applied;
};

struct StatusEdit {
  std::string text;
  std::string spoiler_text;
  bool sensitive = false;
  std::optional<std::string> language;
};

struct Context {
  std::vector<StatusView> ancestors;
  std::vector<StatusView> descendants;
};

class Statuses {
 public:
  Statuses(State& state, Notifications& notifications, HomeFeed& home)
      : s_(state), notifications_(notifications), home_(home) {}

  // Text is checked by `moderation` before it is stored when set (Domain sets it).
  void set_moderation(Moderation* moderation) { moderation_ = moderation; }

  using CreateCallback = std::function<void(Result<StatusView>)>;

  // Creates a status and waits until it is durable (CreateAsync, then a wait).
  Result<StatusView> Create(Id author, const NewStatus& input);
  // The same without waiting: everything up to the commit runs on the calling thread; `done` is
  // called exactly once — at once for a refusal (or a replayed Idempotency-Key), otherwise once
  // the status is durable, from the storage's committer thread (Storage::CommitAsync), after
  // memory is updated and the fan-out queued. `done` must not block for long. Requests with the
  // same Idempotency-Key while one is in flight share its answer.
  void CreateAsync(Id author, const NewStatus& input, CreateCallback done);
  Result<StatusView> Edit(Id actor, Id id, const StatusEdit& edit);
  // Deletes a status of the actor's (and every repost of it). Returns the status as it was.
  Result<StatusView> Delete(Id actor, Id id);
  Result<std::vector<storage::StatusEditRecord>> History(Id viewer, Id id);

  Result<StatusView> Reblog(Id actor, Id id, std::optional<Visibility> visibility);
  Result<StatusView> Unreblog(Id actor, Id id);
  Result<StatusView> Favourite(Id actor, Id id);
  Result<StatusView> Unfavourite(Id actor, Id id);
  Result<StatusView> Bookmark(Id actor, Id id);
  Result<StatusView> Unbookmark(Id actor, Id id);

  // The status as `viewer` (0 = anonymous) sees it; kNotFound when missing or not visible.
  Result<StatusView> Get(Id viewer, Id id) const;
  // Hydrates ids under one lock, dropping those the viewer may not see.
  std::vector<StatusView> GetMany(Id viewer, const std::vector<Id>& ids) const;
  // Get with the body read from storage (StatusView::body set).
  Result<StatusView> GetWithBody(Id viewer, Id id) const;
  // The body of status `id` from storage, for rendering a view without one. Does not check who
  // is asking: the caller holds a view the viewer may see. Empty when the status is gone since;
  // null, and logged, on a storage error.
  std::shared_ptr<const StatusBody> Body(Id id) const;
  // The accounts status `status` mentions, for rendering it afresh (a view does not carry them:
  // a status rendered before is written from its kept rendering).
  std::vector<AccountView> Mentioned(const StatusMeta& status) const;
  Result<Context> GetContext(Id viewer, Id id) const;

  std::vector<PageItem> FavouritedBy(Id viewer, Id id, const Page& page) const;
  std::vector<PageItem> RebloggedBy(Id viewer, Id id, const Page& page) const;
  // The viewer's favourites / bookmarks; cursor = mark id.
  std::vector<PageItem> FavouritesOf(Id account, const Page& page) const;
  std::vector<PageItem> BookmarksOf(Id account, const Page& page) const;

  // Applies a committed status to memory. REQUIRES: State::mu held exclusively.
  void ApplyCreateLocked(StatusMetaPtr record, int64_t created_at_ms);
  void ApplyDeleteLocked(Id id);
  void ApplyMarkLocked(const storage::MarkRecord& m);
  void ApplyUnmarkLocked(storage::MarkKind kind, Id account, Id status);

 private:
  // The text and content warning to store, with what `moderation` decided about them (as written,
  // when it is not set).
  Result<ContentDecision> Moderate(Id author, std::string_view text, std::string_view spoiler_text,
                                   bool is_new);
  // The local account a mention names, in any case. (twitter-text's mentions are screen names:
  // "@bob@example.com" is no mention at all, so a name never carries a domain.)
  std::optional<Id> ResolveMention(std::string_view name) const;
  // The account's marks in `index` ({mark, status}), paged by mark id.
  std::vector<PageItem> MarksOf(const boost::unordered_flat_map<Id, MarkList>& index, Id account,
                                const Page& page) const;
  Result<StatusView> Mark(Id actor, Id id, storage::MarkKind kind, bool on);
  // The three lists that hold one kind of mark (favourite or bookmark).
  struct MarkIndexes {
    boost::unordered_flat_map<Id, MarkList>& of_account;  // {mark, status} by account
    boost::unordered_flat_map<Id, MarkList>& of_status;   // {mark, account} by status
    std::vector<Id> ViewerMarks::*viewer;                 // the account's sorted status ids
  };
  MarkIndexes IndexesOf(storage::MarkKind kind) const;
  // Drops every mark of `kind` on a deleted status from all three lists. REQUIRES: State::mu
  // held exclusively.
  void ForgetMarksOnLocked(Id status, storage::MarkKind kind);
  // The body of status `id` as stored.
  Result<std::shared_ptr<const StatusBody>> ReadBody(Id id) const;

  State& s_;
  Notifications& notifications_;
  HomeFeed& home_;
  Moderation* moderation_ = nullptr;

  std::mutex idem_mu_;
  // (author, Idempotency-Key) of creates in flight -> callers waiting for the same answer.
  std::map<std::pair<Id, std::string>, std::vector<CreateCallback>> idem_in_flight_;  // guarded by idem_mu_
};

Result<Visibility> ParseVisibility(std::string_view name);
std::string_view VisibilityName(Visibility v);

}  // namespace plaza::domain
