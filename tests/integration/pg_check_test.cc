// walpipe check against a real PostgreSQL 15: a working set-up passes the round trip; each
// broken one fails at the step that is wrong, saying what to fix.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "exit_codes.h"
#include "support/pg_test.h"
#include "support/run_command.h"

namespace walpipe::testing {
namespace {

class PgCheckTest : public PgArchivingTest {
 protected:
  std::unique_ptr<PgCluster> start(const std::vector<std::string>& settings) {
    auto pg = start_cluster("pg", settings);
    pg->query("CREATE TABLE t AS SELECT 1 AS x");  // something written since the last switch
    return pg;
  }

  std::string push_into(const std::string& archive) const {
    return "archive_command = '" + push_command(archive) + "'";
  }

  CommandResult check(const PgCluster& pg, std::vector<std::string> extra = {}) const {
    std::vector<std::string> args{"check", "--dbname", conninfo(pg), "--archive", archive_};
    args.insert(args.end(), extra.begin(), extra.end());
    return walpipe(args);
  }
};

TEST_F(PgCheckTest, AWorkingSetUpPassesTheRoundTrip) {
  auto pg = start({"archive_mode = on", "wal_level = replica", push_into(archive_)});
  const std::string current = pg->query("SELECT pg_walfile_name(pg_current_wal_lsn())");
  CommandResult r = check(*pg);
  ASSERT_EQ(r.exit_code, exit_code::kOk) << describe(r);
  EXPECT_NE(r.out.find("ok    connect to PostgreSQL: host \"" + pg->socket_dir() + "\""),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("\nok    archive_mode: archive_mode = on\n"
                       "ok    wal_level: wal_level = replica\n"
                       "ok    archive_command: walpipe push --archive " +
                       archive_ +
                       "\n"
                       "ok    switch WAL: pg_switch_wal() closed \"" +
                       current +
                       "\"\n"
                       "ok    wait for the archive: \"" +
                       current + "\" archived after "),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("\nok    verify: "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(" records, 0/"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\ncheck passed: the server archives into \"" + archive_ +
                       "\" and the archived WAL verifies\n"),
            std::string::npos)
      << r.out;
}

TEST_F(PgCheckTest, ArchiveModeOffFailsWithWhatToSet) {
  auto pg = start({"archive_mode = off", push_into(archive_)});
  CommandResult r = check(*pg);
  EXPECT_EQ(r.exit_code, exit_code::kCheckFailed) << describe(r);
  EXPECT_NE(r.out.find("\nFAIL  archive_mode: archive_mode = off\n"
                       "      HINT: set archive_mode = on in postgresql.conf and restart the "
                       "server\n"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(r.out.find("switch WAL"), std::string::npos) << "no segment is switched for nothing";
  EXPECT_NE(r.out.find("\ncheck failed\n"), std::string::npos);
}

TEST_F(PgCheckTest, AnArchiveCommandPointingElsewhereFailsNamingBoth) {
  const std::string elsewhere = workspace_->make_dir("elsewhere");
  auto pg = start({"archive_mode = on", push_into(elsewhere)});
  CommandResult r = check(*pg);
  EXPECT_EQ(r.exit_code, exit_code::kCheckFailed) << describe(r);
  EXPECT_NE(r.out.find("\nFAIL  archive_command: walpipe push archives into \"" + elsewhere +
                       "\", not \"" + archive_ + "\"\n      HINT: set archive_command = '"),
            std::string::npos)
      << r.out;

  pg->query("ALTER SYSTEM SET archive_command = 'cp %p /tmp/%f'");
  pg->query("SELECT pg_reload_conf()");
  r = check(*pg);
  EXPECT_EQ(r.exit_code, exit_code::kCheckFailed) << describe(r);
  EXPECT_NE(r.out.find("\nFAIL  archive_command: archive_command does not run walpipe push\n"),
            std::string::npos)
      << r.out;
}

TEST_F(PgCheckTest, ASegmentThatNeverArrivesFailsAfterTheWait) {
  // The command names this archive, but the server cannot write there.
  auto pg = start({"archive_mode = on", push_into(archive_)});
  CommandResult chmod = run_command({"/bin/chmod", "0500", archive_});
  ASSERT_EQ(chmod.exit_code, 0) << describe(chmod);
  CommandResult r = check(*pg, {"--wait=3"});
  EXPECT_EQ(r.exit_code, exit_code::kCheckFailed) << describe(r);
  EXPECT_NE(r.out.find("\nFAIL  wait for the archive: \""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\" did not reach the archive within 3 s\n      HINT: look at "
                       "pg_stat_archiver and the server log"),
            std::string::npos)
      << r.out;
  run_command({"/bin/chmod", "0700", archive_});
}

TEST_F(PgCheckTest, NoArchiveIsAUsageError) {
  auto pg = start({"archive_mode = on", push_into(archive_)});
  CommandResult r = walpipe({"check", "--dbname", "host=" + pg->socket_dir()});
  EXPECT_EQ(r.exit_code, exit_code::kCheckUsage) << describe(r);
  EXPECT_EQ(r.err,
            "walpipe check: error: no archive directory given (--archive or WALPIPE_ARCHIVE)\n"
            "walpipe check: hint: Try \"walpipe check --help\" for more information.\n");
}

}  // namespace
}  // namespace walpipe::testing
