// What the domain hands to the API layer: immutable snapshots of accounts and statuses (shared,
// so hydrating a timeline copies pointers, not text), viewer-relative flags, and pagination.
#pragma once

#include <atomic>
#include <boost/smart_ptr/intrusive_ptr.hpp>
#include <cstdint>
#include <iterator>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/id.h"
#include "storage/records.h"

namespace plaza::domain {

using storage::AccountRecord;
using storage::NotificationType;
using storage::Role;
using storage::StatusRecord;
using storage::Visibility;

// The counts of an account (kept in the account's own entry of the model, copied into each view).
struct AccountCounts {
  int64_t followers = 0;
  int64_t following = 0;
  int64_t statuses = 0;
  int64_t last_status_at_ms = 0;
  bool operator==(const AccountCounts&) const = default;
};

struct AccountView {
  std::shared_ptr<const AccountRecord> rec;
  AccountCounts counts;  // as of the view
};

// The counts of a status (kept in the status's own entry of the model, copied into each view).
// 32 bits, two billion marks on one status, since they sit in every slot of the statuses table,
// the model's largest: 16 bytes a slot less (bench/README.md, session 12).
struct StatusCounts {
  int32_t replies = 0;
  int32_t reblogs = 0;
  int32_t favourites = 0;
  int32_t quotes = 0;
  bool operator==(const StatusCounts&) const = default;
};

// A reference count that a copy or a move of its owner does not carry over.
class RefCount {
 public:
  RefCount() = default;
  RefCount(const RefCount&) noexcept {}
  RefCount& operator=(const RefCount&) noexcept { return *this; }
  void Add() const noexcept { n_.fetch_add(1, std::memory_order_relaxed); }
  // True when that was the last reference.
  bool Release() const noexcept { return n_.fetch_sub(1, std::memory_order_acq_rel) == 1; }

 private:
  mutable std::atomic<uint32_t> n_{0};
};

// A status as the model keeps it in memory: what visibility checks, timelines, threads, counts
// and notifications need. Its body (StatusBody) stays in storage and is read when the status is
// rendered afresh, since the renderer keeps what it renders (api/render_cache.h): text and HTML
// were two thirds of a status's memory (bench/README.md, session 8). Immutable once shared; an
// edit replaces it.
//
// Shared through StatusMetaPtr, counted in place: one pointer in the statuses table, where a
// shared_ptr's control block and second pointer took 24 bytes more (bench/README.md, session 12).
struct StatusMeta {
  Id id = 0;
  Id account_id = 0;
  Id in_reply_to_id = 0;
  Id in_reply_to_account_id = 0;
  Id reblog_of_id = 0;  // a repost: its body holds no text
  Visibility visibility = Visibility::kPublic;
  bool sensitive = false;

 private:
  // Whether the refs block holds a quoted id, so that quote_of_id(), which every rendering and
  // view of a status asks, reads that block (another cache line, most often holding only
  // mentions or topics) for a quote only. In the padding after the flags, as is the count.
  bool quotes_ = false;

 public:
  RefCount ref_count;  // of the StatusMetaPtrs to it (in the padding after the flags)

  // The topic names of a status (normalized, lower-case), in the order written.
  class TagNames {
   public:
    class iterator {
     public:
      using value_type = std::string_view;
      using difference_type = std::ptrdiff_t;
      iterator() = default;
      explicit iterator(const char* p) : p_(p) {}
      std::string_view operator*() const;
      iterator& operator++();
      iterator operator++(int) {
        iterator old = *this;
        ++*this;
        return old;
      }
      bool operator==(const iterator&) const = default;

     private:
      const char* p_ = nullptr;
    };
    TagNames(const char* begin, const char* end) : begin_(begin), end_(end) {}
    iterator begin() const { return iterator(begin_); }
    iterator end() const { return iterator(end_); }
    bool empty() const { return begin_ == end_; }
    std::vector<std::string> ToVector() const { return {begin(), end()}; }

   private:
    const char* begin_;
    const char* end_;
  };

  std::span<const Id> mention_ids() const;
  TagNames tags() const;
  // The status this one quotes (a repost with a comment); 0 when none.
  Id quote_of_id() const;
  void set_refs(const std::vector<Id>& mention_ids, const std::vector<std::string>& tags,
                Id quote_of_id);

 private:
  // Most statuses mention no one, tag nothing and quote nothing: these cost them one pointer.
  // The others hold one block: this header, the mentioned ids, then each topic name as a 32-bit
  // length and its bytes (bench/README.md, session 12: a vector of ids and one of strings took
  // three blocks, ~150 bytes for one mention and one topic, where this takes 48).
  struct Refs {
    Id quote_of_id = 0;
    uint32_t mentions = 0;
    uint32_t tag_bytes = 0;  // of the names with their lengths
    const Id* mention_data() const { return reinterpret_cast<const Id*>(this + 1); }
    const char* tag_data() const {
      return reinterpret_cast<const char*>(mention_data() + mentions);
    }
  };
  struct FreeRefs {
    void operator()(const Refs* r) const { ::operator delete(const_cast<Refs*>(r)); }
  };
  std::unique_ptr<const Refs, FreeRefs> refs_;
};
// 56 bytes, a 64-byte block from malloc: what only rendering reads (times, app) is in the body.
static_assert(sizeof(StatusMeta) == 56, "the reference count fits the padding");

inline void intrusive_ptr_add_ref(const StatusMeta* m) { m->ref_count.Add(); }
inline void intrusive_ptr_release(const StatusMeta* m) {
  if (m->ref_count.Release()) delete m;
}
using StatusMetaPtr = boost::intrusive_ptr<const StatusMeta>;
inline StatusMetaPtr MakeStatusMeta(StatusMeta meta) {
  return StatusMetaPtr(new StatusMeta(std::move(meta)));
}

// What a status says: the fields of its record that only rendering reads. A repost has one too
// (its time and app; no text).
struct StatusBody {
  std::string text;          // source as written
  std::string content_html;  // rendered once at write time
  std::string spoiler_text;
  std::string language;
  Id app_id = 0;
  int64_t created_at_ms = 0;
  int64_t edited_at_ms = 0;  // 0 when never edited
};

// The record split into the two.
StatusMeta MetaOf(const StatusRecord& rec);
StatusBody BodyOf(StatusRecord&& rec);

// A status as one viewer sees it.
struct StatusView {
  StatusMetaPtr rec;
  // Set when the domain had the body at hand (a create, an edit, a delete, the source); null
  // otherwise, and then whoever renders the status afresh reads it with Statuses::Body.
  std::shared_ptr<const StatusBody> body;
  StatusCounts counts;  // as of the view
  AccountView author;
  bool favourited = false;
  bool reblogged = false;
  bool bookmarked = false;
  bool muted = false;
  // For a repost, the reposted status; for a quote, the quoted status when the viewer may see it.
  std::shared_ptr<const StatusView> reblog;
  std::shared_ptr<const StatusView> quote;
};

struct Relationship {
  Id id = 0;
  bool following = false;
  bool showing_reblogs = false;
  bool notifying = false;
  bool followed_by = false;
  bool blocking = false;
  bool blocked_by = false;
  bool muting = false;
  bool muting_notifications = false;
  bool requested = false;
};

// Mastodon pagination: results newer than since_id/min_id and older than max_id; with min_id the
// page is the oldest `limit` items above it, otherwise the newest `limit` items.
struct Page {
  Id max_id = 0;    // exclusive upper bound, 0 = none
  Id since_id = 0;  // exclusive lower bound, 0 = none
  Id min_id = 0;    // exclusive lower bound walking upward, 0 = none
  size_t limit = 20;
};

// One item of a paginated list: `cursor` is what max_id/min_id refer to (a status id, a follow
// edge id, a notification id, ...), `id` the item itself.
struct PageItem {
  Id cursor = 0;
  Id id = 0;
};

struct NotificationView {
  storage::NotificationRecord rec;
  AccountView from;
  std::optional<StatusView> status;
};

}  // namespace plaza::domain
