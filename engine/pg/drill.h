// walpipe drill's engine: the restore test, automated. A scratch copy of a base backup is
// recovered from the archive by a throwaway PostgreSQL server whose restore_command is walpipe
// get, up to the target, then a check query runs on it. First the restore plan (pipeline/
// restore_plan.h) is made, while the backup is copied: a target the archive cannot reach fails
// before any server starts. The server is stopped and the scratch directory removed whatever
// happened. No output: the report says what happened, the caller words it.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "archive/identity.h"
#include "archive/store.h"
#include "base/status.h"
#include "pg/connection.h"
#include "pipeline/restore_plan.h"

namespace walpipe::pg {

struct DrillOptions {
  std::string backup_dir;        // absolute: a plain-format base backup
  pipeline::KnownBackup backup;  // read from its backup_label
  pipeline::RestoreTarget target;
  std::string archive;  // absolute or s3://, for restore_command
  // The options restore_command gives walpipe get after --archive, none a secret (for a bucket
  // the CA file, URI style and deadline, for an encrypted archive the identity files' paths),
  // and for a bucket the variables the server gets in its environment, where only its own user
  // and root can read them ("AWS_...=value": endpoint, region and keys). Neither goes to a file
  // or to the server's command line.
  std::vector<std::string> get_options;
  std::vector<std::string> server_environment;
  std::string walpipe;         // this program, for restore_command: the server's user must run it
  std::string pg_bin;          // "": /usr/lib/postgresql/<the backup's PG_VERSION>/bin
  std::string scratch_parent;  // "": the folder holding the backup
  std::string os_user;         // "": the owner of the backup's folder (only when root)
  std::string db_user;         // "": the OS user the server runs as
  std::string dbname = "postgres";
  std::string sql = "SELECT count(*) FROM pg_class";
  unsigned jobs = 0;  // plan verification workers
  // Called once a step is decided: the user the server runs as, the folders used.
  std::function<void(const std::string& note)> note;
  // The plan's verification, then recovery: segments done so far, and the total expected.
  std::function<void(const char* phase, size_t done, size_t total)> progress;
  std::function<void(const Status& problem)> problem;  // as PlanOptions::problem
  std::function<bool()> give_up;                       // asked while waiting (an interrupt)
};

struct DrillReport {
  pipeline::RestorePlan plan;  // when !plan.reachable(), nothing else was tried
  std::string os_user;
  std::string pg_bin;
  std::string scratch;
  std::chrono::steady_clock::duration copy_time{};
  std::chrono::steady_clock::duration recovery_time{};  // server start to recovery ended
  std::chrono::steady_clock::duration total_time{};
  uint64_t segments_replayed = 0;  // restored by restore_command
  std::string last_segment;
  std::optional<std::string> last_replayed_commit;  // "2026-12-04 19:50:01.123456 UTC"
  std::optional<std::string> replay_lsn;
  Rows answer;
  Status failure;  // ok when the drill passed
  Status cleanup;  // stopping the server or removing the scratch directory went wrong

  bool passed() const { return plan.reachable() && failure.is_ok() && cleanup.is_ok(); }
};

// Runs the drill. The Result fails only for what stops a drill before it starts (options that
// cannot work: no PostgreSQL programs, a user that cannot run the server, an unreadable archive);
// everything after that is in the report.
Result<DrillReport> run_drill(archive::Store& store,
                              const std::optional<archive::Identity>& identity,
                              const DrillOptions& options);

}  // namespace walpipe::pg
