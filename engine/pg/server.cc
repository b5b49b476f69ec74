#include "pg/server.h"

#include <cerrno>
#include <cstdlib>
#include <map>

#include "wal/lsn.h"
#include "wal/names.h"

namespace walpipe::pg {

namespace {

std::optional<int64_t> to_int(const std::optional<std::string>& text) {
  if (!text || text->empty()) return std::nullopt;
  char* end = nullptr;
  errno = 0;
  long long v = std::strtoll(text->c_str(), &end, 10);
  if (*end != '\0' || errno != 0) return std::nullopt;
  return v;
}

std::optional<double> to_double(const std::optional<std::string>& text) {
  if (!text || text->empty()) return std::nullopt;
  char* end = nullptr;
  double v = std::strtod(text->c_str(), &end);
  if (*end != '\0') return std::nullopt;
  return v;
}

Status unexpected(const Connection& conn, const std::string& what) {
  return Status(Code::kCorruption,
                "unexpected answer from PostgreSQL at " + conn.where() + ": " + what);
}

}  // namespace

std::optional<uint64_t> setting_in_base_unit(const std::string& value, const std::string& unit) {
  std::optional<int64_t> n = to_int(value);
  if (!n || *n < 0) return std::nullopt;
  // pg_settings gives memory in multiples of its unit ("8kB" is 8192 bytes per unit).
  static const std::map<std::string, uint64_t> kScale = {{"", 1},
                                                         {"B", 1},
                                                         {"kB", 1024},
                                                         {"8kB", 8192},
                                                         {"MB", 1u << 20},
                                                         {"16MB", 16u << 20},
                                                         {"GB", 1ull << 30},
                                                         {"ms", 1},
                                                         {"s", 1},
                                                         {"min", 60},
                                                         {"h", 3600},
                                                         {"d", 86400}};
  auto it = kScale.find(unit);
  if (it == kScale.end()) return std::nullopt;
  return static_cast<uint64_t>(*n) * it->second;
}

Result<ArchiverStats> read_archiver_stats(Connection& conn) {
  Result<Rows> rows = conn.query(
      "SELECT archived_count, last_archived_wal,"
      " extract(epoch FROM last_archived_time)::float8 AS last_archived_time,"
      " failed_count, last_failed_wal,"
      " extract(epoch FROM last_failed_time)::float8 AS last_failed_time,"
      " extract(epoch FROM stats_reset)::float8 AS stats_reset,"
      " extract(epoch FROM clock_timestamp())::float8 AS now"
      " FROM pg_stat_archiver");
  if (!rows.is_ok()) return rows.status();
  ArchiverStats s;
  std::optional<int64_t> archived = to_int(rows->get(0, "archived_count"));
  std::optional<int64_t> failed = to_int(rows->get(0, "failed_count"));
  std::optional<double> now = to_double(rows->get(0, "now"));
  if (!archived || !failed || !now) return unexpected(conn, "pg_stat_archiver has no counts");
  s.archived_count = *archived;
  s.failed_count = *failed;
  s.now = *now;
  s.last_archived_wal = rows->get(0, "last_archived_wal");
  s.last_archived_time = to_double(rows->get(0, "last_archived_time"));
  s.last_failed_wal = rows->get(0, "last_failed_wal");
  s.last_failed_time = to_double(rows->get(0, "last_failed_time"));
  s.stats_reset = to_double(rows->get(0, "stats_reset"));
  return s;
}

Result<ArchiveSettings> read_archive_settings(Connection& conn) {
  WALPIPE_ASSIGN_OR_RETURN(
      Rows rows,
      conn.query(
          "SELECT name, setting, coalesce(unit, '') AS unit FROM pg_settings WHERE name IN"
          " ('archive_mode', 'archive_command', 'archive_library', 'archive_timeout', 'wal_level',"
          " 'wal_segment_size', 'max_wal_size')"));
  std::map<std::string, std::pair<std::string, std::string>> by_name;
  for (size_t r = 0; r < rows.values.size(); ++r)
    by_name[rows.get(r, "name").value_or("")] = {rows.get(r, "setting").value_or(""),
                                                 rows.get(r, "unit").value_or("")};
  auto base = [&](const char* name) -> std::optional<uint64_t> {
    auto it = by_name.find(name);
    if (it == by_name.end()) return std::nullopt;
    return setting_in_base_unit(it->second.first, it->second.second);
  };
  ArchiveSettings s;
  s.archive_mode = by_name["archive_mode"].first;
  s.wal_level = by_name["wal_level"].first;
  s.archive_command_visible = by_name.count("archive_command") != 0;
  if (s.archive_command_visible) s.archive_command = by_name["archive_command"].first;
  if (auto it = by_name.find("archive_library"); it != by_name.end())
    s.archive_library = it->second.first;
  std::optional<uint64_t> timeout = base("archive_timeout");
  std::optional<uint64_t> seg = base("wal_segment_size");
  std::optional<uint64_t> max_wal = base("max_wal_size");
  if (!timeout || !seg || !max_wal || s.archive_mode.empty() || s.wal_level.empty() ||
      !wal::valid_segment_size(*seg))
    return unexpected(conn,
                      "pg_settings lacks the archiving settings or holds values out of "
                      "range");
  s.archive_timeout_s = static_cast<int64_t>(*timeout);
  s.wal_segment_size = *seg;
  s.max_wal_size = *max_wal;
  return s;
}

Result<WalPosition> read_wal_position(Connection& conn, uint64_t wal_segment_size) {
  // pg_walfile_name() is refused during recovery: a standby's timeline comes from its WAL
  // receiver when it streams, else from its last restartpoint.
  Result<Rows> rows = conn.query(
      "SELECT current_setting('server_version_num') AS version_num,"
      " current_setting('server_version') AS version, pg_is_in_recovery() AS in_recovery,"
      " CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn()"
      " ELSE pg_current_wal_lsn() END AS lsn,"
      " CASE WHEN pg_is_in_recovery() THEN coalesce("
      "   (SELECT received_tli FROM pg_stat_wal_receiver),"
      "   (SELECT timeline_id FROM pg_control_checkpoint()))"
      " ELSE ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::bigint"
      " END AS timeline");
  if (!rows.is_ok()) return rows.status();
  WalPosition p;
  std::optional<int64_t> version_num = to_int(rows->get(0, "version_num"));
  std::optional<wal::Lsn> lsn = wal::parse_lsn(rows->get(0, "lsn").value_or(""));
  std::optional<int64_t> timeline = to_int(rows->get(0, "timeline"));
  if (!version_num || !lsn || !timeline || *timeline <= 0 || *timeline > UINT32_MAX)
    return unexpected(conn, "no current WAL position");
  p.version_num = static_cast<int>(*version_num);
  p.version = rows->get(0, "version").value_or("");
  p.in_recovery = rows->get(0, "in_recovery").value_or("") == "t";
  p.lsn = *lsn;
  p.timeline = static_cast<uint32_t>(*timeline);
  // As pg_walfile_name() names it: an LSN on a segment boundary belongs to the segment before,
  // the one just finished, since nothing is written in the next one yet.
  const wal::SegNo segno = wal::segno_containing(p.lsn == 0 ? 0 : p.lsn - 1, wal_segment_size);
  p.walfile = wal::segment_file_name(p.timeline, segno, wal_segment_size).to_string();
  return p;
}

Result<ReadyBacklog> read_ready_backlog(Connection& conn) {
  Result<Rows> rows = conn.query(
      "SELECT count(*) AS ready, min(name) AS oldest,"
      " extract(epoch FROM min(modification))::float8 AS oldest_time"
      " FROM pg_ls_archive_statusdir() WHERE name LIKE '%.ready'");
  if (!rows.is_ok()) {
    if (conn.last_sqlstate() == "42501")
      return Status(rows.status().code(), rows.status().message())
          .with_hint("the .ready backlog needs the pg_monitor role: GRANT pg_monitor TO " +
                     conn.user() + ";");
    return rows.status();
  }
  ReadyBacklog b;
  std::optional<int64_t> count = to_int(rows->get(0, "ready"));
  if (!count) return unexpected(conn, "no count of .ready files");
  b.ready_count = *count;
  if (std::optional<std::string> oldest = rows->get(0, "oldest"); oldest) {
    constexpr std::string_view kSuffix = ".ready";
    if (oldest->ends_with(kSuffix)) oldest->resize(oldest->size() - kSuffix.size());
    b.oldest_ready = *oldest;
  }
  b.oldest_ready_time = to_double(rows->get(0, "oldest_time"));
  return b;
}

}  // namespace walpipe::pg
