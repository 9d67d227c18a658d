#include "api/support.h"

#include <any>

#include "http/params.h"

namespace plaza::api {

const Caller& CallerOf(const http::Request& req) {
  static const Caller kAnonymous;
  const Caller* c = std::any_cast<Caller>(&req.context());
  return c != nullptr ? *c : kAnonymous;
}

Result<domain::Page> ParsePage(const http::Request& req, size_t def_limit, size_t max_limit) {
  domain::Page page;
  page.limit = def_limit;
  auto id_param = [&](std::string_view key, Id& out) -> Status {
    auto v = req.params().Get(key);
    if (!v || v->empty()) return Status::Ok();
    auto id = ParseId(*v);
    if (!id) return Status::Invalid(std::string(key) + " must be a status id");
    out = *id;
    return Status::Ok();
  };
  PLAZA_RETURN_IF_ERROR(id_param("max_id", page.max_id));
  PLAZA_RETURN_IF_ERROR(id_param("since_id", page.since_id));
  PLAZA_RETURN_IF_ERROR(id_param("min_id", page.min_id));
  if (req.params().Has("limit")) {
    auto limit = req.params().GetInt("limit");
    if (!limit.ok()) return Status::Invalid("limit must be an integer");
    int64_t l = *limit;
    if (l < 1) l = 1;
    if (static_cast<size_t>(l) > max_limit) l = static_cast<int64_t>(max_limit);
    page.limit = static_cast<size_t>(l);
  }
  return page;
}

namespace {

// Whether `key`, as sent in a query (a list's "[]" literal or percent-encoded), names a filter
// one of the paginated lists reads, so that the pages a Link header leads to are filtered alike.
bool IsListFilter(std::string_view key) {
  for (std::string_view suffix : {"[]", "%5B%5D", "%5b%5d"}) {
    if (key.ends_with(suffix)) {
      key.remove_suffix(suffix.size());
      break;
    }
  }
  static constexpr std::string_view kFilters[] = {
      "limit",           "local",    "remote",           "only_media", "exclude_replies",
      "exclude_reblogs", "pinned",   "tagged",           "types",      "exclude_types",
      "account_id",      "resolved", "target_account_id"};
  for (std::string_view f : kFilters) {
    if (key == f) return true;
  }
  return false;
}

}  // namespace

void AddLinkHeader(http::Response& resp, const http::Request& req, const RenderContext& ctx,
                   Id newest_cursor, Id oldest_cursor) {
  if (newest_cursor == 0 && oldest_cursor == 0) return;
  std::string others;
  std::string_view raw = req.raw_query();
  // Keep the caller's filters as they were sent, and nothing else: a parameter no list reads
  // would only make the header longer (by twice its length: some clients refuse a response whose
  // headers pass 16 KiB).
  size_t start = 0;
  while (start <= raw.size() && !raw.empty()) {
    size_t amp = raw.find('&', start);
    std::string_view part = raw.substr(start, amp == std::string_view::npos ? raw.npos : amp - start);
    if (IsListFilter(part.substr(0, part.find('=')))) {
      others += '&';
      others += part;
    }
    if (amp == std::string_view::npos) break;
    start = amp + 1;
  }
  const std::string_view path = req.raw_path();
  std::string link;  // built in place: one allocation
  link.reserve(2 * (ctx.base_url.size() + path.size() + others.size()) + 96);
  auto url = [&](std::string_view cursor_key, Id cursor) {
    link += '<';
    link += ctx.base_url;
    link += path;
    link += '?';
    link += cursor_key;
    link += '=';
    link += std::string_view(IdText(cursor));
    link += others;
    link += '>';
  };
  url("max_id", oldest_cursor);
  link += "; rel=\"next\", ";
  url("min_id", newest_cursor);
  link += "; rel=\"prev\"";
  resp.SetHeader("Link", std::move(link));
}

Result<Id> PathId(const http::Request& req, std::string_view name) {
  auto id = ParseId(req.PathParam(name));
  if (!id || *id == 0) return Status::NotFound("record not found");
  return *id;
}

std::string ParamString(const http::Request& req, std::string_view key) {
  auto v = req.params().Get(key);
  return v ? std::string(*v) : std::string();
}

http::Response JsonResponse(int status, const std::function<void(JsonWriter&)>& fn,
                            size_t reserve) {
  http::Response resp;
  resp.status = status;
  resp.body.reserve(reserve);
  JsonWriter w(resp.body);
  fn(w);
  return resp;
}

}  // namespace plaza::api
