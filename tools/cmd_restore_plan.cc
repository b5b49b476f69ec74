// walpipe restore-plan: which base backup to restore for a target, and whether the archive can
// take recovery there from it. Everything but arguments and output is engine/pipeline.
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "cli.h"
#include "commands.h"
#include "crypt_options.h"
#include "decrypt_check.h"
#include "exit_codes.h"
#include "io/io.h"
#include "io/paths.h"
#include "pipeline/restore_plan.h"
#include "progress.h"
#include "reading_options.h"
#include "restore_plan_output.h"
#include "wal/time_text.h"

namespace walpipe::cli {

namespace {

constexpr const char* kHelp =
    "walpipe restore-plan says which base backup to restore for a recovery target, and whether\n"
    "the archive can take recovery there from it: every segment from the backup's start to the\n"
    "target present and verified (records, the chain across segments, timeline histories), and\n"
    "a commit at or after the target archived. It prints the recovery settings to use, or what\n"
    "is missing and the latest point recovery can reach.\n"
    "\n"
    "Usage:\n"
    "  walpipe restore-plan [OPTION]... {--target-time=TIME | --target-lsn=LSN | --latest}\n"
    "\n"
    "Options:\n"
    "  -a, --archive=DIR       the archive, an absolute path (default: $WALPIPE_ARCHIVE)\n"
    "      --target-time=TIME  recover to TIME, from the newest backup that ends before it\n"
    "      --target-lsn=LSN    recover to LSN (such as 0/3A001B0), from the newest backup that\n"
    "                          ends before it\n"
    "      --latest            recover to the end of the archive, from the newest backup, with\n"
    "                          proof that no segment is missing on the way (PostgreSQL would end\n"
    "                          recovery at the first gap and promote)\n"
    "      --target-timeline=N\n"
    "                          recover along timeline N (default: the newest timeline that\n"
    "                          descends from the backup's)\n"
    "      --backup=DIR        plan from the base backup in DIR, plain or tar format, from its\n"
    "                          backup_label (a backup taken on a standby archives no .backup\n"
    "                          file)\n"
    "  -j, --jobs=N            verify N segments at once (default: one per core)\n"
    "      --json              one JSON document instead of text\n"
    "      --config=FILE       read settings from FILE (default: $WALPIPE_CONFIG, else\n"
    "                          /etc/walpipe/walpipe.conf)\n"
    "  -?, --help              show this help, then exit\n"
    "\n"
    "TIME needs a zone: \"2026-11-24 15:54:16 UTC\", \"2026-11-24T15:54:16Z\", \"... +01\".\n"
    "When the newest backup before the target cannot reach it (a backup on a timeline the\n"
    "target does not follow), the next older one that can is planned from, and the one passed\n"
    "over is named on stderr.\n"
    "\n"
    "Exit status: 0 the archive reaches the target, 1 it does not (what is missing and the\n"
    "latest reachable point on stderr), 2 usage error, or an archive or --backup that cannot be\n"
    "read (also: an encrypted archive and no --identity, or a plan that falls short where\n"
    "objects could not be read, such as with an identity that opens none of them).\n";

}  // namespace

int cmd_restore_plan(const std::string& command, const std::vector<std::string>& argv) {
  int status;
  std::optional<ReadingArgs> parsed =
      parse_reading_args(command, argv,
                         {{"target-time", true},
                          {"target-lsn", true},
                          {"latest", false},
                          {"target-timeline", true},
                          {"backup", true},
                          {"jobs", true, 'j'},
                          {"json", false}},
                         {kHelp, kIdentityHelp}, exit_code::kPlanUsage, &status);
  if (!parsed) return status;
  const Args& args = parsed->args;
  const std::string& dir = parsed->archive;
  pipeline::PlanOptions options;
  std::optional<pipeline::RestoreTarget> target = target_option(command, args, true);
  if (!target) return exit_code::kPlanUsage;
  options.target = *target;
  std::optional<long> jobs = int_option(command, args, "jobs", 1, 1024, 0);
  if (!jobs) return exit_code::kPlanUsage;
  options.jobs = static_cast<unsigned>(*jobs);
  std::optional<long> timeline = int_option(command, args, "target-timeline", 1, UINT32_MAX, 0);
  if (!timeline) return exit_code::kPlanUsage;
  if (*timeline) options.target_timeline = static_cast<wal::TimeLineId>(*timeline);
  if (!backup_option(command, args, &options.backup)) return exit_code::kPlanUsage;

  io::SyncIo io;
  std::optional<ReadableArchive> archive = open_wal_to_read(command, io, *parsed);
  if (!archive) return exit_code::kPlanUsage;
  Progress progress("verifying", stderr_is_terminal());
  options.progress = [&](size_t done, size_t total) {
    if (total > 1) progress.update(done, total);
  };
  std::vector<std::string> problems;
  options.problem = [&](const Status& problem) {
    // Another backup or segment may serve: the plan itself says whether this one mattered.
    progress.print(stderr, "walpipe " + command + ": warning: " + problem.to_string() + "\n");
    if (problems.size() < kMaxProblemsInDocument) problems.push_back(problem.to_string());
  };
  Result<pipeline::RestorePlan> plan =
      pipeline::plan_restore(*archive->store, archive->identity, options);
  if (!plan.is_ok()) {
    print_error(command, plan.status().to_string());
    return exit_code::kPlanUsage;
  }
  progress.print(stderr, "");  // the progress line goes before the plan
  for (const pipeline::RestorePlan& passed : plan->passed_over)
    print_warning(command, passed_over_status(passed, *plan));
  // The server reads the archive as this command did: the same configuration file when one was
  // named, and the options get_options_for_server keeps.
  std::vector<std::string> get_options;
  if (std::optional<std::string> config = args.get("config"); config && !config->empty()) {
    Result<std::string> cwd = io::current_directory();
    get_options = {"--config", io::absolute_normal(cwd.is_ok() ? *cwd : "/", *config)};
  }
  for (std::string& word : get_options_for_server(args, dir))
    get_options.push_back(std::move(word));
  print_plan(*plan, dir, get_options, args.has("json"), problems, stdout);
  if (plan->reachable()) return exit_code::kOk;
  std::fflush(stdout);
  progress.print(stderr,
                 "walpipe " + command + ": error: " + shortfall_status(*plan).to_string() + "\n");
  if (!plan->cannot_tell()) return exit_code::kPlanUnreachable;
  print_error(command, cannot_tell_for_unreadable(plan->unreadable).to_string());
  return exit_code::kPlanUsage;
}

}  // namespace walpipe::cli
