#include "monitor/status.h"

#include "io/fs.h"
#include "pipeline/file_loader.h"
#include "wal/inspect.h"
#include "wal/names.h"

namespace walpipe::monitor {

namespace {

// How many segments after the last archived one are read for a commit: the first commit not
// archived is almost always in the first; a bound keeps status fast on a long backlog.
constexpr uint64_t kAtRiskSearchSegments = 8;

void measure_lag(ServerSide* server) {
  const uint64_t seg_size = server->settings.wal_segment_size;
  if (!server->stats.last_archived_wal) return;
  Result<wal::WalFileName> last = wal::parse_file_name(*server->stats.last_archived_wal);
  if (!last.is_ok() || last->kind != wal::FileKind::kSegment ||
      last->tli != server->position.timeline)
    return;
  std::optional<wal::SegNo> last_segno = wal::segno_of(*last, seg_size);
  if (!last_segno) return;
  const wal::Lsn archived_end = wal::segment_start_lsn(*last_segno + 1, seg_size);
  const wal::Lsn position = server->position.lsn;
  server->archived_end = archived_end;
  server->bytes_behind = position > archived_end ? position - archived_end : 0;
  // A segment is complete once the server has moved past its end (a switch leaves the position
  // exactly at the start of the next one).
  const wal::SegNo started = position / seg_size;
  server->segments_behind = started > *last_segno + 1 ? started - (*last_segno + 1) : 0;
}

// Reads the segments after the last archived one in pg_wal, oldest first, for the first commit.
void find_commit_at_risk(const std::string& pgdata, ServerSide* server) {
  if (!server->archived_end) {
    server->at_risk_error = "the last archived file is not a segment of the current timeline";
    return;
  }
  if (*server->bytes_behind == 0) {
    server->nothing_unarchived = true;
    return;
  }
  const uint64_t seg_size = server->settings.wal_segment_size;
  const wal::SegNo first = *server->archived_end / seg_size;
  const wal::SegNo current = wal::segno_containing(server->position.lsn - 1, seg_size);
  pipeline::FileLoader loader;
  for (wal::SegNo segno = first; segno <= current && segno < first + kAtRiskSearchSegments;
       ++segno) {
    const std::string name =
        wal::segment_file_name(server->position.timeline, segno, seg_size).to_string();
    const std::string path = pgdata + "/pg_wal/" + name;
    Result<pipeline::LoadedFile> loaded = loader.load(path, false);
    if (!loaded.is_ok()) {
      server->at_risk_error = loaded.status().message();
      return;
    }
    wal::InspectOptions inspect;
    inspect.open_end = true;  // the segment being written ends where WAL ends
    wal::SegmentReport report = wal::inspect_segment(loader.data(), name, inspect);
    if (report.first_commit_time) {
      server->oldest_unarchived_commit = wal::unix_seconds(*report.first_commit_time);
      return;
    }
  }
  server->nothing_unarchived = true;
}

Result<ServerSide> ask_server(const StatusOptions& options) {
  WALPIPE_ASSIGN_OR_RETURN(std::unique_ptr<pg::Connection> conn,
                           pg::Connection::connect(options.connect));
  pg::Connection& c = *conn;
  ServerSide server;
  server.where = c.where();
  Result<pg::ArchiverStats> stats = pg::read_archiver_stats(c);
  if (!stats.is_ok()) return stats.status();
  server.stats = *stats;
  Result<pg::ArchiveSettings> settings = pg::read_archive_settings(c);
  if (!settings.is_ok()) return settings.status();
  server.settings = *settings;
  Result<pg::WalPosition> position = pg::read_wal_position(c, settings->wal_segment_size);
  if (!position.is_ok()) return position.status();
  server.position = *position;
  Result<pg::ReadyBacklog> backlog = pg::read_ready_backlog(c);
  if (backlog.is_ok())
    server.backlog = *backlog;
  else
    server.backlog_error = backlog.status().to_string();
  measure_lag(&server);

  std::string pgdata = options.pgdata;
  if (pgdata.empty()) {
    Result<pg::Rows> dir = c.query("SELECT current_setting('data_directory') AS dir");
    if (dir.is_ok()) pgdata = dir->get(0, "dir").value_or("");
  }
  if (pgdata.empty())
    server.at_risk_error =
        "the data directory is not known: give --pgdata, or connect as a "
        "member of pg_monitor";
  else
    find_commit_at_risk(pgdata, &server);
  return server;
}

ArchiveSide look_at_archive(archive::Store& store, std::string* error) {
  ArchiveSide side;
  side.root = store.location();
  Status reachable = store.check_reachable();
  if (!reachable.is_ok()) {
    *error = reachable.to_string();
    return side;
  }
  Result<std::optional<archive::Identity>> identity = store.load_identity();
  if (!identity.is_ok()) {
    *error = identity.status().to_string();
    return side;
  }
  side.identity = *identity;
  Result<std::optional<io::FilesystemSpace>> space = store.space();
  if (space.is_ok() && *space)
    side.space = **space;
  else if (!space.is_ok())
    side.space_error = space.status().message();
  if (!side.identity) return side;  // nothing archived yet
  Result<archive::ArchiveSummary> summary =
      archive::summarize_archive(store, side.identity->segment_size);
  if (!summary.is_ok())
    *error = summary.status().to_string();
  else
    side.summary = *summary;
  return side;
}

}  // namespace

StatusReport gather_status(const StatusOptions& options) {
  StatusReport report;
  report.now = options.local_now;
  Result<ServerSide> server = ask_server(options);
  if (server.is_ok()) {
    report.server = *server;
    report.now = server->stats.now;
  } else {
    report.server_error = server.status().to_string();
  }
  if (options.archive) {
    std::string error;
    ArchiveSide side = look_at_archive(*options.archive, &error);
    if (error.empty())
      report.archive = std::move(side);
    else
      report.archive_error = error;
  }
  return report;
}

}  // namespace walpipe::monitor
