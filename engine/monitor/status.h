// Everything `walpipe status` and `walpipe metrics` report, gathered once: the server's side
// (pg_stat_archiver, settings, WAL position, .ready backlog, the commits not yet archived) and
// the archive's (segments, gaps, bytes, the newest commit archived, free space). A part that
// cannot be read is reported with its reason; the rest is still gathered.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "archive/catalog.h"
#include "archive/identity.h"
#include "archive/store.h"
#include "io/io.h"
#include "io/space.h"
#include "pg/connection.h"
#include "pg/server.h"

namespace walpipe::monitor {

struct ServerSide {
  pg::ArchiverStats stats;
  pg::ArchiveSettings settings;
  pg::WalPosition position;
  std::string where;  // the server, for messages (no password)

  std::optional<pg::ReadyBacklog> backlog;
  std::string backlog_error;  // why the backlog is unknown (a missing GRANT, say)

  // Complete segments written since the last one archived, and the WAL bytes after the end of
  // that segment; unknown when the last archived file is not a segment of the current timeline.
  std::optional<uint64_t> segments_behind;
  std::optional<uint64_t> bytes_behind;
  std::optional<uint64_t> archived_end;  // the LSN where the last archived segment ends

  // The oldest commit written after the end of the last archived segment, read from pg_wal
  // (the transactions a lost server would take with it); unknown without pg_wal.
  std::optional<double> oldest_unarchived_commit;  // Unix seconds
  bool nothing_unarchived = false;                  // pg_wal was read: no commit is at risk
  std::string at_risk_error;
};

struct ArchiveSide {
  std::string root;
  std::optional<archive::Identity> identity;
  archive::ArchiveSummary summary;
  std::optional<io::FilesystemSpace> space;
  std::string space_error;
};

struct StatusReport {
  double now = 0;  // Unix seconds: the server's clock when it answered, else this machine's
  std::optional<ServerSide> server;
  std::string server_error;  // the server could not be asked (the message, with its HINT)
  std::optional<ArchiveSide> archive;
  std::string archive_error;
};

struct StatusOptions {
  pg::ConnectOptions connect;
  archive::Store* archive = nullptr;  // none: the server's side only
  // The data directory, to read pg_wal for the commits at risk; "" asks the server (which tells
  // superusers and pg_monitor members).
  std::string pgdata;
  double local_now = 0;  // this machine's clock, used when the server cannot be asked
};

StatusReport gather_status(const StatusOptions& options);

}  // namespace walpipe::monitor
