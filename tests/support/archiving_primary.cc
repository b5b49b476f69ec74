#include "support/archiving_primary.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "support/prerequisite.h"

namespace walpipe::testing {

ArchivingPrimary::ArchivingPrimary(const PgWorkspace& workspace)
    : PgCluster(workspace, "primary"),
      workspace_(workspace),
      archive_(workspace.make_dir("archive")) {}

void ArchivingPrimary::set_up() {
  CommandResult r = init({"--wal-segsize=1"});
  ASSERT_EQ(r.exit_code, 0) << "initdb\n" << describe(r);
  append_conf(
      {"wal_level = replica", "archive_mode = on",
       "archive_command = '" + workspace_.walpipe() + " push --archive " + archive_ + " %p'",
       "max_wal_senders = 4", "log_timezone = 'UTC'"});
  r = start();
  ASSERT_EQ(r.exit_code, 0) << "pg_ctl start\n" << describe(r);
  ASSERT_EQ(query("CREATE TABLE t(id int)"), "");
}

void ArchivingPrimary::base_backup(const std::string& dir, const std::string& label) const {
  CommandResult r =
      run_client({"pg_basebackup", "-D", dir, "-X", "none", "-c", "fast", "-l", label});
  ASSERT_EQ(r.exit_code, 0) << "pg_basebackup\n" << describe(r);
}

CommandResult ArchivingPrimary::walpipe(std::vector<std::string> args) const {
  args.insert(args.begin(), workspace_.walpipe());
  return run_as_postgres(args);
}

void ArchivingPrimary::walpipe_until(const std::vector<std::string>& args,
                                     const std::function<bool(const CommandResult&)>& done,
                                     CommandResult* r, int timeout_s) const {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  for (;;) {
    *r = walpipe(args);
    if (done(*r)) return;
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << describe(*r);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

void ArchivingPrimaryTest::SetUp() {
  std::string why;
  if (pg15_bin_dir(&why).empty()) WALPIPE_SKIP() << why;
  workspace_ = std::make_unique<PgWorkspace>();
  primary_ = std::make_unique<ArchivingPrimary>(*workspace_);
  ASSERT_NO_FATAL_FAILURE(primary_->set_up());
}

void ArchivingPrimaryTest::two_backups(std::string* between) {
  ArchivingPrimary& primary = *primary_;
  ASSERT_EQ(primary.query("INSERT INTO t VALUES (1)"), "");
  ASSERT_NO_FATAL_FAILURE(primary.base_backup(workspace_->file("first"), "first"));
  ASSERT_EQ(primary.query("INSERT INTO t SELECT g FROM generate_series(100, 20000) g"), "");
  // A .backup file's STOP TIME is to the second: a target in the same second as a backup's stop
  // is planned from the backup before it.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  *between = primary.query(kNowUtc);
  ASSERT_FALSE(primary.query("SELECT pg_switch_wal()").empty());
  ASSERT_NO_FATAL_FAILURE(primary.base_backup(workspace_->file("second"), "second"));
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  ASSERT_EQ(primary.query("INSERT INTO t VALUES (2)"), "");
}

}  // namespace walpipe::testing
