#include "domain/timelines.h"

namespace plaza::domain {

bool Timelines::AcceptPublicLocked(Id viewer, Id status_id) const {
  const StatusEntry* st = s_.FindStatus(status_id);
  if (st == nullptr || !s_.CanSee(viewer, *st->rec)) return false;
  Id author = st->rec->account_id;
  if (viewer != 0 && author != viewer && s_.Mutes(viewer, author)) return false;
  const AccountEntry* a = s_.FindAccount(author);
  if (a == nullptr || a->rec->silenced) return author == viewer;
  return true;
}

std::vector<Id> Timelines::Public(Id viewer, const Page& page) const {
  std::shared_lock lock(s_.mu);
  return PageDescending(s_.public_statuses, page,
                        [&](Id id) { return AcceptPublicLocked(viewer, id); });
}

std::vector<Id> Timelines::Tag(Id viewer, std::string_view tag, const Page& page) const {
  std::shared_lock lock(s_.mu);
  auto it = s_.statuses_by_tag.find(std::string(tag));
  if (it == s_.statuses_by_tag.end()) return {};
  return PageDescending(it->second, page, [&](Id id) {
    if (!AcceptPublicLocked(viewer, id)) return false;
    return s_.FindStatus(id)->rec->visibility == Visibility::kPublic;
  });
}

Result<std::vector<Id>> Timelines::Account(Id viewer, Id account, const Page& page,
                                           const AccountTimelineOptions& options) const {
  std::shared_lock lock(s_.mu);
  return AccountLocked(viewer, account, page, options);
}

Result<std::vector<StatusView>> Timelines::AccountViews(
    Id viewer, Id account, const Page& page, const AccountTimelineOptions& options) const {
  std::shared_lock lock(s_.mu);
  auto ids = AccountLocked(viewer, account, page, options);
  if (!ids.ok()) return ids.status();
  std::vector<const StatusEntry*> entries;
  entries.reserve(ids->size());
  // Each was found and checked by the filter just now, under this lock.
  for (Id id : *ids) entries.push_back(s_.FindStatus(id));
  return s_.ViewSeenStatuses(viewer, entries, s_.MarksOf(viewer));
}

Result<std::vector<Id>> Timelines::AccountLocked(Id viewer, Id account, const Page& page,
                                                 const AccountTimelineOptions& options) const {
  const AccountEntry* a = s_.FindAccount(account);
  if (a == nullptr || (a->rec->suspended && viewer != account)) {
    return Status::NotFound("account not found");
  }
  if (viewer != 0 && viewer != account && s_.BlockedEitherWay(viewer, account)) {
    return std::vector<Id>{};
  }
  auto it = s_.statuses_by_author.find(account);
  if (it == s_.statuses_by_author.end()) return std::vector<Id>{};
  const bool in_blocks = viewer != 0 && s_.InBlocks(viewer);  // asked once for the page
  return PageDescending(it->second, page, [&](Id id) {
    const StatusEntry* st = s_.FindStatus(id);
    if (st == nullptr || !s_.CanSee(viewer, *st->rec, in_blocks)) return false;
    const StatusMeta& r = *st->rec;
    if (options.exclude_reblogs && r.reblog_of_id != 0) return false;
    if (options.exclude_replies && r.in_reply_to_id != 0 && r.in_reply_to_account_id != account) {
      return false;
    }
    if (!options.tagged.empty() &&
        std::find(r.tags().begin(), r.tags().end(), options.tagged) == r.tags().end()) {
      return false;
    }
    if (r.reblog_of_id != 0) {
      const StatusEntry* o = s_.FindStatus(r.reblog_of_id);
      if (o == nullptr || !s_.CanSee(viewer, *o->rec, in_blocks)) return false;
    }
    return true;
  });
}

}  // namespace plaza::domain
