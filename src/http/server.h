// Server: Plaza's HTTP/1.1 transport (Boost.Beast + Asio, C++20 coroutines). It knows no
// endpoint: it parses requests, applies the built-in protections, runs the middleware chain and
// the Router's handler, and writes the response.
//
// What every request goes through, in order:
//   1. parsing with limits: header bytes (431), body bytes (413, per route, checked against
//      Content-Length before the body is read), read timeout; "Expect: 100-continue" honoured;
//   2. CORS: every response carries `Access-Control-Allow-Origin: *`; preflight OPTIONS requests
//      are answered 204 here;
//   3. per-IP rate limit (429 with X-RateLimit-* headers) unless disabled;
//   4. routing: 404 / 405 (with Allow) as JSON; malformed path escapes 400;
//   5. parameter decoding (query + body, see params.h): failures answer 400 / 413;
//   6. "before" hooks in registration order; the first to return a Response ends the request;
//   7. the handler — inline on the io thread, or on the blocking pool for RouteOptions::blocking;
//   8. "after" hooks in registration order (they may edit the response);
//   9. a structured access-log line (method, path without query, status, microseconds; never
//      headers, query strings or bodies).
// Anything thrown by a hook or handler is caught, logged, and answered 500 JSON; the connection
// keeps serving. Keep-alive and pipelining are supported (requests on a connection are handled
// strictly in order). HEAD is answered without a body.
//
// Lifecycle: construct, add hooks, Start() (binds), Run() (blocks) on one thread, Stop() from
// any thread (including a handler or a signal-watching thread). Stop() stops accepting, closes
// idle keep-alive connections, lets in-flight requests finish for up to `shutdown_grace`, then
// closes the rest; Run() returns once everything is closed. Signals are the app's business.
//
// Thread-safety: AddBefore/AddAfter only before Start(). Start/Run/Stop as above; port() and
// rate_limiter() are safe from any thread after Start().
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "common/status.h"
#include "http/params.h"
#include "http/rate_limiter.h"
#include "http/request.h"
#include "http/response.h"
#include "http/router.h"

namespace plaza::http {

// A "before" hook: return a Response to answer without calling the handler (e.g. 401), or
// nullopt to continue. May write into request.context() for the handler.
using BeforeHook = std::function<std::optional<Response>(Request&)>;
// An "after" hook: may add headers to or replace the response.
using AfterHook = std::function<void(const Request&, Response&)>;

struct ServerOptions {
  // "host:port"; IPv6 as "[::1]:8080". Port 0 picks a free port (see Server::port()).
  std::string listen = "127.0.0.1:8080";
  // io threads; 0 means std::thread::hardware_concurrency().
  int threads = 0;
  // Threads running RouteOptions::blocking handlers.
  int blocking_threads = 64;
  // Blocking requests queued or running beyond which new ones get 503; 0 = unbounded.
  size_t max_blocking_queue = 4096;
  size_t max_body_bytes = 1 << 20;     // 413 above (a route may raise it)
  size_t max_header_bytes = 16 << 10;  // 431 above (request line + headers)
  ParamLimits param_limits;
  // Timeouts close the connection. They are checked every quarter of the shortest one (at most
  // every second), so one fires up to that much late; none runs while a handler does.
  // Waiting for a request and reading its headers.
  std::chrono::milliseconds idle_timeout{60'000};
  // Reading a request's body, and writing its response.
  std::chrono::milliseconds request_timeout{30'000};
  // How long Stop() lets in-flight requests finish.
  std::chrono::milliseconds shutdown_grace{5'000};
  bool cors = true;
  bool access_log = true;
  // Per-IP rate limit applied before routing.
  bool ip_rate_limit_enabled = true;
  RateLimitConfig ip_rate_limit{.rate_per_second = 100.0, .burst = 1000.0};
  // Take remote_ip from the right-most X-Forwarded-For entry (behind nginx/HAProxy only).
  bool trust_proxy = false;
};

class Server {
 public:
  // `router` must outlive the server and not change once Start() is called.
  Server(const Router& router, ServerOptions options);
  ~Server();  // Stops if running and joins every thread.
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  void AddBefore(BeforeHook hook);
  void AddAfter(AfterHook hook);

  // Resolves and binds the listen address and starts accepting once Run() runs. kInvalid for a
  // malformed address, kUnavailable when the address is in use or cannot be bound.
  Status Start();
  // Runs the io threads until Stop() completes. REQUIRES: Start() returned OK.
  void Run();
  // Graceful stop (see above). Idempotent; returns immediately.
  void Stop();

  // The bound port (useful with port 0). 0 before Start().
  uint16_t port() const;
  // The per-IP limiter (also usable by the api layer for IP-keyed limits of its own).
  RateLimiter& rate_limiter();

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace plaza::http
