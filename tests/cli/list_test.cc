// walpipe list over a real archive written by walpipe push from the pg16 corpus (two timelines,
// a gap, a .partial, a .history and a .backup file): the exact lines and JSON fields, the
// filters, --at, and every kind of bad input with its exact message and exit code.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "exit_codes.h"
#include "support/corpus_archive.h"
#include "support/run_command.h"
#include "support/scratch_dir.h"

namespace walpipe::testing {
namespace {

namespace fs = std::filesystem;

constexpr const char* kSystemId = "7711766861564540605";  // the pg16 corpus cluster
constexpr const char* kHeader =
    "TLI  FIRST LSN    END LSN      FIRST COMMIT             LAST COMMIT               RECORDS"
    "      STORED    ORIGINAL  NAME\n";
constexpr const char* kBackupLine =
    "backup 00000001000000000000003A.000000D8.backup: label \"pg_basebackup base backup\", from "
    "primary, start 0/3A000D8 at 2026-11-24 15:54:17 UTC, stop 0/3A001B0 at 2026-11-24 15:54:18 "
    "UTC, timeline 1, needs WAL from 00000001000000000000003A\n";
constexpr const char* kLastRestorable =
    "last restorable time: 2026-11-24 15:54:29.365223 UTC (the newest commit archived, in "
    "000000020000000000000056)\n";

// size_text's form: bytes below 10 kB, then kB.
std::string size_text(uint64_t bytes) {
  char buf[32];
  if (bytes < 10 * 1024)
    std::snprintf(buf, sizeof buf, "%llu bytes", static_cast<unsigned long long>(bytes));
  else
    std::snprintf(buf, sizeof buf, "%.0f kB", std::round(static_cast<double>(bytes) / 1024));
  return buf;
}

std::string row(const char* tli, const char* first, const char* end, const char* first_commit,
                const char* last_commit, const char* records, uint64_t stored, const char* original,
                const std::string& name) {
  char buf[512];
  std::snprintf(buf, sizeof buf, "%3s  %-12s %-12s %-23s  %-23s  %8s  %10s  %10s  %s\n", tli, first,
                end, first_commit, last_commit, records, size_text(stored).c_str(), original,
                name.c_str());
  return buf;
}

class List : public CorpusArchiveTest {
 protected:
  uint64_t stored(const std::string& name) const { return fs::file_size(object(name)); }
  CommandResult list(const std::vector<std::string>& extra = {}) {
    return on_archive("list", extra);
  }
  std::string segment_row(const char* seg) {
    const std::string name = std::string("0000000100000000000000") + seg;
    if (std::string(seg) == "35")
      return row("1", "0/35005F8", "0/35FFFE0", "2026-11-24 15:54:16 UTC",
                 "2026-11-24 15:54:16 UTC", "1544", stored(name), "1024 kB", name);
    return row("1", "0/3600050", "0/36FF3D0", "2026-11-24 15:54:16 UTC", "2026-11-24 15:54:16 UTC",
               "1751", stored(name), "1024 kB", name);
  }
};

TEST_F(List, ShowsEveryObjectThenTheBackupsAndTheLastRestorableTime) {
  CommandResult r = list();
  ASSERT_EQ(r.exit_code, exit_code::kOk) << r.err;
  EXPECT_EQ(r.err, "");
  const std::string backup = "00000001000000000000003A.000000D8.backup";
  const std::string expected =
      std::string(kHeader) +
      row("1", "0/34008A0", "0/34FE678", "2026-11-24 15:54:15 UTC", "2026-11-24 15:54:16 UTC",
          "1314", stored("000000010000000000000034"), "1024 kB", "000000010000000000000034") +
      segment_row("35") + segment_row("36") +
      row("1", "0/3900028", "0/39000C8", "2026-11-24 15:54:16 UTC", "2026-11-24 15:54:16 UTC", "3",
          stored("000000010000000000000039"), "1024 kB", "000000010000000000000039") +
      row("1", "-", "-", "-", "-", "-", stored(backup), "338 bytes", backup) +
      row("1", "0/5500028", "0/55000A0", "-", "-", "1", stored("000000010000000000000055.partial"),
          "1024 kB", "000000010000000000000055.partial") +
      row("2", "-", "-", "-", "-", "-", fs::file_size(archive() + "/wal/00000002.history.zst"),
          "41 bytes", "00000002.history") +
      row("2", "0/5500028", "0/55FF7D8", "2026-11-24 15:54:28 UTC", "2026-11-24 15:54:29 UTC",
          "743", stored("000000020000000000000055"), "1024 kB", "000000020000000000000055") +
      row("2", "0/5601778", "0/56FEBF0", "2026-11-24 15:54:29 UTC", "2026-11-24 15:54:29 UTC",
          "783", stored("000000020000000000000056"), "1024 kB", "000000020000000000000056") +
      "\n" + kBackupLine + "\n" + kLastRestorable + "listed 9 of 9 objects, 1 backup\n";
  EXPECT_EQ(r.out, expected);
}

TEST_F(List, JsonHasEveryFieldOfEveryObjectAndBackup) {
  CommandResult r = list({"--json"});
  ASSERT_EQ(r.exit_code, exit_code::kOk) << r.err;
  const std::string a = archive();
  EXPECT_TRUE(r.out.starts_with("{\"archive\":\"" + a + "\",\"system_identifier\":\"" + kSystemId +
                                "\",\"objects\":[{\"name\":\"000000010000000000000034\""))
      << r.out;
  for (const std::string& field :
       {"{\"name\":\"000000010000000000000035\",\"kind\":\"segment\",\"timeline\":1,"
        "\"first_lsn\":\"0/35005F8\",\"last_lsn\":\"0/35FFFB8\",\"end_lsn\":\"0/35FFFE0\","
        "\"first_commit_time\":\"2026-11-24 15:54:16.005149 UTC\",\"last_commit_time\":"
        "\"2026-11-24 15:54:16.073428 UTC\",\"record_count\":1544,\"stored_size\":" +
            std::to_string(stored("000000010000000000000035")) +
            ",\"original_size\":1048576,\"verified\":true}",
        std::string("{\"name\":\"00000002.history\",\"kind\":\"history\",\"timeline\":2,"
                    "\"first_lsn\":null,\"last_lsn\":null,\"end_lsn\":null,"
                    "\"first_commit_time\":null,\"last_commit_time\":null,"
                    "\"record_count\":null,"),
        std::string("\"backups\":[{\"source\":\"00000001000000000000003A.000000D8.backup\","
                    "\"from_archive\":true,\"label\":\"pg_basebackup base backup\","
                    "\"backup_from\":\"primary\",\"method\":\"streamed\",\"start_lsn\":"
                    "\"0/3A000D8\",\"start_time\":\"2026-11-24 15:54:17.000000 UTC\","
                    "\"start_timeline\":1,\"first_segment\":\"00000001000000000000003A\","
                    "\"checkpoint_lsn\":\"0/3A00110\",\"stop_lsn\":\"0/3A001B0\",\"stop_time\":"
                    "\"2026-11-24 15:54:18.000000 UTC\",\"stop_timeline\":1}]"),
        std::string("\"last_restorable_time\":\"2026-11-24 15:54:29.365223 UTC\","
                    "\"last_restorable_segment\":\"000000020000000000000056\",\"at\":null,"
                    "\"objects_walked\":9,\"objects_listed\":9,\"problem_count\":0,"
                    "\"problems\":[]}\n")})
    EXPECT_NE(r.out.find(field), std::string::npos) << field << "\nin\n" << r.out;
}

// The rows alone, without header, backups and the lines after them.
std::vector<std::string> names_listed(const std::string& out) {
  std::vector<std::string> names;
  size_t start = out.find('\n') + 1;
  for (size_t end; (end = out.find('\n', start)) != std::string::npos && end > start;
       start = end + 1) {
    std::string line = out.substr(start, end - start);
    names.push_back(line.substr(line.rfind(' ') + 1));
  }
  return names;
}

TEST_F(List, SinceAndUntilKeepObjectsWhoseCommitsMeetTheInterval) {
  CommandResult r = list({"--since", "2026-11-24 15:54:16.1 UTC"});
  ASSERT_EQ(r.exit_code, exit_code::kOk) << r.err;
  // 36 ends after the time; the .partial goes with 39's commit; the .history, before any commit
  // of timeline 2, is left out; the backup ran after it.
  EXPECT_EQ(names_listed(r.out),
            (std::vector<std::string>{"000000010000000000000036", "000000010000000000000039",
                                      "00000001000000000000003A.000000D8.backup",
                                      "000000010000000000000055.partial",
                                      "000000020000000000000055", "000000020000000000000056"}));
  EXPECT_NE(r.out.find(kBackupLine), std::string::npos);
  EXPECT_NE(r.out.find("listed 6 of 9 objects, 1 backup\n"), std::string::npos) << r.out;

  r = list({"--until", "2026-11-24T15:54:16.05Z"});
  ASSERT_EQ(r.exit_code, exit_code::kOk) << r.err;
  EXPECT_EQ(names_listed(r.out),
            (std::vector<std::string>{"000000010000000000000034", "000000010000000000000035",
                                      "00000002.history"}));
  EXPECT_EQ(r.out.find("backup 0000"), std::string::npos) << r.out;
  // The last restorable time is the archive's, whatever is shown.
  EXPECT_NE(r.out.find(kLastRestorable), std::string::npos) << r.out;

  r = list({"--since", "2026-11-24 16:54:16.1+01", "--until", "2026-11-24 15:54:16.2 UTC"});
  EXPECT_EQ(names_listed(r.out), (std::vector<std::string>{"000000010000000000000036"}));
}

TEST_F(List, TimelineKeepsThatTimelinesObjectsAndBackups) {
  CommandResult r = list({"--timeline", "2"});
  ASSERT_EQ(r.exit_code, exit_code::kOk) << r.err;
  EXPECT_EQ(names_listed(r.out),
            (std::vector<std::string>{"00000002.history", "000000020000000000000055",
                                      "000000020000000000000056"}));
  EXPECT_NE(r.out.find("listed 3 of 9 objects, 0 backups\n"), std::string::npos) << r.out;
}

TEST_F(List, AtNamesTheSegmentWhoseCommitsCoverTheTime) {
  CommandResult r = list({"--at", "2026-11-24 15:54:16.1 UTC"});
  ASSERT_EQ(r.exit_code, exit_code::kOk) << r.err;
  EXPECT_NE(r.out.find("at 2026-11-24 15:54:16.100000 UTC: 000000010000000000000036 on timeline "
                       "1 (commits from 2026-11-24 15:54:16.073560 UTC to 2026-11-24 "
                       "15:54:16.156204 UTC)\n"),
            std::string::npos)
      << r.out;
  // Between the last commit of 36 and the only one of 39: recovery stops in 39.
  r = list({"--at", "2026-11-24 15:54:16.3 UTC", "--json"});
  EXPECT_NE(r.out.find("\"at\":{\"time\":\"2026-11-24 15:54:16.300000 UTC\",\"segment\":"
                       "\"000000010000000000000039\",\"timeline\":1,\"first_commit_time\":"
                       "\"2026-11-24 15:54:16.558102 UTC\",\"last_commit_time\":\"2026-11-24 "
                       "15:54:16.558102 UTC\"}"),
            std::string::npos)
      << r.out;
  r = list({"--at", "2026-11-24 15:54:29.3 UTC"});
  EXPECT_NE(r.out.find("at 2026-11-24 15:54:29.300000 UTC: 000000020000000000000056 on timeline 2"),
            std::string::npos)
      << r.out;
  r = list({"--at", "2026-11-24 15:54:30 UTC"});
  EXPECT_NE(r.out.find("at 2026-11-24 15:54:30.000000 UTC: no segment covers it: it is after the "
                       "newest commit archived\n"),
            std::string::npos)
      << r.out;
  r = list({"--at", "2026-11-24 15:00:00 UTC", "--json"});
  EXPECT_NE(r.out.find("\"at\":{\"time\":\"2026-11-24 15:00:00.000000 UTC\",\"segment\":null,"
                       "\"reason\":\"no segment covers it: it is before the first commit "
                       "archived\"}"),
            std::string::npos)
      << r.out;
  // On timeline 1 only, the commits at 15:54:29 are not there to cover it.
  r = list({"--at", "2026-11-24 15:54:29.3 UTC", "--timeline", "1"});
  EXPECT_NE(r.out.find("at 2026-11-24 15:54:29.300000 UTC: no segment covers it: it is after the "
                       "newest commit archived\n"),
            std::string::npos)
      << r.out;
  // Timeline 1's commits end at 15:54:16, timeline 2's begin at 15:54:28 (its history forks
  // off earlier WAL, which list does not follow).
  r = list({"--at", "2026-11-24 15:54:20 UTC"});
  EXPECT_NE(r.out.find("at 2026-11-24 15:54:20.000000 UTC: no segment covers it: no timeline has "
                       "commits both before it and at or after it\n"),
            std::string::npos)
      << r.out;
}

// Another cluster's object copied in is named on stderr and left out; the rest is listed.
TEST_F(List, AnotherClustersObjectIsAProblemNamingTheFile) {
  const std::string foreign = other_cluster_object();
  std::ifstream id(dir_.file("other") + "/walpipe.json");
  std::string text((std::istreambuf_iterator<char>(id)), std::istreambuf_iterator<char>());
  const size_t at = text.find("\"system_identifier\": \"") + 22;
  const std::string other_id = text.substr(at, text.find('"', at) - at);
  ASSERT_NE(other_id, kSystemId);
  const std::string planted = object("000000010000000000000026");
  fs::copy_file(foreign, planted);
  CommandResult r = list();
  EXPECT_EQ(r.exit_code, exit_code::kListProblems) << r.out;
  EXPECT_EQ(r.err, "walpipe list: error: archive object \"" + planted +
                       "\" belongs to another cluster: its WAL has system identifier " + other_id +
                       ", the archive's is " + kSystemId +
                       "\nHINT: Another cluster archived here, or the file was copied in: remove "
                       "it.\n");
  EXPECT_EQ(r.out.find("000000010000000000000026"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("listed 9 of 10 objects, 1 backup; 1 problem (on stderr)\n"),
            std::string::npos)
      << r.out;
  r = list({"--json"});
  EXPECT_EQ(r.exit_code, exit_code::kListProblems);
  EXPECT_NE(r.out.find("\"problem_count\":1,\"problems\":[\"archive object \\\"" + planted +
                       "\\\" belongs to another cluster"),
            std::string::npos)
      << r.out;
}

TEST_F(List, UnreadableMetadataIsAProblemAndTheRestIsListed) {
  const std::string damaged = object("000000010000000000000035");
  {
    std::fstream f(damaged, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(20);
    f.put('\x55');  // inside the metadata payload: its CRC-32C no longer matches
  }
  CommandResult r = list();
  EXPECT_EQ(r.exit_code, exit_code::kListProblems);
  EXPECT_TRUE(
      r.err.starts_with("walpipe list: error: archive object \"" + damaged + "\" is corrupt: "))
      << r.err;
  EXPECT_EQ(names_listed(r.out).size(), 8u) << r.out;
  EXPECT_NE(r.out.find("listed 8 of 9 objects, 1 backup; 1 problem (on stderr)\n"),
            std::string::npos)
      << r.out;
}

// PostgreSQL writes START TIME in log_timezone; an abbreviation such as CET names no single
// offset, so the backup is not shown with a guessed time. push archives the file (it is what
// PostgreSQL wrote); list names the file, the line and the value.
TEST_F(List, ABackupFileThatDoesNotParseNamesTheFileAndTheLine) {
  const std::string name = kCetBackupName;
  push_file(archive(), dir_.write("src/" + name, kCetBackupText));
  CommandResult r = list();
  EXPECT_EQ(r.exit_code, exit_code::kListProblems) << r.out;
  EXPECT_EQ(r.err, "walpipe list: error: invalid backup history file \"" + object(name) +
                       "\": line 6: START TIME \"2026-11-24 16:54:16 CET\" is not a time: time "
                       "zone \"CET\" is not known\n"
                       "HINT: Use UTC, GMT or a numeric offset such as +01 or -05:30.\n");
  EXPECT_NE(r.out.find(name + "\n"), std::string::npos) << r.out;  // the object is still there
  EXPECT_NE(r.out.find(kBackupLine), std::string::npos) << r.out;  // and the other backup
  EXPECT_NE(r.out.find("listed 10 of 10 objects, 1 backup; 1 problem"), std::string::npos);
}

// A truncated .backup file that push refuses is only archived with --no-verify.
TEST_F(List, ATruncatedBackupFileArchivedUnverifiedIsAProblem) {
  const std::string name = "000000010000000000000036.00000028.backup";
  push_file(archive(),
            dir_.write("src/" + name,
                       std::string("START WAL LOCATION: 0/3600028 (file 000000010000000000000036)\n"
                                   "STOP WAL LOC")),
            false);
  CommandResult r = list();
  EXPECT_EQ(r.exit_code, exit_code::kListProblems) << r.out;
  EXPECT_EQ(r.err, "walpipe list: error: invalid backup history file \"" + object(name) +
                       "\": the last line does not end with a newline\n");
}

TEST_F(List, ATimeThatDoesNotParseIsAUsageErrorNamingTheValue) {
  CommandResult r = list({"--since", "2026-11-24 15:54:16"});
  EXPECT_EQ(r.exit_code, exit_code::kListUsage);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err,
            "walpipe list: error: invalid value \"2026-11-24 15:54:16\" for option --since: no "
            "time zone\nHINT: Give the zone, as in \"2026-11-24 15:54:16 UTC\", "
            "\"2026-11-24T15:54:16Z\" or \"2026-11-24 16:54:16+01\": a time read in this "
            "machine's zone would name another moment elsewhere.\n");
  r = list({"--at", "last tuesday"});
  EXPECT_EQ(r.exit_code, exit_code::kListUsage);
  EXPECT_EQ(r.err,
            "walpipe list: error: invalid value \"last tuesday\" for option --at: not a date: "
            "expected YYYY-MM-DD\n");
  r = list({"--since", "2026-11-25 UTC", "--until", "2026-11-24 UTC"});
  EXPECT_EQ(r.exit_code, exit_code::kListUsage);
  EXPECT_EQ(r.err,
            "walpipe list: error: --since is after --until\n"
            "walpipe list: hint: Try \"walpipe list --help\" for more information.\n");
  r = list({"--timeline", "0"});
  EXPECT_EQ(r.exit_code, exit_code::kListUsage);
  EXPECT_EQ(r.err,
            "walpipe list: error: invalid value \"0\" for option --timeline\n"
            "walpipe list: hint: Try \"walpipe list --help\" for more information.\n");
}

TEST_F(List, HelpBadOptionsAndARelativeOrMissingArchive) {
  CommandResult r = run_walpipe({"list", "--help"});
  EXPECT_EQ(r.exit_code, exit_code::kOk);
  EXPECT_TRUE(r.out.starts_with("walpipe list shows every object of an archive")) << r.out;
  r = list({"--bogus"});
  EXPECT_EQ(r.exit_code, exit_code::kListUsage);
  EXPECT_EQ(r.err,
            "walpipe list: error: unrecognized option \"--bogus\"\n"
            "walpipe list: hint: Try \"walpipe list --help\" for more information.\n");
  r = run_walpipe({"list", "--archive", "archive"});
  EXPECT_EQ(r.exit_code, exit_code::kListUsage);
  EXPECT_TRUE(
      r.err.starts_with("walpipe list: error: archive directory \"archive\" is a relative "
                        "path\n"))
      << r.err;
  r = run_walpipe({"list", "--archive", dir_.file("nowhere")});
  EXPECT_EQ(r.exit_code, exit_code::kListUsage);
  EXPECT_EQ(r.err, "walpipe list: error: could not stat \"" + dir_.file("nowhere") +
                       "\": No such file or directory\n");
}

TEST_F(List, AnArchiveWithNothingArchivedListsNothing) {
  fs::create_directories(dir_.file("empty"));
  CommandResult r = run_walpipe({"list", "--archive", dir_.file("empty")});
  EXPECT_EQ(r.exit_code, exit_code::kOk) << r.err;
  EXPECT_EQ(r.out,
            "last restorable time: none (no commit is archived)\n"
            "listed 0 of 0 objects, 0 backups\n");
}

// A backup taken on a standby archives no .backup file: --backup reads the backup's own label.
TEST_F(List, BackupReadsTheLabelOfABackupFolder) {
  const std::string backup = dir_.file("standby-backup");
  fs::create_directories(backup);
  ScratchDir::write_file(backup + "/backup_label",
                         "START WAL LOCATION: 0/35000028 (file 000000010000000000000035)\n"
                         "CHECKPOINT LOCATION: 0/35000060\n"
                         "BACKUP METHOD: streamed\n"
                         "BACKUP FROM: standby\n"
                         "START TIME: 2026-11-24 15:54:16 UTC\n"
                         "LABEL: from the standby\n"
                         "START TIMELINE: 1\n");
  CommandResult r = list({"--backup", backup});
  EXPECT_EQ(r.exit_code, exit_code::kOk) << r.err;
  EXPECT_NE(r.out.find(std::string(kBackupLine) + "backup \"" + backup +
                       "\": label \"from the standby\", from standby, start 0/35000028 at "
                       "2026-11-24 15:54:16 UTC, stop unknown (backup_label), timeline 1, needs "
                       "WAL from 000000010000000000000035\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("listed 9 of 9 objects, 2 backups\n"), std::string::npos) << r.out;

  const std::string tar = dir_.file("tar-backup");
  fs::create_directories(tar);
  ScratchDir::write_file(tar + "/backup_manifest", "{}");
  ScratchDir::write_file(tar + "/base.tar", "");
  r = list({"--backup", tar});
  EXPECT_EQ(r.exit_code, exit_code::kListUsage);
  EXPECT_EQ(r.err, "walpipe list: error: could not read \"backup_label\" from tar file \"" + tar +
                       "/base.tar\" (tar ended with exit code 2)\nDETAIL: /bin/tar: This does not "
                       "look like a tar archive; /bin/tar: backup_label: Not found in archive\n"
                       "HINT: The file is damaged, truncated or not a tar file of its name's "
                       "compression; take the base backup again.\n");
  fs::remove(tar + "/base.tar");
  r = list({"--backup", tar});
  EXPECT_EQ(r.exit_code, exit_code::kListUsage);
  EXPECT_TRUE(r.err.starts_with("walpipe list: error: backup \"" + tar +
                                "\" has a backup_manifest but no backup_label\nDETAIL: "))
      << r.err;
  fs::create_directories(dir_.file("not-a-backup"));
  r = list({"--backup", dir_.file("not-a-backup")});
  EXPECT_EQ(r.exit_code, exit_code::kListUsage);
  EXPECT_EQ(r.err, "walpipe list: error: directory \"" + dir_.file("not-a-backup") +
                       "\" holds no backup_label\nHINT: Give the folder pg_basebackup wrote (the "
                       "one holding PG_VERSION or base.tar).\n");
}

}  // namespace
}  // namespace walpipe::testing
