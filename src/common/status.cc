#include "common/status.h"

namespace plaza {

std::string_view StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "ok";
    case StatusCode::kInvalid: return "invalid";
    case StatusCode::kUnprocessable: return "unprocessable";
    case StatusCode::kUnauthorized: return "unauthorized";
    case StatusCode::kForbidden: return "forbidden";
    case StatusCode::kNotFound: return "not found";
    case StatusCode::kConflict: return "conflict";
    case StatusCode::kSoldOut: return "sold out";
    case StatusCode::kTooLarge: return "too large";
    case StatusCode::kRateLimited: return "rate limited";
    case StatusCode::kUnavailable: return "unavailable";
    case StatusCode::kIOError: return "io error";
    case StatusCode::kInternal: return "internal";
  }
  return "unknown";
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  std::string s(StatusCodeName(code_));
  s += ": ";
  s += message_;
  return s;
}

}  // namespace plaza
