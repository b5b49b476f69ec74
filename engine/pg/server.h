// What a PostgreSQL server (13 to 18) says about its archiving: pg_stat_archiver, the settings
// that decide it, where its WAL is, and the .ready backlog. Plain values, read with one query
// each; times are seconds since the Unix epoch as the server's clock gives them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/status.h"
#include "pg/connection.h"

namespace walpipe::pg {

struct ArchiverStats {
  int64_t archived_count = 0;
  std::optional<std::string> last_archived_wal;
  std::optional<double> last_archived_time;
  int64_t failed_count = 0;
  std::optional<std::string> last_failed_wal;
  std::optional<double> last_failed_time;
  std::optional<double> stats_reset;
  double now = 0;  // the server's clock when it answered, to measure ages against
};
Result<ArchiverStats> read_archiver_stats(Connection& conn);

struct ArchiveSettings {
  std::string archive_mode;     // "off", "on", "always"
  std::string archive_command;  // "" when unset or hidden from this role
  std::string archive_library;  // PostgreSQL 15 and later; "" otherwise
  bool archive_command_visible = false;  // pg_settings may hide it from an unprivileged role
  int64_t archive_timeout_s = 0;
  std::string wal_level;
  uint64_t wal_segment_size = 0;  // bytes: the server's, not an assumed 16 MiB
  uint64_t max_wal_size = 0;      // bytes
};
Result<ArchiveSettings> read_archive_settings(Connection& conn);

struct WalPosition {
  int version_num = 0;        // 150018
  std::string version;        // "15.18"
  bool in_recovery = false;
  uint64_t lsn = 0;           // the current insert LSN, or on a standby the last replayed
  uint32_t timeline = 0;      // of that LSN (a standby's replay timeline)
  std::string walfile;        // the segment holding it, as pg_walfile_name() names it
};
Result<WalPosition> read_wal_position(Connection& conn, uint64_t wal_segment_size);

struct ReadyBacklog {
  int64_t ready_count = 0;
  std::optional<std::string> oldest_ready;  // the file PostgreSQL archives next
  std::optional<double> oldest_ready_time;  // the oldest .ready file's modification time
};
// pg_ls_archive_statusdir() needs superuser or pg_monitor: refused, the Status says so with a
// HINT naming the GRANT.
Result<ReadyBacklog> read_ready_backlog(Connection& conn);

// Converts a pg_settings value with its unit ("8kB", "MB", "s", "min", "B") to bytes or seconds.
std::optional<uint64_t> setting_in_base_unit(const std::string& value, const std::string& unit);

}  // namespace walpipe::pg
