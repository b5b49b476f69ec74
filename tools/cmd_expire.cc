// walpipe expire: retention as a DBA states it (days, backups, a segment), with the WAL every
// kept base backup needs kept whatever is asked. Everything but arguments and output is
// engine/pipeline (expire_plan.h, expire.h).
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli.h"
#include "commands.h"
#include "exit_codes.h"
#include "expire_output.h"
#include "io/io.h"
#include "io_choice.h"
#include "pipeline/expire.h"
#include "reading_options.h"

namespace walpipe::cli {

namespace {

constexpr const char* kHelp =
    "walpipe expire removes the WAL a retention no longer needs from the archive, oldest first,\n"
    "so that it stops at any point without leaving a hole. Whatever is asked, it keeps the\n"
    "newest base backup, every WAL segment a kept backup needs to reach the present, the newest\n"
    "segment of every timeline and every timeline history file; the .backup file of a backup\n"
    "whose WAL goes goes with it. Age is measured back from the newest commit archived (the\n"
    "objects' metadata), never from file times or the machine's clock.\n"
    "\n"
    "Usage:\n"
    "  walpipe expire [OPTION]... {--keep-days=N | --keep-backups=N | --before=SEGMENT}...\n"
    "\n"
    "Options:\n"
    "  -a, --archive=DIR        the archive, an absolute path (default: $WALPIPE_ARCHIVE)\n"
    "      --keep-days=N        keep what a restore to any time of the last N days needs: the\n"
    "                           backups that ended in them, the newest one before them, and\n"
    "                           their WAL\n"
    "      --keep-backups=N     keep the newest N base backups and the WAL they need\n"
    "      --before=SEGMENT     remove the WAL before SEGMENT (a segment or .backup file name),\n"
    "                           on every timeline, as pg_archivecleanup does\n"
    "      --backup=DIR         keep as well the base backup in DIR, plain or tar format, from\n"
    "                           its backup_label (a backup taken on a standby archives no\n"
    "                           .backup file)\n"
    "  -n, --dry-run            say what would be removed and why, and remove nothing\n"
    "      --force              expire even an archive with gaps or objects that cannot be\n"
    "                           used (those are left where they are)\n"
    "      --json               one JSON document instead of text\n"
    "      --identity=FILE      decrypt an encrypted archive with the identities in FILE\n"
    "                           (as age-keygen writes it, mode 600); repeatable\n"
    "      --config=FILE        read settings from FILE (default: $WALPIPE_CONFIG, else\n"
    "                           /etc/walpipe/walpipe.conf)\n"
    "  -?, --help               show this help, then exit\n"
    "\n"
    "Given several of --keep-days, --keep-backups and --before, the one that keeps more wins.\n"
    "\n"
    "Exit status: 0 done (or nothing to remove), 1 refused (a gap, an object that cannot be\n"
    "used, retention that cannot be told) or stopped by an error, with nothing removed after it,\n"
    "2 usage error, or an archive or --backup that cannot be read.\n";

// The retention the options state; false after saying what is wrong.
bool policy_of(const std::string& command, const Args& args, pipeline::RetentionPolicy* out) {
  if (!args.has("keep-days") && !args.has("keep-backups") && !args.has("before")) {
    usage_error(command, "no retention given (--keep-days, --keep-backups or --before)");
    return false;
  }
  if (args.has("keep-days")) {
    std::optional<long> days = int_option(command, args, "keep-days", 0, 100000, 0);
    if (!days) return false;
    out->keep_days = static_cast<uint32_t>(*days);
  }
  if (args.has("keep-backups")) {
    std::optional<long> n = int_option(command, args, "keep-backups", 1, 1000000, 1);
    if (!n) return false;
    out->keep_backups = static_cast<uint32_t>(*n);
  }
  if (std::optional<std::string> text = args.get("before")) {
    Result<wal::WalFileName> name = pipeline::before_segment(*text);
    if (!name.is_ok()) {
      print_error(command, "invalid value \"" + *text + "\" for option --before: " +
                               name.status().message() + "\nHINT: " + name.status().hint());
      return false;
    }
    out->before = *name;
  }
  return true;
}

}  // namespace

int cmd_expire(const std::string& command, const std::vector<std::string>& argv) {
  int status;
  std::optional<ReadingArgs> parsed = parse_reading_args(command, argv,
                                                         {{"keep-days", true},
                                                          {"keep-backups", true},
                                                          {"before", true},
                                                          {"backup", true},
                                                          {"dry-run", false, 'n'},
                                                          {"force", false},
                                                          {"json", false}},
                                                         {kHelp}, exit_code::kExpireUsage, &status);
  if (!parsed) return status;
  const Args& args = parsed->args;
  const std::string& dir = parsed->archive;
  pipeline::ExpireOptions options;
  if (!policy_of(command, args, &options.policy)) return exit_code::kExpireUsage;
  if (!backup_option(command, args, &options.backup)) return exit_code::kExpireUsage;
  options.dry_run = args.has("dry-run");
  options.force = args.has("force");

  // Removals go through finish_io, so that the tests' walpipe-fault can stop one at any step.
  Result<std::unique_ptr<io::Io>> io = finish_io(std::make_unique<io::SyncIo>());
  if (!io.is_ok()) {
    print_error(command, io.status().to_string());
    return exit_code::kExpireUsage;
  }
  std::optional<ReadableArchive> archive = open_to_read(command, **io, *parsed);
  if (!archive) return exit_code::kExpireUsage;
  ExpireReport report(command, args.has("json"), options.dry_run, stdout);
  options.problem = [&](const Status& problem) { report.problem(problem); };
  Result<pipeline::ExpirePlan> plan =
      pipeline::plan_expiry(*archive->store, archive->identity, options);
  if (!plan.is_ok()) {
    print_error(command, plan.status().to_string());
    return exit_code::kExpireUsage;
  }
  if (!plan->refusal.is_ok()) {
    report.refused(dir, plan->refusal);
    std::fflush(stdout);
    print_error(command, plan->refusal.to_string());
    return exit_code::kExpireRefused;
  }
  report.begin(dir, *plan);
  Result<pipeline::ExpireOutcome> outcome =
      pipeline::carry_out_expiry(*archive->store, *archive->identity, *plan, options, report);
  if (!outcome.is_ok()) {
    report.stopped(outcome.status());
    std::fflush(stdout);
    print_error(command, archive->store->explain(outcome.status()).to_string() +
                             "\nHINT: What was removed before it is listed above; nothing after "
                             "it was. Run walpipe expire again once the cause is fixed.");
    return exit_code::kExpireRefused;
  }
  report.finish(*outcome);
  return outcome->left == 0 ? exit_code::kOk : exit_code::kExpireRefused;
}

}  // namespace walpipe::cli
