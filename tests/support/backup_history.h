// The backup history file PostgreSQL 16 archived with the corpus (pg16/1mb): a base backup by
// pg_basebackup that starts and ends in segment 3A of timeline 1, as the parsers read it.
#pragma once

namespace walpipe::testing {

inline constexpr const char* kPg16BackupHistory =
    "START WAL LOCATION: 0/3A000D8 (file 00000001000000000000003A)\n"
    "STOP WAL LOCATION: 0/3A001B0 (file 00000001000000000000003A)\n"
    "CHECKPOINT LOCATION: 0/3A00110\n"
    "BACKUP METHOD: streamed\n"
    "BACKUP FROM: primary\n"
    "START TIME: 2026-11-24 15:54:17 UTC\n"
    "LABEL: pg_basebackup base backup\n"
    "START TIMELINE: 1\n"
    "STOP TIME: 2026-11-24 15:54:18 UTC\n"
    "STOP TIMELINE: 1\n";

}  // namespace walpipe::testing
