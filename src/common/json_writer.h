// A streaming JSON writer that appends straight into a caller-owned buffer: no DOM, no
// per-field allocation. Commas are inserted automatically; the caller keeps objects balanced.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace plaza {

// Appends `v` in decimal, without allocating.
void AppendJsonInt(std::string& out, int64_t v);
void AppendJsonUint(std::string& out, uint64_t v);

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  JsonWriter& BeginObject() { Sep(); out_ += '{'; first_ = true; return *this; }
  JsonWriter& EndObject() { out_ += '}'; first_ = false; return *this; }
  JsonWriter& BeginArray() { Sep(); out_ += '['; first_ = true; return *this; }
  JsonWriter& EndArray() { out_ += ']'; first_ = false; return *this; }

  JsonWriter& Key(std::string_view k) {
    Sep();
    AppendString(k);
    out_ += ':';
    first_ = true;  // the value that follows takes no comma
    return *this;
  }
  // A key written in the program as a literal (nearly every key): when it needs no escaping,
  // which the compiler can decide for a literal, the separator, the quoted key and the colon
  // are one copy of a size known when compiled.
  template <size_t N>
  JsonWriter& Key(const char (&k)[N]) {
    if (!IsPlainLiteral(k)) return Key(std::string_view(k));
    char buf[N + 3];  // ,"key":
    buf[0] = ',';
    buf[1] = '"';
    std::memcpy(buf + 2, k, N - 1);
    buf[N + 1] = '"';
    buf[N + 2] = ':';
    const size_t skip = first_ ? 1 : 0;
    out_.append(buf + skip, sizeof buf - skip);
    first_ = true;
    return *this;
  }
  JsonWriter& String(std::string_view v) { Sep(); AppendString(v); return *this; }
  JsonWriter& Int(int64_t v) { Sep(); AppendJsonInt(out_, v); return *this; }
  JsonWriter& Uint(uint64_t v) { Sep(); AppendJsonUint(out_, v); return *this; }
  JsonWriter& Double(double v);
  JsonWriter& Bool(bool v) { Sep(); out_ += v ? "true" : "false"; return *this; }
  JsonWriter& Null() { Sep(); out_ += "null"; return *this; }
  // Appends already-serialized JSON as one value.
  JsonWriter& Raw(std::string_view json) { Sep(); out_ += json; return *this; }
  // Starts one value that the caller appends to the returned buffer itself (already-serialized
  // JSON, possibly in several pieces): writes the separator and returns the buffer.
  std::string& BeginRawValue() { Sep(); return out_; }

  // Key/value shorthands.
  // K is a literal (see Key above) or anything a std::string_view is made from.
  template <typename K>
  JsonWriter& Field(const K& k, std::string_view v) {
    return Key(k).String(v);
  }
  template <typename K>
  JsonWriter& Field(const K& k, const char* v) {
    return Key(k).String(v);
  }
  template <typename K>
  JsonWriter& Field(const K& k, bool v) {
    return Key(k).Bool(v);
  }
  template <typename K>
  JsonWriter& Field(const K& k, int64_t v) {
    return Key(k).Int(v);
  }
  template <typename K>
  JsonWriter& Field(const K& k, int v) {
    return Key(k).Int(v);
  }
  template <typename K>
  JsonWriter& Field(const K& k, uint64_t v) {
    return Key(k).Uint(v);
  }
  std::string& out() { return out_; }

 private:
  void Sep() {
    if (!first_) out_ += ',';
    first_ = false;
  }
  void AppendString(std::string_view s);
  // Whether `k` is a NUL-terminated literal with nothing JSON escapes (a control character, '"',
  // '\\') and no NUL before its end.
  template <size_t N>
  static constexpr bool IsPlainLiteral(const char (&k)[N]) {
    if (k[N - 1] != '\0') return false;
    for (size_t i = 0; i + 1 < N; ++i) {
      auto c = static_cast<unsigned char>(k[i]);
      if (c < 0x20 || c == '"' || c == '\\') return false;
    }
    return true;
  }

  std::string& out_;
  bool first_ = true;
};

// Appends `s` as a JSON string literal (with quotes) to `out`.
void AppendJsonString(std::string& out, std::string_view s);

}  // namespace plaza
