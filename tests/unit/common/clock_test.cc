#include "common/clock.h"
#include "common/json_writer.h"

#include <gtest/gtest.h>

namespace plaza {
namespace {

TEST(FormatIso8601, WritesUtcWithMilliseconds) {
  EXPECT_EQ(FormatIso8601(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatIso8601(1764090815123), "2025-11-25T17:13:35.123Z");
  EXPECT_EQ(FormatIso8601(1709208000999), "2024-02-29T12:00:00.999Z");  // leap day
  EXPECT_EQ(FormatIso8601(951782400000), "2000-02-29T00:00:00.000Z");   // century leap year
  EXPECT_EQ(FormatIso8601(253402300799999), "9999-12-31T23:59:59.999Z");
}

TEST(FormatIso8601, BeforeTheEpochRoundsDown) {
  EXPECT_EQ(FormatIso8601(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(FormatIso8601(-86400000), "1969-12-31T00:00:00.000Z");
}

TEST(AppendIso8601, AppendsTheSameTextAndTheDate) {
  std::string out = "x";
  AppendIso8601(out, 1764090815123);
  EXPECT_EQ(out, "x2025-11-25T17:13:35.123Z");
  out.clear();
  AppendIsoDate(out, 1764090815123);
  EXPECT_EQ(out, "2025-11-25");
}

TEST(AppendJsonInt, WritesDecimal) {
  std::string out;
  AppendJsonInt(out, -9223372036854775807LL - 1);
  out += ' ';
  AppendJsonUint(out, 18446744073709551615ULL);
  EXPECT_EQ(out, "-9223372036854775808 18446744073709551615");
}

}  // namespace
}  // namespace plaza
