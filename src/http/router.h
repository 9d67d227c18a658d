// Router: maps (method, path) to a handler. Patterns are '/'-separated segments, each either a
// literal or a ":name" parameter matching one non-empty segment: "/api/v1/statuses/:id/context".
//
// Matching rules:
//   - segments are compared after percent-decoding ("%2F" inside a segment stays inside it);
//   - a literal segment wins over a parameter at the same position ("/statuses/lookup" beats
//     "/statuses/:id"), with backtracking if the literal branch leads nowhere;
//   - one trailing slash is ignored ("/api/v1/apps/" matches "/api/v1/apps");
//   - HEAD is served by the GET handler when no HEAD route exists (the server drops the body);
//   - a path that matches no pattern gives kNotFound; a path that matches a pattern but not the
//     method gives kMethodNotAllowed with the allowed methods (for the 405 `Allow` header).
//
// Thread-safety: Add() only before the server starts; after that the Router is read-only and
// Match() may be called from any number of threads. The Router must outlive the Server.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "http/request.h"
#include "http/response.h"

namespace plaza::http {

// Handlers are synchronous: they return the full response. Errors travel as a Response (use
// Response::FromStatus); a thrown exception is caught by the server, logged, and answered 500.
using Handler = std::function<Response(Request&)>;

// An asynchronous handler answers by calling `respond` exactly once, from any thread, before or
// after it returns; the server writes the response on the connection's io thread. For handlers
// that decide most requests at once and wait for something (a group commit) for the rest, without
// holding the io thread or a blocking-pool thread meanwhile. `request` stays valid until
// `respond` is called. Exceptions are as for Handler, if thrown before `respond` is called.
using Responder = std::function<void(Response)>;
using AsyncHandler = std::function<void(Request&, Responder respond)>;

struct RouteOptions {
  // Runs the handler on the server's blocking pool instead of the io thread. For handlers that
  // wait on disk (fsync) or anything else slow; the io thread keeps serving other connections
  // while it runs, so many such requests can be in flight together.
  bool blocking = false;
  // Body size limit for this route; 0 means ServerOptions::max_body_bytes.
  size_t max_body_bytes = 0;
  // Opaque label for middleware (e.g. a required OAuth scope); see Request::route_tag().
  std::string tag;
};

struct Route {
  Method method;
  std::string pattern;
  Handler handler;
  RouteOptions options;
  // Set for routes added with AddAsync (the server calls it on the io thread instead of
  // `handler`; `handler` then runs it and waits, for synchronous drivers such as ServeRaw).
  AsyncHandler async_handler;
};

class Router {
 public:
  enum class Outcome { kFound, kNotFound, kMethodNotAllowed };
  struct Match {
    Outcome outcome = Outcome::kNotFound;
    const Route* route = nullptr;  // set when kFound
    // Bit i set when Method(i) is routable on this path (HEAD included when GET is); set for
    // kFound and kMethodNotAllowed.
    unsigned allowed_methods = 0;
  };

  Router();
  ~Router();
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  // Registers `handler`. Adding the same (method, pattern) twice, a kOther method, or a malformed
  // pattern (not starting with '/', empty parameter name) is a programming error: it aborts with
  // a message at start-up.
  void Add(Method method, std::string_view pattern, Handler handler, RouteOptions options = {});
  // Registers an asynchronous handler, with the same rules. REQUIRES: !options.blocking.
  void AddAsync(Method method, std::string_view pattern, AsyncHandler handler,
                RouteOptions options = {});

  // Finds the route for `method` and the raw (still percent-encoded) path `raw_path`. When found
  // and `request` is non-null, sets its path parameters and route pattern/tag. kInvalid when a
  // segment has a malformed escape or decodes to invalid UTF-8 (the caller answers 400).
  Result<Match> Find(Method method, std::string_view raw_path, Request* request) const;

  // The largest RouteOptions::max_body_bytes of any route (0 when none set one).
  size_t max_route_body_bytes() const { return max_route_body_bytes_; }

  // "GET, HEAD, POST" for an allowed_methods bit set.
  static std::string AllowHeader(unsigned allowed_methods);

 private:
  struct Node;
  std::unique_ptr<Node> root_;
  std::vector<std::unique_ptr<Route>> routes_;
  size_t max_route_body_bytes_ = 0;
};

}  // namespace plaza::http
