#include "http/server.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <charconv>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_set>

#include "common/clock.h"
#include "http/dispatcher.h"
#include "http/request_parser.h"

namespace plaza::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);

// How long AnswerAndClose drains what a client is still sending.
constexpr std::chrono::milliseconds kDrainTimeout{2'000};

// Splits "host:port" / "[v6]:port".
bool SplitHostPort(std::string_view listen, std::string& host, uint16_t& port) {
  size_t colon = listen.rfind(':');
  if (colon == std::string_view::npos || colon + 1 >= listen.size()) {
    return false;
  }
  std::string_view h = listen.substr(0, colon);
  std::string_view p = listen.substr(colon + 1);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') {
    h = h.substr(1, h.size() - 2);
  }
  unsigned value = 0;
  auto [ptr, ec] = std::from_chars(p.data(), p.data() + p.size(), value);
  if (ec != std::errc() || ptr != p.data() + p.size() || value > 65535) {
    return false;
  }
  host.assign(h.empty() ? "0.0.0.0" : h);
  port = static_cast<uint16_t>(value);
  return true;
}

}  // namespace

class Server::Impl {
 public:
  // One per io thread: an io_context only that thread runs, and the connections living on it.
  // Everything in a Worker is touched only from its own thread (Stop() posts there).
  struct Connection;
  struct Worker {
    asio::io_context ioc{1};
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> guard;
    std::unordered_set<Connection*> connections;
    std::optional<asio::steady_timer> grace;
    // Enforces the connections' timeouts; armed while there are connections (see Sweep).
    asio::steady_timer sweep{ioc};
    bool sweeping = false;
  };
  // Timeouts are deadlines that a per-worker sweep checks every sweep_period_, rather than a
  // timer per read and write (Beast's tcp_stream): arming one is a clock read and a store, and
  // the timer queue is touched once per period instead of twice per request. A timed-out
  // operation ends with operation_aborted up to one period late.
  struct Connection {
    explicit Connection(tcp::socket s) : socket(std::move(s)) {}
    void Close() {
      beast::error_code ec;
      socket.shutdown(tcp::socket::shutdown_both, ec);
      socket.close(ec);
    }
    // The operation about to start is abandoned (the socket closed) once `timeout` has passed.
    void Arm(std::chrono::milliseconds timeout) {
      deadline_ns = MonotonicNs() + std::chrono::nanoseconds(timeout).count();
    }
    // No timeout while the handler runs.
    void Disarm() { deadline_ns = 0; }
    tcp::socket socket;
    int64_t deadline_ns = 0;  // 0: nothing under a timeout
    bool idle = true;         // waiting for the first byte of a request
  };

  Impl(const Router& router, ServerOptions options)
      : options_(std::move(options)),
        dispatcher_(router, options_),
        sweep_period_(std::clamp(
            std::min({options_.idle_timeout, options_.request_timeout, kDrainTimeout}) / 4,
            std::chrono::milliseconds(1), std::chrono::milliseconds(1'000))) {
    int threads = options_.threads > 0 ? options_.threads
                                       : static_cast<int>(std::thread::hardware_concurrency());
    threads = std::max(threads, 1);
    for (int i = 0; i < threads; ++i) {
      auto w = std::make_unique<Worker>();
      w->guard.emplace(w->ioc.get_executor());
      workers_.push_back(std::move(w));
    }
    blocking_pool_ =
        std::make_unique<asio::thread_pool>(static_cast<size_t>(std::max(1, options_.blocking_threads)));
  }

  ~Impl() {
    Stop();
    if (!ran_) {
      // Run() never drained the workers; drop their pending work.
      for (auto& w : workers_) {
        w->ioc.stop();
      }
    }
    blocking_pool_->join();
  }

  Dispatcher& dispatcher() { return dispatcher_; }
  uint16_t port() const { return port_.load(); }

  Status Start() {
    if (started_.exchange(true)) {
      return Status::Invalid("server already started");
    }
    std::string host;
    uint16_t port = 0;
    if (!SplitHostPort(options_.listen, host, port)) {
      return Status::Invalid("malformed listen address '" + options_.listen + "'");
    }
    beast::error_code ec;
    tcp::endpoint endpoint;
    asio::ip::address address = asio::ip::make_address(host, ec);
    if (!ec) {
      endpoint = tcp::endpoint(address, port);
    } else {
      tcp::resolver resolver(workers_[0]->ioc);
      auto results = resolver.resolve(host, std::to_string(port), ec);
      if (ec || results.empty()) {
        return Status::Invalid("cannot resolve listen host '" + host + "'");
      }
      endpoint = results.begin()->endpoint();
    }
    acceptor_.emplace(workers_[0]->ioc);
    acceptor_->open(endpoint.protocol(), ec);
    if (!ec) acceptor_->set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_->bind(endpoint, ec);
    if (!ec) acceptor_->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      acceptor_.reset();
      return Status::Unavailable("cannot listen on " + options_.listen + ": " + ec.message());
    }
    port_ = acceptor_->local_endpoint().port();
    asio::co_spawn(workers_[0]->ioc, Accept(), [](std::exception_ptr e) {
      if (e) {
        spdlog::error("http: accept loop ended by an exception");
      }
    });
    spdlog::info("http: listening on {}:{}", endpoint.address().to_string(), port_.load());
    return Status::Ok();
  }

  void Run() {
    ran_ = true;
    std::vector<std::thread> threads;
    for (size_t i = 1; i < workers_.size(); ++i) {
      threads.emplace_back([w = workers_[i].get()] { RunWorker(*w); });
    }
    RunWorker(*workers_[0]);
    for (std::thread& t : threads) {
      t.join();
    }
  }

  void Stop() {
    if (stopping_.exchange(true)) {
      return;
    }
    asio::post(workers_[0]->ioc, [this] {
      if (acceptor_) {
        beast::error_code ec;
        acceptor_->close(ec);
      }
    });
    for (auto& worker : workers_) {
      Worker* w = worker.get();
      asio::post(w->ioc, [this, w] {
        for (Connection* c : w->connections) {
          if (c->idle) {
            c->Close();
          }
        }
        w->grace.emplace(w->ioc);
        w->grace->expires_after(options_.shutdown_grace);
        w->grace->async_wait([w](beast::error_code ec) {
          if (ec) {
            return;  // cancelled: everything closed in time
          }
          for (Connection* c : w->connections) {
            c->Close();
          }
        });
        w->guard.reset();
        MaybeFinishStop(*w);
      });
    }
  }

 private:
  static void RunWorker(Worker& w) {
    for (;;) {
      try {
        w.ioc.run();
        return;
      } catch (const std::exception& e) {
        spdlog::error("http: io thread caught: {}", e.what());
      }
    }
  }

  void MaybeFinishStop(Worker& w) {
    if (stopping_ && w.connections.empty() && w.grace) {
      w.grace->cancel();
      w.sweep.cancel();
    }
  }

  // Closes the worker's connections whose deadline has passed, then re-arms while any remain.
  void Sweep(Worker& w) {
    if (w.sweeping) {
      return;
    }
    w.sweeping = true;
    w.sweep.expires_after(sweep_period_);
    w.sweep.async_wait([this, &w](beast::error_code ec) {
      w.sweeping = false;
      if (ec) {
        return;
      }
      int64_t now = MonotonicNs();
      for (Connection* c : w.connections) {
        if (c->deadline_ns != 0 && now >= c->deadline_ns) {
          c->Disarm();
          c->Close();
        }
      }
      if (!w.connections.empty()) {
        Sweep(w);
      }
    });
  }

  asio::awaitable<void> Accept() {
    size_t next = 0;
    for (;;) {
      Worker& w = *workers_[next++ % workers_.size()];
      auto [ec, socket] = co_await acceptor_->async_accept(w.ioc, kUseTuple);
      if (ec) {
        if (stopping_ || ec == asio::error::operation_aborted) {
          co_return;
        }
        // Out of descriptors and the like: back off instead of spinning.
        spdlog::warn("http: accept failed: {}", ec.message());
        asio::steady_timer pause(workers_[0]->ioc, std::chrono::milliseconds(50));
        co_await pause.async_wait(kUseTuple);
        continue;
      }
      if (stopping_) {
        co_return;
      }
      beast::error_code opt_ec;
      socket.set_option(tcp::no_delay(true), opt_ec);
      asio::co_spawn(w.ioc, Serve(w, std::move(socket)), [](std::exception_ptr e) {
        if (e) {
          try {
            std::rethrow_exception(e);
          } catch (const std::exception& ex) {
            spdlog::error("http: connection ended by an exception: {}", ex.what());
          } catch (...) {
            spdlog::error("http: connection ended by an unknown exception");
          }
        }
      });
    }
  }

  // Runs `route`'s handler on the blocking pool; the connection's coroutine is suspended (its
  // io thread free) until the handler's response is posted back.
  asio::awaitable<Response> RunBlocking(const Route& route, Request& request) {
    if (options_.max_blocking_queue != 0 && blocking_in_flight_.load() >= options_.max_blocking_queue) {
      co_return Response::FromStatus(Status::Unavailable("Server busy, try again"));
    }
    ++blocking_in_flight_;
    Response response = co_await asio::async_initiate<decltype(asio::use_awaitable),
                                                      void(Response)>(
        [this, &route, &request](auto handler) {
          auto executor = asio::get_associated_executor(handler);
          auto work = asio::make_work_guard(executor);
          asio::post(*blocking_pool_, [this, &route, &request, handler = std::move(handler),
                                        work = std::move(work)]() mutable {
            Response r = dispatcher_.Invoke(route, request);
            auto ex = work.get_executor();
            asio::post(ex, [handler = std::move(handler), r = std::move(r)]() mutable {
              std::move(handler)(std::move(r));
            });
            work.reset();
          });
        },
        asio::use_awaitable);
    --blocking_in_flight_;
    co_return response;
  }

  // Where an asynchronous handler's answer meets its connection's coroutine; one per connection,
  // since a connection's requests are handled one at a time. An answer given before the handler
  // returns (a decision made at once, most of them) is taken without suspending the coroutine;
  // a later one, from any thread, resumes it on its io thread.
  class AsyncAnswer {
   public:
    void Reset() {
      std::lock_guard lock(mu_);
      response_.reset();
      resume_ = nullptr;
    }
    void Deliver(Response r) {
      std::function<void(Response)> resume;
      {
        std::lock_guard lock(mu_);
        if (!resume_) {
          response_ = std::move(r);
          return;
        }
        resume = std::move(resume_);
      }
      resume(std::move(r));
    }
    std::optional<Response> Take() {
      std::lock_guard lock(mu_);
      return TakeLocked();
    }
    // Resumes the waiting coroutine through `resume` on the next Deliver, or at once (posted) if
    // the answer came in the meantime.
    template <typename Handler>
    void Await(Handler handler) {
      using Work = asio::executor_work_guard<asio::associated_executor_t<Handler>>;
      struct Pending {
        Handler handler;
        Work work;
      };
      auto executor = asio::get_associated_executor(handler);
      auto pending =
          std::make_shared<Pending>(Pending{std::move(handler), asio::make_work_guard(executor)});
      std::function<void(Response)> resume = [pending](Response r) {
        auto ex = pending->work.get_executor();
        asio::post(ex, [pending, r = std::move(r)]() mutable {
          pending->work.reset();
          std::move(pending->handler)(std::move(r));
        });
      };
      std::unique_lock lock(mu_);
      std::optional<Response> now = TakeLocked();
      if (!now) {
        resume_ = std::move(resume);
        return;
      }
      lock.unlock();
      resume(std::move(*now));
    }

   private:
    std::optional<Response> TakeLocked() {
      std::optional<Response> r = std::move(response_);
      response_.reset();
      return r;
    }

    std::mutex mu_;
    std::optional<Response> response_;
    std::function<void(Response)> resume_;
  };

  // Runs `route`'s asynchronous handler on this io thread; its answer if it gave one before
  // returning. Otherwise the caller awaits AwaitAnswer, which resumes on this io thread. (Not a
  // coroutine itself, so an answer given at once costs no coroutine frame or suspension.)
  std::optional<Response> StartAsync(const Route& route, Request& request, AsyncAnswer& answer) {
    answer.Reset();
    // A raw pointer: `answer` outlives the request, and the dispatcher calls this once at most.
    dispatcher_.InvokeAsync(route, request,
                            [a = &answer](Response r) { a->Deliver(std::move(r)); });
    return answer.Take();
  }
  static auto AwaitAnswer(AsyncAnswer& answer) {
    return asio::async_initiate<decltype(asio::use_awaitable), void(Response)>(
        [&answer](auto handler) { answer.Await(std::move(handler)); }, asio::use_awaitable);
  }

  // Answers a request that cannot be read to the end, then closes while draining what the
  // client is still sending, so it sees the answer rather than a connection reset.
  asio::awaitable<void> AnswerAndClose(Connection& c, const Response& response,
                                       std::string& head, std::string_view remote_ip) {
    if (options_.access_log) {
      spdlog::info("http unparsed request status={} ip={}", response.status, remote_ip);
    }
    head.clear();
    AppendResponseHead(response, HeadOptions{.keep_alive = false, .cors = options_.cors}, head);
    std::array<asio::const_buffer, 2> buffers{asio::buffer(head), asio::buffer(response.body)};
    c.Arm(options_.request_timeout);
    auto [ec, n] = co_await asio::async_write(c.socket, buffers, kUseTuple);
    if (ec) {
      co_return;
    }
    beast::error_code ignored;
    c.socket.shutdown(tcp::socket::shutdown_send, ignored);
    c.Arm(kDrainTimeout);
    std::array<char, 4096> sink;
    size_t drained = 0;
    while (drained < (1u << 20)) {
      auto [rec, got] = co_await c.socket.async_read_some(asio::buffer(sink), kUseTuple);
      if (rec) {
        break;
      }
      drained += got;
    }
  }

  asio::awaitable<void> Serve(Worker& w, tcp::socket socket) {
    Connection c(std::move(socket));
    w.connections.insert(&c);
    Sweep(w);
    struct Unregister {
      Impl* impl;
      Worker& w;
      Connection* c;
      ~Unregister() {
        c->Close();
        w.connections.erase(c);
        impl->MaybeFinishStop(w);
      }
    } unregister{this, w, &c};

    std::string remote_ip;
    {
      beast::error_code ec;
      tcp::endpoint peer = c.socket.remote_endpoint(ec);
      if (!ec) {
        asio::ip::address a = peer.address();
        if (a.is_v6() && a.to_v6().is_v4_mapped()) {
          a = asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6());
        }
        remote_ip = a.to_string();
      }
    }

    beast::flat_buffer buffer;
    std::string head;
    Request request;
    Exchange x;
    AsyncAnswer answer;
    for (;;) {
      if (stopping_ && buffer.size() == 0) {
        co_return;
      }
      request.Clear();
      request.SetRemoteIp(remote_ip);
      RequestParser parser(request, options_.max_header_bytes);
      c.idle = buffer.size() == 0;
      c.Arm(options_.idle_timeout);
      auto [ec, n] = co_await bhttp::async_read_header(c.socket, buffer, parser, kUseTuple);
      c.idle = false;
      x.start_ns = MonotonicNs();
      if (ec) {
        if (ec == bhttp::error::header_limit) {
          co_await AnswerAndClose(c, ParseErrorResponse(true, false), head, remote_ip);
        } else if (ec != bhttp::error::end_of_stream && ec != asio::error::eof &&
                   ec != asio::error::operation_aborted && ec != asio::error::connection_reset &&
                   ec != asio::error::bad_descriptor && ec != bhttp::error::partial_message) {
          co_await AnswerAndClose(c, ParseErrorResponse(false, false), head, remote_ip);
        }
        co_return;
      }
      dispatcher_.OnHeader(request, parser.target_status(), x);
      if (parser.content_length() && *parser.content_length() > x.body_limit) {
        co_await AnswerAndClose(c, ParseErrorResponse(false, true), head, remote_ip);
        co_return;
      }
      parser.SetBodyLimit(x.body_limit);
      if (!parser.is_done()) {
        if (parser.expects_continue()) {
          static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
          c.Arm(options_.request_timeout);
          auto [wec, wn] = co_await asio::async_write(
              c.socket, asio::buffer(kContinue.data(), kContinue.size()), kUseTuple);
          if (wec) {
            co_return;
          }
        }
        c.Arm(options_.request_timeout);
        auto [bec, bn] = co_await bhttp::async_read(c.socket, buffer, parser, kUseTuple);
        if (bec) {
          if (bec == bhttp::error::body_limit) {
            co_await AnswerAndClose(c, ParseErrorResponse(false, true), head, remote_ip);
          } else if (bec != asio::error::eof && bec != bhttp::error::end_of_stream &&
                     bec != asio::error::operation_aborted &&
                     bec != asio::error::connection_reset && bec != bhttp::error::partial_message) {
            co_await AnswerAndClose(c, ParseErrorResponse(false, false), head, remote_ip);
          }
          co_return;
        }
      }
      c.Disarm();
      dispatcher_.BeforeHandler(request, x);
      Response response;
      if (x.early) {
        response = std::move(*x.early);
      } else if (x.route->async_handler) {
        std::optional<Response> now = StartAsync(*x.route, request, answer);
        // An `if`, not `now ? ... : co_await ...`: built with GCC 12, that form never resumed
        // the coroutine when it awaited.
        if (now) {
          response = std::move(*now);
        } else {
          response = co_await AwaitAnswer(answer);
        }
      } else if (x.route->options.blocking) {
        response = co_await RunBlocking(*x.route, request);
      } else {
        response = dispatcher_.Invoke(*x.route, request);
      }
      dispatcher_.Finish(request, x, response);

      bool keep_alive = parser.keep_alive() && !stopping_;
      head.clear();
      AppendResponseHead(response,
                         HeadOptions{.keep_alive = keep_alive,
                                     .http10 = parser.version() == 10,
                                     .cors = options_.cors},
                         head);
      std::array<asio::const_buffer, 2> buffers{
          asio::buffer(head), request.method() == Method::kHead ? asio::const_buffer()
                                                                : asio::buffer(response.body)};
      c.Arm(options_.request_timeout);
      auto [wec, wn] = co_await asio::async_write(c.socket, buffers, kUseTuple);
      if (wec || !keep_alive) {
        if (!wec) {
          beast::error_code ignored;
          c.socket.shutdown(tcp::socket::shutdown_send, ignored);
        }
        co_return;
      }
    }
  }

  const ServerOptions options_;
  Dispatcher dispatcher_;
  const std::chrono::milliseconds sweep_period_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::optional<tcp::acceptor> acceptor_;  // lives on workers_[0]
  std::unique_ptr<asio::thread_pool> blocking_pool_;
  std::atomic<size_t> blocking_in_flight_{0};
  std::atomic<bool> started_{false};
  std::atomic<bool> stopping_{false};
  std::atomic<bool> ran_{false};
  std::atomic<uint16_t> port_{0};
};

Server::Server(const Router& router, ServerOptions options)
    : impl_(std::make_unique<Impl>(router, std::move(options))) {}

Server::~Server() = default;

void Server::AddBefore(BeforeHook hook) { impl_->dispatcher().AddBefore(std::move(hook)); }
void Server::AddAfter(AfterHook hook) { impl_->dispatcher().AddAfter(std::move(hook)); }
Status Server::Start() { return impl_->Start(); }
void Server::Run() { impl_->Run(); }
void Server::Stop() { impl_->Stop(); }
uint16_t Server::port() const { return impl_->port(); }
RateLimiter& Server::rate_limiter() { return impl_->dispatcher().rate_limiter(); }

}  // namespace plaza::http
