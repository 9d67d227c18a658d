#include "http/response.h"

#include <spdlog/spdlog.h>

#include "common/ascii.h"
#include "common/json_writer.h"

namespace plaza::http {
std::string_view Response::Header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (AsciiEqualsIgnoreCase(n, name)) {
      return v;
    }
  }
  return {};
}

Response Response::Json(int status, std::string body) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

Response Response::Error(int status, std::string_view message) {
  Response r;
  r.status = status;
  r.body.reserve(message.size() + 16);
  JsonWriter w(r.body);
  w.BeginObject().Field("error", message).EndObject();
  return r;
}

Response Response::NoContent() {
  Response r;
  r.status = 204;
  return r;
}

int HttpStatusFor(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return 200;
    case StatusCode::kInvalid: return 400;
    case StatusCode::kUnauthorized: return 401;
    case StatusCode::kForbidden: return 403;
    case StatusCode::kNotFound: return 404;
    case StatusCode::kConflict: return 409;
    case StatusCode::kSoldOut: return 409;
    case StatusCode::kTooLarge: return 413;
    case StatusCode::kUnprocessable: return 422;
    case StatusCode::kRateLimited: return 429;
    case StatusCode::kUnavailable: return 503;
    case StatusCode::kIOError: return 500;
    case StatusCode::kInternal: return 500;
  }
  return 500;
}

Response Response::FromStatus(const Status& status) {
  int http_status = HttpStatusFor(status.code());
  switch (status.code()) {
    case StatusCode::kOk:
      return Json(200, "{}");
    case StatusCode::kSoldOut:
      return Error(http_status, "sold out");
    case StatusCode::kIOError:
    case StatusCode::kInternal:
      // The message may name files, keys or internals: log it, never send it.
      spdlog::error("internal error answered 500: {}", status.ToString());
      return Error(http_status, "Internal server error");
    default:
      return Error(http_status, status.message().empty()
                                    ? ReasonPhrase(http_status)
                                    : std::string_view(status.message()));
  }
}

std::string_view ReasonPhrase(int status) {
  switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 411: return "Length Required";
    case 412: return "Precondition Failed";
    case 413: return "Payload Too Large";
    case 415: return "Unsupported Media Type";
    case 417: return "Expectation Failed";
    case 422: return "Unprocessable Entity";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Unknown";
  }
}

}  // namespace plaza::http
