#include "common/json_writer.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace plaza
