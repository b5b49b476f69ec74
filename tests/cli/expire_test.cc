// walpipe expire over a real archive written by walpipe push from the pg16 corpus (segments 34-36
// and 39 of timeline 1, timeline 2 from 55 on, the corpus's backup in 3A) with two backups made
// for these tests: "monday" in 34 and "tuesday" in 35, days before the newest commit (2026-11-24
// 15:54:29 UTC). By days, by backups, --before, a dry run, JSON, the refusals (a gap, a damaged
// .backup file, another cluster's object), a kill at every step of a removal, file times and a
// stepped clock that change nothing, and 10,000 objects.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <set>

#include "archive/local/commit.h"
#include "archive/object.h"
#include "exit_codes.h"
#include "io/io.h"
#include "support/corpus_archive.h"
#include "support/prerequisite.h"
#include "support/run_command.h"

namespace walpipe::testing {
namespace {

namespace fs = std::filesystem;

constexpr const char* kMonday = "000000010000000000000034.00000028.backup";
constexpr const char* kMondayText =
    "START WAL LOCATION: 0/3400028 (file 000000010000000000000034)\n"
    "STOP WAL LOCATION: 0/3400100 (file 000000010000000000000034)\n"
    "CHECKPOINT LOCATION: 0/3400060\n"
    "BACKUP METHOD: streamed\n"
    "BACKUP FROM: primary\n"
    "START TIME: 2026-11-20 10:00:00 UTC\n"
    "LABEL: monday\n"
    "START TIMELINE: 1\n"
    "STOP TIME: 2026-11-20 10:00:01 UTC\n"
    "STOP TIMELINE: 1\n";
constexpr const char* kTuesday = "000000010000000000000035.00000028.backup";
constexpr const char* kTuesdayText =
    "START WAL LOCATION: 0/3500028 (file 000000010000000000000035)\n"
    "STOP WAL LOCATION: 0/3500100 (file 000000010000000000000035)\n"
    "CHECKPOINT LOCATION: 0/3500060\n"
    "BACKUP METHOD: streamed\n"
    "BACKUP FROM: primary\n"
    "START TIME: 2026-11-21 10:00:00 UTC\n"
    "LABEL: tuesday\n"
    "START TIMELINE: 1\n"
    "STOP TIME: 2026-11-21 10:00:05 UTC\n"
    "STOP TIMELINE: 1\n";
constexpr const char* kBefore35 =
    "WAL before 000000010000000000000035, where backup 000000010000000000000035.00000028.backup "
    "begins";

constexpr int kKilled = -1;  // run_command's code for a signal

class Expire : public CorpusArchiveTest {
 protected:
  static void SetUpTestSuite() {
    push_suite_archive({{kMonday, kMondayText}, {kTuesday, kTuesdayText}});
  }
  CommandResult expire(const std::vector<std::string>& extra) {
    return on_archive("expire", extra);
  }
  // Without 39 and the .partial of 55, timeline 1 is 34 to 36 with no gap.
  void close_gaps() {
    fs::remove(object("000000010000000000000039"));
    fs::remove(object("000000010000000000000055.partial"));
  }
  // The WAL file names the archive holds, every kind.
  std::set<std::string> names() const {
    std::set<std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(archive() + "/wal"))
      if (e.is_regular_file() && e.path().extension() == ".zst")
        out.insert(e.path().stem().string());
    return out;
  }
  std::string removed_line(const std::string& name, const std::string& reason, bool dry = false) {
    return std::string(dry ? "would remove" : "removed") + " \"" + object(name) + "\": " + reason +
           "\n";
  }
};

const std::set<std::string> kGapless = {kMonday,
                                        "000000010000000000000034",
                                        kTuesday,
                                        "000000010000000000000035",
                                        "000000010000000000000036",
                                        "00000001000000000000003A.000000D8.backup",
                                        "00000002.history",
                                        "000000020000000000000055",
                                        "000000020000000000000056"};

TEST_F(Expire, ByDaysKeepsTheNewestBackupBeforeTheWindowAndItsWal) {
  close_gaps();
  CommandResult r = expire({"--keep-days", "3"});
  ASSERT_EQ(r.exit_code, exit_code::kOk) << r.err;
  EXPECT_EQ(r.err, "");
  const std::string reason = std::string(kBefore35) +
                             " (the newest backup to end before 2026-11-21 15:54:29.365223 UTC, "
                             "3 days before the newest commit)";
  EXPECT_EQ(
      r.out,
      "newest commit: 2026-11-24 15:54:29.365223 UTC (in 000000020000000000000056)\n"
      "retention: removes " +
          reason +
          "\n"
          "expires backup 000000010000000000000034.00000028.backup: label \"monday\", from "
          "primary, start 0/3400028 at 2026-11-20 10:00:00 UTC, stop 0/3400100 at 2026-11-20 "
          "10:00:01 UTC, timeline 1, needs WAL from 000000010000000000000034\n"
          "keeps backup 000000010000000000000035.00000028.backup: label \"tuesday\", from "
          "primary, start 0/3500028 at 2026-11-21 10:00:00 UTC, stop 0/3500100 at 2026-11-21 "
          "10:00:05 UTC, timeline 1, needs WAL from 000000010000000000000035\n"
          "keeps backup 00000001000000000000003A.000000D8.backup: label \"pg_basebackup base "
          "backup\", from primary, start 0/3A000D8 at 2026-11-24 15:54:17 UTC, stop 0/3A001B0 "
          "at 2026-11-24 15:54:18 UTC, timeline 1, needs WAL from 00000001000000000000003A\n" +
          removed_line(kMonday,
                       "backup 000000010000000000000034.00000028.backup can no longer be "
                       "restored: the WAL it needs from 000000010000000000000034 goes") +
          removed_line("000000010000000000000034", reason) +
          "removed 2 objects (96 kB); kept 7 objects\n"
          "timeline 1 keeps WAL from 000000010000000000000035 to "
          "000000010000000000000036 (4 objects)\n"
          "timeline 2 keeps WAL from 000000020000000000000055 to "
          "000000020000000000000056 (3 objects)\n");
  std::set<std::string> left = kGapless;
  left.erase(kMonday);
  left.erase("000000010000000000000034");
  EXPECT_EQ(names(), left);

  // A window that reaches back past monday keeps everything; a second run finds nothing to do.
  r = expire({"--keep-days", "3"});
  EXPECT_EQ(r.exit_code, exit_code::kOk) << r.err;
  EXPECT_NE(r.out.find("removed 0 objects (0 bytes); kept 7 objects\n"), std::string::npos)
      << r.out;
}

TEST_F(Expire, AWideWindowKeepsEverything) {
  close_gaps();
  CommandResult r = expire({"--keep-days", "5"});
  ASSERT_EQ(r.exit_code, exit_code::kOk) << r.err;
  EXPECT_NE(r.out.find("retention: removes WAL before 000000010000000000000034, where backup "
                       "000000010000000000000034.00000028.backup begins (the oldest backup: "
                       "every backup ended in the last 5 days)\n"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(names(), kGapless);
}

TEST_F(Expire, ByBackupsKeepsTheNewestNAndNeverTheNewestSegmentOfATimeline) {
  close_gaps();
  CommandResult r = expire({"--keep-backups", "2", "--dry-run"});
  ASSERT_EQ(r.exit_code, exit_code::kOk) << r.err;
  const std::string two = std::string(kBefore35) + " (the oldest of the 2 newest backups)";
  EXPECT_NE(r.out.find(removed_line("000000010000000000000034", two, true)), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("would remove 2 objects"), std::string::npos) << r.out;
  EXPECT_EQ(names(), kGapless);  // a dry run removes nothing

  r = expire({"--keep-backups", "1"});
  ASSERT_EQ(r.exit_code, exit_code::kOk) << r.err;
  // 36, the newest of timeline 1, stays though it is older than the backup in 3A.
  EXPECT_EQ(names(),
            (std::set<std::string>{"000000010000000000000036",
                                   "00000001000000000000003A.000000D8.backup", "00000002.history",
                                   "000000020000000000000055", "000000020000000000000056"}));
  EXPECT_NE(r.out.find("removed 4 objects"), std::string::npos) << r.out;
}

TEST_F(Expire, BeforeASegmentAndNeverPastTheNewestBackup) {
  close_gaps();
  CommandResult r = expire({"--before", "000000010000000000000035", "-n"});
  ASSERT_EQ(r.exit_code, exit_code::kOk) << r.err;
  EXPECT_NE(r.out.find(removed_line("000000010000000000000034",
                                    "WAL before 000000010000000000000035 (--before)", true)),
            std::string::npos)
      << r.out;
  // Past the newest backup's start, the newest backup wins.
  r = expire({"--before", "00000002000000000000005F"});
  ASSERT_EQ(r.exit_code, exit_code::kOk) << r.err;
  EXPECT_NE(r.out.find("retention: removes WAL before 00000001000000000000003A, where backup "
                       "00000001000000000000003A.000000D8.backup begins (the newest backup)\n"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(names().count("00000001000000000000003A.000000D8.backup"), 1u);
  EXPECT_EQ(names().count("000000020000000000000055"), 1u);
}

TEST_F(Expire, JsonListsTheBackupsAndEveryRemovalWithItsReason) {
  close_gaps();
  CommandResult r = expire({"--keep-backups", "2", "--json", "-n"});
  ASSERT_EQ(r.exit_code, exit_code::kOk) << r.err;
  EXPECT_TRUE(r.out.starts_with("{\"archive\":\"" + archive() + "\",\"dry_run\":true,")) << r.out;
  EXPECT_NE(r.out.find("\"removed\":[{\"name\":\"000000010000000000000034.00000028.backup\","
                       "\"location\":\"" +
                       object(kMonday) + "\","),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("\"removed_objects\":2,"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"kept\":[{\"timeline\":1,\"first\":\"000000010000000000000035\","
                       "\"last\":\"000000010000000000000036\",\"objects\":4}"),
            std::string::npos)
      << r.out;
  EXPECT_TRUE(r.out.ends_with(",\"problems\":[]}\n")) << r.out;
}

TEST_F(Expire, AGapIsRefusedUnlessForced) {
  const std::set<std::string> before = names();
  CommandResult r = expire({"--keep-backups", "1"});
  EXPECT_EQ(r.exit_code, exit_code::kExpireRefused);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err,
            "walpipe expire: error: archive \"" + archive() +
                "\" has a gap on timeline 1: WAL segments 000000010000000000000037 to "
                "000000010000000000000038 are missing (2 segments); nothing was removed\n"
                "DETAIL: A backup before a gap cannot be recovered past it, so the WAL it needs "
                "cannot be told. The archive has 2 gaps in all.\n"
                "HINT: Push the missing segments if a pg_wal or another copy still has them, or "
                "give --force to expire all the same.\n");
  EXPECT_EQ(names(), before);
  r = expire({"--keep-backups", "1", "--force"});
  EXPECT_EQ(r.exit_code, exit_code::kOk) << r.err;
  EXPECT_EQ(names().count("000000010000000000000034"), 0u);
  EXPECT_EQ(names().count("000000010000000000000039"), 1u);  // the newest of timeline 1
  EXPECT_EQ(names().count("000000010000000000000055.partial"), 1u);
}

TEST_F(Expire, ADamagedBackupFileOrAnotherClustersObjectIsNamedAndNothingGoes) {
  close_gaps();
  push_file(archive(), dir_.write(std::string("src/") + kCetBackupName, kCetBackupText));
  const std::set<std::string> before = names();
  CommandResult r = expire({"--keep-backups", "1"});
  EXPECT_EQ(r.exit_code, exit_code::kExpireRefused);
  EXPECT_EQ(r.err, "walpipe expire: warning: invalid backup history file \"" +
                       object(kCetBackupName) +
                       "\": line 6: START TIME \"2026-11-24 16:54:16 CET\" is not a time: time "
                       "zone \"CET\" is not known\n"
                       "HINT: Use UTC, GMT or a numeric offset such as +01 or -05:30.\n"
                       "walpipe expire: error: archive \"" +
                       archive() +
                       "\" has 1 object that cannot be used: nothing was removed\n"
                       "DETAIL: It is named above.\n"
                       "HINT: Repair or remove them (walpipe verify --archive says more), or give "
                       "--force to expire all the same: they are then left where they are.\n");
  EXPECT_EQ(names(), before);

  fs::remove(object(kCetBackupName));
  const std::string planted = object("000000010000000000000026");
  fs::copy_file(other_cluster_object(), planted);
  r = expire({"--keep-backups", "1"});
  EXPECT_EQ(r.exit_code, exit_code::kExpireRefused);
  EXPECT_TRUE(r.err.starts_with("walpipe expire: warning: archive object \"" + planted +
                                "\" belongs to another cluster: its WAL has system identifier "))
      << r.err;
  EXPECT_EQ(names().count("000000010000000000000034"), 1u);
  // Forced, the foreign object is left where it is and the rest goes.
  r = expire({"--keep-backups", "1", "--force"});
  EXPECT_EQ(r.exit_code, exit_code::kExpireRefused) << r.out;
  EXPECT_NE(r.err.find("walpipe expire: warning: archive object \"" + planted +
                       "\" is not the WAL of this archive it is named for; it is left where it "
                       "is\n"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(names().count("000000010000000000000026"), 1u);
  EXPECT_EQ(names().count("000000010000000000000034"), 0u);
}

TEST_F(Expire, BadOptionsAreUsageErrors) {
  CommandResult r = expire({});
  EXPECT_EQ(r.exit_code, exit_code::kExpireUsage);
  EXPECT_EQ(r.err,
            "walpipe expire: error: no retention given (--keep-days, --keep-backups or --before)\n"
            "walpipe expire: hint: Try \"walpipe expire --help\" for more information.\n");
  r = expire({"--before", "00000001000000000000003"});
  EXPECT_EQ(r.exit_code, exit_code::kExpireUsage);
  EXPECT_EQ(r.err,
            "walpipe expire: error: invalid value \"00000001000000000000003\" for option --before: "
            "not a WAL segment name\nHINT: Give a segment's 24-hex name, such as "
            "000000010000000000000034; a .backup file's name stands for its first segment.\n");
  r = expire({"--keep-days", "seven"});
  EXPECT_EQ(r.exit_code, exit_code::kExpireUsage);
  EXPECT_EQ(r.err,
            "walpipe expire: error: invalid value \"seven\" for option --keep-days\n"
            "walpipe expire: hint: Try \"walpipe expire --help\" for more information.\n");
  EXPECT_EQ(names().count("000000010000000000000034"), 1u);
}

// Killed at each step of the removal in turn (before each unlink, and between each unlink and
// the fsync of its folder), the archive has no hole: on each timeline what is left
// is a run of its newest segments, and no .backup file outlives its first segment; a run
// without the kill then finishes the job.
TEST_F(Expire, KilledAtEveryStepLeavesNoHoleAndARerunFinishes) {
  close_gaps();
  const std::string pristine = dir_.file("pristine");
  fs::copy(archive(), pristine, fs::copy_options::recursive);
  CommandResult full = expire({"--keep-days", "0"});
  ASSERT_EQ(full.exit_code, exit_code::kOk) << full.err;
  const std::set<std::string> done = names();
  ASSERT_EQ(done.count("000000010000000000000035"), 0u);
  const std::vector<std::string> timeline1 = {
      "000000010000000000000034", "000000010000000000000035", "000000010000000000000036"};
  int kills = 0;
  for (int n = 1, op = 0; op < 2; n = n + 1) {
    const std::string fault = std::string(op == 0 ? "unlink:" : "fsync:") + std::to_string(n);
    SCOPED_TRACE("killed at " + fault);
    fs::remove_all(archive());
    fs::copy(pristine, archive(), fs::copy_options::recursive);
    CommandResult killed =
        run_command({"/usr/bin/env", "WALPIPE_FAULT=" + fault + ":kill", WALPIPE_FAULT_BINARY,
                     "expire", "--archive", archive(), "--keep-days", "0"});
    if (killed.exit_code == exit_code::kOk) {
      ++op;
      n = 0;
      continue;
    }
    ASSERT_EQ(killed.exit_code, kKilled) << killed.err;
    ++kills;
    const std::set<std::string> left = names();
    bool seen = false;
    for (const std::string& s : timeline1) {
      if (seen) {
        EXPECT_EQ(left.count(s), 1u) << s << " is gone after a newer one stayed";
      }
      seen = seen || left.count(s);
    }
    if (left.count(kMonday)) {
      EXPECT_EQ(left.count("000000010000000000000034"), 1u);
    }
    if (left.count(kTuesday)) {
      EXPECT_EQ(left.count("000000010000000000000035"), 1u);
    }
    CommandResult again = expire({"--keep-days", "0"});
    ASSERT_EQ(again.exit_code, exit_code::kOk) << again.err;
    EXPECT_EQ(names(), done);
    ASSERT_LT(n, 100);
  }
  EXPECT_EQ(kills, 8);  // four removals, each killed before and after its unlink
}

// Age is read from the WAL: file times set far in the past or the future change nothing.
TEST_F(Expire, FileTimesChangeNothing) {
  close_gaps();
  const std::string expected = expire({"--keep-days", "3", "-n"}).out;
  ASSERT_NE(expected.find("would remove 2 objects"), std::string::npos) << expected;
  for (auto when : {fs::file_time_type(std::chrono::seconds(0)),
                    fs::file_time_type::clock::now() + std::chrono::hours(24 * 365 * 30)}) {
    for (const auto& e : fs::recursive_directory_iterator(archive() + "/wal"))
      fs::last_write_time(e.path(), when);
    CommandResult r = expire({"--keep-days", "3", "-n"});
    EXPECT_EQ(r.exit_code, exit_code::kOk) << r.err;
    EXPECT_EQ(r.out, expected);
  }
}

// Sets the environment variables of the walpipe processes a test starts, and restores them.
class ChildEnvironment {
 public:
  void set(const char* name, const std::string& value) {
    if (!saved_.count(name)) {
      const char* old = std::getenv(name);
      saved_[name] = old ? std::optional<std::string>(old) : std::nullopt;
    }
    ::setenv(name, value.c_str(), 1);
  }
  ~ChildEnvironment() {
    for (const auto& [name, old] : saved_)
      old ? ::setenv(name.c_str(), old->c_str(), 1) : ::unsetenv(name.c_str());
  }

 private:
  std::map<std::string, std::optional<std::string>> saved_;
};

// Age is read from the WAL, never from the machine's clock: the clock stepped 30 days back or 30
// years forward, or stepping back or forward by 30 days at every reading (libfaketime, preloaded
// into walpipe), changes neither what a dry run says nor what a real run removes.
TEST_F(Expire, AClockSteppedBackwardsOrForwardsChangesNothing) {
  const std::string lib = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1";
  if (!fs::exists(lib))
    WALPIPE_SKIP() << "no " << lib << " (Debian's faketime, which scripts/setup.sh installs)";
  close_gaps();
  const CommandResult expected = expire({"--keep-days", "3", "--dry-run", "--json"});
  ASSERT_EQ(expected.exit_code, exit_code::kOk) << expected.err;
  ASSERT_NE(expected.out.find(object("000000010000000000000034")), std::string::npos)
      << expected.out;
  const CommandResult today = run_command({"/bin/date", "-u", "+%Y%m%d"});
  ChildEnvironment env;
  env.set("LD_PRELOAD", lib);
  // libfaketime loads before the sanitizers' runtime, which would refuse to start otherwise.
  const char* asan = std::getenv("ASAN_OPTIONS");
  env.set("ASAN_OPTIONS",
          (asan && *asan ? std::string(asan) + ":" : "") + "verify_asan_link_order=0");
  for (const char* clock : {"-30d", "+30y", "+0 i2592000", "+0 i-2592000"}) {
    env.set("FAKETIME", clock);
    // The clock the processes see is stepped: date reads it as walpipe would.
    const CommandResult date = run_command({"/bin/date", "-u", "+%Y%m%d"});
    if (std::string(clock).find(' ') == std::string::npos) {
      EXPECT_NE(date.out, today.out) << clock;
    }
    CommandResult r = expire({"--keep-days", "3", "--dry-run", "--json"});
    EXPECT_EQ(r.exit_code, exit_code::kOk) << clock << ": " << r.err;
    EXPECT_EQ(r.err, expected.err) << clock;
    EXPECT_EQ(r.out, expected.out) << clock;
  }
  env.set("FAKETIME", "+30y");
  CommandResult r = expire({"--keep-days", "3"});
  EXPECT_EQ(r.exit_code, exit_code::kOk) << r.err;
  std::set<std::string> left = kGapless;
  left.erase(kMonday);
  left.erase("000000010000000000000034");
  EXPECT_EQ(names(), left);
}

// 10,000 objects, each the metadata of segment 36 under its own name with its own LSNs and
// commit times (expire reads nothing else), and a backup in the 9,001st: the 9,000 before it go.
TEST_F(Expire, TenThousandObjects) {
  const std::string big = dir_.file("big");
  fs::create_directories(big + "/wal");
  fs::copy_file(archive() + "/walpipe.json", big + "/walpipe.json");
  io::SyncIo io;
  Result<archive::ObjectMetadata> meta =
      archive::read_object_metadata(io, object("000000010000000000000036"));
  ASSERT_TRUE(meta.is_ok()) << meta.status().to_string();
  std::vector<std::byte> block(
      archive::data_offset(meta->frame_sizes.size(), meta->format_version));
  constexpr uint64_t kMiB = 1 << 20;
  for (uint64_t segno = 1; segno <= 10000; ++segno) {
    archive::ObjectMetadata m = *meta;
    char name[25], dir[17];
    std::snprintf(name, sizeof name, "00000001%08X%08X", static_cast<unsigned>(segno >> 12),
                  static_cast<unsigned>(segno & 0xFFF));
    std::snprintf(dir, sizeof dir, "%.16s", name);
    m.name = name;
    m.first_lsn = segno * kMiB + 0x28;
    m.last_lsn = segno * kMiB + kMiB - 0x100;
    m.end_lsn = m.last_lsn + 0x50;
    m.first_commit_time = 848850857000000 + static_cast<int64_t>(segno) * 1000000;
    m.last_commit_time = *m.first_commit_time + 900000;
    archive::write_metadata_block(m, block);
    fs::create_directories(big + "/wal/" + dir);
    dir_.write("big/wal/" + std::string(dir) + "/" + name + ".zst",
               std::string(reinterpret_cast<const char*>(block.data()), block.size()));
  }
  // Segment 10,001 - 1,000 = 9,001 is 0x2329: log 2, seg 0x329.
  push_file(big, dir_.write("src/000000010000000200000329.00000028.backup",
                            "START WAL LOCATION: 2/32900028 (file 000000010000000200000329)\n"
                            "STOP WAL LOCATION: 2/32900100 (file 000000010000000200000329)\n"
                            "CHECKPOINT LOCATION: 2/32900060\n"
                            "BACKUP METHOD: streamed\n"
                            "BACKUP FROM: primary\n"
                            "START TIME: 2026-11-24 18:24:00 UTC\n"
                            "LABEL: late\n"
                            "START TIMELINE: 1\n"
                            "STOP TIME: 2026-11-24 18:24:01 UTC\n"
                            "STOP TIMELINE: 1\n"));
  CommandResult r = run_walpipe({"expire", "--archive", big, "--keep-backups", "1"});
  ASSERT_EQ(r.exit_code, exit_code::kOk) << r.err;
  EXPECT_NE(r.out.find("removed 9000 objects"), std::string::npos) << r.out.substr(0, 2000);
  EXPECT_NE(r.out.find("timeline 1 keeps WAL from 000000010000000200000329 to "
                       "000000010000000200000710 (1001 objects)\n"),
            std::string::npos)
      << r.out.substr(r.out.size() - 500);
  size_t left = 0;
  for (const auto& e : fs::recursive_directory_iterator(big + "/wal")) left += e.is_regular_file();
  EXPECT_EQ(left, 1001u);
}

}  // namespace
}  // namespace walpipe::testing
