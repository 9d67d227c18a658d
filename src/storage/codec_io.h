// The field encoding shared by Plaza's record codecs (record_codec.cc, moderation_codec.cc):
// Writer appends fields, Reader reads them back without trusting its input. Internal to
// src/storage.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "storage/record_codec.h"

namespace plaza::storage::codec {

// Appends fields to a byte string.
class Writer {
 public:
  explicit Writer(size_t reserve = 32) { out_.reserve(reserve); }

  void Byte(uint8_t b) { out_.push_back(static_cast<char>(b)); }
  void Varint(uint64_t v) {
    while (v >= 0x80) {
      out_.push_back(static_cast<char>((v & 0x7f) | 0x80));
      v >>= 7;
    }
    out_.push_back(static_cast<char>(v));
  }
  void Signed(int64_t v) {
    Varint((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
  }
  void String(std::string_view s) {
    Varint(s.size());
    out_.append(s);
  }
  void Bool(bool b) { Byte(b ? 1 : 0); }
  void BigEndian64(uint64_t v) {
    for (int shift = 56; shift >= 0; shift -= 8) Byte(static_cast<uint8_t>(v >> shift));
  }
  void BigEndian32(uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) Byte(static_cast<uint8_t>(v >> shift));
  }
  void Raw(std::string_view s) { out_.append(s); }

  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

// Reads fields back. Once a read fails the reader stays failed and every later read returns
// zero values, so decoders can read all fields and check ok() once at the end.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}

  bool ok() const { return ok_; }
  // True when every byte was consumed without error.
  bool Done() const { return ok_ && in_.empty(); }
  std::string_view rest() const { return in_; }

  uint8_t Byte() {
    if (!ok_ || in_.empty()) return Fail();
    uint8_t b = static_cast<uint8_t>(in_[0]);
    in_.remove_prefix(1);
    return b;
  }
  uint64_t Varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (!ok_ || in_.empty()) return Fail();
      uint8_t b = static_cast<uint8_t>(in_[0]);
      in_.remove_prefix(1);
      // The tenth byte may carry only the top bit of a 64-bit value.
      if (shift == 63 && b > 1) return Fail();
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) return v;
    }
    return Fail();
  }
  int64_t Signed() {
    uint64_t u = Varint();
    return static_cast<int64_t>((u >> 1) ^ (~(u & 1) + 1));
  }
  std::string String() {
    uint64_t n = Varint();
    if (!ok_ || n > in_.size()) {
      Fail();
      return {};
    }
    std::string s(in_.substr(0, n));
    in_.remove_prefix(n);
    return s;
  }
  bool Bool() {
    uint8_t b = Byte();
    if (b > 1) Fail();
    return b == 1;
  }
  // An enum stored as one byte whose largest known value is `max`.
  template <typename E>
  E Enum(E max) {
    uint8_t b = Byte();
    if (b > static_cast<uint8_t>(max)) return static_cast<E>(Fail());
    return static_cast<E>(b);
  }
  uint64_t BigEndian64() {
    if (!ok_ || in_.size() < 8) return Fail();
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(in_[i]);
    in_.remove_prefix(8);
    return v;
  }
  uint32_t BigEndian32() {
    if (!ok_ || in_.size() < 4) return static_cast<uint32_t>(Fail());
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<uint8_t>(in_[i]);
    in_.remove_prefix(4);
    return v;
  }
  // Consumes the expected table byte of a key.
  void ExpectTable(Table table) {
    if (Byte() != static_cast<uint8_t>(table)) Fail();
  }
  // Consumes the value version byte.
  void ExpectVersion() {
    if (Byte() != kValueVersion) Fail();
  }
  // Upper bound on how many more list elements can follow, each taking at least one byte.
  bool CountFits(uint64_t n) {
    if (!ok_ || n > in_.size()) {
      Fail();
      return false;
    }
    return true;
  }
  std::string_view TakeRest() {
    std::string_view r = in_;
    in_ = {};
    return r;
  }

 private:
  uint8_t Fail() {
    ok_ = false;
    in_ = {};
    return 0;
  }

  std::string_view in_;
  bool ok_ = true;
};

}  // namespace plaza::storage::codec
