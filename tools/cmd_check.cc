// walpipe check: after setting archiving up, prove it end to end. The steps are
// engine/monitor/check; here the options and one line per step.
#include <cstdio>

#include "archive_option.h"
#include "cli.h"
#include "commands.h"
#include "exit_codes.h"
#include "io/io.h"
#include "monitor/check.h"

namespace walpipe::cli {

namespace {

constexpr const char* kHelp =
    "walpipe check proves that PostgreSQL archives through walpipe into an archive: the\n"
    "settings (archive_mode, wal_level, an archive_command that runs walpipe push into this\n"
    "archive), then pg_switch_wal() (which closes nothing if nothing was written since the last\n"
    "switch), then the closed segment must reach the archive and verify. Each step is printed\n"
    "with its result and, when it fails, what to fix.\n"
    "\n"
    "Usage:\n"
    "  walpipe check [OPTION]...\n"
    "\n"
    "Options:\n"
    "  -d, --dbname=CONNSTR     the server, as a libpq connection string or URI (default: the\n"
    "                           PG* environment variables); a superuser, or a role that may\n"
    "                           run pg_switch_wal()\n"
    "  -a, --archive=DIR        the archive (default: $WALPIPE_ARCHIVE)\n"
    "      --wait=S             how long the segment may take to reach the archive (default 60)\n"
    "      --connect-timeout=S  give up connecting after S seconds (default 10)\n"
    "      --config=FILE        read settings from FILE (default: $WALPIPE_CONFIG, else\n"
    "                           /etc/walpipe/walpipe.conf)\n"
    "  -?, --help               show this help, then exit\n"
    "\n"
    "Exit status: 0 the round trip worked, 1 a step failed, 2 usage error.\n";

}  // namespace

int cmd_check(const std::string& command, const std::vector<std::string>& argv) {
  int status;
  std::optional<Args> args = parse_or_help(command, argv,
                                           {{"dbname", true, 'd'},
                                            {"pg-dbname", true},
                                            {"archive", true, 'a'},
                                            {"wait", true},
                                            {"connect-timeout", true}},
                                           {kHelp}, exit_code::kCheckUsage, &status);
  if (!args) return status;
  if (!args->positional.empty()) {
    usage_error(command, "too many arguments");
    return exit_code::kCheckUsage;
  }
  std::optional<std::string> archive = archive_dir(command, *args);
  std::optional<long> wait = int_option(command, *args, "wait", 1, 3600, 60);
  std::optional<long> timeout = int_option(command, *args, "connect-timeout", 2, 3600, 10);
  if (!archive || !wait || !timeout) return exit_code::kCheckUsage;
  monitor::CheckOptions options;
  options.connect.conninfo = args->get("dbname").value_or(args->get("pg-dbname").value_or(""));
  options.connect.connect_timeout_s = static_cast<int>(*timeout);
  io::SyncIo io;
  std::unique_ptr<archive::Store> store = open_archive(io, *archive, *args);
  options.archive = store.get();
  options.wait_seconds = static_cast<double>(*wait);
  const bool passed = monitor::run_check(options, [](const monitor::CheckStep& step) {
    std::printf("%-5s %s: %s\n", step.passed ? "ok" : "FAIL", step.what.c_str(),
                step.detail.c_str());
    if (!step.hint.empty()) std::printf("      HINT: %s\n", step.hint.c_str());
    std::fflush(stdout);
  });
  if (passed)
    std::printf("check passed: the server archives into \"%s\" and the archived WAL verifies\n",
                archive->c_str());
  else
    std::printf("check failed\n");
  return passed ? exit_code::kOk : exit_code::kCheckFailed;
}

}  // namespace walpipe::cli
