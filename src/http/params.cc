#include "http/params.h"

#include <simdjson.h>

#include <array>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <limits>
#include <unordered_set>

#include "common/ascii.h"
#include "common/utf8.h"

namespace plaza::http {
namespace {

// Each byte's value as a hex digit, or -1: a table, since a form's non-ASCII text (most of a
// Chinese post) is all escapes, two digits each.
constexpr std::array<int8_t, 256> kHexValue = [] {
  std::array<int8_t, 256> t{};
  for (auto& v : t) v = -1;
  for (int c = '0'; c <= '9'; ++c) t[c] = static_cast<int8_t>(c - '0');
  for (int c = 'a'; c <= 'f'; ++c) t[c] = static_cast<int8_t>(c - 'a' + 10);
  for (int c = 'A'; c <= 'F'; ++c) t[c] = static_cast<int8_t>(c - 'A' + 10);
  return t;
}();

int HexValue(char c) { return kHexValue[static_cast<unsigned char>(c)]; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

// Rails-style key normalization: "a[]" -> "a", "poll[options][]" -> "poll[options]".
std::string_view NormalizeKey(std::string_view key) {
  if (key.size() > 2 && key.substr(key.size() - 2) == "[]") {
    key.remove_suffix(2);
  }
  return key;
}

int BracketDepth(std::string_view key) {
  int depth = 0;
  for (char c : key) {
    depth += (c == '[');
  }
  return depth;
}

Status CheckKey(std::string_view key, const ParamLimits& limits) {
  if (key.size() > limits.max_key_bytes) {
    return Status::Invalid("Parameter name too long");
  }
  if (BracketDepth(key) > limits.max_depth) {
    return Status::Invalid("Parameters nested too deeply");
  }
  if (!IsValidUtf8(key)) {
    return Status::Invalid("Parameter name is not valid UTF-8");
  }
  return Status::Ok();
}

Status TooManyFields() { return Status::Invalid("Too many parameters"); }

// ---- JSON ----

class JsonFlattener {
 public:
  JsonFlattener(const ParamLimits& limits, Params& out) : limits_(limits), out_(out) {}

  Status FlattenObject(simdjson::dom::object obj, std::string& prefix, int depth) {
    if (depth > limits_.max_depth) {
      return Status::Invalid("JSON nested too deeply");
    }
    for (auto field : obj) {
      std::string_view k = field.key;
      if (!IsValidUtf8(k)) {
        return Status::Invalid("JSON key is not valid UTF-8");
      }
      if (prefix.empty() && k.empty()) {
        continue;
      }
      size_t saved = prefix.size();
      if (prefix.empty()) {
        prefix.append(k);
      } else {
        prefix += '[';
        prefix.append(k);
        prefix += ']';
      }
      if (prefix.size() > limits_.max_key_bytes) {
        return Status::Invalid("Parameter name too long");
      }
      PLAZA_RETURN_IF_ERROR(FlattenValue(field.value, prefix, depth + 1));
      prefix.resize(saved);
    }
    return Status::Ok();
  }

 private:
  Status FlattenValue(simdjson::dom::element v, std::string& prefix, int depth) {
    switch (v.type()) {
      case simdjson::dom::element_type::OBJECT:
        return FlattenObject(v.get_object().value_unsafe(), prefix, depth);
      case simdjson::dom::element_type::ARRAY: {
        if (depth > limits_.max_depth) {
          return Status::Invalid("JSON nested too deeply");
        }
        size_t index = 0;
        simdjson::dom::array array = v.get_array().value_unsafe();
        for (simdjson::dom::element item : array) {
          auto type = item.type();
          if (type == simdjson::dom::element_type::OBJECT ||
              type == simdjson::dom::element_type::ARRAY) {
            size_t saved = prefix.size();
            prefix += '[';
            prefix += std::to_string(index);
            prefix += ']';
            if (prefix.size() > limits_.max_key_bytes) {
              return Status::Invalid("Parameter name too long");
            }
            Status st = type == simdjson::dom::element_type::OBJECT
                            ? FlattenObject(item.get_object().value_unsafe(), prefix, depth + 1)
                            : FlattenValue(item, prefix, depth + 1);
            PLAZA_RETURN_IF_ERROR(st);
            prefix.resize(saved);
          } else {
            PLAZA_RETURN_IF_ERROR(FlattenValue(item, prefix, depth + 1));
          }
          ++index;
        }
        return Status::Ok();
      }
      case simdjson::dom::element_type::STRING: {
        std::string_view s = v.get_string().value_unsafe();
        if (!IsValidUtf8(s)) {
          return Status::Invalid("JSON string is not valid UTF-8");
        }
        return Emit(prefix, s);
      }
      case simdjson::dom::element_type::INT64: {
        char buf[24];
        auto r = std::to_chars(buf, buf + sizeof(buf), v.get_int64().value_unsafe());
        return Emit(prefix, std::string_view(buf, r.ptr - buf));
      }
      case simdjson::dom::element_type::UINT64: {
        char buf[24];
        auto r = std::to_chars(buf, buf + sizeof(buf), v.get_uint64().value_unsafe());
        return Emit(prefix, std::string_view(buf, r.ptr - buf));
      }
      case simdjson::dom::element_type::DOUBLE: {
        char buf[40];
        auto r = std::to_chars(buf, buf + sizeof(buf), v.get_double().value_unsafe());
        return Emit(prefix, std::string_view(buf, r.ptr - buf));
      }
      case simdjson::dom::element_type::BOOL:
        return Emit(prefix, v.get_bool().value_unsafe() ? "true" : "false");
      case simdjson::dom::element_type::NULL_VALUE:
        return Status::Ok();
    }
    return Status::Ok();
  }

  Status Emit(std::string_view key, std::string_view value) {
    if (out_.size() >= limits_.max_fields) {
      return TooManyFields();
    }
    if (BracketDepth(key) > limits_.max_depth) {
      return Status::Invalid("Parameters nested too deeply");
    }
    out_.Add(key, value);
    return Status::Ok();
  }

  const ParamLimits& limits_;
  Params& out_;
};

bool IsBlank(std::string_view s) {
  for (char c : s) {
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
      return false;
    }
  }
  return true;
}

Status DecodeJson(std::string_view body, const ParamLimits& limits, bool padded, Params& out) {
  if (IsBlank(body)) {
    return Status::Ok();
  }
  // One parser per thread: its buffers are reused across requests.
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element root;
  auto error = parser.parse(body.data(), body.size(), /*realloc_if_needed=*/!padded).get(root);
  if (error) {
    if (error == simdjson::UTF8_ERROR) {
      return Status::Invalid("Request body is not valid UTF-8");
    }
    if (error == simdjson::DEPTH_ERROR) {
      return Status::Invalid("JSON nested too deeply");
    }
    return Status::Invalid("Malformed JSON in request body");
  }
  if (root.type() != simdjson::dom::element_type::OBJECT) {
    return Status::Invalid("JSON request body must be an object");
  }
  std::string prefix;
  JsonFlattener flattener(limits, out);
  PLAZA_RETURN_IF_ERROR(flattener.FlattenObject(root.get_object().value_unsafe(), prefix, 1));
  return Status::Ok();
}

// ---- multipart/form-data ----

// Value of parameter `name` in a header value such as `form-data; name="a"; filename="b"`.
// Returns nullopt when absent. Handles quoted strings with backslash escapes.
std::optional<std::string> HeaderParam(std::string_view value, std::string_view name) {
  size_t i = value.find(';');
  while (i != std::string_view::npos && i < value.size()) {
    ++i;  // past ';'
    while (i < value.size() && (value[i] == ' ' || value[i] == '\t')) ++i;
    size_t eq = value.find('=', i);
    if (eq == std::string_view::npos) {
      return std::nullopt;
    }
    std::string_view pname = Trim(value.substr(i, eq - i));
    size_t j = eq + 1;
    while (j < value.size() && (value[j] == ' ' || value[j] == '\t')) ++j;
    std::string pvalue;
    if (j < value.size() && value[j] == '"') {
      ++j;
      bool closed = false;
      while (j < value.size()) {
        char c = value[j];
        if (c == '\\' && j + 1 < value.size()) {
          pvalue += value[j + 1];
          j += 2;
          continue;
        }
        if (c == '"') {
          closed = true;
          ++j;
          break;
        }
        pvalue += c;
        ++j;
      }
      if (!closed) {
        return std::nullopt;
      }
      i = value.find(';', j);
    } else {
      size_t end = value.find(';', j);
      pvalue.assign(Trim(value.substr(j, end == std::string_view::npos ? end : end - j)));
      i = end;
    }
    if (AsciiEqualsIgnoreCase(pname, name)) {
      return pvalue;
    }
  }
  return std::nullopt;
}

Status DecodeMultipart(std::string_view content_type, std::string_view body,
                       const ParamLimits& limits, Params& out) {
  std::optional<std::string> boundary = HeaderParam(content_type, "boundary");
  if (!boundary || boundary->empty() || boundary->size() > 200) {
    return Status::Invalid("multipart/form-data without a valid boundary");
  }
  std::string delimiter = "--" + *boundary;
  std::string separator = "\r\n" + delimiter;

  // The first delimiter may be preceded by a preamble.
  size_t pos;
  if (body.substr(0, delimiter.size()) == delimiter) {
    pos = delimiter.size();
  } else {
    size_t found = body.find(separator);
    if (found == std::string_view::npos) {
      return Status::Invalid("Malformed multipart body");
    }
    pos = found + separator.size();
  }
  size_t parts = 0;
  for (;;) {
    // After a delimiter: "--" ends the body, otherwise optional whitespace then CRLF.
    if (body.substr(pos, 2) == "--") {
      return Status::Ok();
    }
    while (pos < body.size() && (body[pos] == ' ' || body[pos] == '\t')) ++pos;
    if (body.substr(pos, 2) != "\r\n") {
      return Status::Invalid("Malformed multipart body");
    }
    pos += 2;
    size_t headers_end = body.find("\r\n\r\n", pos);
    size_t content_start;
    std::string_view headers;
    if (body.substr(pos, 2) == "\r\n") {  // a part with no headers at all
      headers = {};
      content_start = pos + 2;
    } else {
      if (headers_end == std::string_view::npos) {
        return Status::Invalid("Malformed multipart body");
      }
      headers = body.substr(pos, headers_end - pos);
      content_start = headers_end + 4;
    }
    size_t content_end = body.find(separator, content_start);
    if (content_end == std::string_view::npos) {
      return Status::Invalid("Malformed multipart body: missing closing boundary");
    }
    std::string_view content = body.substr(content_start, content_end - content_start);
    pos = content_end + separator.size();

    if (++parts > limits.max_fields) {
      return TooManyFields();
    }
    std::optional<std::string> name;
    std::optional<std::string> filename;
    std::string part_type;
    bool has_disposition = false;
    size_t line_start = 0;
    while (line_start < headers.size()) {
      size_t line_end = headers.find("\r\n", line_start);
      if (line_end == std::string_view::npos) line_end = headers.size();
      std::string_view line = headers.substr(line_start, line_end - line_start);
      line_start = line_end + 2;
      size_t colon = line.find(':');
      if (colon == std::string_view::npos) {
        return Status::Invalid("Malformed multipart part header");
      }
      std::string_view hname = Trim(line.substr(0, colon));
      std::string_view hvalue = Trim(line.substr(colon + 1));
      if (AsciiEqualsIgnoreCase(hname, "content-disposition")) {
        has_disposition = true;
        name = HeaderParam(hvalue, "name");
        filename = HeaderParam(hvalue, "filename");
      } else if (AsciiEqualsIgnoreCase(hname, "content-type")) {
        part_type.assign(hvalue);
      }
    }
    if (!has_disposition || !name) {
      return Status::Invalid("Multipart part without a form-data name");
    }
    std::string_view key = NormalizeKey(*name);
    PLAZA_RETURN_IF_ERROR(CheckKey(key, limits));
    if (key.empty()) {
      continue;
    }
    if (filename) {
      if (filename->empty() && content.empty()) {
        continue;  // a file input left empty by a browser
      }
      if (!IsValidUtf8(*filename)) {
        return Status::Invalid("Uploaded file name is not valid UTF-8");
      }
      if (!IsValidUtf8(part_type)) {
        return Status::Invalid("Part Content-Type is not valid UTF-8");
      }
      UploadedFile file;
      file.name.assign(key);
      file.filename = std::move(*filename);
      file.content_type = part_type.empty() ? "application/octet-stream" : std::move(part_type);
      file.data = content;
      out.AddFile(std::move(file));
    } else {
      if (!IsValidUtf8(content)) {
        return Status::Invalid("Parameter value is not valid UTF-8");
      }
      out.Add(key, content);
    }
  }
}

}  // namespace

// ---- Params ----

std::optional<std::string_view> Params::Get(std::string_view key) const {
  for (auto it = entries_.rbegin(); it != entries_.rend(); ++it) {
    if (KeyOf(*it) == key) {
      return ValueOf(*it);
    }
  }
  return std::nullopt;
}

std::vector<std::string_view> Params::GetAll(std::string_view key) const {
  std::vector<std::string_view> values;
  for (const Entry& e : entries_) {
    if (KeyOf(e) == key) {
      values.push_back(ValueOf(e));
    }
  }
  return values;
}

bool Params::Has(std::string_view key) const {
  for (const Entry& e : entries_) {
    if (KeyOf(e) == key) {
      return true;
    }
  }
  return false;
}

std::optional<bool> Params::GetBool(std::string_view key) const {
  std::optional<std::string_view> v = Get(key);
  if (!v) {
    return std::nullopt;
  }
  return AsciiEqualsIgnoreCase(*v, "true") || *v == "1" || AsciiEqualsIgnoreCase(*v, "on");
}

bool Params::GetBool(std::string_view key, bool default_value) const {
  return GetBool(key).value_or(default_value);
}

Result<int64_t> Params::GetInt(std::string_view key) const {
  std::optional<std::string_view> v = Get(key);
  if (!v) {
    return Status::NotFound(std::string(key) + " is missing");
  }
  int64_t out = 0;
  auto [ptr, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
  if (v->empty() || ec != std::errc() || ptr != v->data() + v->size()) {
    return Status::Invalid(std::string(key) + " must be an integer");
  }
  return out;
}

const UploadedFile* Params::GetFile(std::string_view key) const {
  for (const UploadedFile& f : files_) {
    if (f.name == key) {
      return &f;
    }
  }
  return nullptr;
}

void Params::Add(std::string_view key, std::string_view value) {
  Entry e;
  e.key_off = static_cast<uint32_t>(arena_.size());
  e.key_len = static_cast<uint32_t>(key.size());
  arena_.append(key);
  e.value_off = static_cast<uint32_t>(arena_.size());
  e.value_len = static_cast<uint32_t>(value.size());
  arena_.append(value);
  entries_.push_back(e);
}

void Params::MergeFrom(const Params& later) {
  if (!later.entries_.empty()) {
    if (entries_.empty()) {
      arena_ = later.arena_;
      entries_ = later.entries_;
    } else {
      std::unordered_set<std::string_view> replaced;
      for (const Entry& e : later.entries_) {
        replaced.insert(later.KeyOf(e));
      }
      Params merged;
      merged.arena_.reserve(arena_.size() + later.arena_.size());
      merged.entries_.reserve(entries_.size() + later.entries_.size());
      for (const Entry& e : entries_) {
        if (!replaced.contains(KeyOf(e))) {
          merged.Add(KeyOf(e), ValueOf(e));
        }
      }
      for (const Entry& e : later.entries_) {
        merged.Add(later.KeyOf(e), later.ValueOf(e));
      }
      arena_ = std::move(merged.arena_);
      entries_ = std::move(merged.entries_);
    }
  }
  files_.insert(files_.end(), later.files_.begin(), later.files_.end());
}

void Params::Clear() {
  arena_.clear();
  entries_.clear();
  files_.clear();
}

// ---- decoders ----

// Decoding never lengthens, so it writes straight into room made once, rather than appending
// byte by byte.
bool AppendPercentDecoded(std::string_view in, bool plus_as_space, std::string& out) {
  const size_t start = out.size();
  out.resize(start + in.size());
  char* w = out.data() + start;
  const char* p = in.data();
  const char* const end = p + in.size();
  bool ok = true;
  while (p < end) {
    const char c = *p;
    if (c == '%') {
      if (end - p < 3) {
        ok = false;
        break;
      }
      const int hi = HexValue(p[1]);
      const int lo = HexValue(p[2]);
      if ((hi | lo) < 0) {
        ok = false;
        break;
      }
      *w++ = static_cast<char>(hi * 16 + lo);
      p += 3;
    } else {
      *w++ = c == '+' && plus_as_space ? ' ' : c;
      ++p;
    }
  }
  out.resize(static_cast<size_t>(w - out.data()));
  return ok;
}

Result<std::string> PercentDecode(std::string_view in, bool plus_as_space) {
  std::string out;
  if (!AppendPercentDecoded(in, plus_as_space, out)) {
    return Status::Invalid("Malformed percent-encoding");
  }
  return out;
}

Status DecodeFormParams(std::string_view form, const ParamLimits& limits, Params& out) {
  std::string key;
  std::string value;
  size_t pos = 0;
  while (pos <= form.size()) {
    size_t amp = form.find('&', pos);
    if (amp == std::string_view::npos) amp = form.size();
    std::string_view pair = form.substr(pos, amp - pos);
    pos = amp + 1;
    if (pair.empty()) {
      continue;
    }
    size_t eq = pair.find('=');
    std::string_view raw_key = pair.substr(0, eq);
    std::string_view raw_value =
        eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    key.clear();
    value.clear();
    if (!AppendPercentDecoded(raw_key, true, key) ||
        !AppendPercentDecoded(raw_value, true, value)) {
      return Status::Invalid("Malformed percent-encoding in parameters");
    }
    std::string_view k = NormalizeKey(key);
    PLAZA_RETURN_IF_ERROR(CheckKey(k, limits));
    if (!IsValidUtf8(value)) {
      return Status::Invalid("Parameter value is not valid UTF-8");
    }
    if (k.empty()) {
      continue;
    }
    if (out.size() >= limits.max_fields) {
      return TooManyFields();
    }
    out.Add(k, value);
  }
  return Status::Ok();
}

Status DecodeBodyParams(std::string_view content_type, std::string_view body,
                        const ParamLimits& limits, bool body_padded, Params& out) {
  std::string_view media = Trim(content_type.substr(0, content_type.find(';')));
  if (AsciiEqualsIgnoreCase(media, "application/json") ||
      (media.size() > 5 && AsciiEqualsIgnoreCase(media.substr(media.size() - 5), "+json"))) {
    return DecodeJson(body, limits, body_padded, out);
  }
  if (AsciiEqualsIgnoreCase(media, "application/x-www-form-urlencoded")) {
    return DecodeFormParams(body, limits, out);
  }
  if (AsciiEqualsIgnoreCase(media, "multipart/form-data")) {
    return DecodeMultipart(content_type, body, limits, out);
  }
  return Status::Ok();
}

Result<Params> DecodeFormParams(std::string_view form, const ParamLimits& limits) {
  Params out;
  PLAZA_RETURN_IF_ERROR(DecodeFormParams(form, limits, out));
  return out;
}

Result<Params> DecodeBodyParams(std::string_view content_type, std::string_view body,
                                const ParamLimits& limits, bool body_padded) {
  Params out;
  PLAZA_RETURN_IF_ERROR(DecodeBodyParams(content_type, body, limits, body_padded, out));
  return out;
}

}  // namespace plaza::http
