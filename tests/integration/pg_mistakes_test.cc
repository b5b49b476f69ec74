// Issue 15, with a real PostgreSQL 15: the mistakes a new DBA makes must not lose data or wedge
// archiving.
//   (a) `--archive arch` (relative) in archive_command: PostgreSQL runs the command in the data
//       directory, so the archive would land inside it and pg_basebackup would copy it into the
//       backup, where a restore later reads the stale copy and promotes without the last rows.
//       walpipe push refuses it instead (the archiver counts failures, the log says why), no
//       archive appears in the data directory or the backup, and a restore of that backup with
//       the same relative restore_command stops (get exits 202) instead of promoting.
//   (b) restore_command pointing at another cluster's archive: get compares the archive's system
//       identifier with the restored data directory's global/pg_control and stops recovery
//       (200) before restoring anything; the server does not start, and its log names both
//       system identifiers.
// Every cluster runs with 1 MiB segments and default settings otherwise; no pgbench.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "exit_codes.h"
#include "support/pg_test.h"
#include "support/run_command.h"

namespace walpipe::testing {
namespace {

namespace fs = std::filesystem;

constexpr int kWait = 60;         // seconds: the bound on every poll
constexpr int kFailedStart = 30;  // seconds pg_ctl may wait for a server that must not start

class PgMistakesTest : public PgTest {
 protected:
  void TearDown() override {
    if (workspace_) std::fprintf(stderr, "pg_mistakes_test: %.1f s\n", seconds());
  }

  // Prints how long the test has run so far, to show where the time goes.
  void phase(const char* what) const { std::fprintf(stderr, "[%6.1f s] %s\n", seconds(), what); }

  std::string archive_command(const std::string& archive) const {
    return "archive_command = '" + push_command(archive) + "'";
  }
  std::string restore_command(const std::string& archive) const {
    return "restore_command = '" + workspace_->walpipe() + " get --archive " + archive + " %f %p'";
  }

  // Starts `pg` (initialised with 1 MiB segments and `conf`), or fails the test.
  void init_and_start(PgCluster& pg, const std::vector<std::string>& conf) const {
    CommandResult r = pg.init({"--wal-segsize=1"});
    ASSERT_EQ(r.exit_code, 0) << "initdb " << pg.name() << "\n" << describe(r);
    pg.append_conf(conf);
    r = pg.start();
    ASSERT_EQ(r.exit_code, 0) << "pg_ctl start " << pg.name() << "\n" << describe(r);
  }

  // Writes a little WAL and closes the segment, so that the archiver has a file to archive.
  static std::string switch_segment(const PgCluster& pg) {
    EXPECT_EQ(pg.query("CREATE TABLE IF NOT EXISTS marks(id int); INSERT INTO marks VALUES (1)"),
              "");
    return pg.query("SELECT pg_walfile_name(pg_switch_wal())");
  }

  // A base backup of `pg` carrying its own WAL (-X stream: pg_basebackup does not wait for the
  // archiver, which in (a) cannot archive anything).
  std::string base_backup(const PgCluster& pg, const std::string& name) const {
    const std::string backup = workspace_->file(name);
    CommandResult r = pg.run_client({"pg_basebackup", "-D", backup, "-X", "stream", "-c", "fast"});
    EXPECT_EQ(r.exit_code, 0) << "pg_basebackup\n" << describe(r);
    return backup;
  }

  // Restores `backup` into a new cluster with `conf` and recovery.signal; expects the server
  // not to start. Returns the server log.
  std::string restore_must_stop(PgCluster& restored, const std::string& backup,
                                const std::vector<std::string>& conf) const {
    CommandResult r = restored.init_from_backup(backup);
    EXPECT_EQ(r.exit_code, 0) << "cp -a backup\n" << describe(r);
    restored.append_conf(conf);
    restored.touch("recovery.signal");
    r = restored.start(kFailedStart);
    EXPECT_NE(r.exit_code, 0) << "the server started although recovery had to stop\n"
                              << describe(r);
    EXPECT_FALSE(restored.running()) << "a postmaster is still up";
    const std::string log = read_text_file(restored.log_path());
    EXPECT_EQ(log.find("database system is ready to accept connections"), std::string::npos) << log;
    return log;
  }
};

TEST_F(PgMistakesTest, RelativeArchiveIsRefusedSoNoStaleCopyReachesABackup) {
  PgCluster primary(*workspace_, "primary");
  ASSERT_NO_FATAL_FAILURE(init_and_start(
      primary, {"archive_mode = on", archive_command("arch"), "log_checkpoints = off"}));
  phase("primary started");
  const std::string data = fs::canonical(primary.data_dir()).string();
  const std::string closed = switch_segment(primary);
  ASSERT_EQ(closed.size(), 24u) << closed;
  ASSERT_TRUE(primary.wait_for("SELECT failed_count > 0 FROM pg_stat_archiver", "t", kWait))
      << primary.log_tail();
  EXPECT_EQ(primary.query("SELECT archived_count, last_failed_wal FROM pg_stat_archiver"),
            "0|" + closed);
  phase("archive_command failed");

  const std::string log = read_text_file(primary.log_path());
  const std::string refusal =
      "walpipe push: error: archive directory \"arch\" is a relative path\n"
      "DETAIL: PostgreSQL runs archive_command and restore_command in the data directory, so a "
      "relative archive lies inside it: pg_basebackup copies it into every backup, and a "
      "restored backup would read a stale archive.\n"
      "HINT: Here \"arch\" means \"" +
      data +
      "/arch\". Give the archive as an absolute path "
      "outside the data directory.\n";
  EXPECT_NE(log.find(refusal), std::string::npos) << log;
  EXPECT_FALSE(fs::exists(data + "/arch"));
  phase("refusal found in the server log");

  const std::string backup = base_backup(primary, "backup");
  EXPECT_FALSE(fs::exists(backup + "/arch")) << "the backup carries an archive";
  phase("base backup taken");
  // Immediate: a fast shutdown has the archiver try (and fail) three more times, a second apart.
  primary.stop("immediate");
  phase("primary stopped");

  // The same relative path in restore_command: recovery stops instead of ending early.
  PgCluster restored(*workspace_, "restored");
  const std::string restored_log =
      restore_must_stop(restored, backup, {"archive_mode = off", restore_command("arch")});
  phase("restore stopped");
  const std::string restored_data = fs::canonical(restored.data_dir()).string();
  EXPECT_NE(restored_log.find("walpipe get: error: archive directory \"arch\" is a relative "
                              "path\n"),
            std::string::npos)
      << restored_log;
  EXPECT_NE(restored_log.find("HINT: Here \"arch\" means \"" + restored_data + "/arch\"."),
            std::string::npos)
      << restored_log;
  EXPECT_NE(restored_log.find("exit code " + std::to_string(exit_code::kGetUsage)),
            std::string::npos)
      << restored_log;
}

TEST_F(PgMistakesTest, ArchiveOfAnotherClusterStopsRecoveryNamingBothSystems) {
  // Cluster Y archives through walpipe; cluster X is the one backed up.
  const std::string archive_y = workspace_->make_dir("archive-y");
  PgCluster y(*workspace_, "y");
  ASSERT_NO_FATAL_FAILURE(init_and_start(y, {"archive_mode = on", archive_command(archive_y)}));
  const std::string closed = switch_segment(y);
  ASSERT_TRUE(y.wait_for(
      "SELECT coalesce(last_archived_wal >= '" + closed + "', false) FROM pg_stat_archiver", "t",
      kWait))
      << y.log_tail();
  const std::string y_id = y.query("SELECT system_identifier FROM pg_control_system()");
  y.stop("fast");

  PgCluster x(*workspace_, "x");
  ASSERT_NO_FATAL_FAILURE(init_and_start(x, {}));
  const std::string x_id = x.query("SELECT system_identifier FROM pg_control_system()");
  ASSERT_NE(x_id, y_id);
  const std::string backup = base_backup(x, "backup-x");
  x.stop("fast");

  PgCluster restored(*workspace_, "restored");
  const std::string log = restore_must_stop(restored, backup, {restore_command(archive_y)});
  const std::string data = fs::canonical(restored.data_dir()).string();
  const std::string refusal =
      "walpipe get: error: archive \"" + archive_y +
      "\" holds the WAL of a different database system than data directory \"" + data +
      "\"\n"
      "DETAIL: The archive has system identifier " +
      y_id + "; \"" + data + "/global/pg_control\" has system identifier " + x_id +
      ".\n"
      "HINT: Nothing was restored. Point restore_command at the archive of the cluster this "
      "data directory was backed up from.\n";
  EXPECT_NE(log.find(refusal), std::string::npos) << log;
  EXPECT_NE(log.find("exit code " + std::to_string(exit_code::kGetCorrupt)), std::string::npos)
      << log;
  EXPECT_FALSE(fs::exists(data + "/pg_wal/RECOVERYXLOG"));
  EXPECT_FALSE(fs::exists(data + "/pg_wal/walpipe_prefetch")) << "a prefetcher was started";
}

}  // namespace
}  // namespace walpipe::testing
