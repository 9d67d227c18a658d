// Params: the request parameters a handler reads, merged from the query string and the body,
// whatever encoding the client used. Mastodon clients disagree on encodings (masto.js sends JSON,
// toot sends application/x-www-form-urlencoded, media uploads are multipart/form-data), so every
// encoding is flattened into the same Rails-style keys:
//
//   form / query                    JSON                               key             values
//   a=1                             {"a":1}                            "a"             {"1"}
//   a[]=1&a[]=2                     {"a":[1,2]}                        "a"             {"1","2"}
//   poll[options][]=x               {"poll":{"options":["x"]}}         "poll[options]" {"x"}
//   poll[expires_in]=60             {"poll":{"expires_in":60}}         "poll[expires_in]" {"60"}
//   f[0][name]=n                    {"f":[{"name":"n"}]}               "f[0][name]"    {"n"}
//
// A trailing "[]" is dropped from form keys; JSON arrays of scalars become repeated values; JSON
// arrays of objects/arrays are indexed ("f[0][name]"); true/false become "true"/"false"; null
// and empty arrays are absent; numbers are written back in shortest form (1.50 -> "1.5", 1e2 ->
// "100"). A JSON body must be an object (an empty body is treated as no parameters).
//
// When a key appears both in the query string and in the body, the body's values replace the
// query's (as Rails does). Get() returns the last value of a key, GetAll() every value in order.
//
// Every key and every non-file value is valid UTF-8; decoding rejects anything else, along with
// bad percent-escapes, malformed JSON or multipart, more than `max_fields` values, and nesting
// deeper than `max_depth`. Those failures are Status kInvalid (400) carrying a message fit for
// the client.
//
// Thread-safety: a Params is a value; const methods may be called concurrently. String views
// returned stay valid until the Params is modified, moved from or destroyed. File data views
// point into the body that was decoded, which must outlive them (inside a Request it does).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace plaza::http {

struct ParamLimits {
  size_t max_fields = 1000;   // total values (query + body), files included
  int max_depth = 16;         // JSON nesting / bracket segments in a key
  size_t max_key_bytes = 512;
};

// One file part of a multipart/form-data body.
struct UploadedFile {
  std::string name;          // form field name (flattened like any key)
  std::string filename;      // as sent by the client; valid UTF-8, may be empty
  std::string content_type;  // the part's Content-Type, "application/octet-stream" if absent
  std::string_view data;     // raw bytes, points into the request body
};

class Params {
 public:
  Params() = default;

  // Last value for `key`, or nullopt when absent.
  std::optional<std::string_view> Get(std::string_view key) const;
  // Every value for `key` in the order sent; empty when absent.
  std::vector<std::string_view> GetAll(std::string_view key) const;
  bool Has(std::string_view key) const;
  // Mastodon truthiness: "true", "1", "on" (ASCII case-insensitive) are true; any other value
  // is false; nullopt when absent.
  std::optional<bool> GetBool(std::string_view key) const;
  // GetBool with a default for an absent key.
  bool GetBool(std::string_view key, bool default_value) const;
  // The value parsed as a base-10 int64. kNotFound when absent, kInvalid (message names the key)
  // when not an integer or out of range.
  Result<int64_t> GetInt(std::string_view key) const;

  // The first file uploaded under `key`, or nullptr.
  const UploadedFile* GetFile(std::string_view key) const;
  const std::vector<UploadedFile>& files() const { return files_; }

  size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty() && files_.empty(); }
  // Calls fn(key, value) for every value in order.
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    for (const Entry& e : entries_) {
      fn(KeyOf(e), ValueOf(e));
    }
  }

  // Appends one value. Used by the decoders and by tests; does not validate.
  void Add(std::string_view key, std::string_view value);
  void AddFile(UploadedFile file) { files_.push_back(std::move(file)); }
  // Merges `later` into this: every key present in `later` replaces this one's values.
  void MergeFrom(const Params& later);
  // Drops every value but keeps capacity, so a connection can reuse one Params.
  void Clear();

 private:
  struct Entry {
    uint32_t key_off;
    uint32_t key_len;
    uint32_t value_off;
    uint32_t value_len;
  };
  std::string_view KeyOf(const Entry& e) const { return {arena_.data() + e.key_off, e.key_len}; }
  std::string_view ValueOf(const Entry& e) const {
    return {arena_.data() + e.value_off, e.value_len};
  }

  std::string arena_;  // keys and values back to back
  std::vector<Entry> entries_;
  std::vector<UploadedFile> files_;
};

// Appends the percent-decoding of `in` to `out` (a path's, or a form's with `plus_as_space`);
// false on a malformed escape, when `out` holds what was decoded before it. Does not check UTF-8.
bool AppendPercentDecoded(std::string_view in, bool plus_as_space, std::string& out);

// Percent-decodes `in`. With `plus_as_space`, '+' becomes ' ' (form encoding). kInvalid on a
// malformed escape ("%4", "%zz"). Does not check UTF-8.
Result<std::string> PercentDecode(std::string_view in, bool plus_as_space);

// Decodes an application/x-www-form-urlencoded string (a query string or a form body).
Result<Params> DecodeFormParams(std::string_view form, const ParamLimits& limits);
// The same, appending to `out` (which keeps its capacity: a connection reuses one Params). On
// failure `out` may hold some of the values.
Status DecodeFormParams(std::string_view form, const ParamLimits& limits, Params& out);

// Decodes a body according to its Content-Type header value (media type matched
// case-insensitively, parameters such as charset ignored). JSON, form and multipart are decoded;
// any other type yields no parameters (the handler may still read the raw body). File parts of a
// multipart body land in files() with views into `body`. `body_padded` promises that at least 64
// readable bytes follow `body` in memory, which lets JSON be parsed without copying.
Result<Params> DecodeBodyParams(std::string_view content_type, std::string_view body,
                                const ParamLimits& limits, bool body_padded = false);
// The same, appending to `out`, as DecodeFormParams does.
Status DecodeBodyParams(std::string_view content_type, std::string_view body,
                        const ParamLimits& limits, bool body_padded, Params& out);

}  // namespace plaza::http
