// What inspecting one WAL file found: identity, LSN and commit-time range, and every problem
// with its byte offset, LSN and a reason worded like PostgreSQL's own messages.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "wal/lsn.h"

namespace walpipe::wal {

enum class Severity { kError, kWarning, kInfo };

const char* severity_name(Severity severity);

struct Finding {
  Severity severity = Severity::kError;
  const char* code = "";  // stable identifier from docs/wal-format.md §14, e.g. "CRC_MISMATCH"
  uint64_t offset = 0;    // byte offset in the file
  Lsn lsn = 0;            // 0 when the problem has no WAL position
  std::string message;
};

// PostgreSQL TimestampTz: microseconds since 2000-01-01 00:00:00 UTC.
using PgTimestamp = int64_t;
inline constexpr int64_t kPgEpochUnixSeconds = 946684800;
inline double unix_seconds(PgTimestamp ts) {
  return static_cast<double>(ts) / 1e6 + static_cast<double>(kPgEpochUnixSeconds);
}
std::string format_pg_timestamp(PgTimestamp ts);  // "2026-11-24 15:54:16.073428 UTC"

struct SegmentReport {
  bool is_wal = false;  // page 0 carried a usable long header
  uint16_t magic = 0;
  std::string version;  // "15", "9.6", …
  uint64_t system_id = 0;
  uint32_t segment_size = 0;
  uint32_t page_size = 0;
  TimeLineId timeline = 0;      // from the file name, else from page 0
  TimeLineId min_page_tli = 0;  // page timelines seen by the walk
  TimeLineId max_page_tli = 0;
  Lsn segment_start = 0;
  bool open_end = false;  // end of WAL before the end of the file is expected here

  uint64_t record_count = 0;  // records that start and end in this file
  Lsn first_record_lsn = 0;
  Lsn last_record_lsn = 0;
  Lsn end_lsn = 0;  // first byte after the last complete record
  std::optional<PgTimestamp> first_commit_time;
  std::optional<PgTimestamp> last_commit_time;
  bool ends_with_switch = false;
  std::optional<std::string> end_of_wal;  // why WAL ended early, when it did

  // For checks across consecutive segments.
  uint32_t leading_continuation = 0;        // xlp_rem_len of page 0 (0 without CONTRECORD)
  std::optional<Lsn> first_record_prev;     // xl_prev of the first record that starts here
  std::optional<Lsn> continued_record_lsn;  // a record that runs past the end of the file
  uint64_t continued_remaining = 0;         // … and how many of its bytes the next file holds
  std::optional<Lsn> overwritten_lsn;       // page 0 overwrote a record lost in the previous file

  std::vector<Finding> findings;
  uint64_t findings_dropped = 0;  // past the cap, counted but not kept

  bool valid() const;
  const Finding* first_error() const;
  void add(Severity severity, const char* code, uint64_t offset, Lsn lsn, std::string message);
};

}  // namespace walpipe::wal
