#include "pg/drill.h"

#include <memory>
#include <thread>
#include <utility>
#include <vector>

#include "io/fs.h"
#include "io/spawn.h"
#include "io/tree.h"
#include "pg/drill_setup.h"
#include "pg/recovery_server.h"
#include "wal/lsn.h"

namespace walpipe::pg {

namespace {

using Clock = std::chrono::steady_clock;

// The scratch directory, removed with everything in it when the drill ends however it ends.
class Scratch {
 public:
  explicit Scratch(std::string path) : path_(std::move(path)) {}
  ~Scratch() { (void)remove(); }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  // After a failed recovery a prefetcher of walpipe get may still be renaming a segment into
  // the spool: a removal that loses that race is tried again.
  Status remove() {
    if (path_.empty()) return Status::ok();
    Status s = io::remove_tree(path_);
    for (int attempt = 0; !s.is_ok() && attempt < 10; ++attempt) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      s = io::remove_tree(path_);
    }
    path_.clear();
    return s;
  }

 private:
  std::string path_;
};

// The settings that make the server recover from the archive and nothing else: only a Unix
// socket in the scratch directory, no archiving into the production archive once promoted, no
// pid file where the production server keeps its own, a log in English for the drill to read.
std::vector<std::pair<std::string, std::string>> server_settings(const DrillOptions& o,
                                                                 const pipeline::RestorePlan& plan,
                                                                 const std::string& scratch,
                                                                 const std::string& socket_dir) {
  std::vector<std::pair<std::string, std::string>> s = {
      {"listen_addresses", ""},
      {"port", std::to_string(kDrillPort)},
      {"unix_socket_directories", socket_dir},
      {"hba_file", scratch + "/pg_hba.conf"},
      {"archive_mode", "off"},
      {"external_pid_file", scratch + "/external.pid"},
      {"ssl", "off"},
      {"logging_collector", "off"},
      {"log_destination", "stderr"},
      {"log_min_messages", "warning"},
      {"lc_messages", "C"},
      {"restore_command", restore_command(o.walpipe, o.archive, o.get_options)},
      {"recovery_end_command", recovery_end_command(o.walpipe)},
      {"recovery_target_timeline", std::to_string(plan.target_timeline)},
      {"recovery_target_action", "promote"},
  };
  if (o.target.kind == pipeline::RestoreTarget::Kind::kTime)
    s.emplace_back("recovery_target_time", wal::format_pg_timestamp(o.target.time));
  if (o.target.kind == pipeline::RestoreTarget::Kind::kLsn)
    s.emplace_back("recovery_target_lsn", wal::format_lsn(o.target.lsn));
  return s;
}

// Recovers, queries and stops: what happens once the copy is ready.
Status recover_and_check(const DrillOptions& o, const ServerSetup& setup, DrillReport* report) {
  WALPIPE_ASSIGN_OR_RETURN(std::unique_ptr<RecoveryServer> started, RecoveryServer::start(setup));
  RecoveryServer& server = *started;
  const uint64_t total = report->plan.segments;
  Status waited = server.wait_for_recovery_end(
      [&](const LogFindings& f) {
        if (o.progress) o.progress("replaying", f.segments_restored, total);
      },
      o.give_up);
  report->segments_replayed = server.findings().segments_restored;
  report->last_segment = server.findings().last_restored;
  report->recovery_time = server.recovery_time();
  Status result = waited;
  if (waited.is_ok()) {
    Result<Rows> replayed = server.connection().query(
        "SELECT to_char(pg_last_xact_replay_timestamp() AT TIME ZONE 'UTC', "
        "'YYYY-MM-DD HH24:MI:SS.US') || ' UTC' AS commit, pg_last_wal_replay_lsn()::text AS lsn");
    if (replayed.is_ok()) {
      report->last_replayed_commit = replayed->get(0, "commit");
      report->replay_lsn = replayed->get(0, "lsn");
    }
    Result<Rows> answer = server.connection().query(o.sql);
    if (answer.is_ok())
      report->answer = std::move(*answer);
    else
      result = Status(Code::kIoError, "the check query failed: " + answer.status().message());
  }
  report->cleanup = server.stop();
  return result;
}

}  // namespace

Result<DrillReport> run_drill(archive::Store& store,
                              const std::optional<archive::Identity>& identity,
                              const DrillOptions& o) {
  const Clock::time_point start = Clock::now();
  DrillReport report;
  Result<std::optional<io::Credentials>> as = server_user(o, &report.os_user);
  if (!as.is_ok()) return as.status();
  if (*as && o.note)
    o.note("running the server as user \"" + report.os_user +
           "\" (PostgreSQL does not run as root)");
  WALPIPE_ASSIGN_OR_RETURN(std::string bin, pg_bin_dir(o));
  report.pg_bin = bin;
  WALPIPE_TRY(check_can_run(o.walpipe, *as));

  const std::string parent =
      o.scratch_parent.empty() ? io::dir_name(o.backup_dir) : o.scratch_parent;
  WALPIPE_ASSIGN_OR_RETURN(std::string made, io::make_temp_dir(parent, "walpipe-drill-"));
  Scratch scratch(made);
  report.scratch = scratch.path();
  if (*as) WALPIPE_TRY(io::set_owner(scratch.path(), (*as)->uid, (*as)->gid));
  if (o.note) o.note("working in \"" + scratch.path() + "\"");

  // The copy runs while the plan verifies the WAL: the drill costs what the slower one costs.
  const std::string data = scratch.file("data");
  WALPIPE_ASSIGN_OR_RETURN(CopyJob copy,
                           start_copy(o.backup_dir, data, scratch.file("copy.log"), *as));
  pipeline::PlanOptions plan_options;
  plan_options.target = o.target;
  plan_options.backup = o.backup;
  plan_options.jobs = o.jobs;
  plan_options.progress = [&](size_t done, size_t total) {
    if (o.progress && total > 1) o.progress("verifying", done, total);
  };
  plan_options.problem = o.problem;
  Result<pipeline::RestorePlan> plan = pipeline::plan_restore(store, identity, plan_options);
  if (!plan.is_ok()) return plan.status();
  report.plan = std::move(*plan);
  if (!report.plan.reachable()) copy.child = io::Child();  // stops the copy: it is not needed
  if (report.plan.reachable()) {
    report.failure = finish_copy(copy);
    report.copy_time = Clock::now() - start;
    if (report.failure.is_ok() && o.give_up && o.give_up())
      report.failure = Status(Code::kIoError, "interrupted before recovery");
    Result<std::string> socket_dir = io::make_temp_dir(scratch.path(), "socket-");
    if (report.failure.is_ok() && !socket_dir.is_ok()) report.failure = socket_dir.status();
    if (report.failure.is_ok())
      report.failure = prepare_data_dir(data, scratch.path(), *socket_dir, *as);
    if (report.failure.is_ok()) {
      ServerSetup setup;
      setup.bin_dir = bin;
      setup.data_dir = data;
      setup.socket_dir = *socket_dir;
      setup.port = kDrillPort;
      setup.log_path = scratch.file("server.log");
      setup.settings = server_settings(o, report.plan, scratch.path(), *socket_dir);
      setup.as = *as;
      setup.environment = o.server_environment;
      setup.dbname = o.dbname;
      setup.user = o.db_user.empty() ? report.os_user : o.db_user;
      report.failure = recover_and_check(o, setup, &report);
    }
  }
  Status removed = scratch.remove();
  if (report.cleanup.is_ok()) report.cleanup = removed;
  report.total_time = Clock::now() - start;
  return report;
}

}  // namespace walpipe::pg
