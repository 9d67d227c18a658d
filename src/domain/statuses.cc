#include "domain/statuses.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>
#include <functional>
#include <future>

#include "common/ascii.h"
#include "common/clock.h"
#include "common/utf8.h"
#include "domain/accounts.h"
#include "domain/content.h"
#include "domain/graph.h"
#include "domain/moderation.h"

namespace plaza::domain {
namespace {

constexpr storage::MarkKind kMarkKinds[] = {storage::MarkKind::kFavourite,
                                            storage::MarkKind::kBookmark};

constexpr uint64_t kLockStatus = 20;
constexpr uint64_t kLockMark = 21;
constexpr uint64_t kLockReblog = 23;
constexpr int kMaxSpoilerChars = 500;
constexpr size_t kMaxContextSize = 4096;
constexpr size_t kMaxIdempotencyKey = 256;
// Far above any text that fits the length rule (URLs count a fixed amount, so allow long ones);
// keeps pathological inputs away from the entity scanners.
constexpr size_t kMaxTextBytes = 16 * 1024;

}  // namespace

Result<Visibility> ParseVisibility(std::string_view name) {
  if (name == "public") return Visibility::kPublic;
  if (name == "unlisted") return Visibility::kUnlisted;
  if (name == "private") return Visibility::kPrivate;
  if (name == "direct") return Visibility::kDirect;
  return Status::Unprocessable("visibility must be public, unlisted, private or direct");
}

std::string_view VisibilityName(Visibility v) {
  switch (v) {
    case Visibility::kPublic: return "public";
    case Visibility::kUnlisted: return "unlisted";
    case Visibility::kPrivate: return "private";
    case Visibility::kDirect: return "direct";
  }
  return "public";
}

StatusMeta MetaOf(const StatusRecord& rec) {
  StatusMeta m;
  m.id = rec.id;
  m.account_id = rec.account_id;
  m.in_reply_to_id = rec.in_reply_to_id;
  m.in_reply_to_account_id = rec.in_reply_to_account_id;
  m.reblog_of_id = rec.reblog_of_id;
  m.visibility = rec.visibility;
  m.sensitive = rec.sensitive;
  m.set_refs(rec.mention_ids, rec.tags, rec.quote_of_id);
  return m;
}

std::string_view StatusMeta::TagNames::iterator::operator*() const {
  uint32_t size;
  std::memcpy(&size, p_, sizeof size);
  return {p_ + sizeof size, size};
}

StatusMeta::TagNames::iterator& StatusMeta::TagNames::iterator::operator++() {
  uint32_t size;
  std::memcpy(&size, p_, sizeof size);
  p_ += sizeof size + size;
  return *this;
}

std::span<const Id> StatusMeta::mention_ids() const {
  if (refs_ == nullptr) return {};
  return {refs_->mention_data(), refs_->mentions};
}

StatusMeta::TagNames StatusMeta::tags() const {
  if (refs_ == nullptr) return {nullptr, nullptr};
  return {refs_->tag_data(), refs_->tag_data() + refs_->tag_bytes};
}

Id StatusMeta::quote_of_id() const { return quotes_ && refs_ != nullptr ? refs_->quote_of_id : 0; }

void StatusMeta::set_refs(const std::vector<Id>& mention_ids, const std::vector<std::string>& tags,
                          Id quote_of_id) {
  refs_.reset();
  quotes_ = quote_of_id != 0;
  if (mention_ids.empty() && tags.empty() && quote_of_id == 0) return;
  size_t tag_bytes = 0;
  for (const std::string& tag : tags) tag_bytes += sizeof(uint32_t) + tag.size();
  const size_t size = sizeof(Refs) + mention_ids.size() * sizeof(Id) + tag_bytes;
  auto* r = new (::operator new(size)) Refs{quote_of_id, static_cast<uint32_t>(mention_ids.size()),
                                            static_cast<uint32_t>(tag_bytes)};
  refs_.reset(r);
  char* out = reinterpret_cast<char*>(r + 1);
  if (!mention_ids.empty()) {
    std::memcpy(out, mention_ids.data(), mention_ids.size() * sizeof(Id));
    out += mention_ids.size() * sizeof(Id);
  }
  for (const std::string& tag : tags) {
    const auto n = static_cast<uint32_t>(tag.size());
    std::memcpy(out, &n, sizeof n);
    std::memcpy(out + sizeof n, tag.data(), n);
    out += sizeof n + n;
  }
}

StatusBody BodyOf(StatusRecord&& rec) {
  return {std::move(rec.text),
          std::move(rec.content_html),
          std::move(rec.spoiler_text),
          std::move(rec.language),
          rec.app_id,
          rec.created_at_ms,
          rec.edited_at_ms};
}

Result<std::shared_ptr<const StatusBody>> Statuses::ReadBody(Id id) const {
  PLAZA_ASSIGN_OR_RETURN(StatusRecord rec, s_.storage.GetStatus(id));
  return std::make_shared<const StatusBody>(BodyOf(std::move(rec)));
}

std::vector<AccountView> Statuses::Mentioned(const StatusMeta& status) const {
  std::vector<AccountView> out;
  if (status.mention_ids().empty()) return out;
  std::shared_lock lock(s_.mu);
  for (Id m : status.mention_ids()) {
    if (const AccountEntry* a = s_.FindAccount(m)) out.push_back(s_.ViewAccount(*a));
  }
  return out;
}

std::shared_ptr<const StatusBody> Statuses::Body(Id id) const {
  auto body = ReadBody(id);
  if (body.ok()) return std::move(*body);
  // Deleted since the view was made: nothing to show.
  if (body.status().IsNotFound()) return std::make_shared<const StatusBody>();
  spdlog::error("reading the body of status {}: {}", id, body.status().ToString());
  return nullptr;
}

Result<StatusView> Statuses::GetWithBody(Id viewer, Id id) const {
  PLAZA_ASSIGN_OR_RETURN(StatusView v, Get(viewer, id));
  PLAZA_ASSIGN_OR_RETURN(v.body, ReadBody(id));
  return v;
}

Result<StatusView> Statuses::Get(Id viewer, Id id) const {
  std::shared_lock lock(s_.mu);
  auto v = s_.ViewStatus(viewer, id);
  if (!v) return Status::NotFound("status not found");
  return std::move(*v);
}

std::vector<StatusView> Statuses::GetMany(Id viewer, const std::vector<Id>& ids) const {
  std::vector<const StatusEntry*> seen(ids.size());
  std::shared_lock lock(s_.mu);
  // The statuses are looked up together (independent probes whose cache misses overlap), then
  // checked and viewed as a page.
  for (size_t i = 0; i < ids.size(); ++i) seen[i] = s_.FindStatus(ids[i]);
  const bool in_blocks = viewer != 0 && s_.InBlocks(viewer);  // asked once for the list
  std::erase_if(seen, [&](const StatusEntry* st) {
    return st == nullptr || !s_.CanSee(viewer, *st->rec, in_blocks);
  });
  return s_.ViewSeenStatuses(viewer, seen, s_.MarksOf(viewer));
}

void Statuses::ApplyCreateLocked(StatusMetaPtr record, int64_t created_at_ms) {
  const StatusMeta& rec = *record;
  if (StatusEntry* existing = s_.FindStatus(rec.id)) {
    existing->rec = std::move(record);
  } else {
    s_.statuses.insert(StatusEntry{std::move(record), {}});
  }
  InsertSorted(s_.statuses_by_author[rec.account_id], rec.id);
  if (AccountEntry* a = s_.FindAccount(rec.account_id)) {
    ++a->counts.statuses;
    a->counts.last_status_at_ms = std::max(a->counts.last_status_at_ms, created_at_ms);
  }
  if (rec.reblog_of_id != 0) {
    s_.reblog_by[{rec.account_id, rec.reblog_of_id}] = rec.id;
    s_.AddViewerMark(&ViewerMarks::reblogged, rec.account_id, rec.reblog_of_id);
    InsertSorted(s_.reblogs_of[rec.reblog_of_id], rec.id);
    if (StatusEntry* o = s_.FindStatus(rec.reblog_of_id)) ++o->counts.reblogs;
    return;
  }
  bool public_listed = rec.visibility == Visibility::kPublic;
  bool reply_to_other = rec.in_reply_to_id != 0 && rec.in_reply_to_account_id != rec.account_id;
  if (public_listed && !reply_to_other) InsertSorted(s_.public_statuses, rec.id);
  if (rec.visibility == Visibility::kPublic || rec.visibility == Visibility::kUnlisted) {
    for (std::string_view tag : rec.tags()) {
      InsertSorted(s_.statuses_by_tag[std::string(tag)], rec.id);
    }
  }
  if (rec.in_reply_to_id != 0) {
    InsertSorted(s_.replies_of[rec.in_reply_to_id], rec.id);
    if (StatusEntry* p = s_.FindStatus(rec.in_reply_to_id)) ++p->counts.replies;
  }
  if (rec.quote_of_id() != 0) {
    if (StatusEntry* q = s_.FindStatus(rec.quote_of_id())) ++q->counts.quotes;
  }
}

void Statuses::ApplyDeleteLocked(Id id) {
  auto it = s_.statuses.find(id);
  if (it == s_.statuses.end()) return;
  const StatusMetaPtr held = it->rec;
  const StatusMeta& rec = *held;
  s_.statuses.erase(it);
  EraseSorted(s_.statuses_by_author[rec.account_id], id);
  if (AccountEntry* a = s_.FindAccount(rec.account_id)) --a->counts.statuses;
  if (rec.reblog_of_id != 0) {
    s_.reblog_by.erase({rec.account_id, rec.reblog_of_id});
    s_.RemoveViewerMark(&ViewerMarks::reblogged, rec.account_id, rec.reblog_of_id);
    EraseSorted(s_.reblogs_of[rec.reblog_of_id], id);
    if (StatusEntry* o = s_.FindStatus(rec.reblog_of_id)) --o->counts.reblogs;
    return;
  }
  EraseSorted(s_.public_statuses, id);
  for (std::string_view tag : rec.tags()) {
    auto t = s_.statuses_by_tag.find(std::string(tag));
    if (t != s_.statuses_by_tag.end()) EraseSorted(t->second, id);
  }
  if (rec.in_reply_to_id != 0) {
    EraseSorted(s_.replies_of[rec.in_reply_to_id], id);
    if (StatusEntry* p = s_.FindStatus(rec.in_reply_to_id)) --p->counts.replies;
  }
  if (rec.quote_of_id() != 0) {
    if (StatusEntry* q = s_.FindStatus(rec.quote_of_id())) --q->counts.quotes;
  }
  // Marks on a deleted status go with it.
  for (storage::MarkKind kind : kMarkKinds) ForgetMarksOnLocked(id, kind);
}

Statuses::MarkIndexes Statuses::IndexesOf(storage::MarkKind kind) const {
  if (kind == storage::MarkKind::kFavourite) {
    return {s_.favourites_of_account, s_.favouriters_of_status, &ViewerMarks::favourited};
  }
  return {s_.bookmarks_of_account, s_.bookmarkers_of_status, &ViewerMarks::bookmarked};
}

void Statuses::ForgetMarksOnLocked(Id status, storage::MarkKind kind) {
  MarkIndexes x = IndexesOf(kind);
  auto markers = x.of_status.find(status);
  if (markers == x.of_status.end()) return;
  for (const auto& [mark, account] : markers->second) {
    s_.RemoveViewerMark(x.viewer, account, status);
    auto of_account = x.of_account.find(account);
    if (of_account != x.of_account.end()) State::RemoveMark(of_account->second, mark);
  }
  x.of_status.erase(markers);
}

void Statuses::ApplyMarkLocked(const storage::MarkRecord& m) {
  // Storage holds one mark per kind, account and status, so a load brings no duplicates; a write
  // applies a mark only after seeing it absent under the mark's key lock (Mark).
  MarkIndexes x = IndexesOf(m.kind);
  if (!s_.loading && s_.HasViewerMark(x.viewer, m.account_id, m.status_id)) return;
  s_.AddViewerMark(x.viewer, m.account_id, m.status_id);
  s_.AddMark(x.of_account[m.account_id], m.id, m.status_id);
  s_.AddMark(x.of_status[m.status_id], m.id, m.account_id);
  if (m.kind == storage::MarkKind::kFavourite) {
    if (StatusEntry* st = s_.FindStatus(m.status_id)) ++st->counts.favourites;
  }
}

void Statuses::ApplyUnmarkLocked(storage::MarkKind kind, Id account, Id status) {
  MarkIndexes x = IndexesOf(kind);
  auto marks = x.of_account.find(account);
  if (marks == x.of_account.end()) return;
  Id mark = State::MarkOn(marks->second, status);
  if (mark == 0) return;
  State::RemoveMark(marks->second, mark);
  s_.RemoveViewerMark(x.viewer, account, status);
  auto markers = x.of_status.find(status);
  if (markers != x.of_status.end()) {
    State::RemoveMark(markers->second, mark);
    if (markers->second.empty()) x.of_status.erase(markers);
  }
  if (kind == storage::MarkKind::kFavourite) {
    if (StatusEntry* st = s_.FindStatus(status)) --st->counts.favourites;
  }
}

Result<StatusView> Statuses::Create(Id author, const NewStatus& in) {
  std::promise<Result<StatusView>> answer;
  auto future = answer.get_future();
  CreateAsync(author, in, [&answer](Result<StatusView> r) { answer.set_value(std::move(r)); });
  return future.get();
}

Result<ContentDecision> Statuses::Moderate(Id author, std::string_view text,
                                           std::string_view spoiler_text, bool is_new) {
  if (moderation_ != nullptr) return moderation_->CheckStatus(author, text, spoiler_text, is_new);
  ContentDecision d;
  d.text = std::string(text);
  d.spoiler_text = std::string(spoiler_text);
  return d;
}

std::optional<Id> Statuses::ResolveMention(std::string_view name) const {
  std::string lower = AsciiToLower(name);
  std::shared_lock lock(s_.mu);
  auto it = s_.account_by_username.find(lower);
  if (it == s_.account_by_username.end()) return std::nullopt;
  return it->second;
}

void Statuses::CreateAsync(Id author, const NewStatus& in, CreateCallback done) {
  if (!IsValidUtf8(in.text) || !IsValidUtf8(in.spoiler_text) || !IsValidUtf8(in.language)) {
    return done(Status::Invalid("text is not valid UTF-8"));
  }
  if (in.text.find_first_not_of(" \t\r\n") == std::string::npos) {
    return done(Status::Unprocessable("status text can't be blank"));
  }
  if (in.text.size() > kMaxTextBytes) return done(Status::Unprocessable("text is too long"));
  if (CountCodePoints(in.spoiler_text) > kMaxSpoilerChars) {
    return done(Status::Unprocessable("spoiler_text is too long"));
  }
  if (in.language.size() > 16) return done(Status::Unprocessable("language is not a valid code"));
  if (in.idempotency_key.size() > kMaxIdempotencyKey) {
    return done(Status::Invalid("Idempotency-Key is too long"));
  }
  // With an Idempotency-Key, the first request of a key runs and every request with the same
  // key arriving meanwhile waits for its answer (no thread waits: they join its callbacks).
  const std::string& key = in.idempotency_key;
  if (!key.empty()) {
    {
      std::lock_guard lock(idem_mu_);
      auto [it, first] = idem_in_flight_.try_emplace({author, key});
      if (!first) {
        it->second.push_back(std::move(done));
        return;
      }
    }
    done = [this, author, key, done = std::move(done)](Result<StatusView> r) {
      std::vector<CreateCallback> waiters;
      {
        std::lock_guard lock(idem_mu_);
        auto it = idem_in_flight_.find({author, key});
        waiters = std::move(it->second);
        idem_in_flight_.erase(it);
      }
      for (auto& w : waiters) w(r);
      done(std::move(r));
    };
    auto prior = s_.storage.GetIdempotency(author, key);
    if (prior.ok() && NowUnixMs() - prior->created_at_ms < s_.config.idempotency_ttl_ms) {
      auto v = Get(author, prior->status_id);
      if (v.ok()) return done(std::move(v));
    } else if (!prior.ok() && !prior.status().IsNotFound()) {
      return done(prior.status());
    }
  }
  auto checked = Moderate(author, in.text, in.spoiler_text, true);
  if (!checked.ok()) return done(checked.status());
  ContentDecision decision = std::move(*checked);

  StatusRecord rec;
  rec.account_id = author;
  // The decision keeps what the commit needs (action, hold, audit, hash), not the text.
  rec.text = std::move(decision.text);
  rec.spoiler_text = std::move(decision.spoiler_text);
  rec.visibility = in.visibility.value_or(Visibility::kPublic);
  rec.sensitive = in.sensitive || decision.sensitive || !rec.spoiler_text.empty();
  rec.language = in.language;
  rec.app_id = in.app_id;

  ContentOptions opts{s_.config.max_status_chars, s_.config.base_url, s_.config.domain};
  auto content =
      RenderContent(rec.text, opts, [this](std::string_view name) { return ResolveMention(name); });
  if (!content.ok()) return done(content.status());
  rec.content_html = std::move(content->html);
  rec.mention_ids = std::move(content->mention_ids);
  rec.tags = std::move(content->tags);

  storage::WriteBatch batch;
  bool notify_later = false;  // some `status` notifications are made after the post
  StatusMeta meta;
  {
    std::shared_lock lock(s_.mu);
    if (in.in_reply_to_id != 0) {
      const StatusEntry* parent = s_.FindStatus(in.in_reply_to_id);
      if (parent == nullptr || !s_.CanSee(author, *parent->rec) ||
          parent->rec->reblog_of_id != 0) {
        lock.unlock();
        return done(Status::NotFound("the status being replied to was not found"));
      }
      rec.in_reply_to_id = in.in_reply_to_id;
      rec.in_reply_to_account_id = parent->rec->account_id;
    }
    if (in.quote_of_id != 0) {
      const StatusEntry* quoted = s_.FindStatus(in.quote_of_id);
      if (quoted == nullptr || !s_.CanSee(author, *quoted->rec) || quoted->rec->reblog_of_id != 0) {
        lock.unlock();
        return done(Status::NotFound("the status being quoted was not found"));
      }
      if (quoted->rec->visibility != Visibility::kPublic &&
          quoted->rec->visibility != Visibility::kUnlisted &&
          quoted->rec->account_id != author) {
        lock.unlock();
        return done(Status::Unprocessable("only public or unlisted statuses can be quoted"));
      }
      rec.quote_of_id = in.quote_of_id;
    }
    rec.id = s_.ids.Next();
    rec.created_at_ms = NowUnixMs();
    batch.Put(rec);
    meta = MetaOf(rec);
    if (moderation_ != nullptr) moderation_->AddStatusDecision(decision, rec.id, author, batch);
    // A held status notifies nobody: it is not published yet (Moderation::NotifyPublished).
    if (!decision.held()) notify_later = notifications_.AddPublishedLocked(batch, meta);
  }
  if (in.extend_batch) {
    if (Status st = in.extend_batch(meta, batch); !st.ok()) return done(st);
  }
  if (!key.empty()) {
    batch.Put(storage::IdempotencyRecord{author, key, rec.id, rec.created_at_ms});
  }
  // Memory is updated, the fan-out queued and the caller answered only once the batch is
  // durable; until then nothing in memory refers to the new id.
  auto committed = [this, author, id = rec.id, meta = MakeStatusMeta(std::move(meta)),
                    body = std::make_shared<const StatusBody>(BodyOf(std::move(rec))),
                    decision = std::move(decision), applied = in.applied, notify_later,
                    done = std::move(done)](Status st) {
    if (!st.ok()) return done(st);
    {
      std::unique_lock lock(s_.mu);
      ApplyCreateLocked(meta, body->created_at_ms);
      if (moderation_ != nullptr) moderation_->ApplyStatusDecisionLocked(decision);
    }
    if (applied) applied(*meta);
    if (moderation_ != nullptr) moderation_->NotePosted(author, decision);
    if (!decision.held()) home_.Enqueue(id);
    if (notify_later) notifications_.Deliver(id);
    auto view = Get(author, id);
    if (view.ok()) view->body = body;
    done(std::move(view));
  };
  s_.storage.CommitAsync(std::move(batch), std::move(committed));
}

Result<StatusView> Statuses::Edit(Id actor, Id id, const StatusEdit& edit) {
  if (!IsValidUtf8(edit.text) || !IsValidUtf8(edit.spoiler_text)) {
    return Status::Invalid("text is not valid UTF-8");
  }
  if (edit.text.find_first_not_of(" \t\r\n") == std::string::npos) {
    return Status::Unprocessable("status text can't be blank");
  }
  if (edit.text.size() > kMaxTextBytes) return Status::Unprocessable("text is too long");
  if (CountCodePoints(edit.spoiler_text) > kMaxSpoilerChars) {
    return Status::Unprocessable("spoiler_text is too long");
  }
  auto guard = s_.locks.Lock({KeyLocks::Key(kLockStatus, id)});
  StatusMetaPtr old;
  {
    std::shared_lock lock(s_.mu);
    const StatusEntry* st = s_.FindStatus(id);
    if (st == nullptr || !s_.CanSee(actor, *st->rec)) return Status::NotFound("status not found");
    if (st->rec->account_id != actor) return Status::Forbidden("only the author can edit a status");
    if (st->rec->reblog_of_id != 0) return Status::Unprocessable("a repost cannot be edited");
    old = st->rec;
  }
  PLAZA_ASSIGN_OR_RETURN(ContentDecision decision,
                         Moderate(actor, edit.text, edit.spoiler_text, false));
  ContentOptions opts{s_.config.max_status_chars, s_.config.base_url, s_.config.domain};
  PLAZA_ASSIGN_OR_RETURN(RenderedContent content,
                         RenderContent(decision.text, opts, [this](std::string_view name) {
                           return ResolveMention(name);
                         }));
  PLAZA_ASSIGN_OR_RETURN(auto history, s_.storage.ListStatusEdits(id));
  // The stored record is the current one: edits of a status are serialized by its key lock.
  PLAZA_ASSIGN_OR_RETURN(const StatusRecord stored, s_.storage.GetStatus(id));

  StatusRecord rec = stored;
  rec.text = std::move(decision.text);
  rec.spoiler_text = std::move(decision.spoiler_text);
  rec.sensitive = edit.sensitive || decision.sensitive || !rec.spoiler_text.empty();
  if (edit.language) rec.language = *edit.language;
  rec.content_html = std::move(content.html);
  rec.mention_ids = std::move(content.mention_ids);
  rec.tags = std::move(content.tags);
  rec.edited_at_ms = NowUnixMs();

  storage::WriteBatch batch;
  uint32_t next_version = history.empty() ? 1 : history.back().version + 1;
  if (history.empty()) {
    batch.Put(storage::StatusEditRecord{id, 0, stored.text, stored.content_html,
                                        stored.spoiler_text, stored.sensitive,
                                        stored.created_at_ms});
  }
  batch.Put(storage::StatusEditRecord{id, next_version, rec.text, rec.content_html,
                                      rec.spoiler_text, rec.sensitive, rec.edited_at_ms});
  batch.Put(rec);
  if (moderation_ != nullptr) moderation_->AddStatusDecision(decision, id, actor, batch);
  {
    std::shared_lock lock(s_.mu);
    auto r = s_.reblogs_of.find(id);
    if (r != s_.reblogs_of.end()) {
      for (Id reblog : r->second) {
        if (const StatusEntry* rb = s_.FindStatus(reblog)) {
          notifications_.AddLocked(batch, rb->rec->account_id, NotificationType::kUpdate, actor, id);
        }
      }
    }
  }
  PLAZA_RETURN_IF_ERROR(s_.storage.Commit(batch));
  {
    std::unique_lock lock(s_.mu);
    if (StatusEntry* entry = s_.FindStatus(id)) {
      for (std::string_view tag : old->tags()) {
        auto t = s_.statuses_by_tag.find(std::string(tag));
        if (t != s_.statuses_by_tag.end()) EraseSorted(t->second, id);
      }
      if (rec.visibility == Visibility::kPublic || rec.visibility == Visibility::kUnlisted) {
        for (const auto& tag : rec.tags) InsertSorted(s_.statuses_by_tag[tag], id);
      }
      entry->rec = MakeStatusMeta(MetaOf(rec));
    }
    if (moderation_ != nullptr) moderation_->ApplyStatusDecisionLocked(decision);
  }
  PLAZA_ASSIGN_OR_RETURN(StatusView view, Get(actor, id));
  view.body = std::make_shared<const StatusBody>(BodyOf(std::move(rec)));
  return view;
}

Result<StatusView> Statuses::Delete(Id actor, Id id) {
  auto guard = s_.locks.Lock({KeyLocks::Key(kLockStatus, id)});
  StatusView before;
  std::vector<Id> doomed;
  {
    std::shared_lock lock(s_.mu);
    auto v = s_.ViewStatus(actor, id);
    if (!v) return Status::NotFound("status not found");
    if (v->rec->account_id != actor) return Status::Forbidden("only the author can delete a status");
    before = std::move(*v);
    doomed.push_back(id);
    auto r = s_.reblogs_of.find(id);
    if (r != s_.reblogs_of.end()) doomed.insert(doomed.end(), r->second.begin(), r->second.end());
  }
  // The body for a redraft, read before the record goes.
  PLAZA_ASSIGN_OR_RETURN(before.body, ReadBody(id));
  storage::WriteBatch batch;
  for (Id d : doomed) batch.Put(storage::DeleteStatus{d});
  if (moderation_ != nullptr) moderation_->AddDeleteHold(id, batch);
  {
    std::shared_lock lock(s_.mu);
    for (storage::MarkKind kind : kMarkKinds) {
      const auto& of_status = IndexesOf(kind).of_status;
      auto markers = of_status.find(id);
      if (markers == of_status.end()) continue;
      for (const auto& [mark, account] : markers->second) {
        batch.Put(storage::DeleteMark{kind, account, id});
      }
    }
  }
  PLAZA_RETURN_IF_ERROR(s_.storage.Commit(batch));
  {
    std::unique_lock lock(s_.mu);
    for (auto it = doomed.rbegin(); it != doomed.rend(); ++it) ApplyDeleteLocked(*it);
    if (moderation_ != nullptr) moderation_->ApplyDeleteHoldLocked(id);
  }
  return before;
}

Result<std::vector<storage::StatusEditRecord>> Statuses::History(Id viewer, Id id) {
  PLAZA_ASSIGN_OR_RETURN(StatusView v, Get(viewer, id));
  PLAZA_ASSIGN_OR_RETURN(auto edits, s_.storage.ListStatusEdits(id));
  if (edits.empty()) {
    PLAZA_ASSIGN_OR_RETURN(StatusRecord r, s_.storage.GetStatus(id));
    edits.push_back({id, 0, std::move(r.text), std::move(r.content_html), std::move(r.spoiler_text),
                     r.sensitive, r.created_at_ms});
  }
  return edits;
}

Result<StatusView> Statuses::Reblog(Id actor, Id id, std::optional<Visibility> visibility) {
  Id original = id;
  {
    std::shared_lock lock(s_.mu);
    const StatusEntry* st = s_.FindStatus(id);
    if (st == nullptr || !s_.CanSee(actor, *st->rec)) return Status::NotFound("status not found");
    if (st->rec->reblog_of_id != 0) original = st->rec->reblog_of_id;
  }
  auto guard = s_.locks.Lock({KeyLocks::Key(kLockReblog, actor, original)});
  StatusRecord rec;
  storage::WriteBatch batch;
  {
    std::shared_lock lock(s_.mu);
    const StatusEntry* st = s_.FindStatus(original);
    if (st == nullptr || !s_.CanSee(actor, *st->rec)) return Status::NotFound("status not found");
    auto existing = s_.reblog_by.find({actor, original});
    if (existing != s_.reblog_by.end()) {
      auto v = s_.ViewStatus(actor, existing->second);
      if (v) return std::move(*v);
    }
    const StatusMeta& o = *st->rec;
    bool own = o.account_id == actor;
    if (o.visibility == Visibility::kDirect ||
        (o.visibility == Visibility::kPrivate && !own)) {
      return Status::Forbidden("this status cannot be reposted");
    }
    rec.id = s_.ids.Next();
    rec.account_id = actor;
    rec.reblog_of_id = original;
    rec.visibility = visibility.value_or(Visibility::kPublic);
    if (rec.visibility == Visibility::kDirect) {
      return Status::Unprocessable("a repost cannot be direct");
    }
    if (o.visibility == Visibility::kPrivate) rec.visibility = Visibility::kPrivate;
    rec.created_at_ms = NowUnixMs();
    batch.Put(rec);
    notifications_.AddLocked(batch, o.account_id, NotificationType::kReblog, actor, original);
  }
  PLAZA_RETURN_IF_ERROR(s_.storage.Commit(batch));
  {
    std::unique_lock lock(s_.mu);
    ApplyCreateLocked(MakeStatusMeta(MetaOf(rec)), rec.created_at_ms);
  }
  home_.Enqueue(rec.id);
  return Get(actor, rec.id);
}

Result<StatusView> Statuses::Unreblog(Id actor, Id id) {
  Id original = id;
  {
    std::shared_lock lock(s_.mu);
    const StatusEntry* st = s_.FindStatus(id);
    if (st == nullptr || !s_.CanSee(actor, *st->rec)) return Status::NotFound("status not found");
    if (st->rec->reblog_of_id != 0) original = st->rec->reblog_of_id;
  }
  auto guard = s_.locks.Lock({KeyLocks::Key(kLockReblog, actor, original)});
  Id reblog = 0;
  {
    std::shared_lock lock(s_.mu);
    auto existing = s_.reblog_by.find({actor, original});
    if (existing != s_.reblog_by.end()) reblog = existing->second;
  }
  if (reblog != 0) {
    storage::WriteBatch batch;
    batch.Put(storage::DeleteStatus{reblog});
    PLAZA_RETURN_IF_ERROR(s_.storage.Commit(batch));
    std::unique_lock lock(s_.mu);
    ApplyDeleteLocked(reblog);
  }
  return Get(actor, original);
}

Result<StatusView> Statuses::Mark(Id actor, Id id, storage::MarkKind kind, bool on) {
  auto guard = s_.locks.Lock({KeyLocks::Key(kLockMark, actor, id)});
  storage::WriteBatch batch;
  storage::MarkRecord mark{kind, actor, id, 0};
  {
    std::shared_lock lock(s_.mu);
    const StatusEntry* st = s_.FindStatus(id);
    if (st == nullptr || !s_.CanSee(actor, *st->rec)) return Status::NotFound("status not found");
    if (st->rec->reblog_of_id != 0) {
      // Marks apply to the original, as Mastodon does.
      id = st->rec->reblog_of_id;
      mark.status_id = id;
      st = s_.FindStatus(id);
      if (st == nullptr || !s_.CanSee(actor, *st->rec)) return Status::NotFound("status not found");
    }
    bool has = s_.HasViewerMark(IndexesOf(kind).viewer, actor, id);
    if (has == on) {
      auto v = s_.ViewStatus(actor, id);
      return std::move(*v);
    }
    if (on) {
      mark.id = s_.ids.Next();
      batch.Put(mark);
      if (kind == storage::MarkKind::kFavourite) {
        notifications_.AddLocked(batch, st->rec->account_id, NotificationType::kFavourite, actor,
                                 id);
      }
    } else {
      batch.Put(storage::DeleteMark{kind, actor, id});
    }
  }
  PLAZA_RETURN_IF_ERROR(s_.storage.Commit(batch));
  {
    std::unique_lock lock(s_.mu);
    if (on) {
      ApplyMarkLocked(mark);
    } else {
      ApplyUnmarkLocked(kind, actor, id);
    }
  }
  return Get(actor, id);
}

Result<StatusView> Statuses::Favourite(Id actor, Id id) {
  return Mark(actor, id, storage::MarkKind::kFavourite, true);
}
Result<StatusView> Statuses::Unfavourite(Id actor, Id id) {
  return Mark(actor, id, storage::MarkKind::kFavourite, false);
}
Result<StatusView> Statuses::Bookmark(Id actor, Id id) {
  return Mark(actor, id, storage::MarkKind::kBookmark, true);
}
Result<StatusView> Statuses::Unbookmark(Id actor, Id id) {
  return Mark(actor, id, storage::MarkKind::kBookmark, false);
}

Result<Context> Statuses::GetContext(Id viewer, Id id) const {
  std::shared_lock lock(s_.mu);
  const ViewerMarks* marks = s_.MarksOf(viewer);  // once for the thread
  auto self = s_.ViewStatus(viewer, id, marks);
  if (!self) return Status::NotFound("status not found");
  Context ctx;
  Id parent = self->rec->in_reply_to_id;
  while (parent != 0 && ctx.ancestors.size() < kMaxContextSize) {
    const StatusEntry* p = s_.FindStatus(parent);
    if (p == nullptr) break;
    if (auto v = s_.ViewStatus(viewer, parent, marks)) ctx.ancestors.push_back(std::move(*v));
    parent = p->rec->in_reply_to_id;
  }
  std::reverse(ctx.ancestors.begin(), ctx.ancestors.end());
  // Depth-first, each level in id order, as Mastodon threads read.
  std::vector<Id> stack;
  auto push_children = [&](Id of) {
    auto r = s_.replies_of.find(of);
    if (r == s_.replies_of.end()) return;
    for (auto it = r->second.rbegin(); it != r->second.rend(); ++it) stack.push_back(*it);
  };
  push_children(id);
  while (!stack.empty() && ctx.descendants.size() < kMaxContextSize) {
    Id next = stack.back();
    stack.pop_back();
    auto v = s_.ViewStatus(viewer, next, marks);
    if (!v) continue;  // a hidden reply hides its subtree
    if (v->author.rec && s_.Mutes(viewer, v->author.rec->id)) continue;
    ctx.descendants.push_back(std::move(*v));
    push_children(next);
  }
  return ctx;
}

std::vector<PageItem> Statuses::FavouritedBy(Id viewer, Id id, const Page& page) const {
  std::vector<PageItem> items;
  {
    std::shared_lock lock(s_.mu);
    const StatusEntry* st = s_.FindStatus(id);
    if (st == nullptr || !s_.CanSee(viewer, *st->rec)) return {};
    auto it = s_.favouriters_of_status.find(id);
    if (it != s_.favouriters_of_status.end()) {
      for (const auto& [mark, account] : it->second) {
        if (viewer == 0 || !s_.BlockedEitherWay(viewer, account)) items.push_back({mark, account});
      }
    }
  }
  return PageItems(items, page);
}

std::vector<PageItem> Statuses::RebloggedBy(Id viewer, Id id, const Page& page) const {
  std::vector<PageItem> items;
  {
    std::shared_lock lock(s_.mu);
    const StatusEntry* st = s_.FindStatus(id);
    if (st == nullptr || !s_.CanSee(viewer, *st->rec)) return {};
    auto it = s_.reblogs_of.find(id);
    if (it != s_.reblogs_of.end()) {
      for (Id reblog : it->second) {
        const StatusEntry* rb = s_.FindStatus(reblog);
        if (rb == nullptr || !s_.CanSee(viewer, *rb->rec)) continue;
        items.push_back({reblog, rb->rec->account_id});
      }
    }
  }
  return PageItems(items, page);
}

std::vector<PageItem> Statuses::MarksOf(const boost::unordered_flat_map<Id, MarkList>& index,
                                        Id account, const Page& page) const {
  std::shared_lock lock(s_.mu);
  auto it = index.find(account);
  if (it == index.end()) return {};
  return PageItems(it->second, page);
}

std::vector<PageItem> Statuses::FavouritesOf(Id account, const Page& page) const {
  return MarksOf(s_.favourites_of_account, account, page);
}

std::vector<PageItem> Statuses::BookmarksOf(Id account, const Page& page) const {
  return MarksOf(s_.bookmarks_of_account, account, page);
}

}  // namespace plaza::domain
