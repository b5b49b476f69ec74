// walpipe expire against a real PostgreSQL 15 server archiving through walpipe push: two base
// backups with writes between them. By days (both backups in the window) and by two backups,
// the older backup's WAL stays; by one backup it goes with its .backup file, and restore-plan
// --latest from the kept backup still reaches the end of the archive.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/archiving_primary.h"
#include "support/pg_cluster.h"
#include "support/run_command.h"

namespace walpipe::testing {
namespace {

constexpr int kWait = 60;  // seconds: the bound on every poll below

class PgExpire : public ArchivingPrimaryTest {};

TEST_F(PgExpire, TheOlderBackupsWalGoesOnlyWhenRetentionAllowsIt) {
  ArchivingPrimary& primary = this->primary();
  const std::string& archive = primary.archive();
  std::string between;
  ASSERT_NO_FATAL_FAILURE(two_backups(&between));
  ASSERT_FALSE(primary.query("SELECT pg_switch_wal()").empty());

  // Everything archived: a plan to the time between the backups, from the first, is whole.
  CommandResult r;
  ASSERT_NO_FATAL_FAILURE(primary.walpipe_until(
      {"restore-plan", "--archive", archive, "--target-time", between},
      [](const CommandResult& result) { return result.exit_code == 0; }, &r, kWait));
  ASSERT_NE(r.out.find(".backup: label \"first\""), std::string::npos) << r.out;

  for (std::vector<std::string> policy :
       {std::vector<std::string>{"--keep-days", "1"}, {"--keep-backups", "2"}}) {
    std::vector<std::string> args{"expire", "--archive", archive};
    args.insert(args.end(), policy.begin(), policy.end());
    r = primary.walpipe(args);
    ASSERT_EQ(r.exit_code, 0) << describe(r);
    EXPECT_NE(r.out.find("keeps backup "), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("expires backup "), std::string::npos) << r.out;
    r = primary.walpipe({"restore-plan", "--archive", archive, "--target-time", between});
    EXPECT_EQ(r.exit_code, 0) << describe(r);
  }

  // One backup: the first one's .backup file and WAL go, oldest first, each named.
  r = primary.walpipe({"expire", "--archive", archive, "--keep-backups", "1"});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  const size_t expired = r.out.find("expires backup ");
  ASSERT_NE(expired, std::string::npos) << r.out;
  EXPECT_NE(r.out.find("label \"first\"", expired), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(".backup can no longer be restored: the WAL it needs from "),
            std::string::npos)
      << r.out;
  r = primary.walpipe({"restore-plan", "--archive", archive, "--latest"});
  EXPECT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_NE(r.out.find(".backup: label \"second\""), std::string::npos) << r.out;
  r = primary.walpipe({"restore-plan", "--archive", archive, "--target-time", between});
  EXPECT_EQ(r.exit_code, 1) << describe(r);
  EXPECT_TRUE(r.err.starts_with("walpipe restore-plan: error: no base backup ends before "))
      << r.err;
  // Nothing more to do.
  r = primary.walpipe({"expire", "--archive", archive, "--keep-backups", "1"});
  EXPECT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_NE(r.out.find("removed 0 objects"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace walpipe::testing
