#include "common/clock.h"

namespace plaza {
namespace {

void Put2(char* p, unsigned v) {
  p[0] = static_cast<char>('0' + v / 10);
  p[1] = static_cast<char>('0' + v % 10);
}

// "YYYY-MM-DDTHH:MM:SS.mmmZ" into `p` (24 bytes), without the C library's time zone machinery:
// this runs for every account and status rendered.
void Format(int64_t unix_ms, char* p) {
  using namespace std::chrono;
  int64_t secs = unix_ms / 1000;
  int64_t ms = unix_ms % 1000;
  if (ms < 0) {
    ms += 1000;
    --secs;
  }
  int64_t days = secs / 86400;
  int64_t rem = secs % 86400;
  if (rem < 0) {
    rem += 86400;
    --days;
  }
  year_month_day ymd{sys_days{std::chrono::days{days}}};
  int year = static_cast<int>(ymd.year());
  if (year < 0 || year > 9999) year = year < 0 ? 0 : 9999;  // outside ISO 8601's four digits
  Put2(p, static_cast<unsigned>(year / 100));
  Put2(p + 2, static_cast<unsigned>(year % 100));
  p[4] = '-';
  Put2(p + 5, static_cast<unsigned>(ymd.month()));
  p[7] = '-';
  Put2(p + 8, static_cast<unsigned>(ymd.day()));
  p[10] = 'T';
  Put2(p + 11, static_cast<unsigned>(rem / 3600));
  p[13] = ':';
  Put2(p + 14, static_cast<unsigned>(rem / 60 % 60));
  p[16] = ':';
  Put2(p + 17, static_cast<unsigned>(rem % 60));
  p[19] = '.';
  p[20] = static_cast<char>('0' + ms / 100);
  Put2(p + 21, static_cast<unsigned>(ms % 100));
  p[23] = 'Z';
}

}  // namespace

std::string FormatIso8601(int64_t unix_ms) {
  char buf[24];
  Format(unix_ms, buf);
  return std::string(buf, sizeof buf);
}

void AppendIso8601(std::string& out, int64_t unix_ms) {
  char buf[24];
  Format(unix_ms, buf);
  out.append(buf, sizeof buf);
}

void AppendIsoDate(std::string& out, int64_t unix_ms) {
  char buf[24];
  Format(unix_ms, buf);
  out.append(buf, 10);
}

}  // namespace plaza
