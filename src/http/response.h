// Response: what a handler returns — status code, body, content type and extra headers. The
// server writes `body` to the socket straight from this string (no copy) and adds Content-Length,
// Date, Connection and CORS headers itself; handlers must not set those.
//
// Response::FromStatus() is THE place where a plaza::Status becomes an HTTP status and a JSON
// error body; every layer that fails with a Status answers through it:
//   kInvalid 400, kUnauthorized 401, kForbidden 403, kNotFound 404, kConflict 409,
//   kSoldOut 409 {"error":"sold out"}, kTooLarge 413, kUnprocessable 422, kRateLimited 429,
//   kUnavailable 503, kIOError / kInternal 500 (body is a generic message; the real one is logged,
//   never sent to the client).
//
// Thread-safety: a plain value.
#pragma once

#include <boost/container/small_vector.hpp>
#include <string>
#include <string_view>
#include <utility>

#include "common/status.h"

namespace plaza::http {

inline constexpr std::string_view kJsonContentType = "application/json; charset=utf-8";

struct Response {
  int status = 200;
  std::string body;
  // Empty means kJsonContentType (kept empty so the common case costs no allocation).
  std::string content_type;
  // Extra headers in order. Names are sent as given. Room for one inline: most responses that
  // have any have one (a timeline's Link), and it then costs no allocation of its own.
  boost::container::small_vector<std::pair<std::string, std::string>, 1> headers;

  std::string_view ContentType() const {
    return content_type.empty() ? kJsonContentType : std::string_view(content_type);
  }
  Response& SetHeader(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
    return *this;
  }
  // Value of the first extra header called `name` (ASCII case-insensitive), "" when absent.
  std::string_view Header(std::string_view name) const;

  // A JSON response; `body` must already be serialized JSON.
  static Response Json(int status, std::string body);
  // {"error":"<message>"} with `status`.
  static Response Error(int status, std::string_view message);
  // The one Status -> HTTP mapping (see above). REQUIRES: !status.ok().
  static Response FromStatus(const Status& status);
  // 204 with an empty body.
  static Response NoContent();
};

// HTTP status code used for `code` by Response::FromStatus (200 for kOk).
int HttpStatusFor(StatusCode code);
// "OK", "Not Found", ... ("Unknown" for codes we never send).
std::string_view ReasonPhrase(int status);

}  // namespace plaza::http
