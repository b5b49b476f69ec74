// wal::parse_time: every accepted form gives the same instant, and every refused one says why.
#include "wal/time_text.h"

#include <gtest/gtest.h>

namespace walpipe::wal {
namespace {

constexpr PgTimestamp kBackupStart = 848850857000000;  // 2026-11-24 15:54:17 UTC

PgTimestamp ok(const std::string& text) {
  Result<PgTimestamp> t = parse_time(text);
  EXPECT_TRUE(t.is_ok()) << text << ": " << (t.is_ok() ? "" : t.status().to_string());
  return t.is_ok() ? *t : -1;
}

std::string refused(const std::string& text) {
  Result<PgTimestamp> t = parse_time(text);
  EXPECT_FALSE(t.is_ok()) << text;
  if (t.is_ok()) return "";
  EXPECT_EQ(t.status().code(), Code::kInvalidArgument);
  return t.status().to_string();
}

TEST(TimeText, EveryFormNamesTheSameInstant) {
  for (const char* text :
       {"2026-11-24 15:54:17 UTC", "2026-11-24 15:54:17 GMT", "2026-11-24 15:54:17 utc",
        "2026-11-24T15:54:17Z", "2026-11-24 15:54:17Z", "2026-11-24 15:54:17+00",
        "2026-11-24 16:54:17+01", "2026-11-24 16:54:17 +01:00", "2026-11-24T10:24:17-0530",
        "2026-11-24 15:54:17.000000 UTC", "2026-11-24T15:54:17.0Z"})
    EXPECT_EQ(ok(text), kBackupStart) << text;
}

TEST(TimeText, DatesFractionsAndTheEpoch) {
  EXPECT_EQ(ok("2000-01-01 00:00:00 UTC"), 0);
  EXPECT_EQ(ok("1999-12-31 23:59:59 UTC"), -1000000);
  EXPECT_EQ(ok("2024-02-29 UTC"), 762480000000000);  // a date alone: the start of the day
  EXPECT_EQ(ok("2024-02-29Z"), 762480000000000);
  EXPECT_EQ(ok("2024-02-29 02:00+02"), 762480000000000);  // seconds may be left out
  EXPECT_EQ(ok("2026-11-24 15:54:17.5 UTC"), kBackupStart + 500000);
  EXPECT_EQ(ok("2026-11-24 15:54:17.000001 UTC"), kBackupStart + 1);
}

// What list prints, list reads back: the JSON times can be pasted into --at.
TEST(TimeText, PostgresFormattedTimesReadBack) {
  for (PgTimestamp t : {PgTimestamp{0}, kBackupStart + 73428, PgTimestamp{-1}, PgTimestamp{1}})
    EXPECT_EQ(ok(format_pg_timestamp(t)), t) << format_pg_timestamp(t);
  EXPECT_EQ(format_time_seconds(kBackupStart + 999999), "2026-11-24 15:54:17 UTC");
}

const char* const kZoneHint =
    "HINT: Give the zone, as in \"2026-11-24 15:54:16 UTC\", \"2026-11-24T15:54:16Z\" or "
    "\"2026-11-24 16:54:16+01\": a time read in this machine's zone would name another moment "
    "elsewhere.";

TEST(TimeText, ATimeWithoutAZoneIsRefusedWithAHint) {
  EXPECT_EQ(refused("2026-11-24 15:54:17"), std::string("no time zone\n") + kZoneHint);
  EXPECT_EQ(refused("2026-11-24T15:54:17"), std::string("no time zone\n") + kZoneHint);
  EXPECT_EQ(refused("2026-11-24"), std::string("no time zone\n") + kZoneHint);
}

TEST(TimeText, NamedZonesOtherThanUtcAreRefused) {
  EXPECT_EQ(refused("2026-11-24 15:54:17 CET"),
            "time zone \"CET\" is not known\n"
            "HINT: Use UTC, GMT or a numeric offset such as +01 or -05:30.");
  EXPECT_EQ(refused("2026-11-24 15:54:17 Europe/Paris"), "unexpected text \"Europe/Paris\"");
}

TEST(TimeText, MalformedTimesSayWhatIsWrong) {
  EXPECT_EQ(refused(""), "not a date: expected YYYY-MM-DD");
  EXPECT_EQ(refused("yesterday"), "not a date: expected YYYY-MM-DD");
  EXPECT_EQ(refused("24/11/2026 UTC"), "not a date: expected YYYY-MM-DD");
  EXPECT_EQ(refused("2026-13-01 UTC"), "month 13 is out of range");
  EXPECT_EQ(refused("2026-02-29 UTC"), "day 29 is out of range for the month");
  EXPECT_EQ(refused("0000-01-01 UTC"), "year 0 is out of range");
  EXPECT_EQ(refused("2026-11-24 24:00:00 UTC"), "time of day is out of range");
  EXPECT_EQ(refused("2026-11-24 15:60 UTC"), "time of day is out of range");
  EXPECT_EQ(refused("2026-11-24 15 UTC"), "not a time of day: expected HH:MM or HH:MM:SS");
  EXPECT_EQ(refused("2026-11-24 15:54:1 UTC"), "not a time of day: expected HH:MM:SS");
  EXPECT_EQ(refused("2026-11-24 15:54:17.1234567 UTC"), "a fraction of a second has 1 to 6 digits");
  EXPECT_EQ(refused("2026-11-24 15:54:17. UTC"), "a fraction of a second has 1 to 6 digits");
  EXPECT_EQ(refused("2026-11-24 15:54:17+16"), "time zone offset \"+16\" is out of range");
  EXPECT_EQ(refused("2026-11-24 15:54:17+1"),
            "time zone offset \"+1\" is not +HH, +HHMM or +HH:MM");
  EXPECT_EQ(refused("2026-11-24 15:54:17 "), "nothing after the space");
  EXPECT_EQ(refused("0001-01-01 00:00:00+01"),
            "out of range: before 0001-01-01 or after 9999-12-31 in UTC");
  EXPECT_EQ(ok("9999-12-31 23:59:59.999999 UTC"), ok("9999-12-31 23:59:59 UTC") + 999999);
  EXPECT_EQ(refused("2026-11-24 15:54:17 Z"),
            "time zone \"Z\" is not known\n"
            "HINT: Use UTC, GMT or a numeric offset such as +01 or -05:30.");
  EXPECT_EQ(refused("2026-11-24 15:54:17 UTC "), "unexpected text \"UTC \"");
}

}  // namespace
}  // namespace walpipe::wal
