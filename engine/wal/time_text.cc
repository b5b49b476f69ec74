#include "wal/time_text.h"

#include <cstdint>
#include <cstdio>
#include <optional>

namespace walpipe::wal {

namespace {

constexpr int64_t kMicrosPerSecond = 1000000;
constexpr int64_t kSecondsPerDay = 86400;
// Days from 0000-03-01 to 1970-01-01 in the proleptic Gregorian calendar (days_from_civil).
constexpr int64_t kEpochShiftDays = 719468;
constexpr int kMaxOffsetHours = 15;
constexpr int64_t kFirstUnixSecond = -62135596800;  // 0001-01-01 00:00:00 UTC
constexpr int64_t kLastUnixSecond =
    253402300799;  // 9999-12-31 23:59:59 UTC  // PostgreSQL accepts offsets up to 15:59

const char* const kZoneHint =
    "Give the zone, as in \"2026-11-24 15:54:16 UTC\", \"2026-11-24T15:54:16Z\" or "
    "\"2026-11-24 16:54:16+01\": a time read in this machine's zone would name another moment "
    "elsewhere.";

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
int64_t days_from_civil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - kEpochShiftDays;
}

int days_in_month(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

class Cursor {
 public:
  explicit Cursor(std::string_view text) : text_(text) {}
  bool done() const { return pos_ == text_.size(); }
  char peek() const { return done() ? '\0' : text_[pos_]; }
  bool take(char c) {
    if (peek() != c) return false;
    ++pos_;
    return true;
  }
  // Exactly `n` decimal digits.
  std::optional<int> digits(size_t n) {
    if (text_.size() - pos_ < n) return std::nullopt;
    int v = 0;
    for (size_t i = 0; i < n; ++i) {
      char c = text_[pos_ + i];
      if (c < '0' || c > '9') return std::nullopt;
      v = v * 10 + (c - '0');
    }
    pos_ += n;
    return v;
  }
  std::string_view rest() const { return text_.substr(pos_); }

 private:
  std::string_view text_;
  size_t pos_ = 0;
};

Status bad(std::string reason) { return Status(Code::kInvalidArgument, std::move(reason)); }

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i] >= 'a' && a[i] <= 'z' ? static_cast<char>(a[i] - 32) : a[i];
    if (x != b[i]) return false;
  }
  return true;
}

// The zone at the cursor, as seconds east of UTC.
Result<int64_t> parse_zone(Cursor& c) {
  const bool spaced = c.take(' ');
  const std::string_view zone = c.rest();
  if (zone.empty()) return bad(spaced ? "nothing after the space" : "no time zone");
  if (equals_ignoring_case(zone, "UTC") || equals_ignoring_case(zone, "GMT") ||
      (!spaced && zone == "Z"))
    return int64_t{0};
  const char sign = c.peek();
  if (sign != '+' && sign != '-') {
    for (char ch : zone)
      if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z')))
        return bad("unexpected text \"" + std::string(zone) + "\"");
    return Status(Code::kInvalidArgument, "time zone \"" + std::string(zone) + "\" is not known")
        .with_hint("Use UTC, GMT or a numeric offset such as +01 or -05:30.");
  }
  c.take(sign);
  std::optional<int> hours = c.digits(2);
  std::optional<int> minutes = 0;
  if (!c.done()) {
    c.take(':');
    minutes = c.digits(2);
  }
  if (!hours || !minutes || !c.done())
    return bad("time zone offset \"" + std::string(zone) + "\" is not +HH, +HHMM or +HH:MM");
  if (*hours > kMaxOffsetHours || *minutes > 59)
    return bad("time zone offset \"" + std::string(zone) + "\" is out of range");
  const int64_t offset = *hours * 3600 + *minutes * 60;
  return sign == '-' ? -offset : offset;
}

// Microseconds from a fraction of 1 to 6 digits after the '.' already taken.
std::optional<int64_t> parse_fraction(Cursor& c) {
  int64_t micros = 0;
  size_t n = 0;
  while (c.peek() >= '0' && c.peek() <= '9') {
    if (++n > 6) return std::nullopt;
    micros = micros * 10 + (c.peek() - '0');
    c.take(c.peek());
  }
  if (n == 0) return std::nullopt;
  for (; n < 6; ++n) micros *= 10;
  return micros;
}

}  // namespace

Result<PgTimestamp> parse_time(std::string_view text) {
  Cursor c(text);
  std::optional<int> year = c.digits(4);
  std::optional<int> month, day;
  if (year && c.take('-')) month = c.digits(2);
  if (month && c.take('-')) day = c.digits(2);
  if (!day) return bad("not a date: expected YYYY-MM-DD");
  if (*year < 1) return bad("year " + std::to_string(*year) + " is out of range");
  if (*month < 1 || *month > 12) return bad("month " + std::to_string(*month) + " is out of range");
  if (*day < 1 || *day > days_in_month(*year, *month))
    return bad("day " + std::to_string(*day) + " is out of range for the month");
  int hour = 0, minute = 0, second = 0;
  int64_t micros = 0;
  const char after_date = c.peek();
  // A space may start the time or the zone; a digit after it says which.
  const bool has_time = after_date == 'T' || (after_date == ' ' && c.rest().size() > 1 &&
                                              c.rest()[1] >= '0' && c.rest()[1] <= '9');
  if (has_time) {
    c.take(after_date);
    std::optional<int> h = c.digits(2);
    std::optional<int> m;
    if (h && c.take(':')) m = c.digits(2);
    if (!m) return bad("not a time of day: expected HH:MM or HH:MM:SS");
    if (c.take(':')) {
      std::optional<int> s = c.digits(2);
      if (!s) return bad("not a time of day: expected HH:MM:SS");
      second = *s;
      if (c.take('.')) {
        std::optional<int64_t> fraction = parse_fraction(c);
        if (!fraction) return bad("a fraction of a second has 1 to 6 digits");
        micros = *fraction;
      }
    }
    hour = *h;
    minute = *m;
    if (hour > 23 || minute > 59 || second > 59) return bad("time of day is out of range");
  }
  Result<int64_t> offset = parse_zone(c);
  if (!offset.is_ok()) {
    if (offset.status().message() == "no time zone")
      return Status(Code::kInvalidArgument, "no time zone").with_hint(kZoneHint);
    return offset;
  }
  const int64_t unix_seconds = days_from_civil(*year, *month, *day) * kSecondsPerDay + hour * 3600 +
                               minute * 60 + second - *offset;
  // An offset can carry the first or last day past the years that print as YYYY.
  if (unix_seconds < kFirstUnixSecond || unix_seconds > kLastUnixSecond)
    return bad("out of range: before 0001-01-01 or after 9999-12-31 in UTC");
  return (unix_seconds - kPgEpochUnixSeconds) * kMicrosPerSecond + micros;
}

std::string format_time_seconds(PgTimestamp ts) {
  std::string full = format_pg_timestamp(ts);  // "YYYY-MM-DD HH:MM:SS.ffffff UTC"
  return full.substr(0, 19) + " UTC";
}

}  // namespace walpipe::wal
