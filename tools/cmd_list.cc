// walpipe list: what an archive holds, object by object, and the base backups it knows.
#include <cstdio>
#include <string>
#include <vector>

#include "archive/identity.h"
#include "archive_option.h"
#include "cli.h"
#include "commands.h"
#include "exit_codes.h"
#include "io/fs.h"
#include "io/io.h"
#include "list_output.h"
#include "pipeline/backups.h"
#include "pipeline/listing.h"
#include "wal/time_text.h"

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
    "                       taken on a standby archives no .backup file)\n"
    "      --json           one JSON document instead of the table\n"
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

// The value of time option `name`, or nullopt after saying why it does not parse.
bool time_option(const Args& args, const std::string& name, std::optional<wal::PgTimestamp>* out) {
  std::optional<std::string> text = args.get(name);
  if (!text) return true;
  Result<wal::PgTimestamp> t = wal::parse_time(*text);
  if (!t.is_ok()) {
    std::string message =
        "invalid value \"" + *text + "\" for option --" + name + ": " + t.status().message();
    if (!t.status().hint().empty()) message += "\nHINT: " + t.status().hint();
    print_error("list", message);
    return false;
  }
  *out = *t;
  return true;
}

}  // namespace

int cmd_list(const std::vector<std::string>& argv) {
  const std::string command = "list";
  std::optional<Args> args = parse(command, argv,
                                   {{"archive", true, 'a'},
                                    {"since", true},
                                    {"until", true},
                                    {"timeline", true},
                                    {"at", true},
                                    {"backup", true},
                                    {"json", false},
                                    {"help", false, '?'}});
  if (!args) return exit_code::kListUsage;
  if (args->has("help")) {
    std::fputs(kHelp, stdout);
    return exit_code::kOk;
  }
  if (!args->positional.empty()) {
    usage_error(command,
                "too many command-line arguments (first is \"" + args->positional[0] + "\")");
    return exit_code::kListUsage;
  }
  std::optional<std::string> dir = archive_dir(command, *args);
  if (!dir) return exit_code::kListUsage;
  pipeline::ListFilter filter;
  if (!time_option(*args, "since", &filter.since) || !time_option(*args, "until", &filter.until) ||
      !time_option(*args, "at", &filter.at))
    return exit_code::kListUsage;
  if (filter.since && filter.until && *filter.since > *filter.until) {
    usage_error(command, "--since is after --until");
    return exit_code::kListUsage;
  }
  if (args->has("timeline")) {
    std::optional<long> tli = int_option(command, *args, "timeline", 1, UINT32_MAX, 1);
    if (!tli) return exit_code::kListUsage;
    filter.timeline = static_cast<wal::TimeLineId>(*tli);
  }
  std::optional<pipeline::KnownBackup> pointed;
  if (std::optional<std::string> backup_dir = args->get("backup")) {
    Result<pipeline::KnownBackup> backup = pipeline::read_backup_folder(*backup_dir);
    if (!backup.is_ok()) {
      print_error(command, backup.status().to_string());
      return exit_code::kListUsage;
    }
    pointed = std::move(*backup);
  }

  const archive::Layout layout(*dir);
  Result<io::EntryType> root = io::entry_type(*dir);
  if (!root.is_ok() || *root != io::EntryType::kDirectory) {
    print_error(command, root.is_ok() ? "archive \"" + *dir + "\" is not a directory"
                                      : root.status().to_string());
    return exit_code::kListUsage;
  }
  io::SyncIo io;
  Result<std::optional<archive::Identity>> identity = archive::load_identity(io, layout);
  if (!identity.is_ok()) {
    print_error(command, identity.status().to_string());
    return exit_code::kListUsage;
  }
  ListPrinter printer(args->has("json"), stdout);
  printer.begin(*dir, *identity);
  Result<pipeline::ListOutcome> outcome =
      pipeline::list_archive(io, layout, *identity, filter, printer);
  if (!outcome.is_ok()) {
    print_error(command, outcome.status().to_string());
    return exit_code::kListUsage;
  }
  if (pointed) outcome->backups.push_back(std::move(*pointed));
  printer.finish(*outcome, filter.at);
  return outcome->problems ? exit_code::kListProblems : exit_code::kOk;
}

}  // namespace walpipe::cli
