// Request: one parsed HTTP request as a handler sees it — method, target, decoded path, headers,
// body, the client's address, the path parameters of the matched route, and the decoded
// parameters (query string merged with the body, see params.h).
//
// The server fills a Request and only then calls the middleware and the handler, so by the time a
// handler runs the path is valid UTF-8, parameters are decoded, and path parameters are set.
// Tests of handlers build a Request with the setters below (SetTarget() + AddHeader() + SetBody()
// + DecodeParams() give what the server would).
//
// Thread-safety: not thread-safe; one request is handled by one thread at a time (a blocking
// handler runs on a pool thread while its connection waits). Views returned by accessors stay
// valid until the Request is modified or destroyed. The server reuses one Request per
// connection, so a handler must not keep views past its return.
#pragma once

#include <any>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "http/params.h"

namespace plaza::http {

enum class Method : uint8_t {
  kGet = 0,
  kHead,
  kPost,
  kPut,
  kPatch,
  kDelete,
  kOptions,
  kOther,  // any other verb (TRACE, CONNECT, ...); never routed
};
inline constexpr int kMethodCount = 8;

// "GET", "POST", ...; "OTHER" for kOther.
std::string_view MethodName(Method m);
// Case-sensitive, as HTTP methods are. Unknown verbs give kOther.
Method ParseMethod(std::string_view name);

class Request {
 public:
  Request() = default;
  Request(const Request&) = delete;
  Request& operator=(const Request&) = delete;
  Request(Request&&) = default;
  Request& operator=(Request&&) = default;

  Method method() const { return method_; }
  // The request-target exactly as received, e.g. "/api/v1/timelines/home?limit=20".
  std::string_view target() const { return target_; }
  // The percent-decoded path without the query, e.g. "/api/v1/tags/北京". Valid UTF-8.
  std::string_view path() const { return path_; }
  // The raw (still encoded) path and query string, without the '?'.
  std::string_view raw_path() const { return std::string_view(target_).substr(0, raw_path_len_); }
  std::string_view raw_query() const {
    return raw_path_len_ < target_.size() ? std::string_view(target_).substr(raw_path_len_ + 1)
                                          : std::string_view();
  }

  // Value of the first header called `name` (ASCII case-insensitive), "" when absent.
  std::string_view Header(std::string_view name) const;
  bool HasHeader(std::string_view name) const;
  // Calls fn(name, value) for every header in arrival order.
  template <typename Fn>
  void ForEachHeader(Fn&& fn) const {
    for (const HeaderEntry& h : headers_) {
      fn(std::string_view(header_buf_.data() + h.name_off, h.name_len),
         std::string_view(header_buf_.data() + h.value_off, h.value_len));
    }
  }

  std::string_view body() const { return body_; }
  // The client's IP address as text ("127.0.0.1", "::1"); with ServerOptions::trust_proxy the
  // right-most X-Forwarded-For entry.
  std::string_view remote_ip() const { return remote_ip_; }

  // Value of path parameter `name` (":id" in the route is "id"), percent-decoded; "" when the
  // route has no such parameter.
  std::string_view PathParam(std::string_view name) const;
  // The pattern of the matched route ("/api/v1/statuses/:id") and its RouteOptions::tag; empty
  // before routing or when nothing matched.
  std::string_view route_pattern() const { return route_pattern_; }
  std::string_view route_tag() const { return route_tag_; }

  const Params& params() const { return params_; }
  Params& params() { return params_; }

  // Free slot for middleware to hand data to handlers (e.g. the authenticated account). Cleared
  // with the request.
  std::any& context() { return context_; }
  const std::any& context() const { return context_; }

  // ---- Filled by the server; tests may call them to build a request. ----

  void SetMethod(Method m) { method_ = m; }
  // Sets target, raw path/query and the decoded path. kInvalid on a malformed percent-escape,
  // invalid UTF-8 in the decoded path, or a target that is not origin-form ("/...").
  Status SetTarget(std::string_view target);
  void AddHeader(std::string_view name, std::string_view value);
  void SetBody(std::string body) { body_ = std::move(body); }
  std::string& mutable_body() { return body_; }
  void SetRemoteIp(std::string_view ip) { remote_ip_.assign(ip); }
  // Decodes the query string and, by Content-Type, the body into params(). On failure params()
  // is left empty and the Status (kInvalid) explains why.
  Status DecodeParams(const ParamLimits& limits);
  // `name` must outlive the request (the Router owns it).
  void AddPathParam(std::string_view name, std::string_view value);
  void SetRoute(std::string_view pattern, std::string_view tag) {
    route_pattern_ = pattern;
    route_tag_ = tag;
  }
  // Forgets everything but keeps buffer capacity for the next request on the connection.
  void Clear();

 private:
  struct HeaderEntry {
    uint32_t name_off;
    uint32_t name_len;
    uint32_t value_off;
    uint32_t value_len;
  };

  Method method_ = Method::kGet;
  std::string target_;
  std::string path_;
  size_t raw_path_len_ = 0;  // target_ = raw path ['?' raw query]
  std::string header_buf_;
  std::vector<HeaderEntry> headers_;
  std::string body_;
  std::string remote_ip_;
  struct PathParamEntry {
    std::string_view name;  // owned by Router
    uint32_t value_off;
    uint32_t value_len;
  };
  std::vector<PathParamEntry> path_params_;
  std::string path_param_buf_;
  std::string_view route_pattern_;  // owned by Router
  std::string_view route_tag_;      // owned by Router
  Params params_;
  std::any context_;
};

}  // namespace plaza::http
