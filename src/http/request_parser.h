// RequestParser: Beast's HTTP/1.1 request parser writing straight into a plaza::http::Request
// (method, target, headers, body) instead of Beast's own message type, so a request costs no
// per-field allocation and the connection's Request buffers are reused. Internal to src/http.
//
// Usage: construct per request on a cleared Request; read or put() until is_header_done();
// call SetBodyLimit() with the route's limit (the header is read with no body limit); then read
// or put() until is_done(). target_status() reports a malformed request-target, which is not a
// parse error (the server answers 400 after reading the body, keeping the connection in sync).
//
// Thread-safety: none; one parser per request on one thread.
#pragma once

#include <boost/beast/http/basic_parser.hpp>
#include <cstdint>
#include <string_view>

#include "common/status.h"
#include "http/request.h"

namespace plaza::http {

class RequestParser final : public boost::beast::http::basic_parser<true> {
 public:
  // `request` must be cleared and outlive the parser.
  RequestParser(Request& request, size_t max_header_bytes);

  const Status& target_status() const { return target_status_; }
  bool expects_continue() const { return expect_continue_; }
  // 11 for HTTP/1.1, 10 for HTTP/1.0; valid once the request line is parsed.
  int version() const { return version_; }
  void SetBodyLimit(uint64_t limit) { body_limit(limit); }

 private:
  using error_code = boost::beast::error_code;
  using string_view = boost::beast::string_view;

  void on_request_impl(boost::beast::http::verb method, string_view method_str,
                       string_view target, int version, error_code& ec) override;
  void on_response_impl(int code, string_view reason, int version, error_code& ec) override;
  void on_field_impl(boost::beast::http::field name, string_view name_string, string_view value,
                     error_code& ec) override;
  void on_header_impl(error_code& ec) override;
  void on_body_init_impl(const boost::optional<std::uint64_t>& content_length,
                         error_code& ec) override;
  std::size_t on_body_impl(string_view body, error_code& ec) override;
  void on_chunk_header_impl(std::uint64_t size, string_view extensions,
                            error_code& ec) override;
  std::size_t on_chunk_body_impl(std::uint64_t remain, string_view body,
                                 error_code& ec) override;
  void on_finish_impl(error_code& ec) override;

  Request& request_;
  Status target_status_;
  bool expect_continue_ = false;
  int version_ = 11;
};

}  // namespace plaza::http
