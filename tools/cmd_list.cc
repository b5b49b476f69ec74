// walpipe list: what an archive holds, object by object, and the base backups it knows.
#include <cstdio>
#include <string>
#include <vector>

#include "cli.h"
#include "commands.h"
#include "exit_codes.h"
#include "io/io.h"
#include "list_output.h"
#include "pipeline/listing.h"
#include "reading_options.h"

namespace walpipe::cli {

namespace {

constexpr const char* kHelp =
    "walpipe list shows every object of an archive from its metadata, without decompressing\n"
    "anything: name, timeline, LSN range, commit-time range, record count, stored and original\n"
    "size; then the base backups the archive's .backup files describe, and the last restorable\n"
    "time (the newest commit archived).\n"
    "\n"
    "Usage:\n"
    "  walpipe list [OPTION]...\n"
    "\n"
    "Options:\n"
    "  -a, --archive=DIR    the archive, an absolute path (default: $WALPIPE_ARCHIVE)\n"
    "      --since=TIME     only objects with commits at or after TIME\n"
    "      --until=TIME     only objects with commits at or before TIME\n"
    "      --timeline=N     only objects of timeline N, and backups that start on it\n"
    "      --at=TIME        name the segment whose commits cover TIME (recovery to TIME\n"
    "                       stops in it)\n"
    "      --backup=DIR     also show the base backup in DIR, from its backup_label (a backup\n"
    "                       taken on a standby archives no .backup file; plain or tar format)\n"
    "      --json           one JSON document instead of the table\n"
    "      --identity=FILE  decrypt an encrypted archive with the identities in FILE\n"
    "                       (as age-keygen writes it, mode 600); repeatable\n"
    "      --config=FILE    read settings from FILE (default: $WALPIPE_CONFIG, else\n"
    "                       /etc/walpipe/walpipe.conf)\n"
    "  -?, --help           show this help, then exit\n"
    "\n"
    "TIME is \"2026-11-24 15:54:16 UTC\", with an optional fraction of a second, or an offset\n"
    "instead of UTC (\"+01\", \"-05:30\"), or ISO 8601 (\"2026-11-24T15:54:16Z\"), or a date with\n"
    "a zone (\"2026-11-24 UTC\"). A time without a zone is refused: it would mean another moment\n"
    "on a machine set to another zone.\n"
    "\n"
    "An object with no commit (a quiet segment, a .history file) goes with the newest commit\n"
    "before it on its timeline for --since and --until; a .backup file with its backup's start\n"
    "and stop times.\n"
    "\n"
    "Exit status: 0 listed, 1 a problem in the archive (another cluster's object, unreadable\n"
    "metadata, a damaged .backup file: each named on stderr, the rest still listed), 2 usage\n"
    "error, or an archive or --backup that cannot be read.\n";

}  // namespace

int cmd_list(const std::string& command, const std::vector<std::string>& argv) {
  int status;
  std::optional<ReadingArgs> parsed = parse_reading_args(command, argv,
                                                         {{"since", true},
                                                          {"until", true},
                                                          {"timeline", true},
                                                          {"at", true},
                                                          {"backup", true},
                                                          {"json", false}},
                                                         {kHelp}, exit_code::kListUsage, &status);
  if (!parsed) return status;
  const Args& args = parsed->args;
  const std::string& dir = parsed->archive;
  pipeline::ListFilter filter;
  if (!time_option(command, args, "since", &filter.since) ||
      !time_option(command, args, "until", &filter.until) ||
      !time_option(command, args, "at", &filter.at))
    return exit_code::kListUsage;
  if (filter.since && filter.until && *filter.since > *filter.until) {
    usage_error(command, "--since is after --until");
    return exit_code::kListUsage;
  }
  if (args.has("timeline")) {
    std::optional<long> tli = int_option(command, args, "timeline", 1, UINT32_MAX, 1);
    if (!tli) return exit_code::kListUsage;
    filter.timeline = static_cast<wal::TimeLineId>(*tli);
  }
  std::optional<pipeline::KnownBackup> pointed;
  if (!backup_option(command, args, &pointed)) return exit_code::kListUsage;

  io::SyncIo io;
  std::optional<ReadableArchive> archive = open_to_read(command, io, *parsed);
  if (!archive) return exit_code::kListUsage;
  ListPrinter printer(args.has("json"), stdout);
  printer.begin(dir, archive->identity);
  Result<pipeline::ListOutcome> outcome =
      pipeline::list_archive(*archive->store, archive->identity, filter, printer);
  if (!outcome.is_ok()) {
    print_error(command, outcome.status().to_string());
    return exit_code::kListUsage;
  }
  if (pointed) outcome->backups.push_back(std::move(*pointed));
  printer.finish(*outcome, filter.at);
  return outcome->problems ? exit_code::kListProblems : exit_code::kOk;
}

}  // namespace walpipe::cli
