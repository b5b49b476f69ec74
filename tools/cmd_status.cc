// walpipe status: is archiving working, and what would a lost server take with it. A monitoring
// plugin as Nagios, Icinga and their successors run them; everything is gathered by
// engine/monitor.
#include <cstdio>
#include <cstdlib>
#include <ctime>

#include "cli.h"
#include "commands.h"
#include "exit_codes.h"
#include "io/io.h"
#include "monitor/alerts.h"
#include "monitor/status.h"
#include "status_options.h"
#include "status_output.h"

namespace walpipe::cli {

namespace {

constexpr const char* kHelp =
    "walpipe status tells whether PostgreSQL's archiving works and how much a lost server would\n"
    "take with it: pg_stat_archiver, the WAL not yet archived, the .ready backlog, the archive's\n"
    "segments, gaps and free space, each alert with its threshold. It runs as a monitoring\n"
    "plugin: the first line is the state with Nagios performance data, the exit status the\n"
    "state.\n"
    "\n"
    "Usage:\n"
    "  walpipe status [OPTION]...\n"
    "\n"
    "Options:\n"
    "  -d, --dbname=CONNSTR        the server, as a libpq connection string or URI (default:\n"
    "                              the PG* environment variables)\n"
    "  -a, --archive=DIR           the archive (default: $WALPIPE_ARCHIVE; none: the server\n"
    "                              only)\n"
    "  -D, --pgdata=DIR            the data directory, to read pg_wal for the commits not yet\n"
    "                              archived (default: asked of the server)\n"
    "      --warn-archive-age=S    the last archive is late after S seconds while WAL waits\n"
    "                              (default 600)\n"
    "      --crit-archive-age=S    ... critically late after S seconds (default 900)\n"
    "      --warn-ready=N          more than N files waiting (.ready) (default 50)\n"
    "      --crit-ready=N          (default 100)\n"
    "      --warn-disk=PCT         the archive's disk is more than PCT % used (default 80)\n"
    "      --crit-disk=PCT         (default 90)\n"
    "      --connect-timeout=S     give up connecting after S seconds (default 10)\n"
    "      --json                  one JSON document instead of the screen\n"
    "      --config=FILE           read settings from FILE (default: $WALPIPE_CONFIG, else\n"
    "                              /etc/walpipe/walpipe.conf)\n"
    "  -?, --help                  show this help, then exit\n"
    "\n"
    "Alerts: archive_command failing (its last failure newer than its last success), the last\n"
    "archive's age while WAL waits, the .ready backlog (needs pg_monitor), the archive disk, and\n"
    "segments missing from the archive.\n"
    "\n"
    "Exit status: 0 OK, 1 WARNING, 2 CRITICAL (the server cannot be reached included),\n"
    "3 UNKNOWN (bad options, or a question that cannot be answered).\n";

}  // namespace

int cmd_status(const std::string& command, const std::vector<std::string>& argv) {
  int exit_status = 0;
  std::optional<MonitorReport> gathered =
      parse_and_gather(command, argv, {{"json", false}}, kHelp, &exit_status);
  if (!gathered) return exit_status;
  const std::vector<monitor::Alert>& alerts = gathered->alerts;
  if (gathered->args.has("json"))
    std::fputs(status_json(gathered->report, alerts).c_str(), stdout);
  else
    std::printf("%s\n%s", plugin_line(alerts).c_str(),
                status_screen(gathered->report, alerts).c_str());
  return static_cast<int>(monitor::overall(alerts));
}

}  // namespace walpipe::cli
