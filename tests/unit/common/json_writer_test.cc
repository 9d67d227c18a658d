#include "common/json_writer.h"

#include <gtest/gtest.h>

#include <random>

namespace plaza {
namespace {

TEST(JsonWriterTest, WritesNestedWithCommas) {
  std::string out;
  JsonWriter w(out);
  w.BeginObject().Field("a", int64_t{1}).Key("b").BeginArray().String("x").Bool(false).Null()
      .EndArray().Key("c").BeginObject().EndObject().Field("d", "q\"\n\x01").EndObject();
  EXPECT_EQ(out, R"({"a":1,"b":["x",false,null],"c":{},"d":"q\"\n\u0001"})");
}

TEST(JsonWriterTest, ArrayOfObjects) {
  std::string out;
  JsonWriter w(out);
  w.BeginArray();
  for (int i = 0; i < 2; ++i) w.BeginObject().Field("i", i).EndObject();
  w.EndArray();
  EXPECT_EQ(out, R"([{"i":0},{"i":1}])");
}

// Literal keys take a path of their own (one copy, no escaping); a literal that does need
// escaping, and keys that are not literals, must come out as from String.
TEST(JsonWriterTest, KeysFromLiteralsAndFromStringsAreWrittenAlike) {
  std::string literal_keys;
  JsonWriter a(literal_keys);
  a.BeginObject().Key("plain").Int(1).Key("quo\"te").Int(2).Key("back\\slash").Int(3);
  a.Key("tab\t").Int(4).Key("").Int(5).Field("f", "v").EndObject();
  std::string string_keys;
  JsonWriter b(string_keys);
  b.BeginObject().Key(std::string("plain")).Int(1).Key(std::string_view("quo\"te")).Int(2);
  b.Key(std::string("back\\slash")).Int(3).Key(std::string("tab\t")).Int(4);
  b.Key(std::string()).Int(5).Field(std::string("f"), "v").EndObject();
  EXPECT_EQ(literal_keys, R"({"plain":1,"quo\"te":2,"back\\slash":3,"tab\t":4,"":5,"f":"v"})");
  EXPECT_EQ(literal_keys, string_keys);
}

// A char array that is not a plain literal (a NUL before its end) is read up to its first NUL, as
// a C string.
TEST(JsonWriterTest, ACharArrayKeyEndsAtItsFirstNul) {
  char name[16] = "id";
  std::string out;
  JsonWriter(out).BeginObject().Key(name).Int(7).EndObject();
  EXPECT_EQ(out, R"({"id":7})");
}

}  // namespace
}  // namespace plaza

namespace plaza {
namespace {

// The escaping the word-at-a-time AppendJsonString must match, one byte at a time.
std::string ReferenceJsonString(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 0xF];
        } else {
          out += ch;
        }
    }
  }
  return out + "\"";
}

// Every byte value that needs escaping, and a neighbour on each side of it that does not, at
// every offset of a string long enough to span several eight-byte words.
TEST(JsonStringTest, EscapesEveryByteAtEveryOffsetAsTheByteWiseReferenceDoes) {
  const std::string clean = "The quick brown fox \xE5\xBE\xAE\xE5\x8D\x9A jumps over";  // 微博
  for (int b = 0; b < 256; ++b) {
    for (size_t at = 0; at <= clean.size(); ++at) {
      std::string s = clean;
      s.insert(at, 1, static_cast<char>(b));
      std::string out;
      AppendJsonString(out, s);
      ASSERT_EQ(out, ReferenceJsonString(s)) << "byte " << b << " at " << at;
    }
  }
  for (int b : {0x1F, 0x20, 0x21, 0x22, 0x5B, 0x5C, 0x5D, 0x7F, 0x80, 0xFF}) {
    std::string s(19, static_cast<char>(b));  // a run of it across words
    std::string out;
    AppendJsonString(out, s);
    EXPECT_EQ(out, ReferenceJsonString(s)) << "run of " << b;
  }
  std::string out = "x";
  AppendJsonString(out, "");
  EXPECT_EQ(out, "x\"\"");
}

// Random strings dense with bytes to escape (several in one sixteen-byte block, side by side, at
// a block's first and last byte) among clean ASCII and UTF-8 bytes, of every length up to 100.
TEST(JsonStringTest, EscapesRandomTextDenseWithSpecialsAsTheReferenceDoes) {
  const std::string alphabet = "\"\\\n\t\x01\x1f ab<>=/\x7f\x80\xe5\xbe\xae\xff";
  std::mt19937 rng(11);
  for (int n = 0; n < 20000; ++n) {
    std::string s(rng() % 101, ' ');
    for (char& c : s) c = alphabet[rng() % alphabet.size()];
    std::string out = "x";
    AppendJsonString(out, s);
    ASSERT_EQ(out, "x" + ReferenceJsonString(s)) << n;
  }
}

}  // namespace
}  // namespace plaza
