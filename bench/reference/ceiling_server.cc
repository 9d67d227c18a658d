// The benchmark "ceiling": the least an HTTP server built like Plaza's (Boost.Beast, Asio C++20
// coroutines, one io thread, keep-alive) can do per request. It parses each request with Beast's
// parser, as Plaza does, and answers every one with the same bytes — a captured Plaza home
// timeline response held in memory. Plaza's throughput divided by this one's is the headline
// ratio of the benchmark suite: the share of the transport's capacity left after Plaza's work.
//
// Usage: ceiling_server PORT BODY_FILE   (listens on 127.0.0.1 only)
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using asio::ip::tcp;
constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);

asio::awaitable<void> Serve(tcp::socket socket, const std::string& response) {
  socket.set_option(tcp::no_delay(true));
  beast::flat_buffer buffer;
  for (;;) {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.body_limit(1 << 20);
    auto [ec, n] = co_await bhttp::async_read(socket, buffer, parser, kUseTuple);
    if (ec) co_return;
    auto [wec, wn] = co_await asio::async_write(socket, asio::buffer(response), kUseTuple);
    if (wec || !parser.keep_alive()) co_return;
  }
}

asio::awaitable<void> Accept(tcp::acceptor& acceptor, const std::string& response) {
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(kUseTuple);
    if (ec) continue;
    asio::co_spawn(acceptor.get_executor(), Serve(std::move(socket), response), asio::detached);
  }
}

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: ceiling_server PORT BODY_FILE\n";
    return 2;
  }
  std::ifstream f(argv[2], std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  std::string body = ss.str();
  if (!f && body.empty()) {
    std::cerr << "cannot read " << argv[2] << "\n";
    return 1;
  }
  const std::string response =
      "HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: " +
      std::to_string(body.size()) + "\r\n\r\n" + body;
  asio::io_context ioc(1);
  tcp::acceptor acceptor(ioc, {asio::ip::make_address("127.0.0.1"),
                               static_cast<unsigned short>(std::stoi(argv[1]))});
  asio::co_spawn(ioc, Accept(acceptor, response), asio::detached);
  ioc.run();
  return 0;
}
