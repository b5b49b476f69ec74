// walpipe list against a real PostgreSQL 15 server archiving through walpipe push: the backup
// history file pg_basebackup makes the server archive is listed with its label and positions, the
// same backup's backup_label read with --backup agrees with it, and --at finds the segment that
// holds a commit made afterwards.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/archiving_primary.h"
#include "support/pg_cluster.h"
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

class PgList : public ArchivingPrimaryTest {};

TEST_F(PgList, ShowsTheBackupPgBasebackupArchivedAndTheSegmentOfACommit) {
  PgWorkspace& workspace = this->workspace();
  ArchivingPrimary& primary = this->primary();
  const std::string& archive = primary.archive();

  const std::string backup = workspace.file("backup");
  ASSERT_NO_FATAL_FAILURE(primary.base_backup(backup, "nightly list test"));
  const std::string label = read_text_file(backup + "/backup_label");
  const std::string start = label_value(label, "START WAL LOCATION");
  ASSERT_FALSE(start.empty()) << label;

  const std::string at = primary.query(kNowUtc);
  ASSERT_EQ(primary.query("INSERT INTO t VALUES (1)"), "");
  ASSERT_FALSE(primary.query("SELECT pg_switch_wal()").empty());

  // Until the commit's segment is archived.
  CommandResult r;
  ASSERT_NO_FATAL_FAILURE(primary.walpipe_until(
      {"list", "--archive", archive, "--at", at},
      [](const CommandResult& result) {
        return result.out.find(" on timeline 1 (commits from ") != std::string::npos;
      },
      &r, kWait));
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

  r = primary.walpipe({"list", "--archive", archive, "--backup", backup, "--timeline", "1"});
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
