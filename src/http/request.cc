#include "http/request.h"

#include "common/ascii.h"
#include "common/utf8.h"
#include "http/params.h"

namespace plaza::http {
std::string_view MethodName(Method m) {
  switch (m) {
    case Method::kGet: return "GET";
    case Method::kHead: return "HEAD";
    case Method::kPost: return "POST";
    case Method::kPut: return "PUT";
    case Method::kPatch: return "PATCH";
    case Method::kDelete: return "DELETE";
    case Method::kOptions: return "OPTIONS";
    case Method::kOther: return "OTHER";
  }
  return "OTHER";
}

Method ParseMethod(std::string_view name) {
  if (name == "GET") return Method::kGet;
  if (name == "POST") return Method::kPost;
  if (name == "HEAD") return Method::kHead;
  if (name == "PUT") return Method::kPut;
  if (name == "PATCH") return Method::kPatch;
  if (name == "DELETE") return Method::kDelete;
  if (name == "OPTIONS") return Method::kOptions;
  return Method::kOther;
}

std::string_view Request::Header(std::string_view name) const {
  for (const HeaderEntry& h : headers_) {
    if (AsciiEqualsIgnoreCase(std::string_view(header_buf_.data() + h.name_off, h.name_len), name)) {
      return std::string_view(header_buf_.data() + h.value_off, h.value_len);
    }
  }
  return {};
}

bool Request::HasHeader(std::string_view name) const {
  for (const HeaderEntry& h : headers_) {
    if (AsciiEqualsIgnoreCase(std::string_view(header_buf_.data() + h.name_off, h.name_len), name)) {
      return true;
    }
  }
  return false;
}

std::string_view Request::PathParam(std::string_view name) const {
  for (const PathParamEntry& p : path_params_) {
    if (p.name == name) {
      return std::string_view(path_param_buf_.data() + p.value_off, p.value_len);
    }
  }
  return {};
}

Status Request::SetTarget(std::string_view target) {
  target_.assign(target);
  path_.clear();
  raw_path_len_ = 0;
  std::string_view t = target_;
  // Absolute-form ("http://host/path") is legal in HTTP/1.1; keep only the path and query.
  size_t skip = 0;
  if (t.starts_with("http://") || t.starts_with("https://")) {
    size_t authority = t.find("//") + 2;
    size_t slash = t.find_first_of("/?", authority);
    if (slash == std::string_view::npos || t[slash] != '/') {
      return Status::Invalid("Malformed request target");
    }
    skip = slash;
  }
  if (skip > 0) {
    target_.erase(0, skip);
    t = target_;
  }
  if (t.empty() || t[0] != '/') {
    return Status::Invalid("Malformed request target");
  }
  size_t q = t.find('?');
  raw_path_len_ = q == std::string_view::npos ? t.size() : q;
  std::string_view raw = t.substr(0, raw_path_len_);
  if (raw.find('%') == std::string_view::npos) {
    path_.assign(raw);  // nothing to decode (most paths)
  } else if (!AppendPercentDecoded(raw, false, path_)) {
    return Status::Invalid("Malformed percent-encoding in path");
  }
  if (path_.find('\0') != std::string::npos) {
    return Status::Invalid("Malformed path");
  }
  if (!IsValidUtf8(path_)) {
    return Status::Invalid("Path is not valid UTF-8");
  }
  return Status::Ok();
}

void Request::AddHeader(std::string_view name, std::string_view value) {
  HeaderEntry h;
  h.name_off = static_cast<uint32_t>(header_buf_.size());
  h.name_len = static_cast<uint32_t>(name.size());
  header_buf_.append(name);
  h.value_off = static_cast<uint32_t>(header_buf_.size());
  h.value_len = static_cast<uint32_t>(value.size());
  header_buf_.append(value);
  headers_.push_back(h);
}

Status Request::DecodeParams(const ParamLimits& limits) {
  // Decoded into the connection's own Params, whose room the last request made.
  params_.Clear();
  Status st = [&]() -> Status {
    PLAZA_RETURN_IF_ERROR(DecodeFormParams(raw_query(), limits, params_));
    std::string_view content_type = Header("Content-Type");
    if (body_.empty() || content_type.empty()) {
      return Status::Ok();
    }
    bool padded = body_.capacity() - body_.size() >= 64;
    if (params_.empty()) {
      return DecodeBodyParams(content_type, body_, limits, padded, params_);
    }
    Result<Params> body = DecodeBodyParams(content_type, body_, limits, padded);
    if (!body.ok()) {
      return body.status();
    }
    if (params_.size() + body->size() + body->files().size() > limits.max_fields) {
      return Status::Invalid("Too many parameters");
    }
    params_.MergeFrom(*body);
    return Status::Ok();
  }();
  if (!st.ok()) {
    params_.Clear();  // a request that cannot be decoded has no parameters, not some of them
  }
  return st;
}

void Request::AddPathParam(std::string_view name, std::string_view value) {
  PathParamEntry p;
  p.name = name;
  p.value_off = static_cast<uint32_t>(path_param_buf_.size());
  p.value_len = static_cast<uint32_t>(value.size());
  path_param_buf_.append(value);
  path_params_.push_back(p);
}

void Request::Clear() {
  method_ = Method::kGet;
  target_.clear();
  path_.clear();
  raw_path_len_ = 0;
  header_buf_.clear();
  headers_.clear();
  body_.clear();
  remote_ip_.clear();
  path_params_.clear();
  path_param_buf_.clear();
  route_pattern_ = {};
  route_tag_ = {};
  params_.Clear();
  context_.reset();
}

}  // namespace plaza::http
