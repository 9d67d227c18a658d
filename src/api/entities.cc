#include "api/entities.h"

#include <array>
#include <charconv>
#include <cstring>
#include <initializer_list>
#include <string_view>

#include "api/commerce_entities.h"
#include "common/clock.h"
#include "common/epochs.h"
#include "common/prefetch.h"
#include "domain/notifications.h"
#include "domain/statuses.h"

namespace plaza::api {
namespace {

// Literals appended as string_views: std::string::operator+=(const char*) measures them at run
// time, which callgrind put at 7% of a home-timeline read.
using namespace std::string_view_literals;

std::string_view RoleName(storage::Role r) {
  switch (r) {
    case storage::Role::kAdmin: return "Admin";
    case storage::Role::kModerator: return "Moderator";
    case storage::Role::kUser: return "";
  }
  return "";
}

// Values of an account that change without its record changing: holes of its template. The
// counts are one hole, after the key "followers_count": it writes the four adjacent fields.
enum AccountHole : uint8_t { kAccountCounts, kVerified };

// Values of a status that change without its record changing, or depend on the viewer.
// The counts are one hole after the key "reblogs_count" and the viewer's flags one after
// "favourited": each writes its four adjacent fields.
enum StatusHole : uint8_t {
  kAccount,
  kCounts,
  kReblog,
  kQuote,
  kCard,
  kText,
  kViewerFlags,
  kPlaza,
};

// Writes `key` (a literal) and leaves its value as a hole of `t`.
template <size_t N>
void KeyHole(JsonWriter& w, JsonTemplate& t, const char (&key)[N], uint8_t kind) {
  const std::string& out = w.Key(key).BeginRawValue();
  t.holes.push_back(JsonTemplate::Hole{static_cast<uint32_t>(out.size()), kind});
}

// The template of one entity: from `cache` when there is one, rendered afresh otherwise.
template <typename Source>
std::shared_ptr<const JsonTemplate> TemplateOf(RenderCache<Source>* cache, Id id,
                                               const Source& source,
                                               const std::function<void(JsonTemplate&)>& render) {
  if (cache != nullptr) return cache->Get(id, source, render);
  auto t = std::make_shared<JsonTemplate>();
  render(*t);
  return t;
}

// Appends `t` with each hole filled by `fill(kind)`, which appends the live value to `out`.
template <typename Fill>
void AppendFilled(std::string& out, const JsonTemplate& t, Fill&& fill) {
  size_t pos = 0;
  for (const JsonTemplate::Hole& h : t.holes) {
    out.append(t.json, pos, h.offset - pos);
    pos = h.offset;
    fill(h.kind);
  }
  out.append(t.json, pos);
}

void AppendBool(std::string& out, bool v) { out += v ? "true"sv : "false"sv; }

// Appends short pieces, at most N bytes in all, to `out`: they are gathered on the stack, where
// each literal is a copy of a size known when compiled (which the compiler inlines), and appended
// in one copy when the writer goes out of scope.
template <size_t N>
class RawWriter {
 public:
  explicit RawWriter(std::string& out) : out_(out) {}
  ~RawWriter() { out_.append(buf_, static_cast<size_t>(p_ - buf_)); }
  RawWriter(const RawWriter&) = delete;
  RawWriter& operator=(const RawWriter&) = delete;

  template <size_t L>
  RawWriter& Put(const char (&literal)[L]) {
    static_assert(L - 1 <= N);
    std::memcpy(p_, literal, L - 1);
    p_ += L - 1;
    return *this;
  }
  RawWriter& Int(int64_t v) {  // at most 20 bytes
    p_ = std::to_chars(p_, p_ + 20, v).ptr;
    return *this;
  }
  RawWriter& Bool(bool v) { return v ? Put("true") : Put("false"); }

 private:
  std::string& out_;
  char buf_[N];
  char* p_ = buf_;
};

// `parts` joined in a buffer kept by the thread, valid until the next call on the thread: for the
// URLs a renderer writes at once (JsonWriter copies them), without a string of their own.
std::string_view Joined(std::initializer_list<std::string_view> parts) {
  thread_local std::string joined;
  joined.clear();
  for (std::string_view p : parts) joined += p;
  return joined;
}

// Renderers write a template's text into a buffer kept by the thread (each renderer its own) and
// copy it into the template at its exact size once done: grown in place, the text would be
// reallocated at every doubling on the way to its size and keep up to half its capacity unused
// for as long as it is cached.
void RenderAccount(const domain::AccountView& a, const RenderContext& ctx, JsonTemplate& t) {
  const auto& r = *a.rec;
  thread_local std::string text;
  text.clear();
  JsonWriter w(text);
  std::string avatar = ctx.base_url + "/avatars/original/missing.png";
  std::string header = ctx.base_url + "/headers/original/missing.png";
  w.BeginObject();
  w.Field("id", IdText(r.id))
      .Field("username", r.username)
      .Field("acct", r.username)
      .Field("display_name", r.display_name)
      .Field("locked", r.locked)
      .Field("bot", r.bot)
      .Field("discoverable", true)
      .Field("group", false)
      .Field("created_at", FormatIso8601(r.created_at_ms))
      .Field("note", NoteToHtml(r.note));
  w.Field("url", Joined({ctx.base_url, "/@", r.username}));
  w.Field("uri", Joined({ctx.base_url, "/users/", r.username}))
      .Field("avatar", avatar)
      .Field("avatar_static", avatar)
      .Field("header", header)
      .Field("header_static", header);
  KeyHole(w, t, "followers_count", kAccountCounts);  // then following, statuses, last_status_at
  w.Key("emojis").BeginArray().EndArray();
  w.Key("fields").BeginArray().EndArray();
  if (r.suspended) w.Field("suspended", true);
  if (r.silenced) w.Field("limited", true);
  w.Key("plaza").BeginObject();
  KeyHole(w, t, "verified", kVerified);
  w.EndObject();
  w.EndObject();
  t.json.assign(text);
}

// An account's JSON with its live values filled in, kept on the account's template (see
// JsonTemplate::filled): the counts and the shop badge change far less often than the account is
// rendered (once per status of a timeline page), so most renderings are one copy.
struct FilledAccount {
  domain::AccountCounts counts;
  uint64_t commerce_version = 0;  // the shop badge as of this Commerce::Version()
  std::string json;

  bool Holds(const domain::AccountCounts& c, uint64_t version) const {
    return counts == c && commerce_version == version;
  }
};

void FillAccount(std::string& out, const JsonTemplate& t, const domain::AccountCounts& c,
                 bool verified) {
  AppendFilled(out, t, [&](uint8_t kind) {
    switch (static_cast<AccountHole>(kind)) {
      case kAccountCounts: {
        {
          RawWriter<128> p(out);  // 3 * 20 + 55 bytes at most
          p.Int(c.followers).Put(R"(,"following_count":)").Int(c.following);
          p.Put(R"(,"statuses_count":)").Int(c.statuses).Put(R"(,"last_status_at":)");
        }
        if (c.last_status_at_ms > 0) {
          out += '"';
          AppendIsoDate(out, c.last_status_at_ms);
          out += '"';
        } else {
          out += "null"sv;
        }
        break;
      }
      case kVerified:
        AppendBool(out, verified);
        break;
    }
  });
}

// The account's kept filling when it still holds, else a new one, kept.
std::shared_ptr<const FilledAccount> FilledAccountOf(const domain::AccountView& a,
                                                     const RenderContext& ctx) {
  auto t = TemplateOf(ctx.cache ? &ctx.cache->accounts : nullptr, a.rec->id, a.rec,
                      [&](JsonTemplate& t) { RenderAccount(a, ctx, t); });
  // The badge is asked for only when commerce changed since the kept filling.
  uint64_t version = ctx.commerce != nullptr ? ctx.commerce->Version() : 0;
  auto kept = std::static_pointer_cast<const FilledAccount>(t->filled.Load());
  if (kept != nullptr && kept->Holds(a.counts, version)) return kept;
  bool verified = ctx.commerce != nullptr && ctx.commerce->IsVerified(a.rec->id);
  auto filled = std::make_shared<FilledAccount>();
  filled->counts = a.counts;
  filled->commerce_version = version;
  filled->json.reserve(t->json.size() + 160);  // the holes add at most 148 bytes
  FillAccount(filled->json, *t, a.counts, verified);
  t->filled.Store(filled);
  return filled;
}

void AppendAccount(std::string& out, const domain::AccountView& a, const RenderContext& ctx) {
  out += FilledAccountOf(a, ctx)->json;
}

// A status's template and the filling kept on it, found before the status is written together
// with the rest of its page (WriteStatuses), which holds an Epochs guard while it uses them (no
// counts are taken); `t` is null when the cache had no template for it.
struct FoundStatus {
  const JsonTemplate* t = nullptr;
  const void* kept = nullptr;           // t->filled as it was found
  const FoundStatus* reblog = nullptr;  // the reposted status's, for a repost
};

void AppendStatus(std::string& out, const domain::StatusView& s, const RenderContext& ctx,
                  bool nested, bool with_source, const FoundStatus* found = nullptr);

}  // namespace

std::string HtmlEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string NoteToHtml(std::string_view note) {
  if (note.empty()) return "";
  std::string out = "<p>";
  size_t i = 0;
  while (i < note.size()) {
    if (note[i] == '\r') {
      ++i;
      continue;
    }
    if (note[i] == '\n') {
      if (i + 1 < note.size() && note[i + 1] == '\n') {
        out += "</p><p>";
        while (i < note.size() && (note[i] == '\n' || note[i] == '\r')) ++i;
        continue;
      }
      out += "<br />";
      ++i;
      continue;
    }
    size_t j = note.find_first_of("\r\n", i);
    if (j == std::string_view::npos) j = note.size();
    out += HtmlEscape(note.substr(i, j - i));
    i = j;
  }
  out += "</p>";
  return out;
}

void WriteAccount(JsonWriter& w, const domain::AccountView& a, const RenderContext& ctx) {
  AppendAccount(w.BeginRawValue(), a, ctx);
}

void WriteCredentialAccount(JsonWriter& w, const domain::AccountView& a,
                            const RenderContext& ctx) {
  // The account object, reopened to add `source` and `role`.
  std::string& out = w.BeginRawValue();
  AppendAccount(out, a, ctx);
  out.pop_back();
  w.Key("source")
      .BeginObject()
      .Field("privacy", "public")
      .Field("sensitive", false)
      .Field("language", "")
      .Field("note", a.rec->note)
      .Key("fields")
      .BeginArray()
      .EndArray()
      .Field("follow_requests_count", 0)
      .EndObject();
  w.Key("role")
      .BeginObject()
      .Field("id", std::to_string(static_cast<int>(a.rec->role)))
      .Field("name", RoleName(a.rec->role))
      .Field("permissions", a.rec->role == storage::Role::kAdmin       ? "1"
                             : a.rec->role == storage::Role::kModerator ? "1024"
                                                                        : "0")
      .Field("color", "")
      .Field("highlighted", a.rec->role != storage::Role::kUser)
      .EndObject();
  w.EndObject();
}

namespace {

void RenderStatus(const domain::StatusView& s, const RenderContext& ctx, JsonTemplate& t) {
  const auto& r = *s.rec;
  // The view's body, else the stored one. Without one (a storage error) the status renders
  // empty and the template is not kept.
  static const domain::StatusBody kNoBody;
  std::shared_ptr<const domain::StatusBody> held = s.body;
  if (held == nullptr) {
    if (ctx.statuses != nullptr) held = ctx.statuses->Body(r.id);
    if (held == nullptr) t.keep = false;
  }
  const domain::StatusBody* body = held != nullptr ? held.get() : &kNoBody;
  thread_local std::string text;  // see RenderAccount
  text.clear();
  JsonWriter w(text);
  const IdText id(r.id);
  const std::string& username = s.author.rec->username;
  w.BeginObject();
  w.Field("id", id);
  w.Field("uri", Joined({ctx.base_url, "/users/", username, "/statuses/", id}));
  w.Field("url", Joined({ctx.base_url, "/@", username, "/", id}));
  std::string& created_at = w.Key("created_at").BeginRawValue();
  created_at += '"';
  AppendIso8601(created_at, body->created_at_ms);
  created_at += '"';
  KeyHole(w, t, "account", kAccount);
  w.Field("content", body->content_html)
      .Field("visibility", domain::VisibilityName(r.visibility))
      .Field("sensitive", r.sensitive)
      .Field("spoiler_text", body->spoiler_text);
  w.Key("media_attachments").BeginArray().EndArray();
  w.Key("application");
  bool has_app = body->app_id != 0 && ctx.auth != nullptr &&
                 ctx.auth->WithApp(body->app_id, [&](const storage::AppRecord& app) {
                   w.BeginObject().Field("name", app.name).Key("website");
                   if (app.website.empty()) {
                     w.Null();
                   } else {
                     w.String(app.website);
                   }
                   w.EndObject();
                 });
  if (!has_app) w.Null();
  w.Key("mentions").BeginArray();
  std::vector<domain::AccountView> mentioned;
  if (ctx.statuses != nullptr) mentioned = ctx.statuses->Mentioned(r);
  for (const auto& m : mentioned) {
    w.BeginObject()
        .Field("id", IdText(m.rec->id))
        .Field("username", m.rec->username)
        .Field("url", Joined({ctx.base_url, "/@", m.rec->username}))
        .Field("acct", m.rec->username)
        .EndObject();
  }
  w.EndArray();
  w.Key("tags").BeginArray();
  for (const auto& tag : r.tags()) {
    w.BeginObject()
        .Field("name", tag)
        .Field("url", Joined({ctx.base_url, "/tags/", tag}))
        .EndObject();
  }
  w.EndArray();
  w.Key("emojis").BeginArray().EndArray();
  KeyHole(w, t, "reblogs_count", kCounts);  // then favourites, replies, quotes
  w.Key("in_reply_to_id");
  if (r.in_reply_to_id != 0) {
    w.String(IdText(r.in_reply_to_id));
  } else {
    w.Null();
  }
  w.Key("in_reply_to_account_id");
  if (r.in_reply_to_account_id != 0) {
    w.String(IdText(r.in_reply_to_account_id));
  } else {
    w.Null();
  }
  KeyHole(w, t, "reblog", kReblog);
  KeyHole(w, t, "quote", kQuote);
  w.Key("poll").Null();
  KeyHole(w, t, "card", kCard);
  w.Key("language");
  if (body->language.empty()) {
    w.Null();
  } else {
    w.String(body->language);
  }
  KeyHole(w, t, "text", kText);
  w.Key("edited_at");
  if (body->edited_at_ms != 0) {
    w.String(FormatIso8601(body->edited_at_ms));
  } else {
    w.Null();
  }
  KeyHole(w, t, "favourited", kViewerFlags);  // then reblogged, muted, bookmarked
  w.Field("pinned", false);
  w.Key("filtered").BeginArray().EndArray();
  if (ctx.commerce != nullptr) {
    KeyHole(w, t, "plaza", kPlaza);
  }
  w.EndObject();
  t.json.assign(text);
}

// The viewer's flags of a status, one of 16 texts made once: every status of every page has them.
void AppendViewerFlags(std::string& out, const domain::StatusView& s) {
  static const std::array<std::string, 16> kTexts = [] {
    std::array<std::string, 16> texts;
    for (size_t i = 0; i < texts.size(); ++i) {
      RawWriter<64> p(texts[i]);  // 4 * 5 + 36 bytes at most
      p.Bool((i & 1) != 0).Put(R"(,"reblogged":)").Bool((i & 2) != 0);
      p.Put(R"(,"muted":)").Bool((i & 4) != 0).Put(R"(,"bookmarked":)").Bool((i & 8) != 0);
    }
    return texts;
  }();
  out += kTexts[size_t{s.favourited} | size_t{s.reblogged} << 1 | size_t{s.muted} << 2 |
                size_t{s.bookmarked} << 3];
}

// Where a status's kept filling leaves out the author's account, the reposted status (a repost's
// only) and the viewer's flags.
struct StatusGaps {
  size_t account_at = 0;
  size_t reblog_at = 0;  // 0 when the status is not a repost
  size_t viewer_flags_at = 0;
};

// Appends `s` from its template `t`, every hole filled when `gaps` is null; otherwise the author's
// account, the reposted status and the viewer's flags are left out and their places in `out`
// stored in `gaps`.
void FillStatus(std::string& out, const JsonTemplate& t, const domain::StatusView& s,
                const RenderContext& ctx, bool nested, bool with_source, StatusGaps* gaps) {
  const auto& r = *s.rec;
  // Products are looked up once, when the first hole that shows them is filled, and not at all
  // while commerce has not changed since the status was seen to carry none (most statuses).
  std::optional<std::vector<domain::commerce::ProductView>> products;
  auto products_of = [&]() -> const std::vector<domain::commerce::ProductView>& {
    if (!products) {
      products.emplace();
      if (ctx.commerce != nullptr) {
        uint64_t version = ctx.commerce->Version();
        if (t.stamp.load(std::memory_order_relaxed) != version) {
          *products = ctx.commerce->ProductsOfStatus(r.id);
          if (products->empty()) t.stamp.store(version, std::memory_order_relaxed);
        }
      }
    }
    return *products;
  };
  AppendFilled(out, t, [&](uint8_t kind) {
    switch (static_cast<StatusHole>(kind)) {
      case kAccount:
        if (gaps != nullptr) {
          gaps->account_at = out.size();
        } else {
          AppendAccount(out, s.author, ctx);
        }
        break;
      case kCounts: {
        RawWriter<160> p(out);  // 4 * 20 + 53 bytes at most
        p.Int(s.counts.reblogs).Put(R"(,"favourites_count":)").Int(s.counts.favourites);
        p.Put(R"(,"replies_count":)").Int(s.counts.replies);
        p.Put(R"(,"quotes_count":)").Int(s.counts.quotes);
        break;
      }
      case kReblog:
        if (gaps != nullptr && s.reblog) {
          gaps->reblog_at = out.size();
        } else if (s.reblog && !nested) {
          AppendStatus(out, *s.reblog, ctx, true, false);
        } else {
          out += "null"sv;
        }
        break;
      case kQuote:
        // Whether the quoted status is shown depends on the viewer.
        if (s.quote && !nested) {
          out += R"({"state":"accepted","quoted_status":)"sv;
          AppendStatus(out, *s.quote, ctx, true, false);
          out += '}';
        } else if (r.quote_of_id() != 0) {
          out += R"({"state":")"sv;
          out += s.quote ? "accepted"sv : "unauthorized"sv;
          out += R"(","quoted_status_id":")"sv;
          out += std::string_view(IdText(r.quote_of_id()));
          out += R"("})"sv;
        } else {
          out += "null"sv;
        }
        break;
      case kCard: {
        JsonWriter w(out);
        WriteStatusCard(w, products_of(), ctx);
        break;
      }
      case kText:
        if (with_source && s.body != nullptr) {
          AppendJsonString(out, s.body->text);
        } else {
          out += "null"sv;
        }
        break;
      case kViewerFlags: {
        if (gaps != nullptr) {
          gaps->viewer_flags_at = out.size();
        } else {
          AppendViewerFlags(out, s);
        }
        break;
      }
      case kPlaza: {
        JsonWriter w(out);
        WriteStatusPlaza(w, products_of(), ctx);
        break;
      }
    }
  });
}

// A status's JSON filled but for its author's account, the reposted status and the viewer's
// flags, kept on its template (see JsonTemplate::filled) for a status that is not a quote and
// carries no products, with the author's kept account filling (shared by all the author's
// statuses, not copied into each). It holds while the status's counts, the author's record and
// account filling (counts, shop badge) and commerce are unchanged, so a timeline page mostly
// copies it: no lookup of the author's template, no hole filled but the viewer's flags. A
// repost's original is appended from its own kept filling, with this viewer's flags.
struct FilledStatus {
  domain::StatusCounts counts;
  // The author's record it was filled with (held: its address cannot be another record's while
  // kept).
  std::shared_ptr<const storage::AccountRecord> author;
  // Taken before the status's holes were filled, so its commerce version is no newer than the one
  // they were filled at: while it holds, commerce has not changed since either.
  std::shared_ptr<const FilledAccount> account;
  StatusGaps gaps;
  std::string json;

  bool Holds(const domain::StatusView& s, uint64_t version) const {
    return counts == s.counts && author.get() == s.author.rec.get() &&
           account->Holds(s.author.counts, version);
  }
};

// A nested status (the reposted or quoted one) renders without nested statuses of its own.
// `found`, when given, is what the cache held for the status when its page looked it up.
void AppendStatus(std::string& out, const domain::StatusView& s, const RenderContext& ctx,
                  bool nested, bool with_source, const FoundStatus* found) {
  const bool was_found = found != nullptr && found->t != nullptr;
  std::shared_ptr<const JsonTemplate> rendered;
  if (!was_found) {
    rendered = TemplateOf(ctx.cache ? &ctx.cache->statuses : nullptr, s.rec->id, s.rec,
                          [&](JsonTemplate& t) { RenderStatus(s, ctx, t); });
  }
  const JsonTemplate& t = was_found ? *found->t : *rendered;
  const uint64_t version = ctx.commerce != nullptr ? ctx.commerce->Version() : 0;
  // Kept only while cached; products known absent at this commerce version (see FillStatus).
  // A quote is not kept: whether its quoted status shows depends on the viewer.
  const bool keepable =
      ctx.cache != nullptr && !with_source && s.rec->quote_of_id() == 0 &&
      (s.rec->reblog_of_id == 0 || (s.reblog != nullptr && !nested)) &&
      (ctx.commerce == nullptr || t.stamp.load(std::memory_order_relaxed) == version);
  if (!keepable) {
    FillStatus(out, t, s, ctx, nested, with_source, nullptr);
    return;
  }
  std::shared_ptr<const void> loaded;
  if (!was_found) loaded = t.filled.Load();
  const auto* kept = static_cast<const FilledStatus*>(was_found ? found->kept : loaded.get());
  if (kept == nullptr || !kept->Holds(s, version)) {
    auto filled = std::make_shared<FilledStatus>();
    filled->counts = s.counts;
    filled->author = s.author.rec;
    filled->account = FilledAccountOf(s.author, ctx);
    filled->json.reserve(t.json.size() + 256);  // the counts and the holes shown empty
    FillStatus(filled->json, t, s, ctx, nested, with_source, &filled->gaps);
    t.filled.Store(filled);
    kept = filled.get();
    loaded = std::move(filled);
  }
  const std::string& json = kept->json;
  const StatusGaps& gaps = kept->gaps;
  out.append(json, 0, gaps.account_at);
  out += kept->account->json;
  if (gaps.reblog_at != 0) {
    out.append(json, gaps.account_at, gaps.reblog_at - gaps.account_at);
    AppendStatus(out, *s.reblog, ctx, true, false, found != nullptr ? found->reblog : nullptr);
    out.append(json, gaps.reblog_at, gaps.viewer_flags_at - gaps.reblog_at);
  } else {
    out.append(json, gaps.account_at, gaps.viewer_flags_at - gaps.account_at);
  }
  AppendViewerFlags(out, s);
  out.append(json, gaps.viewer_flags_at);
}

}  // namespace

void WriteStatus(JsonWriter& w, const domain::StatusView& s, const RenderContext& ctx,
                 bool with_source) {
  AppendStatus(w.BeginRawValue(), s, ctx, false, with_source);
}

namespace {

// Prefetches the whole text of a kept filling and of its author's account filling.
void PrefetchFilling(const FoundStatus& f) {
  const auto* kept = static_cast<const FilledStatus*>(f.kept);
  if (kept == nullptr) return;
  PrefetchBytes(kept->json.data(), kept->json.size());
  PrefetchBytes(kept->account->json.data(), kept->account->json.size());
}

}  // namespace

void WriteStatuses(JsonWriter& w, std::span<const domain::StatusView> views,
                   const RenderContext& ctx) {
  if (ctx.cache == nullptr || views.size() < 2) {
    for (const auto& v : views) WriteStatus(w, v, ctx);
    return;
  }
  // Each status's template, and the filling kept on it, then that filling's text are reached
  // through a chain of pointers, each a likely cache miss on a large or changing timeline. Found
  // for the whole page first, a stage at a time, the misses of one stage overlap (the first
  // stage's in RenderCache::FindMany, the later ones through prefetches) instead of adding up
  // status by status while the page is written. The templates and fillings are used without
  // reference counts (six locked operations a status saved) while this guard pins them.
  Epochs::Guard pinned(Epochs::Shared());
  boost::container::small_vector<Id, 48> ids;
  boost::container::small_vector<const domain::StatusMetaPtr*, 48> sources;
  for (const auto& v : views) {
    ids.push_back(v.rec->id);
    sources.push_back(&v.rec);
    if (v.reblog != nullptr) {
      ids.push_back(v.reblog->rec->id);
      sources.push_back(&v.reblog->rec);
    }
  }
  const size_t n = ids.size();
  boost::container::small_vector<const JsonTemplate*, 48> templates(n, nullptr);
  ctx.cache->statuses.FindMany(ids, sources, templates);
  boost::container::small_vector<FoundStatus, 48> found(n);
  for (size_t i = 0; i < n; ++i) {
    if (templates[i] == nullptr) continue;
    found[i].kept = templates[i]->filled.Peek();
    found[i].t = templates[i];
  }
  for (const FoundStatus& f : found) {
    const auto* kept = static_cast<const FilledStatus*>(f.kept);
    if (kept == nullptr) continue;
    __builtin_prefetch(kept->json.data());
    __builtin_prefetch(kept->json.data() + 64);
    __builtin_prefetch(kept->account.get());
  }
  // While one status is copied, the text of the next is fetched whole.
  size_t i = 0;
  for (const auto& v : views) {
    FoundStatus& f = found[i];
    const size_t next = i + (v.reblog != nullptr ? 2 : 1);
    if (v.reblog != nullptr) f.reblog = &found[i + 1];
    for (size_t j = next; j < n && j < next + 2; ++j) PrefetchFilling(found[j]);
    AppendStatus(w.BeginRawValue(), v, ctx, false, false, &f);
    i = next;
  }
}

void WriteRelationship(JsonWriter& w, const domain::Relationship& r) {
  w.BeginObject()
      .Field("id", IdToString(r.id))
      .Field("following", r.following)
      .Field("showing_reblogs", r.showing_reblogs)
      .Field("notifying", r.notifying)
      .Key("languages").Null()
      .Field("followed_by", r.followed_by)
      .Field("blocking", r.blocking)
      .Field("blocked_by", r.blocked_by)
      .Field("muting", r.muting)
      .Field("muting_notifications", r.muting_notifications)
      .Field("requested", r.requested)
      .Field("requested_by", false)
      .Field("domain_blocking", false)
      .Field("endorsed", false)
      .Field("note", "")
      .EndObject();
}

void WriteNotification(JsonWriter& w, const domain::NotificationView& n,
                       const RenderContext& ctx) {
  w.BeginObject()
      .Field("id", IdToString(n.rec.id))
      .Field("type", domain::Notifications::TypeName(n.rec.type))
      .Field("created_at", FormatIso8601(n.rec.created_at_ms))
      .Field("group_key", "ungrouped-" + IdToString(n.rec.id));
  w.Key("account");
  WriteAccount(w, n.from, ctx);
  if (n.status) {
    w.Key("status");
    WriteStatus(w, *n.status, ctx);
  }
  w.EndObject();
}

void WriteStatusEdit(JsonWriter& w, const storage::StatusEditRecord& e,
                     const domain::StatusView& s, const RenderContext& ctx) {
  w.BeginObject()
      .Field("content", e.content_html)
      .Field("spoiler_text", e.spoiler_text)
      .Field("sensitive", e.sensitive)
      .Field("created_at", FormatIso8601(e.created_at_ms));
  w.Key("account");
  WriteAccount(w, s.author, ctx);
  w.Key("poll").Null();
  w.Key("media_attachments").BeginArray().EndArray();
  w.Key("emojis").BeginArray().EndArray();
  w.EndObject();
}

}  // namespace plaza::api
