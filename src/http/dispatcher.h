// Dispatcher: the request pipeline between the wire and the handler — CORS preflight, per-IP
// rate limit, routing, parameter decoding, before hooks, the handler (exceptions caught), after
// hooks, access log — plus the response-head serializer. The Server drives it from its
// connection coroutines; ServeRaw() drives it synchronously from a byte string, which is how the
// fuzzer and the socket-free tests reach exactly the code the server runs. Internal to src/http.
//
// Phases for one request: OnHeader() once the header is parsed (decides routing and the body
// limit, or an early answer), BeforeHandler() once the body is read, then Invoke() unless an
// early answer exists, then Finish().
//
// Thread-safety: AddBefore/AddAfter before use; the other methods may run concurrently on any
// threads for different requests.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/rate_limiter.h"
#include "http/request.h"
#include "http/response.h"
#include "http/router.h"
#include "http/server.h"

namespace plaza::http {

// What the pipeline knows about one request in flight.
struct Exchange {
  int64_t start_ns = 0;
  const Route* route = nullptr;   // set by OnHeader when routed
  std::optional<Response> early;  // an answer decided without the handler
  size_t body_limit = 0;          // set by OnHeader
};

class Dispatcher {
 public:
  Dispatcher(const Router& router, const ServerOptions& options);

  void AddBefore(BeforeHook hook) { before_.push_back(std::move(hook)); }
  void AddAfter(AfterHook hook) { after_.push_back(std::move(hook)); }

  // `target_status` is the parser's verdict on the request-target. Resets `x` first.
  void OnHeader(Request& request, const Status& target_status, Exchange& x);
  void BeforeHandler(Request& request, Exchange& x);
  // Runs the route's handler; anything thrown becomes a logged 500.
  Response Invoke(const Route& route, Request& request);
  // Runs the route's asynchronous handler; a throw before it responded becomes a logged 500.
  void InvokeAsync(const Route& route, Request& request, Responder respond);
  // After hooks and the access-log line.
  void Finish(const Request& request, const Exchange& x, Response& response);

  const ServerOptions& options() const { return options_; }
  RateLimiter& rate_limiter() { return *ip_limiter_; }

 private:
  std::optional<Response> Preflight(const Request& request, unsigned allowed_methods) const;

  const Router& router_;
  const ServerOptions options_;
  std::unique_ptr<RateLimiter> ip_limiter_;
  std::vector<BeforeHook> before_;
  std::vector<AfterHook> after_;
};

struct HeadOptions {
  bool keep_alive = true;
  bool http10 = false;  // HTTP/1.0 client: keep-alive must be announced
  bool cors = true;
};

// Appends the status line and headers of `response` (with Date, Content-Length, Connection and
// CORS headers) to `out`. Extra headers whose name or value could split the response (CR, LF,
// ':' in the name) are dropped and logged.
void AppendResponseHead(const Response& response, const HeadOptions& options, std::string& out);

// The answer for a request that failed to parse (431 header too large, 413 body too large,
// 400 otherwise). The connection must be closed after it.
Response ParseErrorResponse(bool header_too_large, bool body_too_large);

// Feeds `input` to the same parser and pipeline the server uses, handling each complete request
// in turn (blocking handlers run inline), and returns everything the server would have written.
// Stops after a response that closes the connection or at incomplete input.
std::string ServeRaw(Dispatcher& dispatcher, std::string_view input,
                     std::string_view remote_ip = "127.0.0.1");

}  // namespace plaza::http
