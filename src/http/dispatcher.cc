#include "http/dispatcher.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <charconv>
#include <cstring>
#include <ctime>
#include <exception>
#include <memory>

#include "common/clock.h"
#include "http/request_parser.h"

namespace plaza::http {
namespace {

constexpr std::string_view kExposeHeaders =
    "Access-Control-Expose-Headers: Link, X-RateLimit-Reset, X-RateLimit-Limit, "
    "X-RateLimit-Remaining, X-Request-Id, Idempotency-Key\r\n";

// "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n", formatted at most once a second per thread.
std::string_view DateHeader() {
  thread_local time_t cached_second = -1;
  thread_local char buf[64];
  thread_local size_t len = 0;
  time_t now = std::time(nullptr);
  if (now != cached_second) {
    static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                              "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    struct tm tm;
    gmtime_r(&now, &tm);
    int n = std::snprintf(buf, sizeof(buf), "Date: %s, %02d %s %04d %02d:%02d:%02d GMT\r\n",
                          kDays[tm.tm_wday], tm.tm_mday, kMonths[tm.tm_mon], tm.tm_year + 1900,
                          tm.tm_hour, tm.tm_min, tm.tm_sec);
    len = n > 0 ? static_cast<size_t>(n) : 0;
    cached_second = now;
  }
  return std::string_view(buf, len);
}

void AppendNumber(std::string& out, uint64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  out.append(buf, r.ptr);
}

// No CR, LF or NUL: three memchr scans (vectorized) rather than a loop over each byte, since
// every response's headers pass here (a Link header is ~200 bytes).
bool SafeHeaderText(std::string_view s) {
  for (char c : {'\r', '\n', '\0'}) {
    if (std::memchr(s.data(), c, s.size()) != nullptr) return false;
  }
  return true;
}

// A token per RFC 7230 (for echoing Access-Control-Request-Headers safely).
bool IsHeaderListText(std::string_view s) {
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == ',' || c == ' ' || c == '.';
    if (!ok) {
      return false;
    }
  }
  return true;
}

// Hex digits, '.', ':' only: the value becomes a rate-limit key and goes into the access log.
bool LooksLikeIp(std::string_view s) {
  for (char c : s) {
    bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') ||
              c == '.' || c == ':';
    if (!ok) {
      return false;
    }
  }
  return true;
}

std::string_view RightmostForwardedFor(std::string_view xff) {
  size_t comma = xff.rfind(',');
  std::string_view last = comma == std::string_view::npos ? xff : xff.substr(comma + 1);
  while (!last.empty() && (last.front() == ' ' || last.front() == '\t')) last.remove_prefix(1);
  while (!last.empty() && (last.back() == ' ' || last.back() == '\t')) last.remove_suffix(1);
  return last;
}

}  // namespace

Dispatcher::Dispatcher(const Router& router, const ServerOptions& options)
    : router_(router),
      options_(options),
      ip_limiter_(std::make_unique<RateLimiter>(options.ip_rate_limit)) {}

std::optional<Response> Dispatcher::Preflight(const Request& request,
                                              unsigned allowed_methods) const {
  Response r = Response::NoContent();
  std::string methods = Router::AllowHeader(allowed_methods | (1u << static_cast<int>(
                                                                   Method::kOptions)));
  r.SetHeader("Allow", methods);
  if (options_.cors && request.HasHeader("Origin")) {
    r.SetHeader("Access-Control-Allow-Methods", std::move(methods));
    std::string_view wanted = request.Header("Access-Control-Request-Headers");
    r.SetHeader("Access-Control-Allow-Headers",
                !wanted.empty() && wanted.size() < 1024 && IsHeaderListText(wanted)
                    ? std::string(wanted)
                    : std::string("Authorization, Content-Type, Idempotency-Key"));
    r.SetHeader("Access-Control-Max-Age", "86400");
  }
  return r;
}

void Dispatcher::OnHeader(Request& request, const Status& target_status, Exchange& x) {
  x.route = nullptr;
  x.early.reset();
  x.body_limit = options_.max_body_bytes;
  if (options_.trust_proxy) {
    std::string_view forwarded = RightmostForwardedFor(request.Header("X-Forwarded-For"));
    if (!forwarded.empty() && forwarded.size() <= 64 && LooksLikeIp(forwarded)) {
      request.SetRemoteIp(forwarded);
    }
  }
  if (!target_status.ok()) {
    x.early = Response::FromStatus(target_status);
    return;
  }
  if (options_.ip_rate_limit_enabled) {
    RateLimitDecision d = ip_limiter_->Acquire(request.remote_ip());
    if (!d.allowed) {
      x.early = TooManyRequests(d);
      return;
    }
  }
  Result<Router::Match> match = router_.Find(request.method(), request.raw_path(), &request);
  if (!match.ok()) {
    x.early = Response::FromStatus(match.status());
    return;
  }
  switch (match->outcome) {
    case Router::Outcome::kFound:
      x.route = match->route;
      if (x.route->options.max_body_bytes != 0) {
        x.body_limit = x.route->options.max_body_bytes;
      }
      return;
    case Router::Outcome::kNotFound:
      x.early = Response::Error(404, "Not found");
      return;
    case Router::Outcome::kMethodNotAllowed:
      if (request.method() == Method::kOptions) {
        x.early = Preflight(request, match->allowed_methods);
        return;
      }
      x.early = Response::Error(405, "Method not allowed");
      x.early->SetHeader("Allow", Router::AllowHeader(match->allowed_methods));
      return;
  }
}

void Dispatcher::BeforeHandler(Request& request, Exchange& x) {
  if (x.early) {
    return;
  }
  Status decoded = request.DecodeParams(options_.param_limits);
  if (!decoded.ok()) {
    x.early = Response::FromStatus(decoded);
    return;
  }
  try {
    for (const BeforeHook& hook : before_) {
      std::optional<Response> answer = hook(request);
      if (answer) {
        x.early = std::move(answer);
        return;
      }
    }
  } catch (const std::exception& e) {
    spdlog::error("http: before hook threw on {} {}: {}", MethodName(request.method()),
                  request.raw_path(), e.what());
    x.early = Response::FromStatus(Status::Internal("before hook threw"));
  } catch (...) {
    spdlog::error("http: before hook threw on {} {}", MethodName(request.method()),
                  request.raw_path());
    x.early = Response::FromStatus(Status::Internal("before hook threw"));
  }
}

namespace {

// Runs `fn` (a route's handler); anything it throws is logged, and then it returns false.
template <typename Fn>
bool RunHandler(const Route& route, Fn&& fn) {
  try {
    fn();
    return true;
  } catch (const std::exception& e) {
    spdlog::error("http: handler for {} {} threw: {}", MethodName(route.method), route.pattern,
                  e.what());
  } catch (...) {
    spdlog::error("http: handler for {} {} threw a non-exception", MethodName(route.method),
                  route.pattern);
  }
  return false;
}

}  // namespace

Response Dispatcher::Invoke(const Route& route, Request& request) {
  Response response;
  if (RunHandler(route, [&] { response = route.handler(request); })) return response;
  return Response::Error(500, "Internal server error");
}

void Dispatcher::InvokeAsync(const Route& route, Request& request, Responder respond) {
  auto responded = std::make_shared<std::atomic<bool>>(false);
  // The handler's responder is made in place, not copied from one kept here: a copy of a
  // std::function holding more than a pointer is one more allocation for every request.
  const bool handled = RunHandler(route, [&] {
    route.async_handler(request, [responded, respond](Response r) {
      if (!responded->exchange(true)) respond(std::move(r));
    });
  });
  // A throw after the handler responded is only logged: the answer is already on its way.
  if (!handled && !responded->exchange(true))
    respond(Response::Error(500, "Internal server error"));
}

void Dispatcher::Finish(const Request& request, const Exchange& x, Response& response) {
  if (!after_.empty()) {
    try {
      for (const AfterHook& hook : after_) {
        hook(request, response);
      }
    } catch (const std::exception& e) {
      spdlog::error("http: after hook threw on {} {}: {}", MethodName(request.method()),
                    request.raw_path(), e.what());
      response = Response::Error(500, "Internal server error");
    } catch (...) {
      spdlog::error("http: after hook threw on {} {}", MethodName(request.method()),
                    request.raw_path());
      response = Response::Error(500, "Internal server error");
    }
  }
  if (options_.access_log) {
    // The raw path only: query strings and bodies may carry tokens and passwords.
    spdlog::info("http method={} path={} status={} us={} ip={}", MethodName(request.method()),
                 request.raw_path(), response.status, (MonotonicNs() - x.start_ns) / 1000,
                 request.remote_ip());
  }
}

void AppendResponseHead(const Response& response, const HeadOptions& options, std::string& out) {
  out += "HTTP/1.1 ";
  AppendNumber(out, static_cast<uint64_t>(response.status));
  out += ' ';
  out += ReasonPhrase(response.status);
  out += "\r\n";
  out += DateHeader();
  bool no_body = response.status == 204 || response.status == 304 ||
                 (response.status >= 100 && response.status < 200);
  if (!no_body) {
    out += "Content-Type: ";
    out += response.ContentType();
    out += "\r\nContent-Length: ";
    AppendNumber(out, response.body.size());
    out += "\r\n";
  }
  if (!options.keep_alive) {
    out += "Connection: close\r\n";
  } else if (options.http10) {
    out += "Connection: keep-alive\r\n";
  }
  if (options.cors) {
    out += "Access-Control-Allow-Origin: *\r\n";
    out += kExposeHeaders;
  }
  for (const auto& [name, value] : response.headers) {
    if (name.empty() || name.find(':') != std::string::npos || !SafeHeaderText(name) ||
        !SafeHeaderText(value)) {
      spdlog::warn("http: dropped unsafe response header");
      continue;
    }
    out += name;
    out += ": ";
    out += value;
    out += "\r\n";
  }
  out += "\r\n";
}

Response ParseErrorResponse(bool header_too_large, bool body_too_large) {
  if (header_too_large) {
    return Response::Error(431, "Request header too large");
  }
  if (body_too_large) {
    return Response::Error(413, "Request body too large");
  }
  return Response::Error(400, "Malformed HTTP request");
}

std::string ServeRaw(Dispatcher& dispatcher, std::string_view input, std::string_view remote_ip) {
  namespace bhttp = boost::beast::http;
  std::string out;
  Request request;
  Exchange x;
  const ServerOptions& options = dispatcher.options();
  while (!input.empty()) {
    request.Clear();
    request.SetRemoteIp(remote_ip);
    RequestParser parser(request, options.max_header_bytes);
    x.start_ns = MonotonicNs();
    boost::beast::error_code ec;
    auto put = [&] {
      size_t used = parser.put(boost::asio::buffer(input.data(), input.size()), ec);
      input.remove_prefix(used);
      if (used == 0 && !ec && !parser.is_done()) {
        ec = bhttp::error::need_more;
      }
    };
    auto fail = [&](const boost::beast::error_code& e) {
      Response r = ParseErrorResponse(e == bhttp::error::header_limit,
                                      e == bhttp::error::body_limit);
      AppendResponseHead(r, HeadOptions{.keep_alive = false, .cors = options.cors}, out);
      out += r.body;
    };
    while (!parser.is_header_done()) {
      put();
      if (ec == bhttp::error::need_more) {
        return out;
      }
      if (ec) {
        fail(ec);
        return out;
      }
    }
    dispatcher.OnHeader(request, parser.target_status(), x);
    if (parser.content_length() && *parser.content_length() > x.body_limit) {
      fail(bhttp::error::body_limit);
      return out;
    }
    parser.SetBodyLimit(x.body_limit);
    while (!parser.is_done()) {
      put();
      if (ec == bhttp::error::need_more) {
        return out;
      }
      if (ec) {
        fail(ec);
        return out;
      }
    }
    dispatcher.BeforeHandler(request, x);
    Response response = x.early ? std::move(*x.early) : dispatcher.Invoke(*x.route, request);
    dispatcher.Finish(request, x, response);
    bool keep_alive = parser.keep_alive();
    AppendResponseHead(response,
                       HeadOptions{.keep_alive = keep_alive,
                                   .http10 = parser.version() == 10,
                                   .cors = options.cors},
                       out);
    if (request.method() != Method::kHead) {
      out += response.body;
    }
    if (!keep_alive) {
      return out;
    }
  }
  return out;
}

}  // namespace plaza::http
