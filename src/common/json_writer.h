// A streaming JSON writer that appends straight into a caller-owned buffer: no DOM, no
// per-field allocation. Commas are inserted automatically; the caller keeps objects balanced.
#pragma once

#include <cstdint>
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
  JsonWriter& Field(std::string_view k, std::string_view v) { return Key(k).String(v); }
  JsonWriter& Field(std::string_view k, const char* v) { return Key(k).String(v); }
  JsonWriter& Field(std::string_view k, bool v) { return Key(k).Bool(v); }
  JsonWriter& Field(std::string_view k, int64_t v) { return Key(k).Int(v); }
  JsonWriter& Field(std::string_view k, int v) { return Key(k).Int(v); }
  JsonWriter& Field(std::string_view k, uint64_t v) { return Key(k).Uint(v); }

  std::string& out() { return out_; }

 private:
  void Sep() {
    if (!first_) out_ += ',';
    first_ = false;
  }
  void AppendString(std::string_view s);

  std::string& out_;
  bool first_ = true;
};

// Appends `s` as a JSON string literal (with quotes) to `out`.
void AppendJsonString(std::string& out, std::string_view s);

}  // namespace plaza
