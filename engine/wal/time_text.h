// Times given by an operator (--since, --until, --at, later restore targets) and times written
// by PostgreSQL in backup history files and backup_label, read into one value: PostgreSQL's
// TimestampTz (microseconds since 2000-01-01 00:00:00 UTC). Pure: never reads the machine's
// clock or its time zone.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"
#include "wal/report.h"

namespace walpipe::wal {

// Accepts a date, optionally a time, and always a zone:
//   2026-11-24 15:54:16 UTC            PostgreSQL's own form (backup files, log lines)
//   2026-11-24 15:54:16.073428 UTC     ... with a fraction of up to 6 digits
//   2026-11-24 15:54:16+01, +0100, -05:30, " GMT"
//   2026-11-24T15:54:16Z               ISO 8601 (T or space; Z, UTC, GMT or an offset)
//   2026-11-24 15:54 UTC               seconds may be left out
//   2026-11-24 UTC                     a date alone is the start of that day in its zone
// A time without a zone is refused (kInvalidArgument, with a hint): a restore target read in
// the machine's zone would name another moment on a machine set to another zone. Named zones
// other than UTC and GMT are refused too: abbreviations are ambiguous (IST, CST). On error the
// message is the reason alone ("no time zone"); the caller names the value and where it came
// from.
Result<PgTimestamp> parse_time(std::string_view text);

// "2026-11-24 15:54:16 UTC": to the second, as a table shows it.
std::string format_time_seconds(PgTimestamp ts);

}  // namespace walpipe::wal
