// walpipe list against a real PostgreSQL 15 server archiving through walpipe push: the backup
// history file pg_basebackup makes the server archive is listed with its label and positions, the
// same backup's backup_label read with --backup agrees with it, and --at finds the segment that
// holds a commit made afterwards.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "support/pg_cluster.h"
#include "support/prerequisite.h"
#include "support/run_command.h"

namespace walpipe::testing {
namespace {

constexpr int kWait = 60;  // seconds: the bound on the poll below

// The value of "KEY: value" in a backup_label.
std::string label_value(const std::string& text, const std::string& key) {
  size_t at = text.find(key + ": ");
  if (at == std::string::npos) return "";
  at += key.size() + 2;
  return text.substr(at, text.find('\n', at) - at);
}

TEST(PgList, ShowsTheBackupPgBasebackupArchivedAndTheSegmentOfACommit) {
  std::string why;
  if (pg15_bin_dir(&why).empty()) WALPIPE_SKIP() << why;
  PgWorkspace workspace;
  const std::string archive = workspace.make_dir("archive");
  auto walpipe = [&](std::vector<std::string> args) {
    args.insert(args.begin(), workspace.walpipe());
    return run_as_postgres(args);
  };
  PgCluster primary(workspace, "primary");
  CommandResult r = primary.init({"--wal-segsize=1"});
  ASSERT_EQ(r.exit_code, 0) << "initdb\n" << describe(r);
  // backup history files carry times in log_timezone; only UTC and offsets are read.
  primary.append_conf(
      {"wal_level = replica", "archive_mode = on",
       "archive_command = '" + workspace.walpipe() + " push --archive " + archive + " %p'",
       "max_wal_senders = 4", "log_timezone = 'UTC'"});
  r = primary.start();
  ASSERT_EQ(r.exit_code, 0) << "pg_ctl start\n" << describe(r);
  ASSERT_EQ(primary.query("CREATE TABLE t(id int)"), "");

  const std::string backup = workspace.file("backup");
  r = primary.run_client(
      {"pg_basebackup", "-D", backup, "-X", "none", "-c", "fast", "-l", "nightly list test"});
  ASSERT_EQ(r.exit_code, 0) << "pg_basebackup\n" << describe(r);
  const std::string label = read_text_file(backup + "/backup_label");
  const std::string start = label_value(label, "START WAL LOCATION");
  ASSERT_FALSE(start.empty()) << label;

  const std::string at = primary.query(
      "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || ' UTC'");
  ASSERT_EQ(primary.query("INSERT INTO t VALUES (1)"), "");
  ASSERT_FALSE(primary.query("SELECT pg_switch_wal()").empty());

  // The server archives asynchronously: wait for the commit's segment.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(kWait);
  for (;;) {
    r = walpipe({"list", "--archive", archive, "--at", at});
    if (r.out.find(" on timeline 1 (commits from ") != std::string::npos) break;
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << describe(r);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_EQ(r.err, "");
  const std::string start_lsn = start.substr(0, start.find(' '));
  const std::string first_segment = start.substr(start.find("(file ") + 6, 24);
  EXPECT_NE(r.out.find(".backup: label \"nightly list test\", from primary, start " + start_lsn +
                       " at " + label_value(label, "START TIME") + ", stop "),
            std::string::npos)
      << r.out << "\n"
      << label;
  EXPECT_NE(r.out.find(", timeline 1, needs WAL from " + first_segment + "\n"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("last restorable time: "), std::string::npos) << r.out;

  r = walpipe({"list", "--archive", archive, "--backup", backup, "--timeline", "1"});
  EXPECT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_NE(
      r.out.find("backup \"" + backup + "\": label \"nightly list test\", from primary, start " +
                 start_lsn + " at " + label_value(label, "START TIME") +
                 ", stop unknown (backup_label), timeline 1, needs WAL from " + first_segment +
                 "\n"),
      std::string::npos)
      << r.out;
  primary.stop();
}

}  // namespace
}  // namespace walpipe::testing
