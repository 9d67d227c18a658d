// Mastodon entities as JSON, written straight into a response buffer with plaza::JsonWriter.
// Field names and shapes follow the Mastodon API documentation (Account, Status, Relationship,
// Notification, Application, Token, Instance); Plaza additions sit under a `plaza` key.
#pragma once

#include <span>
#include <string>

#include "api/render_cache.h"
#include "common/json_writer.h"
#include "domain/auth.h"
#include "domain/commerce/commerce.h"
#include "domain/model.h"
#include "domain/statuses.h"
#include "storage/records.h"

namespace plaza::api {

struct RenderContext {
  std::string base_url;  // "http://127.0.0.1:8080"
  std::string domain;    // "127.0.0.1:8080"
  // Resolves an app id to its record for the status `application` field; may be null.
  const domain::Auth* auth = nullptr;
  // Products carried by statuses and shop badges; may be null.
  const domain::commerce::Commerce* commerce = nullptr;
  // Reads the bodies of statuses rendered afresh whose views carry none (StatusView::body).
  const domain::Statuses* statuses = nullptr;
  // Rendered accounts and statuses kept between requests; null renders every time.
  std::shared_ptr<RenderCaches> cache;
};

void WriteAccount(JsonWriter& w, const domain::AccountView& a, const RenderContext& ctx);
// verify_credentials / update_credentials: the account plus `source` and `role`.
void WriteCredentialAccount(JsonWriter& w, const domain::AccountView& a, const RenderContext& ctx);
// With `with_source`, `text` carries the source as written (DELETE answers so, for redrafts).
void WriteStatus(JsonWriter& w, const domain::StatusView& s, const RenderContext& ctx,
                 bool with_source = false);
// A list of statuses as the elements of the array `w` is in (a timeline page): the same JSON as
// WriteStatus of each, with the cached parts of all of them found before any is written.
void WriteStatuses(JsonWriter& w, std::span<const domain::StatusView> views,
                   const RenderContext& ctx);
void WriteRelationship(JsonWriter& w, const domain::Relationship& r);
void WriteNotification(JsonWriter& w, const domain::NotificationView& n, const RenderContext& ctx);
void WriteStatusEdit(JsonWriter& w, const storage::StatusEditRecord& e,
                     const domain::StatusView& s, const RenderContext& ctx);

// The plain-text note rendered as HTML paragraphs (escaped).
std::string NoteToHtml(std::string_view note);
// Escapes &, <, >, ", ' for HTML.
std::string HtmlEscape(std::string_view s);

}  // namespace plaza::api
