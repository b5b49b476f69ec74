// wal::parse_backup_file over the backup history files real servers archived (tests/corpus) and
// a backup_label, then one damaged input per check with its exact message.
#include "wal/backup_label.h"

#include <gtest/gtest.h>

#include "support/backup_history.h"
#include "support/corpus.h"

namespace walpipe::wal {
namespace {

using testing::corpus_bytes;

Bytes text(const std::string& s) {
  return Bytes(reinterpret_cast<const std::byte*>(s.data()), s.size());
}

constexpr const char* kPg16 = testing::kPg16BackupHistory;

TEST(BackupLabel, ReadsTheHistoryFilePostgres16Archived) {
  WALPIPE_REQUIRE_CORPUS();
  Result<BackupInfo> b =
      parse_backup_file(corpus_bytes("pg16/1mb/00000001000000000000003A.000000D8.backup"), "f",
                        BackupFileKind::kHistoryFile);
  ASSERT_TRUE(b.is_ok()) << b.status().to_string();
  EXPECT_EQ(b->start_lsn, 0x3A000D8u);
  EXPECT_EQ(b->start_segment, "00000001000000000000003A");
  EXPECT_EQ(b->stop_lsn, 0x3A001B0u);
  EXPECT_EQ(b->stop_segment, "00000001000000000000003A");
  EXPECT_EQ(b->checkpoint_lsn, 0x3A00110u);
  EXPECT_EQ(b->method, "streamed");
  EXPECT_EQ(b->from, "primary");
  EXPECT_EQ(b->start_time, 848850857000000);  // 2026-11-24 15:54:17 UTC
  EXPECT_EQ(b->stop_time, 848850858000000);
  EXPECT_EQ(b->label, "pg_basebackup base backup");
  EXPECT_EQ(b->start_tli, 1u);
  EXPECT_EQ(b->stop_tli, 1u);
  EXPECT_FALSE(b->incremental_from_lsn.has_value());
}

TEST(BackupLabel, ReadsPostgres13sMasterAndEveryCorpusVersion) {
  WALPIPE_REQUIRE_CORPUS();
  Result<BackupInfo> b =
      parse_backup_file(corpus_bytes("pg13/1mb/00000001000000000000002C.00000028.backup"), "f",
                        BackupFileKind::kHistoryFile);
  ASSERT_TRUE(b.is_ok()) << b.status().to_string();
  EXPECT_EQ(b->from, "master");
  EXPECT_EQ(b->start_lsn, 0x2C00028u);
  EXPECT_EQ(b->stop_lsn, 0x2C00100u);
  EXPECT_EQ(b->start_time, 848851259000000);  // 2026-11-24 16:00:59 UTC
  for (const char* file : {"pg15-tl/1mb/000000010000000000000026.00000028.backup",
                           "pg17/1mb/000000010000000000000027.000000D8.backup",
                           "pg18/1mb/00000001000000000000004A.000000D8.backup"})
    EXPECT_TRUE(parse_backup_file(corpus_bytes(file), file, BackupFileKind::kHistoryFile).is_ok())
        << file;
}

TEST(BackupLabel, ReadsABackupLabelFromAStandbyWithAnIncrementalBase) {
  const std::string label =
      "START WAL LOCATION: 1/2000028 (file 000000020000000100000002)\n"
      "CHECKPOINT LOCATION: 1/2000060\n"
      "BACKUP METHOD: streamed\n"
      "BACKUP FROM: standby\n"
      "START TIME: 2026-11-24 16:54:17 +01\n"
      "LABEL: nightly: standby\n"
      "START TIMELINE: 2\n"
      "INCREMENTAL FROM LSN: 1/1000028\n"
      "INCREMENTAL FROM TLI: 2\n";
  Result<BackupInfo> b = parse_backup_file(text(label), "/b/backup_label", BackupFileKind::kLabel);
  ASSERT_TRUE(b.is_ok()) << b.status().to_string();
  EXPECT_EQ(b->start_lsn, 0x102000028u);
  EXPECT_EQ(b->start_segment, "000000020000000100000002");
  EXPECT_EQ(b->from, "standby");
  EXPECT_EQ(b->label, "nightly: standby");
  EXPECT_EQ(b->start_time, 848850857000000);
  EXPECT_EQ(b->start_tli, 2u);
  EXPECT_FALSE(b->stop_lsn.has_value());
  EXPECT_FALSE(b->stop_time.has_value());
  EXPECT_EQ(b->incremental_from_lsn, 0x101000028u);
  EXPECT_EQ(b->incremental_from_tli, 2u);
}

std::string replaced(const std::string& from, const std::string& to) {
  std::string s = kPg16;
  size_t at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return s.replace(at, from.size(), to);
}

std::string error_of(const std::string& content,
                     BackupFileKind kind = BackupFileKind::kHistoryFile) {
  Result<BackupInfo> b = parse_backup_file(text(content), "/a/X.backup", kind);
  EXPECT_FALSE(b.is_ok()) << content;
  if (b.is_ok()) return "";
  EXPECT_EQ(b.status().code(), Code::kCorruption);
  return b.status().to_string();
}

constexpr const char* kPrefix = "invalid backup history file \"/a/X.backup\": ";

TEST(BackupLabel, DamagedFilesNameTheLineAndTheValue) {
  const std::string p = kPrefix;
  EXPECT_EQ(error_of(""), p + "the file is empty");
  EXPECT_EQ(error_of(std::string(kPg16).substr(0, 100)),
            p + "the last line does not end with a newline");
  EXPECT_EQ(error_of(replaced("0/3A00110", "0/3A0011G")),
            p + "line 3: CHECKPOINT LOCATION \"0/3A0011G\" is not a WAL location");
  EXPECT_EQ(error_of(replaced("0/3A000D8 (file", "0/3A000D8 (fil")),
            p + "line 1: START WAL LOCATION \"0/3A000D8 (fil 00000001000000000000003A)\" is not "
                "\"LSN (file NAME)\"");
  EXPECT_EQ(error_of(replaced("(file 00000001000000000000003A)\nSTOP", "(file 3A)\nSTOP")),
            p + "line 1: START WAL LOCATION \"0/3A000D8 (file 3A)\" does not name a WAL segment");
  EXPECT_EQ(error_of(replaced("0/3A001B0", "1/3A001B0")),
            p + "line 2: STOP WAL LOCATION \"1/3A001B0 (file 00000001000000000000003A)\" names a "
                "segment that cannot hold its LSN");
  EXPECT_EQ(error_of(replaced("START TIME: 2026-11-24 15:54:17 UTC",
                              "START TIME: 2026-11-24 15:54:17 CET")),
            p + "line 6: START TIME \"2026-11-24 15:54:17 CET\" is not a time: time zone \"CET\" "
                "is not known\nHINT: Use UTC, GMT or a numeric offset such as +01 or -05:30.");
  EXPECT_EQ(error_of(replaced("START TIMELINE: 1", "START TIMELINE: 0")),
            p + "line 8: START TIMELINE \"0\" is not a timeline");
  EXPECT_EQ(error_of(replaced("BACKUP FROM: primary", "BACKUP FROM: replica")),
            p + "line 5: BACKUP FROM \"replica\" is not \"primary\" or \"standby\"");
  EXPECT_EQ(error_of(replaced("BACKUP METHOD: streamed", "BACKUP METHOD: rsync")),
            p + "line 4: BACKUP METHOD \"rsync\" is not \"streamed\" or \"pg_start_backup\"");
  EXPECT_EQ(error_of(replaced("LABEL: pg_basebackup", "LABEL: pg_base\x01")),
            p + "line 7: not text (control characters)");
  EXPECT_EQ(error_of(std::string(kPg16) + "\n"), p + "line 11: unexpected line \"\"");
  EXPECT_EQ(error_of(std::string(kPg16) + "COMMENT: hello\n"),
            p + "line 11: unexpected line \"COMMENT: hello\"");
  EXPECT_EQ(error_of(std::string(kPg16) + "LABEL: again\n"), p + "line 11: LABEL given twice");
}

TEST(BackupLabel, MissingAndInconsistentLinesAreRefused) {
  const std::string p = kPrefix;
  EXPECT_EQ(error_of(replaced("STOP TIME: 2026-11-24 15:54:18 UTC\n", "")),
            p + "no STOP TIME line");
  EXPECT_EQ(error_of(replaced("LABEL: pg_basebackup base backup\n", "")), p + "no LABEL line");
  EXPECT_EQ(error_of(replaced("CHECKPOINT LOCATION: 0/3A00110", "CHECKPOINT LOCATION: 0/3A00000")),
            p + "CHECKPOINT LOCATION is before START WAL LOCATION");
  EXPECT_EQ(error_of(replaced("STOP WAL LOCATION: 0/3A001B0", "STOP WAL LOCATION: 0/3A00100")),
            p + "STOP WAL LOCATION is before CHECKPOINT LOCATION");
  EXPECT_EQ(error_of(replaced("STOP TIME: 2026-11-24 15:54:18", "STOP TIME: 2026-11-24 15:54:16")),
            p + "STOP TIME is before START TIME");
  EXPECT_EQ(error_of(replaced("START TIMELINE: 1", "START TIMELINE: 2")),
            p + "START WAL LOCATION names a segment of another timeline than START TIMELINE");
  EXPECT_EQ(error_of(std::string(kPg16) + "INCREMENTAL FROM LSN: 0/1000000\n"),
            p + "INCREMENTAL FROM LSN and INCREMENTAL FROM TLI come together");
}

TEST(BackupLabel, ABackupLabelHasNoStopLines) {
  EXPECT_EQ(error_of(kPg16, BackupFileKind::kLabel),
            "invalid backup label file \"/a/X.backup\": line 2: STOP WAL LOCATION belongs in a "
            "backup history file");
}

}  // namespace
}  // namespace walpipe::wal
