// walpipe restore-plan over a real archive written by walpipe push from the pg16 corpus: segments
// 34-36 and 39 of timeline 1, timeline 2 from 55 on, the corpus's backup (in 3A, whose WAL is not
// there) and one made for these tests in 34. A reachable target, one behind missing segments, one
// before every backup, --latest with a gap and without, damaged and foreign objects, bad options,
// a newer backup passed over for an older one, and --target-timeline.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "exit_codes.h"
#include "support/corpus_archive.h"
#include "support/run_command.h"
#include "support/scratch_dir.h"

namespace walpipe::testing {
namespace {

namespace fs = std::filesystem;

constexpr const char* kEarlyLine =
    "backup 000000010000000000000034.000008A0.backup: label \"early\", from primary, start "
    "0/34008A0 at 2026-11-24 15:54:14 UTC, stop 0/3400C00 at 2026-11-24 15:54:15 UTC, timeline 1, "
    "needs WAL from 000000010000000000000034\n";
constexpr const char* kLatestIn36 =
    "The latest reachable point is 0/36FF3D0, the end of 000000010000000000000036; its newest "
    "commit is at 2026-11-24 15:54:16.156204 UTC (in 000000010000000000000036).";

// Two backups around the promotion that began timeline 2 at 0/55000A0: one on timeline 1 that
// ends at the switch point, so recovery from it can follow timeline 2; one taken later on the
// old primary, which went on writing timeline 1 (none of which is archived).
constexpr const char* kBeforeSwitch = "000000010000000000000055.00000028.backup";
constexpr const char* kBeforeSwitchText =
    "START WAL LOCATION: 0/5500028 (file 000000010000000000000055)\n"
    "STOP WAL LOCATION: 0/55000A0 (file 000000010000000000000055)\n"
    "CHECKPOINT LOCATION: 0/5500028\n"
    "BACKUP METHOD: streamed\n"
    "BACKUP FROM: primary\n"
    "START TIME: 2026-11-24 15:54:20 UTC\n"
    "LABEL: before the switch\n"
    "START TIMELINE: 1\n"
    "STOP TIME: 2026-11-24 15:54:21 UTC\n"
    "STOP TIMELINE: 1\n";
constexpr const char* kOldPrimary = "000000010000000000000056.00000028.backup";
constexpr const char* kOldPrimaryText =
    "START WAL LOCATION: 0/5600028 (file 000000010000000000000056)\n"
    "STOP WAL LOCATION: 0/5600100 (file 000000010000000000000056)\n"
    "CHECKPOINT LOCATION: 0/5600060\n"
    "BACKUP METHOD: streamed\n"
    "BACKUP FROM: primary\n"
    "START TIME: 2026-11-24 15:54:26 UTC\n"
    "LABEL: old primary\n"
    "START TIMELINE: 1\n"
    "STOP TIME: 2026-11-24 15:54:27 UTC\n"
    "STOP TIMELINE: 1\n";
constexpr const char* kBeforeSwitchLine =
    "backup 000000010000000000000055.00000028.backup: label \"before the switch\", from primary, "
    "start 0/5500028 at 2026-11-24 15:54:20 UTC, stop 0/55000A0 at 2026-11-24 15:54:21 UTC, "
    "timeline 1, needs WAL from 000000010000000000000055\n";
constexpr const char* kOnTimeline2 =
    "target: 2026-11-24 15:54:29.300000 UTC, on timeline 2 (following timelines 1 2)\n"
    "WAL on the way: 000000020000000000000055 to 000000020000000000000056, 2 segments (2048 kB), "
    "all verified\n";

class RestorePlan : public CorpusArchiveTest {
 protected:
  static void SetUpTestSuite() { push_suite_archive({{kEarlyBackup, kEarlyBackupText}}); }
  CommandResult plan(const std::vector<std::string>& extra) {
    return on_archive("restore-plan", extra);
  }
  void push_backups_around_the_switch() {
    push_file(archive(), dir_.write(std::string("src/") + kBeforeSwitch, kBeforeSwitchText));
    push_file(archive(), dir_.write(std::string("src/") + kOldPrimary, kOldPrimaryText));
  }
  std::string settings(const std::string& target_line, const std::string& timeline) {
    return "\nrecovery settings (postgresql.auto.conf of the restored backup, with an empty "
           "recovery.signal beside it):\n"
           "restore_command = 'walpipe get --archive " +
           archive() + " %f %p'\n" + target_line + "recovery_target_timeline = '" + timeline +
           "'\nrecovery_end_command = 'walpipe get --remove-spool=pg_wal/walpipe_prefetch'\n";
  }
};

TEST_F(RestorePlan, AReachableTargetGivesTheBackupTheWayAndTheSettings) {
  CommandResult r = plan({"--target-time", "2026-11-24 15:54:16.1 UTC"});
  ASSERT_EQ(r.exit_code, exit_code::kOk) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(r.out,
            std::string(kEarlyLine) +
                "target: 2026-11-24 15:54:16.100000 UTC, on timeline 2 (following timelines 1 2)\n"
                "WAL on the way: 000000010000000000000034 to 000000010000000000000036, 3 segments "
                "(3072 kB), all verified\n"
                "reached in 000000010000000000000036 (commits from 2026-11-24 15:54:16.073560 UTC "
                "to 2026-11-24 15:54:16.156204 UTC)\n" +
                settings("recovery_target_time = '2026-11-24 15:54:16.100000 UTC'\n", "2"));

  r = plan({"--target-lsn", "0/3580000"});
  ASSERT_EQ(r.exit_code, exit_code::kOk) << r.err;
  EXPECT_NE(r.out.find("WAL on the way: 000000010000000000000034 to 000000010000000000000035, 2 "
                       "segments (2048 kB), all verified\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("recovery_target_lsn = '0/3580000'\n"), std::string::npos) << r.out;
}

TEST_F(RestorePlan, AMissingSegmentIsNamedWithTheLatestReachablePoint) {
  CommandResult r = plan({"--target-time", "2026-11-24 15:54:16.3 UTC"});
  EXPECT_EQ(r.exit_code, exit_code::kPlanUnreachable);
  EXPECT_EQ(r.err,
            "walpipe restore-plan: error: the archive cannot reach 2026-11-24 15:54:16.300000 UTC "
            "from backup 000000010000000000000034.000008A0.backup: WAL segments "
            "000000010000000000000037 to 000000010000000000000038 are missing (2 segments)\n"
            "DETAIL: " +
                std::string(kLatestIn36) +
                "\nHINT: Push the missing segments to the archive if a pg_wal or another copy "
                "still has them; otherwise choose a target at or before the latest reachable "
                "point.\n");
  EXPECT_NE(r.out.find("latest reachable point: 0/36FF3D0 (the end of 000000010000000000000036), "
                       "newest commit 2026-11-24 15:54:16.156204 UTC\n"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(r.out.find("recovery settings"), std::string::npos) << r.out;
}

TEST_F(RestorePlan, ATargetBeforeTheOldestBackupIsUnreachable) {
  CommandResult r = plan({"--target-time", "2026-11-24 15:54:10 UTC"});
  EXPECT_EQ(r.exit_code, exit_code::kPlanUnreachable);
  EXPECT_EQ(r.out, "target: 2026-11-24 15:54:10.000000 UTC\n");
  EXPECT_EQ(r.err,
            "walpipe restore-plan: error: no base backup ends before 2026-11-24 15:54:10.000000 "
            "UTC\nDETAIL: The oldest, 000000010000000000000034.000008A0.backup, ends at "
            "0/3400C00 in the second of 2026-11-24 15:54:15 UTC (its .backup file gives the time "
            "to the second).\nHINT: Recovery cannot stop before the end of the backup it starts "
            "from: choose a later target, or give an older backup with --backup DIR.\n");
  // STOP TIME 15:54:15 means some time in that second: a target inside it may precede the end.
  r = plan({"--target-time", "2026-11-24 15:54:15.5 UTC"});
  EXPECT_EQ(r.exit_code, exit_code::kPlanUnreachable);
  EXPECT_TRUE(
      r.err.starts_with("walpipe restore-plan: error: no base backup ends before "
                        "2026-11-24 15:54:15.500000 UTC\n"))
      << r.err;
  // From the next second on, the backup is before the target.
  r = plan({"--target-time", "2026-11-24 15:54:16 UTC"});
  EXPECT_EQ(r.exit_code, exit_code::kOk) << r.err;
  EXPECT_TRUE(r.out.starts_with(kEarlyLine)) << r.out;
}

TEST_F(RestorePlan, LatestWithAGapSaysPostgreSQLWouldPromoteThere) {
  CommandResult r = plan({"--latest"});
  EXPECT_EQ(r.exit_code, exit_code::kPlanUnreachable);
  EXPECT_EQ(r.err,
            "walpipe restore-plan: error: the archive cannot take recovery from backup "
            "00000001000000000000003A.000000D8.backup to its end: WAL segments "
            "00000001000000000000003A to 000000010000000000000054 are missing (27 segments)\n"
            "DETAIL: Recovery from this backup cannot reach a consistent state. PostgreSQL would "
            "end recovery at the gap and promote, without the WAL after it.\n"
            "HINT: Push the missing segments to the archive if a pg_wal or another copy still "
            "has them; otherwise recovery needs a base backup that starts after them (a "
            "standby's, which writes no .backup file: --backup DIR).\n");

  // Without the newer backup and what follows 36, the way from the early backup is whole.
  for (const char* name :
       {"000000010000000000000039", "00000001000000000000003A.000000D8.backup",
        "000000010000000000000055.partial", "000000020000000000000055", "000000020000000000000056"})
    fs::remove(object(name));
  fs::remove(archive() + "/wal/00000002.history.zst");
  fs::remove(object("000000010000000000000037"));
  r = plan({"--latest"});
  ASSERT_EQ(r.exit_code, exit_code::kOk) << r.err;
  EXPECT_EQ(r.out, std::string(kEarlyLine) +
                       "target: the end of the archive, on timeline 1\n"
                       "WAL on the way: 000000010000000000000034 to 000000010000000000000036, 3 "
                       "segments (3072 kB), all verified\n"
                       "latest reachable point: 0/36FF3D0 (the end of 000000010000000000000036), "
                       "newest commit 2026-11-24 15:54:16.156204 UTC\n" +
                       settings("", "1"));
}

TEST_F(RestorePlan, ADamagedSegmentOnTheWayFailsVerification) {
  const std::string damaged = object("000000010000000000000035");
  {
    std::fstream f(damaged, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(fs::file_size(damaged) / 2));
    f.put('\x55');  // inside a data frame: the metadata still reads, the content does not
  }
  CommandResult r = plan({"--target-time", "2026-11-24 15:54:16.1 UTC"});
  EXPECT_EQ(r.exit_code, exit_code::kPlanUnreachable) << r.out;
  EXPECT_TRUE(
      r.err.starts_with("walpipe restore-plan: error: the archive cannot reach "
                        "2026-11-24 15:54:16.100000 UTC from backup "
                        "000000010000000000000034.000008A0.backup: archive object \"" +
                        damaged + "\": zstd frame is damaged: "))
      << r.err;
  EXPECT_NE(r.err.find("\nDETAIL: The latest reachable point is 0/34FE678, the end of "
                       "000000010000000000000034; its newest commit is at 2026-11-24 "),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.out.find(", 3 segments (3072 kB), 1 verified\n"), std::string::npos) << r.out;
}

// A .backup file that does not parse is named, and the plan comes from the backups that do.
TEST_F(RestorePlan, ADamagedBackupFileIsNamedAndPassedBy) {
  const std::string name = kCetBackupName;
  push_file(archive(), dir_.write("src/" + name, kCetBackupText));
  CommandResult r = plan({"--target-time", "2026-11-24 15:54:16.1 UTC"});
  EXPECT_EQ(r.exit_code, exit_code::kOk) << r.err;
  EXPECT_EQ(r.err, "walpipe restore-plan: warning: invalid backup history file \"" + object(name) +
                       "\": line 6: START TIME \"2026-11-24 16:54:16 CET\" is not a time: time "
                       "zone \"CET\" is not known\n"
                       "HINT: Use UTC, GMT or a numeric offset such as +01 or -05:30.\n");
  EXPECT_TRUE(r.out.starts_with(kEarlyLine)) << r.out;
}

TEST_F(RestorePlan, AnotherClustersObjectIsNamedAndOnTheWayItCannotBeUsed) {
  const std::string foreign = other_cluster_object();
  const std::string planted = object("000000010000000000000026");
  fs::copy_file(foreign, planted);
  CommandResult r = plan({"--target-time", "2026-11-24 15:54:16.1 UTC"});
  EXPECT_EQ(r.exit_code, exit_code::kOk) << r.err;
  EXPECT_TRUE(r.err.starts_with("walpipe restore-plan: warning: archive object \"" + planted +
                                "\" belongs to another cluster: its WAL has system identifier "))
      << r.err;

  // Under a name on the way, it stands where a segment is needed.
  const std::string in_the_way = object("000000010000000000000037");
  fs::copy_file(foreign, in_the_way);
  r = plan({"--target-time", "2026-11-24 15:54:16.3 UTC"});
  EXPECT_EQ(r.exit_code, exit_code::kPlanUnreachable);
  EXPECT_NE(r.err.find("walpipe restore-plan: error: the archive cannot reach 2026-11-24 "
                       "15:54:16.300000 UTC from backup 000000010000000000000034.000008A0.backup: "
                       "WAL segment 000000010000000000000037 cannot be used: archive object \"" +
                       in_the_way +
                       "\" holds \"000000010000000000000026\" according to its metadata\n"
                       "DETAIL: " +
                       kLatestIn36 + "\n"),
            std::string::npos)
      << r.err;
}

TEST_F(RestorePlan, JsonSaysWhetherItIsReachableAndWhy) {
  CommandResult r = plan({"--target-time", "2026-11-24 15:54:16.1 UTC", "--json"});
  ASSERT_EQ(r.exit_code, exit_code::kOk) << r.err;
  const std::string a = archive();
  EXPECT_TRUE(r.out.starts_with("{\"archive\":\"" + a +
                                "\",\"target\":{\"kind\":\"time\",\"time\":\"2026-11-24 "
                                "15:54:16.100000 UTC\"},\"reachable\":true,\"backup\":{\"source\":"
                                "\"000000010000000000000034.000008A0.backup\""))
      << r.out;
  for (const std::string& field :
       {std::string("\"timelines\":[1,2],\"target_timeline\":2,\"wal\":{\"first_segment\":"
                    "\"000000010000000000000034\",\"last_segment\":\"000000010000000000000036\","
                    "\"segments\":3,\"bytes\":3145728,\"verified\":3},\"reached_in\":"
                    "\"000000010000000000000036\",\"latest_reachable\":null,\"shortfall\":null,"),
        "\"settings\":{\"restore_command\":\"walpipe get --archive " + a +
            " %f %p\",\"recovery_target_time\":\"2026-11-24 15:54:16.100000 UTC\","
            "\"recovery_target_timeline\":\"2\",\"recovery_end_command\":\"walpipe get "
            "--remove-spool=pg_wal/walpipe_prefetch\"},\"problems\":[]}\n"})
    EXPECT_NE(r.out.find(field), std::string::npos) << field << "\nin\n" << r.out;

  r = plan({"--target-time", "2026-11-24 15:54:16.3 UTC", "--json"});
  EXPECT_EQ(r.exit_code, exit_code::kPlanUnreachable);
  EXPECT_NE(r.out.find("\"reachable\":false,"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"latest_reachable\":{\"end_lsn\":\"0/36FF3D0\",\"segment\":"
                       "\"000000010000000000000036\",\"last_commit_time\":\"2026-11-24 "
                       "15:54:16.156204 UTC\"},\"shortfall\":{\"kind\":\"missing_segments\","
                       "\"message\":\"the archive cannot reach 2026-11-24 15:54:16.300000 UTC from "
                       "backup 000000010000000000000034.000008A0.backup: WAL segments "
                       "000000010000000000000037 to 000000010000000000000038 are missing (2 "
                       "segments)\",\"first_missing\":\"000000010000000000000037\","
                       "\"last_missing\":\"000000010000000000000038\",\"missing_count\":2},"
                       "\"settings\":null,"),
            std::string::npos)
      << r.out;
}

TEST_F(RestorePlan, BadOptionsAreUsageErrorsNamingTheValue) {
  CommandResult r = plan({"--target-time", "2026-11-24 15:54:16"});
  EXPECT_EQ(r.exit_code, exit_code::kPlanUsage);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err,
            "walpipe restore-plan: error: invalid value \"2026-11-24 15:54:16\" for option "
            "--target-time: no time zone\nHINT: Give the zone, as in \"2026-11-24 15:54:16 UTC\", "
            "\"2026-11-24T15:54:16Z\" or \"2026-11-24 16:54:16+01\": a time read in this "
            "machine's zone would name another moment elsewhere.\n");
  r = plan({"--target-lsn", "3A001B0"});
  EXPECT_EQ(r.exit_code, exit_code::kPlanUsage);
  EXPECT_EQ(r.err,
            "walpipe restore-plan: error: invalid value \"3A001B0\" for option --target-lsn: not "
            "an LSN\nHINT: Write it as PostgreSQL prints one, such as 0/3A001B0.\n");
  r = plan({});
  EXPECT_EQ(r.exit_code, exit_code::kPlanUsage);
  EXPECT_EQ(r.err,
            "walpipe restore-plan: error: no target given (--target-time, --target-lsn or "
            "--latest)\nwalpipe restore-plan: hint: Try \"walpipe restore-plan --help\" for more "
            "information.\n");
  r = plan({"--latest", "--target-lsn", "0/3580000"});
  EXPECT_EQ(r.exit_code, exit_code::kPlanUsage);
  EXPECT_TRUE(
      r.err.starts_with("walpipe restore-plan: error: give only one of --target-time, "
                        "--target-lsn and --latest\n"))
      << r.err;
  r = run_walpipe({"restore-plan", "--help"});
  EXPECT_EQ(r.exit_code, exit_code::kOk);
  EXPECT_TRUE(r.out.starts_with("walpipe restore-plan says which base backup to restore"));
  r = run_walpipe({"restore-plan", "--archive", dir_.file("nowhere"), "--latest"});
  EXPECT_EQ(r.exit_code, exit_code::kPlanUsage);
  EXPECT_EQ(r.err, "walpipe restore-plan: error: could not stat \"" + dir_.file("nowhere") +
                       "\": No such file or directory\n");
  fs::create_directories(dir_.file("empty"));
  r = run_walpipe({"restore-plan", "--archive", dir_.file("empty"), "--latest"});
  EXPECT_EQ(r.exit_code, exit_code::kPlanUsage);
  EXPECT_EQ(r.err, "walpipe restore-plan: error: archive \"" + dir_.file("empty") +
                       "\" has no walpipe.json\nHINT: walpipe push writes walpipe.json before any "
                       "object: nothing was archived there, or it is not the archive's folder.\n");
}

// A backup taken on a standby has no .backup file: --backup plans from its backup_label.
TEST_F(RestorePlan, BackupPlansFromTheLabelOfABackupFolder) {
  const std::string backup = dir_.file("standby-backup");
  fs::create_directories(backup);
  ScratchDir::write_file(backup + "/backup_label",
                         "START WAL LOCATION: 0/3500028 (file 000000010000000000000035)\n"
                         "CHECKPOINT LOCATION: 0/3500060\n"
                         "BACKUP METHOD: streamed\n"
                         "BACKUP FROM: standby\n"
                         "START TIME: 2026-11-24 15:54:15 UTC\n"
                         "LABEL: from the standby\n"
                         "START TIMELINE: 1\n");
  CommandResult r = plan({"--backup", backup, "--target-time", "2026-11-24 15:54:16.1 UTC"});
  EXPECT_EQ(r.exit_code, exit_code::kOk) << r.err;
  EXPECT_NE(r.out.find("WAL on the way: 000000010000000000000035 to 000000010000000000000036, 2 "
                       "segments (2048 kB), all verified\n"),
            std::string::npos)
      << r.out;
  r = plan({"--backup", backup, "--target-time", "2026-11-24 15:54:14 UTC"});
  EXPECT_EQ(r.exit_code, exit_code::kPlanUnreachable);
  EXPECT_EQ(r.err, "walpipe restore-plan: error: backup \"" + backup +
                       "\" does not end before 2026-11-24 15:54:14.000000 UTC\nDETAIL: Its "
                       "backup_label says it started at 2026-11-24 15:54:15.000000 UTC "
                       "(0/3500028); recovery cannot stop before that.\nHINT: Choose a later "
                       "target, or a backup taken before it.\n");
}

// The newest backup before the target cannot reach it: the plan says so and restores the next
// older one that can (on one history an older backup needs all a newer one does; this one
// follows the timeline the newer one left).
TEST_F(RestorePlan, ANewerBackupThatCannotReachIsPassedOverForAnOlderOne) {
  push_backups_around_the_switch();
  CommandResult r = plan({"--target-time", "2026-11-24 15:54:29.3 UTC"});
  ASSERT_EQ(r.exit_code, exit_code::kOk) << r.err;
  EXPECT_EQ(r.err,
            "walpipe restore-plan: warning: the archive cannot reach the end of backup "
            "000000010000000000000056.00000028.backup: WAL segment 000000010000000000000056 is "
            "not archived\n"
            "DETAIL: The plan restores the older backup 000000010000000000000055.00000028.backup "
            "instead.\n");
  EXPECT_TRUE(r.out.starts_with(std::string(kBeforeSwitchLine) + kOnTimeline2)) << r.out;
  EXPECT_TRUE(
      r.out.ends_with(settings("recovery_target_time = '2026-11-24 15:54:29.300000 UTC'\n", "2")))
      << r.out;

  r = plan({"--target-time", "2026-11-24 15:54:29.3 UTC", "--json"});
  ASSERT_EQ(r.exit_code, exit_code::kOk) << r.err;
  EXPECT_NE(r.out.find("\"passed_over\":[{\"backup\":\"000000010000000000000056.00000028.backup\","
                       "\"shortfall\":\"wal_ends_before_backup_end\",\"message\":\"the archive "
                       "cannot reach the end of backup 000000010000000000000056.00000028.backup: "
                       "WAL segment 000000010000000000000056 is not archived\"}],\"timelines\":"
                       "[1,2],"
                       "\"target_timeline\":2,"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("\"backup\":{\"source\":\"000000010000000000000055.00000028.backup\""),
            std::string::npos)
      << r.out;

  // Without the older backup, no other reaches the target: the plan is the newest one's.
  fs::remove(object(kBeforeSwitch));
  r = plan({"--target-time", "2026-11-24 15:54:29.3 UTC"});
  EXPECT_EQ(r.exit_code, exit_code::kPlanUnreachable);
  EXPECT_EQ(r.err,
            "walpipe restore-plan: error: the archive cannot reach the end of backup "
            "000000010000000000000056.00000028.backup: WAL segment 000000010000000000000056 is "
            "not archived\n"
            "DETAIL: Recovery needs WAL up to 0/5600100 to make the backup consistent.\n"
            "HINT: If the server still runs, its archiver may not have sent it yet: see walpipe "
            "status.\n");
  r = plan({"--target-time", "2026-11-24 15:54:29.3 UTC", "--json"});
  EXPECT_NE(r.out.find("\"passed_over\":[],"), std::string::npos) << r.out;
}

TEST_F(RestorePlan, TargetTimelineIsFollowedOrRefusedWhenItDoesNotDescend) {
  CommandResult r = plan({"--target-time", "2026-11-24 15:54:16.1 UTC", "--target-timeline", "1"});
  ASSERT_EQ(r.exit_code, exit_code::kOk) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(r.out,
            std::string(kEarlyLine) +
                "target: 2026-11-24 15:54:16.100000 UTC, on timeline 1\n"
                "WAL on the way: 000000010000000000000034 to 000000010000000000000036, 3 segments "
                "(3072 kB), all verified\n"
                "reached in 000000010000000000000036 (commits from 2026-11-24 15:54:16.073560 UTC "
                "to 2026-11-24 15:54:16.156204 UTC)\n" +
                settings("recovery_target_time = '2026-11-24 15:54:16.100000 UTC'\n", "1"));

  // No backup leads to a timeline the archive has no history for.
  r = plan({"--latest", "--target-timeline", "3"});
  EXPECT_EQ(r.exit_code, exit_code::kPlanUnreachable);
  EXPECT_EQ(r.out,
            "target: the end of the archive\n"
            "backup 00000001000000000000003A.000000D8.backup: label \"pg_basebackup base backup\", "
            "from primary, start 0/3A000D8 at 2026-11-24 15:54:17 UTC, stop 0/3A001B0 at "
            "2026-11-24 15:54:18 UTC, timeline 1, needs WAL from 00000001000000000000003A\n");
  EXPECT_EQ(r.err,
            "walpipe restore-plan: error: timeline 3 does not descend from timeline 1 of backup "
            "00000001000000000000003A.000000D8.backup: the archive has no readable history file "
            "for timeline 3\n"
            "HINT: Recovery follows only a timeline that branched from the backup's after the "
            "backup's end: give another --target-timeline, or a backup taken on its history.\n");

  // The newer backup's timeline 1 went on past the switch: timeline 2 leaves it before its
  // end, so the older backup is restored.
  push_backups_around_the_switch();
  r = plan({"--target-time", "2026-11-24 15:54:29.3 UTC", "--target-timeline", "2", "--json"});
  ASSERT_EQ(r.exit_code, exit_code::kOk) << r.err;
  EXPECT_EQ(r.err,
            "walpipe restore-plan: warning: timeline 2 does not descend from timeline 1 of backup "
            "000000010000000000000056.00000028.backup: timeline 2 leaves it at 0/55000A0, before "
            "the backup's end at 0/5600100\n"
            "DETAIL: The plan restores the older backup 000000010000000000000055.00000028.backup "
            "instead.\n");
  EXPECT_NE(r.out.find("\"passed_over\":[{\"backup\":\"000000010000000000000056.00000028.backup\","
                       "\"shortfall\":\"timeline_not_descendant\",\"message\":\"timeline 2 does "
                       "not descend from timeline 1 of backup 000000010000000000000056.00000028."
                       "backup: timeline 2 leaves it at 0/55000A0, before the backup's end at "
                       "0/5600100\"}],\"timelines\":[1,2],\"target_timeline\":2,"),
            std::string::npos)
      << r.out;

  // A backup given with --backup is refused, not replaced.
  const std::string backup = dir_.file("old-primary");
  fs::create_directories(backup);
  ScratchDir::write_file(backup + "/backup_label",
                         "START WAL LOCATION: 0/5600028 (file 000000010000000000000056)\n"
                         "CHECKPOINT LOCATION: 0/5600060\n"
                         "BACKUP METHOD: streamed\n"
                         "BACKUP FROM: primary\n"
                         "START TIME: 2026-11-24 15:54:26 UTC\n"
                         "LABEL: old primary\n"
                         "START TIMELINE: 1\n");
  r = plan({"--backup", backup, "--latest", "--target-timeline", "2"});
  EXPECT_EQ(r.exit_code, exit_code::kPlanUnreachable);
  EXPECT_EQ(r.err,
            "walpipe restore-plan: error: timeline 2 does not descend from timeline 1 of "
            "backup \"" +
                backup +
                "\": timeline 2 leaves it at 0/55000A0, before the "
                "backup's end at 0/5600060\n"
                "HINT: Recovery follows only a timeline that branched from the backup's after "
                "the backup's end: give another --target-timeline, or a backup taken on its "
                "history.\n");

  r = plan({"--latest", "--target-timeline", "0"});
  EXPECT_EQ(r.exit_code, exit_code::kPlanUsage);
  EXPECT_EQ(r.err,
            "walpipe restore-plan: error: invalid value \"0\" for option --target-timeline\n"
            "walpipe restore-plan: hint: Try \"walpipe restore-plan --help\" for more "
            "information.\n");
}

}  // namespace
}  // namespace walpipe::testing
