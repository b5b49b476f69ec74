// walpipe verify on a live pg_wal (issue 15): a folder with archive_status/, or any folder with
// --live. Past the end of WAL, old segments renamed for reuse and preallocated ones are reported
// as recycled and the exit status is 0; what comes before the end of WAL is checked in full.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "exit_codes.h"
#include "support/corpus.h"
#include "support/corrupt.h"
#include "support/run_command.h"
#include "support/scratch_dir.h"

namespace walpipe::testing {
namespace {

namespace fs = std::filesystem;

class VerifyLive : public ::testing::Test {
 protected:
  // 34 and 35 complete, 36 being written, 37 an old 34 renamed, 38 preallocated.
  void SetUp() override {
    WALPIPE_REQUIRE_CORPUS();
    fs::create_directories(dir_.file("pg_wal/archive_status"));
    dir_.write("pg_wal/000000010000000000000034", corpus_bytes(kSeg34));
    dir_.write("pg_wal/000000010000000000000035", corpus_bytes(kSeg35));
    dir_.write("pg_wal/000000010000000000000036", corpus_bytes(kSeg36));
    dir_.write("pg_wal/000000010000000000000037", corpus_bytes(kSeg34));
    dir_.write("pg_wal/000000010000000000000038", ByteVec(1 << 20));
  }
  std::string wal(const char* seg) const {
    return dir_.file(std::string("pg_wal/0000000100000000000000") + seg);
  }
  std::string recycled_lines() const {
    return wal("37") + ": recycled: past the end of WAL, holding the old pages of 0/3400000\n" +
           wal("38") + ": recycled: past the end of WAL, preallocated with zeros\n";
  }
  ScratchDir dir_;
};

TEST_F(VerifyLive, RecycledSegmentsAreReportedAndTheExitStatusIsZero) {
  CommandResult r = run_walpipe({"verify", dir_.file("pg_wal")});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find(recycled_lines()), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(wal("36") + ": ok: PostgreSQL 16, timeline 1, 1751 records"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("\nverified 5 files: 3 valid, 0 invalid, 0 unreadable, 2 recycled; 4609 "
                       "records in 3 MiB of WAL\n"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(r.err, "");
}

TEST_F(VerifyLive, QuietLeavesOnlyTheSummary) {
  CommandResult r = run_walpipe({"verify", "-q", dir_.file("pg_wal")});
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(r.out,
            "verified 5 files: 3 valid, 0 invalid, 0 unreadable, 2 recycled; 4609 records in 3 MiB "
            "of WAL\n");
}

TEST_F(VerifyLive, JsonMarksRecycledFilesAndCountsThem) {
  CommandResult r = run_walpipe({"verify", "--json", dir_.file("pg_wal")});
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(
      r.out.find("{\"path\":\"" + wal("37") +
                 "\",\"name\":\"000000010000000000000037\",\"kind\":\"segment\","
                 "\"compressed\":false,\"status\":\"recycled\",\"problems\":[{\"severity\":"
                 "\"info\",\"code\":\"RECYCLED\",\"offset\":0,\"lsn\":\"0/3400000\","
                 "\"message\":\"past the end of WAL, holding the old pages of 0/3400000\"}]}"),
      std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("\"summary\":{\"files\":5,\"valid\":3,\"invalid\":0,\"unreadable\":0,"
                       "\"recycled\":2,\"gaps\":0,\"missing_segments\":0,\"records\":4609}"),
            std::string::npos)
      << r.out;
}

// What the issue saw: without archive_status/ the same folder is a copy of WAL, not a live
// pg_wal, and the recycled files fail; --live says it is one.
TEST_F(VerifyLive, WithoutArchiveStatusRecycledFilesFailUnlessLiveIsGiven) {
  fs::remove(dir_.file("pg_wal/archive_status"));
  CommandResult r = run_walpipe({"verify", dir_.file("pg_wal")});
  EXPECT_EQ(r.exit_code, exit_code::kVerifyProblems) << r.out;
  EXPECT_NE(r.out.find("  error: unexpected pageaddr 0/3400000 in WAL segment "
                       "\"000000010000000000000037\", LSN 0/3700000, offset 0 (PAGEADDR_MISMATCH, "
                       "file offset 0)\n"),
            std::string::npos)
      << r.out;
  r = run_walpipe({"verify", "--live", dir_.file("pg_wal")});
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find(recycled_lines()), std::string::npos) << r.out;
}

TEST_F(VerifyLive, ASegmentHoldingOldPagesBeforeTheEndOfWalIsAnError) {
  dir_.write("pg_wal/000000010000000000000035", corpus_bytes(kSeg34));
  CommandResult r = run_walpipe({"verify", dir_.file("pg_wal")});
  EXPECT_EQ(r.exit_code, exit_code::kVerifyProblems) << r.out;
  EXPECT_NE(r.out.find(wal("35") + ": invalid: PostgreSQL 16, timeline 1, 0 records\n"
                                   "  error: unexpected pageaddr 0/3400000 in WAL segment "
                                   "\"000000010000000000000035\", LSN 0/3500000, offset 0 "
                                   "(PAGEADDR_MISMATCH, file offset 0)\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find(recycled_lines()), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("verified 5 files: 2 valid, 1 invalid, 0 unreadable, 2 recycled;"),
            std::string::npos)
      << r.out;
}

TEST_F(VerifyLive, ADamagedRecordBeforeTheEndOfWalIsAnError) {
  ByteVec bytes = corpus_bytes(kSeg35);
  std::vector<RecordLocation> records = locate_records(bytes);
  ASSERT_GT(records.size(), 10u);
  flip_byte(bytes, records[10].offset + records[10].tot_len - 1);
  dir_.write("pg_wal/000000010000000000000035", bytes);
  CommandResult r = run_walpipe({"verify", dir_.file("pg_wal")});
  EXPECT_EQ(r.exit_code, exit_code::kVerifyProblems) << r.out;
  EXPECT_NE(r.out.find(wal("35") + ": invalid: "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("(CRC_MISMATCH, file offset " + std::to_string(records[10].offset) + ")"),
            std::string::npos)
      << r.out;
}

TEST_F(VerifyLive, ABadPageInTheMiddleOfTheCurrentSegmentIsAnError) {
  ByteVec bytes = corpus_bytes(kSeg36);
  zero_page(bytes, 40, page_size_of(bytes));
  dir_.write("pg_wal/000000010000000000000036", bytes);
  CommandResult r = run_walpipe({"verify", dir_.file("pg_wal")});
  EXPECT_EQ(r.exit_code, exit_code::kVerifyProblems) << r.out;
  EXPECT_NE(r.out.find("; valid WAL pages follow, so this is corruption, not the end of WAL"),
            std::string::npos)
      << r.out;
}

TEST(VerifyHelp, NamesTheOptionsForLiveFoldersAndGaps) {
  CommandResult r = run_walpipe({"verify", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  for (const char* line :
       {"      --allow-gaps   a missing segment is a warning, in an archive too (segments\n",
        "      --contiguous   a missing segment is an error in any folder, not only in an "
        "archive\n",
        "      --live         take every folder for a live pg_wal, with or without "
        "archive_status/\n",
        "A folder with archive_status/ is a live pg_wal: WAL ends in the newest segment that\n"})
    EXPECT_NE(r.out.find(line), std::string::npos) << line << "\n" << r.out;
}

}  // namespace
}  // namespace walpipe::testing
