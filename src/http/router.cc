#include "http/router.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <future>

#include "common/utf8.h"
#include "http/params.h"

namespace plaza::http {
namespace {

constexpr size_t kMaxSegments = 64;

struct Span {
  uint32_t off;
  uint32_t len;
};

[[noreturn]] void RouteError(std::string_view pattern, const char* why) {
  std::fprintf(stderr, "plaza: bad route \"%.*s\": %s\n", static_cast<int>(pattern.size()),
               pattern.data(), why);
  std::abort();
}

// Splits a path (leading '/' required) into segments, ignoring one trailing '/'.
// Returns the segment views; an empty vector for "/".
std::vector<std::string_view> SplitPattern(std::string_view path) {
  std::vector<std::string_view> out;
  path.remove_prefix(1);
  if (!path.empty() && path.back() == '/') {
    path.remove_suffix(1);
  }
  if (path.empty()) {
    return out;
  }
  size_t pos = 0;
  for (;;) {
    size_t slash = path.find('/', pos);
    if (slash == std::string_view::npos) {
      out.push_back(path.substr(pos));
      return out;
    }
    out.push_back(path.substr(pos, slash - pos));
    pos = slash + 1;
  }
}

unsigned MethodBit(Method m) { return 1u << static_cast<unsigned>(m); }

}  // namespace

struct Router::Node {
  // Sorted by (length, bytes): a lookup compares lengths and reaches memcmp only among
  // literals of the segment's length.
  std::vector<std::pair<std::string, std::unique_ptr<Node>>> literals;
  std::vector<std::pair<std::string, std::unique_ptr<Node>>> params;
  std::array<const Route*, kMethodCount> routes{};

  static bool Before(std::string_view a, std::string_view b) {
    return a.size() != b.size() ? a.size() < b.size() : a < b;
  }
  auto LowerBound(std::string_view seg) const {
    return std::lower_bound(
        literals.begin(), literals.end(), seg,
        [](const auto& entry, std::string_view s) { return Before(entry.first, s); });
  }
  const Node* Literal(std::string_view seg) const {
    auto it = LowerBound(seg);
    return it != literals.end() && it->first == seg ? it->second.get() : nullptr;
  }
  Node* AddLiteral(std::string_view seg) {
    auto it = LowerBound(seg);
    if (it == literals.end() || it->first != seg) {
      it = literals.emplace(it, std::string(seg), std::make_unique<Node>());
    }
    return it->second.get();
  }

  unsigned AllowedMask() const {
    unsigned mask = 0;
    for (int i = 0; i < kMethodCount; ++i) {
      if (routes[i] != nullptr) {
        mask |= 1u << i;
      }
    }
    if (mask & MethodBit(Method::kGet)) {
      mask |= MethodBit(Method::kHead);
    }
    return mask;
  }
};

Router::Router() : root_(std::make_unique<Node>()) {}
Router::~Router() = default;

void Router::Add(Method method, std::string_view pattern, Handler handler, RouteOptions options) {
  if (method == Method::kOther) {
    RouteError(pattern, "method kOther cannot be routed");
  }
  if (pattern.empty() || pattern[0] != '/') {
    RouteError(pattern, "pattern must start with '/'");
  }
  if (!handler) {
    RouteError(pattern, "empty handler");
  }
  Node* node = root_.get();
  for (std::string_view seg : SplitPattern(pattern)) {
    if (!seg.empty() && seg[0] == ':') {
      std::string_view name = seg.substr(1);
      if (name.empty()) {
        RouteError(pattern, "empty parameter name");
      }
      Node* next = nullptr;
      for (auto& [pname, child] : node->params) {
        if (pname == name) {
          next = child.get();
        }
      }
      if (next == nullptr) {
        node->params.emplace_back(std::string(name), std::make_unique<Node>());
        next = node->params.back().second.get();
      }
      node = next;
    } else {
      if (seg.empty()) {
        RouteError(pattern, "empty segment");
      }
      node = node->AddLiteral(seg);
    }
  }
  auto index = static_cast<size_t>(method);
  if (node->routes[index] != nullptr) {
    RouteError(pattern, "registered twice for the same method");
  }
  auto route = std::make_unique<Route>();
  route->method = method;
  route->pattern.assign(pattern);
  route->handler = std::move(handler);
  route->options = std::move(options);
  max_route_body_bytes_ = std::max(max_route_body_bytes_, route->options.max_body_bytes);
  node->routes[index] = route.get();
  routes_.push_back(std::move(route));
}

void Router::AddAsync(Method method, std::string_view pattern, AsyncHandler handler,
                      RouteOptions options) {
  if (!handler) {
    RouteError(pattern, "empty handler");
  }
  if (options.blocking) {
    RouteError(pattern, "an asynchronous handler cannot be blocking");
  }
  Handler wait = [handler](Request& request) {
    std::promise<Response> answer;
    auto future = answer.get_future();
    handler(request, [&answer](Response r) { answer.set_value(std::move(r)); });
    return future.get();
  };
  Add(method, pattern, std::move(wait), std::move(options));
  routes_.back()->async_handler = std::move(handler);
}

Result<Router::Match> Router::Find(Method method, std::string_view raw_path,
                                   Request* request) const {
  Match match;
  if (raw_path.empty() || raw_path[0] != '/') {
    return match;
  }
  // A path without escapes is matched in place; otherwise every segment is decoded into one
  // per-thread buffer (no allocation once it has grown).
  std::string_view rest = raw_path.substr(1);
  if (!rest.empty() && rest.back() == '/') {
    rest.remove_suffix(1);
  }
  const bool escaped = rest.find('%') != std::string_view::npos;
  if (!escaped && !IsValidUtf8(rest)) {
    return Status::Invalid("Path is not valid UTF-8");
  }
  thread_local std::string decoded;
  decoded.clear();
  std::array<Span, kMaxSegments> segments;  // written up to `count`
  size_t count = 0;
  if (!rest.empty()) {
    size_t pos = 0;
    for (;;) {
      if (count == kMaxSegments) {
        return match;  // deeper than any route
      }
      size_t slash = rest.find('/', pos);
      size_t end = slash == std::string_view::npos ? rest.size() : slash;
      if (!escaped) {
        segments[count++] = Span{static_cast<uint32_t>(pos), static_cast<uint32_t>(end - pos)};
      } else {
        std::string_view seg = rest.substr(pos, end - pos);
        Span span{static_cast<uint32_t>(decoded.size()), 0};
        if (!AppendPercentDecoded(seg, false, decoded)) {
          return Status::Invalid("Malformed percent-encoding in path");
        }
        span.len = static_cast<uint32_t>(decoded.size() - span.off);
        if (!IsValidUtf8(std::string_view(decoded).substr(span.off, span.len))) {
          return Status::Invalid("Path is not valid UTF-8");
        }
        segments[count++] = span;
      }
      if (slash == std::string_view::npos) {
        break;
      }
      pos = slash + 1;
    }
  }

  const std::string_view text = escaped ? std::string_view(decoded) : rest;
  auto seg_at = [&](size_t i) { return text.substr(segments[i].off, segments[i].len); };
  // The parameter name captured at each position, nullptr at literal ones; written for every
  // position on the way down, so only the first `count` are ever read.
  std::array<const std::string*, kMaxSegments> capture_names;
  const auto method_index = static_cast<size_t>(method);

  // Depth-first: literal child first, then parameter children, backtracking on failure. A node
  // whose path matches but lacks the method records its methods for the 405.
  auto search = [&](auto& self, const Node* node, size_t i) -> const Route* {
    if (i == count) {
      unsigned allowed = node->AllowedMask();
      if (allowed == 0) {
        return nullptr;
      }
      const Route* route = method_index < kMethodCount ? node->routes[method_index] : nullptr;
      if (route == nullptr && method == Method::kHead) {
        route = node->routes[static_cast<size_t>(Method::kGet)];
      }
      if (route == nullptr) {
        match.allowed_methods |= allowed;
        match.outcome = Outcome::kMethodNotAllowed;
        return nullptr;
      }
      match.allowed_methods = allowed;
      return route;
    }
    std::string_view seg = seg_at(i);
    if (const Node* literal = node->Literal(seg)) {
      capture_names[i] = nullptr;
      if (const Route* r = self(self, literal, i + 1)) {
        return r;
      }
    }
    if (!seg.empty()) {
      for (const auto& [name, child] : node->params) {
        capture_names[i] = &name;
        if (const Route* r = self(self, child.get(), i + 1)) {
          return r;
        }
      }
      capture_names[i] = nullptr;
    }
    return nullptr;
  };

  const Route* route = search(search, root_.get(), 0);
  if (route == nullptr) {
    return match;
  }
  match.outcome = Outcome::kFound;
  match.route = route;
  if (request != nullptr) {
    for (size_t i = 0; i < count; ++i) {
      if (capture_names[i] != nullptr) {
        request->AddPathParam(*capture_names[i], seg_at(i));
      }
    }
    request->SetRoute(route->pattern, route->options.tag);
  }
  return match;
}

std::string Router::AllowHeader(unsigned allowed_methods) {
  std::string out;
  for (int i = 0; i < kMethodCount; ++i) {
    if (allowed_methods & (1u << i)) {
      if (!out.empty()) {
        out += ", ";
      }
      out += MethodName(static_cast<Method>(i));
    }
  }
  return out;
}

}  // namespace plaza::http
