// walpipe restore-plan against a real PostgreSQL 15 server archiving through walpipe push: two
// base backups with writes between them, plans to several targets (each from the right backup,
// one unreachable once a segment is taken away), then a real point-in-time recovery with the
// settings the plan printed, which stops where it said: a row inserted before the target is
// there, one inserted after it is not.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "support/archiving_primary.h"
#include "support/pg_cluster.h"
#include "support/run_command.h"

namespace walpipe::testing {
namespace {

constexpr int kWait = 60;  // seconds: the bound on every poll below

// The lines after "recovery settings", with `walpipe` replaced by the binary the server can run.
std::vector<std::string> settings_of(const std::string& out, const std::string& binary) {
  std::vector<std::string> lines;
  size_t at = out.find("recovery settings");
  if (at == std::string::npos) return lines;
  at = out.find('\n', at) + 1;
  for (size_t end; (end = out.find('\n', at)) != std::string::npos; at = end + 1) {
    std::string line = out.substr(at, end - at);
    for (size_t w; (w = line.find("'walpipe ")) != std::string::npos;)
      line.replace(w + 1, 7, binary);
    lines.push_back(line);
  }
  return lines;
}

class PgRestorePlan : public ArchivingPrimaryTest {};

TEST_F(PgRestorePlan, PlansFromTheRightBackupAndARecoveryWithItsSettingsStopsAtTheTarget) {
  PgWorkspace& workspace = this->workspace();
  ArchivingPrimary& primary = this->primary();
  const std::string& archive = primary.archive();
  std::string between;
  ASSERT_NO_FATAL_FAILURE(two_backups(&between));
  const std::string second = workspace.file("second");
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  const std::string target = primary.query(kNowUtc);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ASSERT_EQ(primary.query("INSERT INTO t VALUES (3)"), "");
  ASSERT_FALSE(primary.query("SELECT pg_switch_wal()").empty());

  // Plan until the commit after the target is archived.
  CommandResult r;
  ASSERT_NO_FATAL_FAILURE(primary.walpipe_until(
      {"restore-plan", "--archive", archive, "--target-time", target},
      [](const CommandResult& result) { return result.exit_code == 0; }, &r, kWait));
  EXPECT_EQ(r.err, "");
  EXPECT_NE(r.out.find(".backup: label \"second\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(", all verified\n"), std::string::npos) << r.out;
  const std::vector<std::string> settings = settings_of(r.out, workspace.walpipe());
  ASSERT_EQ(settings.size(), 4u) << r.out;
  EXPECT_EQ(settings[1], "recovery_target_time = '" + target + "'") << r.out;

  r = primary.walpipe({"restore-plan", "--archive", archive, "--target-time", between});
  EXPECT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_NE(r.out.find(".backup: label \"first\""), std::string::npos) << r.out;
  r = primary.walpipe({"restore-plan", "--archive", archive, "--latest"});
  EXPECT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_NE(r.out.find(".backup: label \"second\""), std::string::npos) << r.out;
  r = primary.walpipe({"restore-plan", "--archive", archive, "--target-time", "2000-01-01 UTC"});
  EXPECT_EQ(r.exit_code, 1) << describe(r);
  EXPECT_TRUE(
      r.err.starts_with("walpipe restore-plan: error: no base backup ends before "
                        "2000-01-01 00:00:00.000000 UTC\n"))
      << r.err;

  // A copy of the archive without the segment after the first backup's: named, with the point
  // before it.
  const std::string copy = workspace.file("copy");
  ASSERT_EQ(run_as_postgres({"cp", "-a", archive, copy}).exit_code, 0);
  r = primary.walpipe({"restore-plan", "--archive", copy, "--target-time", between});
  const std::string first_segment = r.out.substr(r.out.find("needs WAL from ") + 15, 24);
  ASSERT_EQ(first_segment.size(), 24u) << r.out;
  char next_seg[16];
  std::snprintf(next_seg, sizeof next_seg, "%08lX",
                std::stoul(first_segment.substr(16), nullptr, 16) + 1);
  const std::string next = first_segment.substr(0, 16) + next_seg;
  ASSERT_EQ(
      run_as_postgres({"rm", copy + "/wal/" + next.substr(0, 16) + "/" + next + ".zst"}).exit_code,
      0);
  r = primary.walpipe({"restore-plan", "--archive", copy, "--target-time", between});
  EXPECT_EQ(r.exit_code, 1) << describe(r);
  EXPECT_NE(r.err.find(": WAL segment " + next +
                       " is missing\nDETAIL: The latest reachable point "
                       "is "),
            std::string::npos)
      << r.err;

  // The recovery itself, with the plan's settings: it pauses at the target.
  primary.stop();
  PgCluster restored(workspace, "restored");
  r = restored.init_from_backup(second);
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  std::vector<std::string> conf{"archive_mode = off"};
  conf.insert(conf.end(), settings.begin(), settings.end());
  restored.append_conf(conf);
  restored.touch("recovery.signal");
  r = restored.start();
  ASSERT_EQ(r.exit_code, 0) << describe(r) << restored.log_tail();
  ASSERT_TRUE(restored.wait_for("SELECT pg_get_wal_replay_pause_state()", "paused", kWait))
      << restored.log_tail();
  EXPECT_EQ(restored.query("SELECT count(*) FROM t WHERE id = 2"), "1");
  EXPECT_EQ(restored.query("SELECT count(*) FROM t WHERE id = 3"), "0");
  restored.stop();
}

}  // namespace
}  // namespace walpipe::testing
