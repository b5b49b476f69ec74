#include "wal/history.h"

#include <gtest/gtest.h>

#include "support/backup_history.h"

namespace walpipe::wal {
namespace {

Bytes text(const std::string& s) {
  return Bytes(reinterpret_cast<const std::byte*>(s.data()), s.size());
}

// The timeline in effect at `lsn` according to `h`, as recovery reads a history file.
TimeLineId timeline_at(const TimelineHistory& h, Lsn lsn) {
  for (const auto& e : h.entries)
    if (lsn < e.switch_point) return e.parent;
  return h.timeline;
}

TEST(History, ParsesServerWrittenFilesWithBlankLinesAndComments) {
  std::string file =
      "1\t0/6000000\tno recovery target specified\n\n# operator note\n"
      "2\t0/80357D0\tafter LSN 0/8035788\n\n";
  SegmentReport report;
  TimelineHistory h = parse_history(text(file), 3, "00000003.history", &report);
  EXPECT_TRUE(report.valid());
  ASSERT_EQ(h.entries.size(), 2u);
  EXPECT_EQ(h.entries[0].parent, 1u);
  EXPECT_EQ(h.entries[0].switch_point, 0x6000000u);
  EXPECT_EQ(h.entries[1].reason, "after LSN 0/8035788");
  EXPECT_EQ(h.branch_point(), 0x80357D0u);
  EXPECT_EQ(timeline_at(h, 0x5FFFFFF), 1u);
  EXPECT_EQ(timeline_at(h, 0x6000000), 2u);
  EXPECT_EQ(timeline_at(h, 0x80357D0), 3u);
}

struct BadHistory {
  std::string content;
  const char* code;
  const char* message;
};

class HistoryErrors : public ::testing::TestWithParam<BadHistory> {};

TEST_P(HistoryErrors, AreReportedWithPostgresWording) {
  SegmentReport report;
  parse_history(text(GetParam().content), 3, "00000003.history", &report);
  ASSERT_FALSE(report.valid());
  EXPECT_STREQ(report.first_error()->code, GetParam().code);
  EXPECT_EQ(report.first_error()->message, GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, HistoryErrors,
    ::testing::Values(
        BadHistory{"x\t0/1\treason\n", "HISTORY_SYNTAX",
                   "syntax error in history file \"00000003.history\": Expected a numeric "
                   "timeline ID."},
        BadHistory{"1\tnot-an-lsn\n", "HISTORY_SYNTAX",
                   "syntax error in history file \"00000003.history\": Expected a write-ahead "
                   "log switchpoint location."},
        BadHistory{"2\t0/1\ta\n1\t0/2\tb\n", "HISTORY_ORDER",
                   "invalid data in history file \"00000003.history\": Timeline IDs must be in "
                   "increasing sequence."},
        BadHistory{"3\t0/1\ta\n", "HISTORY_PARENT",
                   "invalid data in history file \"00000003.history\": Timeline IDs must be less "
                   "than child timeline's ID."},
        BadHistory{"", "HISTORY_SYNTAX",
                   "history file \"00000003.history\" lists no parent timeline"}));

TEST(History, BinaryContentIsNotAHistoryFile) {
  std::string binary("1\t0/1\tx\n\x01\x02", 10);
  SegmentReport report;
  parse_history(text(binary), 2, "00000002.history", &report);
  ASSERT_FALSE(report.valid());
  EXPECT_EQ(report.first_error()->message, "history file \"00000002.history\" is not a text file");
}

const char* kBackup = testing::kPg16BackupHistory;

TEST(BackupHistory, ParsesAndAgreesWithItsName) {
  SegmentReport report;
  BackupLabel label = parse_backup_history(
      text(kBackup), "00000001000000000000003A.000000D8.backup", 1 << 20, &report);
  EXPECT_TRUE(report.valid());
  EXPECT_EQ(label.start_lsn, 0x3A000D8u);
  EXPECT_EQ(label.stop_lsn, 0x3A001B0u);
  EXPECT_EQ(label.label, "pg_basebackup base backup");
}

TEST(BackupHistory, NameThatDisagreesWithStartLocationIsAnError) {
  SegmentReport report;
  parse_backup_history(text(kBackup), "00000001000000000000003B.000000D8.backup", 1 << 20, &report);
  ASSERT_FALSE(report.valid());
  EXPECT_STREQ(report.first_error()->code, "BACKUP_INCONSISTENT");
}

TEST(BackupHistory, MissingKeyIsNamed) {
  SegmentReport report;
  parse_backup_history(text("START WAL LOCATION: 0/1 (file 000000010000000000000000)\n"),
                       "000000010000000000000000.00000001.backup", 0, &report);
  ASSERT_FALSE(report.valid());
  EXPECT_EQ(report.first_error()->message,
            "backup history file \"000000010000000000000000.00000001.backup\" has no \"STOP WAL "
            "LOCATION\" line");
}

}  // namespace
}  // namespace walpipe::wal
