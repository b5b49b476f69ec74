// walpipe metrics: walpipe status's figures for Prometheus, through node_exporter's textfile
// collector (a cron job writes the file, node_exporter serves it).
#include <cstdio>

#include "cli.h"
#include "commands.h"
#include "exit_codes.h"
#include "io/io.h"
#include "io/replace_file.h"
#include "metrics_output.h"
#include "monitor/alerts.h"
#include "monitor/status.h"
#include "status_options.h"

namespace walpipe::cli {

namespace {

constexpr const char* kHelp =
    "walpipe metrics prints what walpipe status reports in Prometheus's text format: the\n"
    "archiver's counters and times, the WAL not yet archived, the .ready backlog, the archive's\n"
    "segments, gaps and space, and the state of each alert (walpipe_alert_state).\n"
    "\n"
    "Usage:\n"
    "  walpipe metrics [OPTION]...\n"
    "\n"
    "For node_exporter's textfile collector, from cron:\n"
    "  walpipe metrics --archive /srv/wal-archive \\\n"
    "    --output /var/lib/prometheus/node-exporter/walpipe.prom\n"
    "\n"
    "Options:\n"
    "  -o, --output=FILE           write FILE atomically (a temporary beside it, then a\n"
    "                              rename) instead of standard output\n"
    "  the options of walpipe status: --dbname, --archive, --pgdata, --connect-timeout and\n"
    "  the thresholds (walpipe status --help)\n"
    "      --config=FILE           read settings from FILE (default: $WALPIPE_CONFIG, else\n"
    "                              /etc/walpipe/walpipe.conf)\n"
    "  -?, --help                  show this help, then exit\n"
    "\n"
    "A server that cannot be reached is walpipe_pg_up 0, not an error. Exit status: 0 written,\n"
    "1 the file could not be written, 3 bad options.\n";

}  // namespace

int cmd_metrics(const std::string& command, const std::vector<std::string>& argv) {
  int exit_status = 0;
  std::optional<MonitorReport> gathered =
      parse_and_gather(command, argv, {{"output", true, 'o'}}, kHelp, &exit_status);
  if (!gathered) return exit_status;
  const std::string text = prometheus_text(gathered->report, gathered->alerts);
  std::optional<std::string> output = gathered->args.get("output");
  if (!output) {
    std::fputs(text.c_str(), stdout);
    return exit_code::kOk;
  }
  Status written = io::replace_file(*output, text);
  if (!written.is_ok()) {
    print_error(command, written.to_string());
    return exit_code::kMetricsNotWritten;
  }
  return exit_code::kOk;
}

}  // namespace walpipe::cli
