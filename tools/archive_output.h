// What walpipe list and walpipe restore-plan both write about an archive: a base backup as a line
// of text or a JSON object, times that may be absent, and counted nouns. One wording, so that a
// backup reads the same in both commands and a script parses both documents alike.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "json.h"
#include "pipeline/backups.h"
#include "wal/time_text.h"

namespace walpipe::cli {

// The most problems a JSON document carries; stderr has them all.
inline constexpr size_t kMaxProblemsInDocument = 100;

// "backup 00000001000000000000003A.000000D8.backup", or backup "DIR" for one given by folder.
std::string backup_name(const pipeline::KnownBackup& backup);
// "backup …: label …, from primary, start … at 2026-11-24 15:54:17 UTC, …, needs WAL from …":
// one backup on one line.
std::string backup_line(const pipeline::KnownBackup& backup);

// What a backup's JSON object holds: every field (list), or those that say where it starts and
// ends (restore-plan, which keeps first_segment last).
enum class BackupFields { kAll, kExtent };
void backup_json(json::Writer& w, const pipeline::KnownBackup& backup, BackupFields fields);

// The time as format_pg_timestamp writes it; none (null in --json) without one.
std::optional<std::string> time_or_none(const std::optional<wal::PgTimestamp>& t);
// `text`; none (null in --json) when it is missing or empty.
std::optional<std::string> text_or_none(const std::optional<std::string>& text);

// "1 object", "2 objects".
std::string plural(uint64_t n, const char* one, const char* many);

}  // namespace walpipe::cli
