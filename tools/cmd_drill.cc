// walpipe drill: the restore test, automated. Everything but arguments and output is
// engine/pg/drill.h.
#include <cstdio>
#include <string>
#include <vector>

#include "cli.h"
#include "commands.h"
#include "crypt_options.h"
#include "decrypt_check.h"
#include "drill_output.h"
#include "exit_codes.h"
#include "io/io.h"
#include "io/paths.h"
#include "io/spawn.h"
#include "pg/drill.h"
#include "progress.h"
#include "reading_options.h"
#include "s3_options.h"

namespace walpipe::cli {

namespace {

constexpr const char* kHelp =
    "walpipe drill tests a restore: it copies a base backup into a scratch folder, recovers it\n"
    "from the archive with walpipe get as restore_command up to the target, on a throwaway\n"
    "PostgreSQL server that listens only on a Unix socket in that folder, runs a check query,\n"
    "and reports how long recovery took, the last replayed commit and the query's answer. The\n"
    "server is stopped and the scratch folder removed whatever happens. The restore plan\n"
    "(walpipe restore-plan) is checked first, while the backup is copied.\n"
    "\n"
    "Usage:\n"
    "  walpipe drill [OPTION]... --backup=DIR\n"
    "\n"
    "Options:\n"
    "  -a, --archive=DIR       the archive, an absolute path (default: $WALPIPE_ARCHIVE)\n"
    "      --backup=DIR        the base backup to restore, plain or tar format (pg_basebackup\n"
    "                          -Fp or -Ft: base.tar, pg_wal.tar and OID.tar are extracted)\n"
    "      --target-time=TIME  recover to TIME (default: to the end of the archive)\n"
    "      --target-lsn=LSN    recover to LSN (such as 0/3A001B0)\n"
    "      --latest            recover to the end of the archive (the default)\n"
    "      --sql=QUERY         the check query (default: SELECT count(*) FROM pg_class)\n"
    "      --database=NAME     run it in database NAME (default: postgres)\n"
    "      --db-user=ROLE      run it as ROLE (default: the OS user the server runs as)\n"
    "      --os-user=USER      when run as root, run the server as USER (default: the owner\n"
    "                          of the backup's folder; PostgreSQL never runs as root)\n"
    "      --pg-bin=DIR        PostgreSQL's programs (default: /usr/lib/postgresql/N/bin for\n"
    "                          the backup's PG_VERSION N)\n"
    "      --scratch-dir=DIR   make the scratch folder in DIR (default: beside the backup)\n"
    "  -j, --jobs=N            verify N segments at once (default: one per core)\n"
    "      --json              one JSON document instead of text\n"
    "      --config=FILE       read settings from FILE (default: $WALPIPE_CONFIG, else\n"
    "                          /etc/walpipe/walpipe.conf)\n"
    "  -?, --help              show this help, then exit\n"
    "\n"
    "TIME needs a zone: \"2026-11-24 15:54:16 UTC\", \"2026-11-24T15:54:16Z\", \"... +01\".\n"
    "An archive in a bucket (--archive s3://BUCKET/PREFIX) is reached as walpipe get reaches\n"
    "it; the server's restore_command gets the endpoint, region and keys drill was given in its\n"
    "environment, never in a file or on its command line.\n"
    "An encrypted archive is read with the --identity files drill was given (README,\n"
    "Encryption); restore_command gets their paths, which the server's user must be able to\n"
    "read.\n"
    "\n"
    "Exit status: 0 the drill passed, 1 it failed (the plan cannot reach the target, recovery\n"
    "stopped, naming the WAL file it could not restore, or the query failed; why on stderr),\n"
    "2 usage error, or an archive, --backup or setup that cannot be used (also: an encrypted\n"
    "archive and no --identity, or a plan that falls short where objects could not be read,\n"
    "such as with an identity that opens none of them).\n";

// An option naming a folder, made absolute against the current directory ("" when absent).
std::string folder_option(const Args& args, const std::string& name) {
  std::optional<std::string> value = args.get(name);
  if (!value || value->empty()) return "";
  Result<std::string> cwd = io::current_directory();
  return io::absolute_normal(cwd.is_ok() ? *cwd : "/", *value);
}

// For an archive in a bucket, restore_command reaches it with the settings drill was given
// (options, AWS_* variables or the configuration file, which the server's user may not be able
// to read): the endpoint, region and keys in the server's environment (what is no secret goes
// as options of walpipe get: get_options_for_server). False after saying why the settings do not
// work.
bool pass_bucket_settings(const std::string& command, const Args& args, pg::DrillOptions* o) {
  if (!is_s3_location(o->archive)) return true;
  Result<archive::S3StoreSettings> settings = s3_store_settings(o->archive, args);
  if (!settings.is_ok()) {
    print_error(command, settings.status().to_string());
    return false;
  }
  const s3::S3Settings& c = settings->connection;
  for (const auto& [variable, value] :
       {std::pair{"AWS_ENDPOINT_URL", c.endpoint}, std::pair{"AWS_REGION", c.region},
        std::pair{"AWS_ACCESS_KEY_ID", c.credentials.access_key_id},
        std::pair{"AWS_SECRET_ACCESS_KEY", c.credentials.secret_access_key},
        std::pair{"AWS_SESSION_TOKEN", c.credentials.session_token}})
    if (!value.empty()) o->server_environment.push_back(std::string(variable) + "=" + value);
  return true;
}

}  // namespace

int cmd_drill(const std::string& command, const std::vector<std::string>& argv) {
  int status;
  std::optional<ReadingArgs> parsed =
      parse_reading_args(command, argv,
                         {{"backup", true},
                          {"target-time", true},
                          {"target-lsn", true},
                          {"latest", false},
                          {"sql", true},
                          {"database", true},
                          {"db-user", true},
                          {"os-user", true},
                          {"pg-bin", true},
                          {"scratch-dir", true},
                          {"jobs", true, 'j'},
                          {"json", false}},
                         {kHelp, kIdentityHelp}, exit_code::kDrillUsage, &status);
  if (!parsed) return status;
  const Args& args = parsed->args;
  pg::DrillOptions options;
  options.archive = parsed->archive;
  if (!args.has("backup")) {
    usage_error(command, "no base backup given (--backup)");
    return exit_code::kDrillUsage;
  }
  std::optional<pipeline::RestoreTarget> target = target_option(command, args, false);
  if (!target) return exit_code::kDrillUsage;
  options.target = *target;
  std::optional<long> jobs = int_option(command, args, "jobs", 1, 1024, 0);
  if (!jobs) return exit_code::kDrillUsage;
  options.jobs = static_cast<unsigned>(*jobs);
  std::optional<pipeline::KnownBackup> backup;
  if (!backup_option(command, args, &backup)) return exit_code::kDrillUsage;
  options.backup = std::move(*backup);
  options.backup_dir = folder_option(args, "backup");
  options.pg_bin = folder_option(args, "pg-bin");
  options.scratch_parent = folder_option(args, "scratch-dir");
  options.os_user = args.get("os-user").value_or("");
  options.db_user = args.get("db-user").value_or("");
  options.dbname = args.get("database").value_or(options.dbname);
  options.sql = args.get("sql").value_or(options.sql);
  Result<std::string> self = io::self_executable();
  if (!self.is_ok()) {
    print_error(command, self.status().to_string());
    return exit_code::kDrillUsage;
  }
  options.walpipe = *self;
  if (!pass_bucket_settings(command, args, &options)) return exit_code::kDrillUsage;
  options.get_options = get_options_for_server(args, options.archive);

  io::SyncIo io;
  std::optional<ReadableArchive> archive = open_wal_to_read(command, io, *parsed);
  if (!archive) return exit_code::kDrillUsage;
  Status caught = io::catch_interrupts();
  if (!caught.is_ok()) print_warning(command, caught);
  Progress progress("replaying", stderr_is_terminal());
  Progress verifying("verifying", stderr_is_terminal());
  options.note = [&](const std::string& note) {
    progress.print(stderr, "walpipe " + command + ": " + note + "\n");
  };
  options.progress = [&](const char* phase, size_t done, size_t total) {
    (std::string(phase) == "verifying" ? verifying : progress).update(done, total);
  };
  options.problem = [&](const Status& problem) {
    verifying.print(stderr, "walpipe " + command + ": warning: " + problem.to_string() + "\n");
  };
  options.give_up = [] { return io::interrupted(); };
  Result<pg::DrillReport> report = pg::run_drill(*archive->store, archive->identity, options);
  verifying.print(stderr, "");
  progress.print(stderr, "");
  if (!report.is_ok()) {
    print_error(command, report.status().to_string());
    return exit_code::kDrillUsage;
  }
  print_drill(*report, options.archive, options.sql, args.has("json"), stdout);
  if (report->passed()) return exit_code::kOk;
  std::fflush(stdout);
  print_error(command, drill_failure(*report).to_string());
  if (report->plan.cannot_tell()) {
    print_error(command, cannot_tell_for_unreadable(report->plan.unreadable).to_string());
    return exit_code::kDrillUsage;
  }
  return exit_code::kDrillFailed;
}

}  // namespace walpipe::cli
