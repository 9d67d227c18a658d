// The real server on an ephemeral port, driven by a Beast client over TCP.
#include "http/server.h"

#include <gtest/gtest.h>
#include <poll.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace plaza::http {
namespace {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using HttpResponse = bhttp::response<bhttp::string_body>;

class Client {
 public:
  explicit Client(uint16_t port) : socket_(ioc_) {
    socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  }
  void Send(std::string_view raw) { asio::write(socket_, asio::buffer(raw.data(), raw.size())); }
  // One response; status 0 if the connection ended first.
  HttpResponse Read(bool head = false) {
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(16 << 20);
    parser.skip(head);
    boost::beast::error_code ec;
    bhttp::read(socket_, buffer_, parser, ec);
    if (ec) {
      HttpResponse none;
      none.result(0u);
      return none;
    }
    return parser.release();
  }
  HttpResponse Get(std::string_view path) {
    Send("GET " + std::string(path) + " HTTP/1.1\r\nHost: t\r\n\r\n");
    return Read();
  }
  // True when the server closed the connection (EOF or reset) with nothing more to read.
  bool Closed() {
    boost::beast::error_code ec;
    char c;
    if (buffer_.size() > 0) return false;
    socket_.read_some(asio::buffer(&c, 1), ec);
    return static_cast<bool>(ec);
  }
  // True when the server closes the connection within `limit`, a bound that only keeps a broken
  // server from hanging the test (or, when short, shows it has not closed yet).
  bool ClosedWithin(std::chrono::milliseconds limit) {
    pollfd p{socket_.native_handle(), POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(limit.count())) <= 0) return false;
    return Closed();
  }

 private:
  asio::io_context ioc_;
  tcp::socket socket_;
  boost::beast::flat_buffer buffer_;
};

class ServerTest : public ::testing::Test {
 protected:
  ServerTest() {
    options_.listen = "127.0.0.1:0";
    options_.threads = 1;
    options_.max_body_bytes = 1024;
    options_.access_log = false;
    options_.ip_rate_limit_enabled = false;
    router_.Add(Method::kGet, "/ping", [](Request&) { return Response::Json(200, "\"pong\""); });
    router_.Add(Method::kPost, "/echo", [](Request& r) {
      std::string out;
      r.params().ForEach([&](std::string_view k, std::string_view v) {
        out.append(k).append("=").append(v).append(";");
      });
      return Response::Json(200, out);
    });
    router_.Add(Method::kGet, "/throw", [](Request&) -> Response {
      throw std::runtime_error("handler bug");
    });
    RouteOptions blocking;
    blocking.blocking = true;
    router_.Add(Method::kPost, "/slow", [this](Request&) { return Slow(); }, blocking);
  }

  ~ServerTest() override {
    if (server_) {
      server_->Stop();
    }
    if (runner_.joinable()) {
      runner_.join();
    }
  }

  void StartServer() {
    server_ = std::make_unique<Server>(router_, options_);
    Status st = server_->Start();
    ASSERT_TRUE(st.ok()) << st.ToString();
    ASSERT_NE(server_->port(), 0);
    runner_ = std::thread([this] { server_->Run(); });
  }

  // A blocking handler: records how many run at once, sleeps 50 ms, then waits for release
  // (or a fallback so a broken server fails the test instead of hanging it).
  Response Slow() {
    int now = ++in_flight_;
    int seen = max_in_flight_.load();
    while (now > seen && !max_in_flight_.compare_exchange_weak(seen, now)) {
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait_for(lock, std::chrono::seconds(5), [this] { return released_; });
    }
    --in_flight_;
    return Response::Json(200, "\"done\"");
  }
  void Release() {
    std::lock_guard<std::mutex> lock(mu_);
    released_ = true;
    cv_.notify_all();
  }
  // Polls (bounded) until `cond` holds; returns whether it did.
  template <typename Cond>
  static bool WaitFor(Cond cond) {
    for (int i = 0; i < 1000; ++i) {
      if (cond()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return cond();
  }

  Router router_;
  ServerOptions options_;
  std::unique_ptr<Server> server_;
  std::thread runner_;
  std::atomic<int> in_flight_{0};
  std::atomic<int> max_in_flight_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  bool released_ = false;
};

TEST_F(ServerTest, KeepAliveServesManyRequestsOnOneConnection) {
  StartServer();
  Client c(server_->port());
  for (int i = 0; i < 5; ++i) {
    HttpResponse r = c.Get("/ping");
    ASSERT_EQ(r.result_int(), 200);
    EXPECT_EQ(r.body(), "\"pong\"");
    EXPECT_TRUE(r.keep_alive());
    EXPECT_EQ(r["Access-Control-Allow-Origin"], "*");
  }
}

TEST_F(ServerTest, PipelinedRequestsAreAnsweredInOrder) {
  StartServer();
  Client c(server_->port());
  c.Send(
      "POST /echo HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
      "Content-Length: 3\r\n\r\nn=1"
      "GET /ping HTTP/1.1\r\n\r\n"
      "POST /echo HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n"
      "{\"n\":3}");
  EXPECT_EQ(c.Read().body(), "n=1;");
  EXPECT_EQ(c.Read().body(), "\"pong\"");
  EXPECT_EQ(c.Read().body(), "n=3;");
}

TEST_F(ServerTest, OversizedBodyIs413) {
  StartServer();
  Client c(server_->port());
  c.Send("POST /echo HTTP/1.1\r\nContent-Type: text/plain\r\nContent-Length: 4096\r\n\r\n" +
         std::string(100, 'x'));
  HttpResponse r = c.Read();
  EXPECT_EQ(r.result_int(), 413);
  EXPECT_EQ(r.body(), R"({"error":"Request body too large"})");
  EXPECT_FALSE(r.keep_alive());
}

TEST_F(ServerTest, InvalidUtf8Is400AndConnectionStaysUsable) {
  StartServer();
  Client c(server_->port());
  c.Send(
      "POST /echo HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
      "Content-Length: 9\r\n\r\nstatus=\xc3\x28");
  HttpResponse r = c.Read();
  EXPECT_EQ(r.result_int(), 400);
  EXPECT_EQ(r.body(), R"({"error":"Parameter value is not valid UTF-8"})");
  EXPECT_EQ(c.Get("/ping").result_int(), 200);
}

TEST_F(ServerTest, UnknownPathIs404Json) {
  StartServer();
  Client c(server_->port());
  HttpResponse r = c.Get("/api/v1/nothing?access_token=secret");
  EXPECT_EQ(r.result_int(), 404);
  EXPECT_EQ(r[bhttp::field::content_type], "application/json; charset=utf-8");
  EXPECT_EQ(r.body(), R"({"error":"Not found"})");
}

TEST_F(ServerTest, ThrowingHandlerGives500AndServerKeepsServing) {
  StartServer();
  Client c(server_->port());
  HttpResponse r = c.Get("/throw");
  EXPECT_EQ(r.result_int(), 500);
  EXPECT_EQ(r.body(), R"({"error":"Internal server error"})");
  EXPECT_EQ(c.Get("/ping").result_int(), 200);
  Client other(server_->port());
  EXPECT_EQ(other.Get("/ping").result_int(), 200);
}

TEST_F(ServerTest, HeadHasNoBody) {
  StartServer();
  Client c(server_->port());
  c.Send("HEAD /ping HTTP/1.1\r\n\r\n");
  HttpResponse r = c.Read(/*head=*/true);
  EXPECT_EQ(r.result_int(), 200);
  EXPECT_EQ(r[bhttp::field::content_length], "6");
  EXPECT_EQ(c.Get("/ping").body(), "\"pong\"");  // nothing stray was left on the wire
}

TEST_F(ServerTest, ExpectContinueIsHonoured) {
  StartServer();
  Client c(server_->port());
  c.Send(
      "POST /echo HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
      "Expect: 100-continue\r\nContent-Length: 3\r\n\r\n");
  HttpResponse cont = c.Read();
  EXPECT_EQ(cont.result_int(), 100);
  c.Send("a=b");
  EXPECT_EQ(c.Read().body(), "a=b;");
}

TEST_F(ServerTest, BlockingHandlersRunConcurrentlyWithoutBlockingTheIoThread) {
  options_.threads = 1;
  options_.blocking_threads = 64;
  StartServer();
  constexpr int kClients = 50;
  std::vector<std::thread> clients;
  std::atomic<int> ok{0};
  uint16_t port = server_->port();
  for (int i = 0; i < kClients; ++i) {
    clients.emplace_back([&ok, port] {
      Client c(port);
      c.Send("POST /slow HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
      if (c.Read().result_int() == 200) ++ok;
    });
  }
  bool all_in = WaitFor([&] { return in_flight_.load() == kClients; });
  // With all 50 handlers parked on the pool, the single io thread still answers.
  int ping_status = Client(port).Get("/ping").result_int();
  Release();
  for (auto& t : clients) t.join();
  EXPECT_TRUE(all_in);
  EXPECT_EQ(max_in_flight_.load(), kClients);
  EXPECT_EQ(ping_status, 200);
  EXPECT_EQ(ok.load(), kClients);
}

// Asynchronous routes: answered inline (on the io thread) or later from another thread, while
// the io thread keeps serving; a parked request holds neither the io thread nor a pool thread.
TEST_F(ServerTest, AsyncHandlersAnswerInlineOrLaterFromAnotherThread) {
  std::mutex parked_mu;
  std::vector<std::pair<std::string, Responder>> parked;
  router_.AddAsync(Method::kGet, "/now", [](Request&, Responder respond) {
    respond(Response::Json(200, "\"now\""));
  });
  router_.AddAsync(Method::kGet, "/later/:n", [&](Request& r, Responder respond) {
    std::lock_guard lock(parked_mu);
    parked.emplace_back(std::string(r.PathParam("n")), std::move(respond));
  });
  options_.threads = 1;
  options_.blocking_threads = 1;
  StartServer();
  uint16_t port = server_->port();
  constexpr int kClients = 20;
  std::vector<std::thread> clients;
  std::atomic<int> ok{0};
  for (int i = 0; i < kClients; ++i) {
    clients.emplace_back([&ok, port, i] {
      Client c(port);
      auto r = c.Get("/later/" + std::to_string(i));
      if (r.result_int() == 200 && r.body() == "\"later " + std::to_string(i) + "\"") ++ok;
    });
  }
  bool all_parked = WaitFor([&] {
    std::lock_guard lock(parked_mu);
    return parked.size() == kClients;
  });
  Client c(port);
  EXPECT_EQ(c.Get("/now").body(), "\"now\"");
  EXPECT_EQ(c.Get("/now").body(), "\"now\"");  // the connection stays usable
  EXPECT_EQ(c.Get("/ping").result_int(), 200);
  std::thread answerer([&] {
    std::lock_guard lock(parked_mu);
    for (auto& [n, respond] : parked) respond(Response::Json(200, "\"later " + n + "\""));
  });
  answerer.join();
  for (auto& t : clients) t.join();
  EXPECT_TRUE(all_parked);
  EXPECT_EQ(ok.load(), kClients);
}

// An answer from another thread may come before the handler returns, between its return and the
// connection's suspension, or after: whichever, each request gets its own answer exactly once.
TEST_F(ServerTest, AsyncAnswersRacingTheHandlersReturnReachTheirRequest) {
  std::mutex threads_mu;
  std::vector<std::thread> threads;
  router_.AddAsync(Method::kGet, "/soon/:n", [&](Request& r, Responder respond) {
    auto returned = std::make_shared<std::atomic<bool>>(false);
    {
      std::lock_guard lock(threads_mu);
      std::string n(r.PathParam("n"));
      // Answers 0-40 us after the handler returns, spread over the request numbers.
      auto delay = std::chrono::nanoseconds(std::stoi(n) % 41 * 1000);
      threads.emplace_back([n, delay, returned, respond = std::move(respond)] {
        while (!returned->load()) {
        }
        auto until = std::chrono::steady_clock::now() + delay;
        while (std::chrono::steady_clock::now() < until) {
        }
        respond(Response::Json(200, "\"" + n + "\""));
      });
    }
    returned->store(true);
  });
  StartServer();
  Client c(server_->port());
  for (int i = 0; i < 1'000; ++i) {
    HttpResponse r = c.Get("/soon/" + std::to_string(i));
    ASSERT_EQ(r.result_int(), 200) << i;
    ASSERT_EQ(r.body(), "\"" + std::to_string(i) + "\"") << i;
  }
  std::lock_guard lock(threads_mu);
  for (auto& t : threads) t.join();
}

TEST_F(ServerTest, PortInUseIsAnErrorValue) {
  StartServer();
  ServerOptions again = options_;
  again.listen = "127.0.0.1:" + std::to_string(server_->port());
  Server second(router_, again);
  Status st = second.Start();
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(st.code(), StatusCode::kUnavailable);
  ServerOptions malformed;
  malformed.listen = "no-port-here";
  Server bad(router_, malformed);
  EXPECT_EQ(bad.Start().code(), StatusCode::kInvalid);
}

TEST_F(ServerTest, StopFinishesInFlightRequestsAndClosesIdleConnections) {
  StartServer();
  Client idle(server_->port());
  ASSERT_EQ(idle.Get("/ping").result_int(), 200);
  HttpResponse slow_response;
  std::thread busy([&] {
    Client c(server_->port());
    c.Send("POST /slow HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
    slow_response = c.Read();
  });
  ASSERT_TRUE(WaitFor([&] { return in_flight_.load() == 1; }));
  server_->Stop();
  EXPECT_TRUE(idle.Closed());
  Release();
  busy.join();
  EXPECT_EQ(slow_response.result_int(), 200);
  EXPECT_FALSE(slow_response.keep_alive());
  runner_.join();  // Run() returns once everything is closed
  EXPECT_THROW(Client{server_->port()}, boost::system::system_error);
}

TEST_F(ServerTest, StalledAndIdleConnectionsAreClosedAfterTheirTimeout) {
  options_.idle_timeout = std::chrono::milliseconds(1'000);
  options_.request_timeout = std::chrono::milliseconds(1'000);
  StartServer();
  Client stalled(server_->port());
  stalled.Send("GET /ping HTTP/1.1\r\nHo");
  Client idle(server_->port());
  ASSERT_EQ(idle.Get("/ping").result_int(), 200);
  EXPECT_FALSE(stalled.ClosedWithin(std::chrono::milliseconds(100)));
  EXPECT_TRUE(stalled.ClosedWithin(std::chrono::seconds(20)));
  EXPECT_TRUE(idle.ClosedWithin(std::chrono::seconds(20)));
  Client fresh(server_->port());
  EXPECT_EQ(fresh.Get("/ping").result_int(), 200);
}

TEST_F(ServerTest, AHandlerSlowerThanTheTimeoutsIsStillAnswered) {
  options_.idle_timeout = std::chrono::milliseconds(100);
  options_.request_timeout = std::chrono::milliseconds(100);
  StartServer();
  Client c(server_->port());
  c.Send("POST /slow HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
  ASSERT_TRUE(WaitFor([&] { return in_flight_.load() == 1; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  Release();
  HttpResponse r = c.Read();
  EXPECT_EQ(r.result_int(), 200);
  EXPECT_EQ(r.body(), "\"done\"");
}

TEST_F(ServerTest, SeveralIoThreadsServeInParallelConnections) {
  options_.threads = 3;
  StartServer();
  std::vector<std::thread> clients;
  std::atomic<int> ok{0};
  for (int i = 0; i < 12; ++i) {
    clients.emplace_back([&] {
      Client c(server_->port());
      for (int j = 0; j < 20; ++j) {
        if (c.Get("/ping").result_int() == 200) ++ok;
      }
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(ok.load(), 240);
}

}  // namespace
}  // namespace plaza::http
