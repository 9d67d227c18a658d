// Raw bytes -> the server's request path without sockets: Beast request parsing into a Request,
// routing, CORS, rate limiting, parameter decoding, hooks, handler, response serialization
// (plaza::http::ServeRaw runs exactly what a connection runs). Handlers read every parameter so
// that ASan checks the views the decoders hand out.
#include <spdlog/spdlog.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "common/utf8.h"
#include "http/dispatcher.h"

namespace {

using plaza::http::Method;
using plaza::http::Request;
using plaza::http::Response;

Response Inspect(Request& r) {
  size_t total = r.path().size() + r.body().size() + r.target().size();
  if (!plaza::IsValidUtf8(r.path())) {
    std::abort();  // the server promises handlers a valid UTF-8 path
  }
  r.params().ForEach([&](std::string_view k, std::string_view v) {
    if (!plaza::IsValidUtf8(k) || !plaza::IsValidUtf8(v)) {
      std::abort();  // and valid UTF-8 parameters
    }
    total += k.size() + v.size();
    total += r.params().GetAll(k).size();
  });
  for (const auto& f : r.params().files()) {
    total += f.data.size() + f.filename.size();
  }
  total += r.params().GetBool("sensitive", false);
  auto limit = r.params().GetInt("limit");
  total += limit.ok() ? 1 : 0;
  total += r.PathParam("id").size() + r.Header("content-type").size();
  Response resp = Response::Json(200, std::to_string(total));
  resp.SetHeader("X-Echo", std::string(r.Header("x-echo")));  // may carry CR/LF: must be dropped
  return resp;
}

plaza::http::Dispatcher& GetDispatcher() {
  static plaza::http::Router* router = [] {
    spdlog::set_level(spdlog::level::off);
    auto* r = new plaza::http::Router();
    r->Add(Method::kGet, "/api/v1/statuses/:id", Inspect);
    r->Add(Method::kDelete, "/api/v1/statuses/:id", Inspect);
    r->Add(Method::kGet, "/api/v1/statuses/:id/context", Inspect);
    r->Add(Method::kGet, "/api/v1/statuses/lookup", Inspect);
    r->Add(Method::kPost, "/api/v1/statuses", Inspect);
    r->Add(Method::kPost, "/api/v2/media", Inspect,
           plaza::http::RouteOptions{.blocking = true, .max_body_bytes = 1 << 16});
    r->Add(Method::kGet, "/api/v1/accounts/:account_id/statuses", Inspect);
    r->Add(Method::kPatch, "/api/v1/accounts/update_credentials", Inspect);
    r->Add(Method::kGet, "/api/v1/timelines/tag/:hashtag", Inspect);
    r->Add(Method::kGet, "/throw", [](Request&) -> Response { throw 42; });
    r->Add(Method::kGet, "/", Inspect);
    return r;
  }();
  static plaza::http::Dispatcher* dispatcher = [] {
    plaza::http::ServerOptions options;
    options.access_log = false;
    options.ip_rate_limit = {.rate_per_second = 1000.0, .burst = 50.0};
    options.max_body_bytes = 8192;
    options.max_header_bytes = 4096;
    auto* d = new plaza::http::Dispatcher(*router, options);
    d->AddBefore([](Request& r) -> std::optional<Response> {
      if (r.Header("Authorization") == "Bearer deny") {
        return Response::Error(401, "The access token is invalid");
      }
      return std::nullopt;
    });
    return d;
  }();
  return *dispatcher;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string out = plaza::http::ServeRaw(GetDispatcher(), input);
  if (!out.empty() && out.rfind("HTTP/1.1 ", 0) != 0) {
    std::abort();  // every answer starts with a status line
  }
  return 0;
}
