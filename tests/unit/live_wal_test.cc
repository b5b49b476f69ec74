// A live pg_wal (docs/wal-format.md §7.3): past the end of WAL PostgreSQL keeps old segments
// renamed to future names, and preallocated ones; they are reported as recycled, while everything
// up to the end of WAL is still checked in full. Real segments from the corpus, written to a
// scratch folder that looks like pg_wal.
#include "pipeline/live_wal.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "pipeline/verify.h"
#include "support/corpus.h"
#include "support/corrupt.h"
#include "support/scratch_dir.h"
#include "support/verified.h"
#include "wal/recycled.h"

namespace walpipe::testing {
namespace {

namespace fs = std::filesystem;
using pipeline::VerifiedFile;
using wal::FirstPage;
using wal::Severity;

constexpr size_t kSegment = 1 << 20;

wal::WalFileName name_of(const std::string& name) { return *wal::parse_file_name(name); }

std::string describe(const std::vector<VerifiedFile>& files) {
  std::string out;
  for (const VerifiedFile& f : files) {
    out += f.name + (f.recycled ? " (recycled)" : "") + "\n";
    for (const wal::Finding& x : f.report.findings)
      out += std::string("  ") + wal::severity_name(x.severity) + " " + x.code + ": " + x.message +
             "\n";
  }
  return out;
}

const VerifiedFile& by_name(const std::vector<VerifiedFile>& files, const std::string& name) {
  for (const VerifiedFile& f : files)
    if (f.name == name) return f;
  ADD_FAILURE() << "no result for " << name;
  return files.front();
}

bool has_error(const VerifiedFile& f, const char* code) {
  for (const wal::Finding& x : f.report.findings)
    if (x.severity == Severity::kError && std::string(x.code) == code) return true;
  return false;
}

TEST(FirstPage, TellsOwnOlderZerosAndEverythingElse) {
  WALPIPE_REQUIRE_CORPUS();
  ByteVec bytes34 = corpus_bytes(kSeg34);
  auto classify = [](const ByteVec& bytes, const std::string& name) {
    return wal::classify_first_page(Bytes(bytes).first(std::min<size_t>(bytes.size(), 8192)),
                                    name_of(name));
  };
  EXPECT_EQ(classify(bytes34, "000000010000000000000034").kind, FirstPage::kOwn);
  wal::FirstPageView older = classify(bytes34, "000000010000000000000037");
  EXPECT_EQ(older.kind, FirstPage::kOlder);
  EXPECT_EQ(older.pageaddr, 0x3400000u);
  // Segments are renamed forward only: pages of a later segment are damage, not recycling.
  EXPECT_EQ(classify(bytes34, "000000010000000000000033").kind, FirstPage::kOther);
  EXPECT_EQ(classify(ByteVec(kSegment), "000000010000000000000037").kind, FirstPage::kZeros);
  ByteVec damaged = bytes34;
  flip_byte(damaged, 0);  // the magic
  EXPECT_EQ(classify(damaged, "000000010000000000000037").kind, FirstPage::kOther);
  // A page address inside a segment is no segment's first page.
  ByteVec inside = bytes34;
  set_u64(inside, 8, 0x3402000);
  EXPECT_EQ(classify(inside, "000000010000000000000037").kind, FirstPage::kOther);
  EXPECT_EQ(classify(ByteVec(20), "000000010000000000000037").kind, FirstPage::kOther);
  EXPECT_EQ(
      wal::classify_first_page(Bytes(bytes34), name_of("000000010000000000000037.partial")).kind,
      FirstPage::kOther);
}

class LiveWal : public ::testing::Test {
 protected:
  void SetUp() override {
    WALPIPE_REQUIRE_CORPUS();
    fs::create_directories(dir_.file("pg_wal/archive_status"));
  }
  void put(const std::string& name, const ByteVec& bytes) { dir_.write("pg_wal/" + name, bytes); }
  // 34 and 35 complete, 36 the segment being written, 37 an old 34 renamed, 38 preallocated.
  void healthy() {
    put("000000010000000000000034", corpus_bytes(kSeg34));
    put("000000010000000000000035", corpus_bytes(kSeg35));
    put("000000010000000000000036", corpus_bytes(kSeg36));
    put("000000010000000000000037", corpus_bytes(kSeg34));
    put("000000010000000000000038", ByteVec(kSegment));
  }
  std::vector<VerifiedFile> verify(bool live = false, std::vector<wal::Gap>* gaps = nullptr) {
    pipeline::VerifyOptions options;
    options.jobs = 2;
    options.live = live;
    return testing::verify_files({dir_.file("pg_wal")}, options, gaps);
  }
  ScratchDir dir_;
};

TEST_F(LiveWal, SegmentsPastTheEndOfWalAreRecycledAndTheRestIsValid) {
  healthy();
  std::vector<wal::Gap> gaps;
  auto files = verify(false, &gaps);
  ASSERT_EQ(files.size(), 5u);
  for (const char* name : {"000000010000000000000034", "000000010000000000000035"}) {
    const VerifiedFile& f = by_name(files, name);
    EXPECT_FALSE(f.recycled) << name;
    EXPECT_FALSE(f.report.open_end) << name;  // complete WAL is checked as complete
    EXPECT_TRUE(f.report.valid()) << describe(files);
  }
  const VerifiedFile& end = by_name(files, "000000010000000000000036");
  EXPECT_FALSE(end.recycled);
  EXPECT_TRUE(end.report.open_end);
  EXPECT_TRUE(end.report.valid()) << describe(files);
  const VerifiedFile& renamed = by_name(files, "000000010000000000000037");
  ASSERT_TRUE(renamed.recycled) << describe(files);
  ASSERT_EQ(renamed.report.findings.size(), 1u);
  EXPECT_EQ(renamed.report.findings[0].severity, Severity::kInfo);
  EXPECT_STREQ(renamed.report.findings[0].code, "RECYCLED");
  EXPECT_EQ(renamed.report.findings[0].message,
            "past the end of WAL, holding the old pages of 0/3400000");
  const VerifiedFile& zeros = by_name(files, "000000010000000000000038");
  ASSERT_TRUE(zeros.recycled) << describe(files);
  EXPECT_EQ(zeros.report.findings[0].message, "past the end of WAL, preallocated with zeros");
  EXPECT_TRUE(gaps.empty()) << gaps.front().finding.message;
}

TEST_F(LiveWal, WithoutArchiveStatusTheSameFilesAreCorruptUnlessLiveIsAsked) {
  healthy();
  fs::remove(dir_.file("pg_wal/archive_status"));
  auto files = verify();
  EXPECT_TRUE(has_error(by_name(files, "000000010000000000000037"), "PAGEADDR_MISMATCH"))
      << describe(files);
  EXPECT_TRUE(has_error(by_name(files, "000000010000000000000038"), "MAGIC_UNKNOWN"))
      << describe(files);
  files = verify(/*live=*/true);
  EXPECT_TRUE(by_name(files, "000000010000000000000037").recycled) << describe(files);
  EXPECT_TRUE(by_name(files, "000000010000000000000038").recycled) << describe(files);
}

TEST_F(LiveWal, AnOldSegmentsPagesBeforeTheEndOfWalAreCorruption) {
  put("000000010000000000000034", corpus_bytes(kSeg34));
  put("000000010000000000000035", corpus_bytes(kSeg34));  // 35 holds 34's pages
  put("000000010000000000000036", corpus_bytes(kSeg36));
  auto files = verify();
  const VerifiedFile& f35 = by_name(files, "000000010000000000000035");
  EXPECT_FALSE(f35.recycled);
  EXPECT_TRUE(has_error(f35, "PAGEADDR_MISMATCH")) << describe(files);
  EXPECT_TRUE(by_name(files, "000000010000000000000036").report.open_end);
}

TEST_F(LiveWal, AZeroedSegmentBeforeTheEndOfWalIsCorruption) {
  put("000000010000000000000034", corpus_bytes(kSeg34));
  put("000000010000000000000035", ByteVec(kSegment));
  put("000000010000000000000036", corpus_bytes(kSeg36));
  auto files = verify();
  const VerifiedFile& f35 = by_name(files, "000000010000000000000035");
  EXPECT_FALSE(f35.recycled);
  EXPECT_FALSE(f35.report.valid()) << describe(files);
}

TEST_F(LiveWal, ADamagedRecordBeforeTheEndOfWalIsAnError) {
  healthy();
  ByteVec bytes35 = corpus_bytes(kSeg35);
  std::vector<RecordLocation> records = locate_records(bytes35);
  ASSERT_GT(records.size(), 10u);
  flip_byte(bytes35, records[10].offset + records[10].tot_len - 1);
  put("000000010000000000000035", bytes35);
  auto files = verify();
  EXPECT_TRUE(has_error(by_name(files, "000000010000000000000035"), "CRC_MISMATCH"))
      << describe(files);
  EXPECT_TRUE(by_name(files, "000000010000000000000037").recycled);
}

// WAL may end anywhere in the segment being written, but not with valid pages after the hole.
TEST_F(LiveWal, ABadPageInTheMiddleOfTheCurrentSegmentIsAnError) {
  healthy();
  ByteVec bytes36 = corpus_bytes(kSeg36);
  zero_page(bytes36, 40, page_size_of(bytes36));
  put("000000010000000000000036", bytes36);
  auto files = verify();
  const VerifiedFile& end = by_name(files, "000000010000000000000036");
  EXPECT_TRUE(end.report.open_end);
  EXPECT_FALSE(end.report.valid()) << describe(files);
  EXPECT_TRUE(by_name(files, "000000010000000000000037").recycled);
}

// The end of WAL is per timeline: timeline 1 ends in its .partial (no full segment of it carries
// its own pages), timeline 2 in its segment 56; each has its own recycled files.
TEST_F(LiveWal, EachTimelineHasItsOwnEndOfWal) {
  put("000000010000000000000055.partial",
      corpus_bytes("pg16/1mb/000000010000000000000055.partial"));
  dir_.write("pg_wal/00000002.history", corpus_bytes("pg16/1mb/00000002.history"));
  put("000000020000000000000055", corpus_bytes("pg16/1mb/000000020000000000000055"));
  put("000000020000000000000056", corpus_bytes("pg16/1mb/000000020000000000000056"));
  put("000000020000000000000057", corpus_bytes("pg16/1mb/000000020000000000000055"));
  put("000000010000000000000056", corpus_bytes(kSeg34));
  std::vector<wal::Gap> gaps;
  auto files = verify(false, &gaps);
  ASSERT_EQ(files.size(), 6u);
  EXPECT_TRUE(by_name(files, "000000010000000000000056").recycled) << describe(files);
  EXPECT_TRUE(by_name(files, "000000020000000000000057").recycled) << describe(files);
  EXPECT_FALSE(by_name(files, "000000020000000000000055").report.open_end);
  EXPECT_TRUE(by_name(files, "000000020000000000000056").report.open_end);
  for (const VerifiedFile& f : files) EXPECT_TRUE(f.report.valid()) << describe(files);
  EXPECT_TRUE(gaps.empty()) << gaps.front().finding.message;
}

TEST_F(LiveWal, EndsArePlacedByFolderAndTimeline) {
  healthy();
  pipeline::WalEnds ends;
  std::string folder = dir_.file("pg_wal");
  EXPECT_EQ(ends.place(folder, name_of("000000010000000000000035")),
            pipeline::WalPlace::kBeforeEnd);
  EXPECT_EQ(ends.place(folder, name_of("000000010000000000000036")), pipeline::WalPlace::kEnd);
  EXPECT_EQ(ends.place(folder, name_of("000000010000000000000037")), pipeline::WalPlace::kPastEnd);
  EXPECT_EQ(ends.place(folder, name_of("000000020000000000000001")), pipeline::WalPlace::kPastEnd);
  EXPECT_EQ(ends.place(dir_.path(), name_of("000000010000000000000035")),
            pipeline::WalPlace::kPastEnd);
}

// The end of WAL is the folder's: a file of pg_wal given alone is judged by its neighbours.
TEST_F(LiveWal, AFileGivenAloneIsPlacedByItsFolder) {
  healthy();
  pipeline::VerifyOptions options;
  auto files = testing::verify_files({dir_.file("pg_wal/000000010000000000000037")}, options);
  ASSERT_EQ(files.size(), 1u);
  EXPECT_TRUE(files[0].recycled) << describe(files);
  files = testing::verify_files({dir_.file("pg_wal/000000010000000000000035")}, options);
  EXPECT_FALSE(files[0].report.open_end);
  files = testing::verify_files({dir_.file("pg_wal/000000010000000000000036")}, options);
  EXPECT_TRUE(files[0].report.open_end);
}

}  // namespace
}  // namespace walpipe::testing
