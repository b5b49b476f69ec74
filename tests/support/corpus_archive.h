// An archive written by walpipe push from the pg16 corpus, as the list and restore-plan tests read
// it: segments 34-36 and 39 of timeline 1 (37 and 38 missing), the corpus's .backup file (in 3A,
// whose WAL is not there), the .partial of 55, and timeline 2 from its .history and 55 on.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "support/run_command.h"
#include "support/scratch_dir.h"

namespace walpipe::testing {

// A .backup file as PostgreSQL writes it with log_timezone CET: an abbreviation that names no
// single offset, so walpipe reads no time from it. push archives it (it is what PostgreSQL wrote).
inline constexpr const char* kCetBackupName = "000000010000000000000036.00000028.backup";
inline constexpr const char* kCetBackupText =
    "START WAL LOCATION: 0/3600028 (file 000000010000000000000036)\n"
    "STOP WAL LOCATION: 0/3600100 (file 000000010000000000000036)\n"
    "CHECKPOINT LOCATION: 0/3600060\n"
    "BACKUP METHOD: streamed\n"
    "BACKUP FROM: primary\n"
    "START TIME: 2026-11-24 16:54:16 CET\n"
    "LABEL: nightly\n"
    "START TIMELINE: 1\n"
    "STOP TIME: 2026-11-24 16:54:17 CET\n"
    "STOP TIMELINE: 1\n";

// A backup that starts and ends in segment 34, at 15:54:14-15 UTC: the older of the two the
// restore-plan tests choose between.
inline constexpr const char* kEarlyBackup = "000000010000000000000034.000008A0.backup";
inline constexpr const char* kEarlyBackupText =
    "START WAL LOCATION: 0/34008A0 (file 000000010000000000000034)\n"
    "STOP WAL LOCATION: 0/3400C00 (file 000000010000000000000034)\n"
    "CHECKPOINT LOCATION: 0/34008A0\n"
    "BACKUP METHOD: streamed\n"
    "BACKUP FROM: primary\n"
    "START TIME: 2026-11-24 15:54:14 UTC\n"
    "LABEL: early\n"
    "START TIMELINE: 1\n"
    "STOP TIME: 2026-11-24 15:54:15 UTC\n"
    "STOP TIMELINE: 1\n";

// walpipe push --archive `to` `src`, asserted to succeed; with --no-verify unless `verify`.
void push_file(const std::string& to, const std::string& src, bool verify = true);

// A suite whose every test starts from its own copy of the archive. The archive is pushed once per
// suite, since push runs under the sanitizers.
class CorpusArchiveTest : public ::testing::Test {
 protected:
  // A file name and its content, pushed into the suite's archive after the corpus files.
  using Extra = std::pair<std::string, std::string>;

  // A suite that needs more in its archive hides SetUpTestSuite with one calling this.
  static void push_suite_archive(const std::vector<Extra>& extra);
  static void SetUpTestSuite() { push_suite_archive({}); }
  static void TearDownTestSuite();
  // Skips (fails under CI=true) without the corpus; else copies the suite's archive to archive().
  void SetUp() override;

  std::string archive() const { return dir_.file("archive"); }
  // walpipe `command` --archive archive() with `extra` after it.
  CommandResult on_archive(const std::string& command, const std::vector<std::string>& extra) const;
  // The path of the object holding segment, .partial or .backup file `name`.
  std::string object(const std::string& name) const;
  // Pushes segment 26 of the pg13 corpus, another cluster's WAL, into a new archive "other" in
  // dir_; returns the path of its object there, for a test to copy into archive().
  std::string other_cluster_object() const;

  ScratchDir dir_;

 private:
  static ScratchDir* pushed_;
};

}  // namespace walpipe::testing
