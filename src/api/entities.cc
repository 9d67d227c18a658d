#include "api/entities.h"

#include "api/commerce_entities.h"
#include "common/clock.h"
#include "domain/notifications.h"
#include "domain/statuses.h"

namespace plaza::api {
namespace {

std::string DateOnly(int64_t unix_ms) { return FormatIso8601(unix_ms).substr(0, 10); }

std::string_view RoleName(storage::Role r) {
  switch (r) {
    case storage::Role::kAdmin: return "Admin";
    case storage::Role::kModerator: return "Moderator";
    case storage::Role::kUser: return "";
  }
  return "";
}

void WriteAccountFields(JsonWriter& w, const domain::AccountView& a, const RenderContext& ctx) {
  const auto& r = *a.rec;
  std::string url = ctx.base_url + "/@" + r.username;
  std::string avatar = ctx.base_url + "/avatars/original/missing.png";
  std::string header = ctx.base_url + "/headers/original/missing.png";
  w.Field("id", IdToString(r.id))
      .Field("username", r.username)
      .Field("acct", r.username)
      .Field("display_name", r.display_name)
      .Field("locked", r.locked)
      .Field("bot", r.bot)
      .Field("discoverable", true)
      .Field("group", false)
      .Field("created_at", FormatIso8601(r.created_at_ms))
      .Field("note", NoteToHtml(r.note))
      .Field("url", url)
      .Field("uri", ctx.base_url + "/users/" + r.username)
      .Field("avatar", avatar)
      .Field("avatar_static", avatar)
      .Field("header", header)
      .Field("header_static", header)
      .Field("followers_count", a.counters->followers.load())
      .Field("following_count", a.counters->following.load())
      .Field("statuses_count", a.counters->statuses.load());
  int64_t last = a.counters->last_status_at_ms.load();
  w.Key("last_status_at");
  if (last > 0) {
    w.String(DateOnly(last));
  } else {
    w.Null();
  }
  w.Key("emojis").BeginArray().EndArray();
  w.Key("fields").BeginArray().EndArray();
  if (r.suspended) w.Field("suspended", true);
  if (r.silenced) w.Field("limited", true);
  bool verified = ctx.commerce != nullptr && ctx.commerce->IsVerified(r.id);
  w.Key("plaza").BeginObject().Field("verified", verified).EndObject();
}

void WriteStatusBody(JsonWriter& w, const domain::StatusView& s, const RenderContext& ctx,
                     bool nested, bool with_source);

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
  w.BeginObject();
  WriteAccountFields(w, a, ctx);
  w.EndObject();
}

void WriteCredentialAccount(JsonWriter& w, const domain::AccountView& a,
                            const RenderContext& ctx) {
  w.BeginObject();
  WriteAccountFields(w, a, ctx);
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

void WriteStatusBody(JsonWriter& w, const domain::StatusView& s, const RenderContext& ctx,
                     bool nested, bool with_source) {
  const auto& r = *s.rec;
  std::string url = ctx.base_url + "/@" + s.author.rec->username + "/" + IdToString(r.id);
  w.BeginObject();
  w.Field("id", IdToString(r.id))
      .Field("uri", ctx.base_url + "/users/" + s.author.rec->username + "/statuses/" +
                        IdToString(r.id))
      .Field("url", url)
      .Field("created_at", FormatIso8601(r.created_at_ms));
  w.Key("account");
  WriteAccount(w, s.author, ctx);
  w.Field("content", r.content_html)
      .Field("visibility", domain::VisibilityName(r.visibility))
      .Field("sensitive", r.sensitive)
      .Field("spoiler_text", r.spoiler_text);
  w.Key("media_attachments").BeginArray().EndArray();
  w.Key("application");
  std::optional<storage::AppRecord> app;
  if (r.app_id != 0 && ctx.auth != nullptr) app = ctx.auth->FindAppById(r.app_id);
  if (app) {
    w.BeginObject().Field("name", app->name).Key("website");
    if (app->website.empty()) {
      w.Null();
    } else {
      w.String(app->website);
    }
    w.EndObject();
  } else {
    w.Null();
  }
  w.Key("mentions").BeginArray();
  for (const auto& m : s.mentions) {
    w.BeginObject()
        .Field("id", IdToString(m.rec->id))
        .Field("username", m.rec->username)
        .Field("url", ctx.base_url + "/@" + m.rec->username)
        .Field("acct", m.rec->username)
        .EndObject();
  }
  w.EndArray();
  w.Key("tags").BeginArray();
  for (const auto& t : r.tags) {
    w.BeginObject().Field("name", t).Field("url", ctx.base_url + "/tags/" + t).EndObject();
  }
  w.EndArray();
  w.Key("emojis").BeginArray().EndArray();
  w.Field("reblogs_count", s.counters->reblogs.load())
      .Field("favourites_count", s.counters->favourites.load())
      .Field("replies_count", s.counters->replies.load())
      .Field("quotes_count", s.counters->quotes.load());
  w.Key("in_reply_to_id");
  if (r.in_reply_to_id != 0) {
    w.String(IdToString(r.in_reply_to_id));
  } else {
    w.Null();
  }
  w.Key("in_reply_to_account_id");
  if (r.in_reply_to_account_id != 0) {
    w.String(IdToString(r.in_reply_to_account_id));
  } else {
    w.Null();
  }
  w.Key("reblog");
  if (s.reblog && !nested) {
    WriteStatusBody(w, *s.reblog, ctx, true, false);
  } else {
    w.Null();
  }
  w.Key("quote");
  if (s.quote && !nested) {
    w.BeginObject().Field("state", "accepted").Key("quoted_status");
    WriteStatusBody(w, *s.quote, ctx, true, false);
    w.EndObject();
  } else if (r.quote_of_id != 0) {
    w.BeginObject()
        .Field("state", s.quote ? "accepted" : "unauthorized")
        .Field("quoted_status_id", IdToString(r.quote_of_id))
        .EndObject();
  } else {
    w.Null();
  }
  w.Key("poll").Null();
  std::vector<domain::commerce::ProductView> products;
  if (ctx.commerce != nullptr) products = ctx.commerce->ProductsOfStatus(r.id);
  w.Key("card");
  WriteStatusCard(w, products, ctx);
  w.Key("language");
  if (r.language.empty()) {
    w.Null();
  } else {
    w.String(r.language);
  }
  w.Key("text");
  if (with_source) {
    w.String(r.text);
  } else {
    w.Null();
  }
  w.Key("edited_at");
  if (r.edited_at_ms != 0) {
    w.String(FormatIso8601(r.edited_at_ms));
  } else {
    w.Null();
  }
  w.Field("favourited", s.favourited)
      .Field("reblogged", s.reblogged)
      .Field("muted", s.muted)
      .Field("bookmarked", s.bookmarked)
      .Field("pinned", false);
  w.Key("filtered").BeginArray().EndArray();
  if (ctx.commerce != nullptr) {
    w.Key("plaza");
    WriteStatusPlaza(w, products, ctx);
  }
  w.EndObject();
}

}  // namespace

void WriteStatus(JsonWriter& w, const domain::StatusView& s, const RenderContext& ctx,
                 bool with_source) {
  WriteStatusBody(w, s, ctx, false, with_source);
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
