#include "http/request_parser.h"

#include "common/ascii.h"

namespace plaza::http {
namespace {

// simdjson may read this far past the end of a body; reserving it lets JSON parse in place.
constexpr size_t kBodyPadding = 64;

}  // namespace

RequestParser::RequestParser(Request& request, size_t max_header_bytes) : request_(request) {
  header_limit(static_cast<std::uint32_t>(max_header_bytes));
  body_limit(boost::none);
}

void RequestParser::on_request_impl(boost::beast::http::verb, string_view method_str,
                                    string_view target, int version, error_code&) {
  version_ = version;
  request_.SetMethod(ParseMethod(std::string_view(method_str.data(), method_str.size())));
  target_status_ = request_.SetTarget(std::string_view(target.data(), target.size()));
}

void RequestParser::on_response_impl(int, string_view, int, error_code& ec) {
  ec = boost::beast::http::error::bad_version;  // never called for a request parser
}

void RequestParser::on_field_impl(boost::beast::http::field, string_view name_string,
                                  string_view value, error_code&) {
  std::string_view name(name_string.data(), name_string.size());
  std::string_view v(value.data(), value.size());
  if (AsciiEqualsIgnoreCase(name, "expect") && AsciiEqualsIgnoreCase(v, "100-continue")) {
    expect_continue_ = true;
  }
  request_.AddHeader(name, v);
}

void RequestParser::on_header_impl(error_code&) {}

void RequestParser::on_body_init_impl(const boost::optional<std::uint64_t>& content_length,
                                      error_code&) {
  if (content_length) {
    request_.mutable_body().reserve(static_cast<size_t>(*content_length) + kBodyPadding);
  }
}

std::size_t RequestParser::on_body_impl(string_view body, error_code&) {
  request_.mutable_body().append(body.data(), body.size());
  return body.size();
}

void RequestParser::on_chunk_header_impl(std::uint64_t, string_view, error_code&) {}

std::size_t RequestParser::on_chunk_body_impl(std::uint64_t, string_view body, error_code&) {
  request_.mutable_body().append(body.data(), body.size());
  return body.size();
}

void RequestParser::on_finish_impl(error_code&) {
  std::string& body = request_.mutable_body();
  if (!body.empty() && body.capacity() - body.size() < kBodyPadding) {
    body.reserve(body.size() + kBodyPadding);
  }
}

}  // namespace plaza::http
