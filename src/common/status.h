// Status and Result<T>: how expected failures travel through Plaza. Every fallible operation that
// can fail for reasons other than a bug returns one of these; exceptions are reserved for bugs and
// start-up failures and never cross a storage interface.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace plaza {

enum class StatusCode {
  kOk = 0,
  kInvalid,          // malformed input (400)
  kUnprocessable,    // well-formed but rejected by a rule (422)
  kUnauthorized,     // no or bad credentials (401)
  kForbidden,        // authenticated but not allowed (403)
  kNotFound,         // 404
  kConflict,         // 409
  kSoldOut,          // 409 with "sold out"
  kTooLarge,         // 413
  kRateLimited,      // 429
  kUnavailable,      // 503: overloaded or shutting down
  kIOError,          // storage failure (500)
  kInternal,         // a bug (500)
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return {}; }
  static Status Invalid(std::string m) { return {StatusCode::kInvalid, std::move(m)}; }
  static Status Unprocessable(std::string m) { return {StatusCode::kUnprocessable, std::move(m)}; }
  static Status Unauthorized(std::string m) { return {StatusCode::kUnauthorized, std::move(m)}; }
  static Status Forbidden(std::string m) { return {StatusCode::kForbidden, std::move(m)}; }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status Conflict(std::string m) { return {StatusCode::kConflict, std::move(m)}; }
  static Status SoldOut(std::string m = "sold out") { return {StatusCode::kSoldOut, std::move(m)}; }
  static Status TooLarge(std::string m) { return {StatusCode::kTooLarge, std::move(m)}; }
  static Status RateLimited(std::string m) { return {StatusCode::kRateLimited, std::move(m)}; }
  static Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
  static Status IOError(std::string m) { return {StatusCode::kIOError, std::move(m)}; }
  static Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  bool IsNotFound() const { return code_ == StatusCode::kNotFound; }

  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// Result<T> holds either a value or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {  // NOLINT: implicit by design
    assert(!std::get<Status>(v_).ok());
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOkStatus;
    return ok() ? kOkStatus : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> v_;
};

std::string_view StatusCodeName(StatusCode code);

}  // namespace plaza

// Propagates a non-OK Status from an expression returning Status.
#define PLAZA_RETURN_IF_ERROR(expr)          \
  do {                                       \
    ::plaza::Status _plaza_st = (expr);      \
    if (!_plaza_st.ok()) return _plaza_st;   \
  } while (0)

#define PLAZA_CONCAT_INNER(a, b) a##b
#define PLAZA_CONCAT(a, b) PLAZA_CONCAT_INNER(a, b)
// Assigns the value of a Result<T> expression to `lhs`, or returns its Status.
#define PLAZA_ASSIGN_OR_RETURN(lhs, expr) \
  PLAZA_ASSIGN_OR_RETURN_IMPL(PLAZA_CONCAT(_plaza_r_, __LINE__), lhs, expr)
#define PLAZA_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                \
  if (!tmp.ok()) return tmp.status();               \
  lhs = std::move(tmp).value()
