// What PostgreSQL writes about a base backup, read strictly: the backup history file it
// archives when a backup ends (SEGMENT.OFFSET.backup) and the backup_label at the root of the
// backup itself. Both are build_backup_content()'s "KEY: value" lines; the history file adds
// the STOP lines. Every line must be one PostgreSQL writes, with a value that parses. Pure: the
// bytes in, a value or one message naming the file and the line out.
//
// The tolerant reader in wal/history.h serves push and verify, which must archive whatever
// PostgreSQL hands over; this one serves list and the commands that rely on a backup's
// positions and times, where a misread value would mislead.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/bytes.h"
#include "base/status.h"
#include "wal/lsn.h"
#include "wal/report.h"

namespace walpipe::wal {

enum class BackupFileKind {
  kHistoryFile,  // SEGMENT.OFFSET.backup: STOP WAL LOCATION, STOP TIME and STOP TIMELINE required
  kLabel,        // backup_label: no STOP lines
};

struct BackupInfo {
  Lsn start_lsn = 0;
  std::string start_segment;  // "(file NAME)" of START WAL LOCATION: the first segment needed
  Lsn checkpoint_lsn = 0;
  std::string method;  // "streamed" or "pg_start_backup"
  std::string from;    // "primary" or "standby" ("master" before PostgreSQL 14), as written
  PgTimestamp start_time = 0;
  std::string label;
  TimeLineId start_tli = 0;
  // The history file's STOP lines.
  std::optional<Lsn> stop_lsn;
  std::string stop_segment;
  std::optional<PgTimestamp> stop_time;
  std::optional<TimeLineId> stop_tli;
  // PostgreSQL 17's incremental backups: the backup they build on.
  std::optional<Lsn> incremental_from_lsn;
  std::optional<TimeLineId> incremental_from_tli;
};

// Parses `text` as a file of `kind` named `what` in messages. Errors are kCorruption:
// 'invalid backup history file "WHAT": line 5: START TIME "…": no time zone' (the HINT of a
// time that does not parse is kept), or '… : no LABEL line'. Checks besides each value: keys at
// most once, the "(file NAME)" segments on the timelines given and holding their LSN's high
// half, START <= CHECKPOINT <= STOP, STOP TIMELINE >= START TIMELINE, START TIME <= STOP TIME.
Result<BackupInfo> parse_backup_file(Bytes text, const std::string& what, BackupFileKind kind);

}  // namespace walpipe::wal
