// Checks across files (docs/wal-format.md §8 step 5, §9) through pipeline::verify_files, on real
// segments written to a scratch directory: consecutive segments connect, gaps and foreign
// clusters are reported, timeline histories agree with the segments they describe.
#include "wal/chain.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "pipeline/verify.h"
#include "support/corpus.h"
#include "support/corrupt.h"
#include "support/scratch_dir.h"
#include "support/verified.h"

namespace walpipe::testing {
namespace {

namespace fs = std::filesystem;
using pipeline::VerifiedFile;
using wal::Finding;
using wal::Severity;

std::string describe(const std::vector<VerifiedFile>& files) {
  std::string out;
  for (const VerifiedFile& f : files) {
    out += f.name + (f.load_status.is_ok() ? "" : " (" + f.load_status.to_string() + ")") + "\n";
    for (const Finding& x : f.report.findings)
      out += std::string("  ") + wal::severity_name(x.severity) + " " + x.code + " @" +
             std::to_string(x.offset) + ": " + x.message + "\n";
  }
  return out;
}

// Writes corpus files under their own names into `dir` (optionally a sub-directory).
std::vector<std::string> place(const ScratchDir& dir, const std::vector<std::string>& relatives,
                               const std::string& sub = "") {
  std::vector<std::string> paths;
  for (const std::string& rel : relatives)
    paths.push_back(dir.write((sub.empty() ? "" : sub + "/") + base_name(rel), corpus_bytes(rel)));
  return paths;
}

std::vector<VerifiedFile> verify(const std::vector<std::string>& paths, bool contiguous = false,
                                 std::vector<wal::Gap>* gaps = nullptr) {
  pipeline::VerifyOptions options;
  options.jobs = 2;
  options.require_contiguous = contiguous;
  return testing::verify_files(paths, options, gaps);
}

const VerifiedFile& by_name(const std::vector<VerifiedFile>& files, const std::string& name) {
  for (const VerifiedFile& f : files)
    if (f.name == name) return f;
  ADD_FAILURE() << "no result for " << name;
  return files.front();
}

std::vector<const Finding*> with_code(const VerifiedFile& f, const std::string& code) {
  std::vector<const Finding*> out;
  for (const Finding& x : f.report.findings)
    if (code == x.code) out.push_back(&x);
  return out;
}

// `file` has exactly one finding `code` of `files`, an error at offset 0 (for a finding about a
// pair, the later file).
void expect_one_error_at_start(const std::vector<VerifiedFile>& files, const VerifiedFile& file,
                               const std::string& code) {
  auto found = with_code(file, code);
  ASSERT_EQ(found.size(), 1u) << describe(files);
  EXPECT_EQ(found[0]->severity, Severity::kError);
  EXPECT_EQ(found[0]->offset, 0u);
}

// No errors and no warnings anywhere; information (END_OF_WAL, CONT_NEXT_SEGMENT) is fine.
void expect_clean(const std::vector<VerifiedFile>& files) {
  for (const VerifiedFile& f : files) {
    EXPECT_TRUE(f.load_status.is_ok()) << f.name;
    for (const Finding& x : f.report.findings)
      EXPECT_EQ(x.severity, Severity::kInfo) << f.name << ": " << x.code << " " << x.message;
  }
}

class Chain : public ::testing::Test {
 protected:
  void SetUp() override { WALPIPE_REQUIRE_CORPUS(); }
  ScratchDir dir_;
};

TEST_F(Chain, ThreeConsecutiveSegmentsVerifyClean) {
  auto files = verify(place(dir_, {kSeg34, kSeg35, kSeg36}));
  ASSERT_EQ(files.size(), 3u);
  expect_clean(files);
}

TEST_F(Chain, ThreeConsecutiveSegmentsVerifyCleanAlsoWhenContiguityIsRequired) {
  expect_clean(verify(place(dir_, {kSeg34, kSeg35, kSeg36}), /*contiguous=*/true));
}

// A gap is a finding about the set, reported once and on no file: the intact files on either
// side stay valid.
TEST_F(Chain, MissingMiddleSegmentIsAChainGapWarningByDefault) {
  std::vector<wal::Gap> gaps;
  auto files = verify(place(dir_, {kSeg34, kSeg36}), false, &gaps);
  ASSERT_EQ(gaps.size(), 1u) << describe(files);
  EXPECT_EQ(gaps[0].finding.severity, Severity::kWarning);
  EXPECT_STREQ(gaps[0].finding.code, "CHAIN_GAP");
  EXPECT_EQ(gaps[0].finding.message,
            "missing WAL segment 000000010000000000000035 between \"000000010000000000000034\" "
            "and \"000000010000000000000036\"");
  EXPECT_EQ(gaps[0].finding.lsn, 0x3500000u);
  EXPECT_EQ(gaps[0].missing, 1u);
  EXPECT_EQ(base_name(gaps[0].before.path), "000000010000000000000034");
  EXPECT_EQ(base_name(gaps[0].after.path), "000000010000000000000036");
  for (const VerifiedFile& f : files) {
    EXPECT_TRUE(f.report.valid()) << describe(files);
    EXPECT_TRUE(with_code(f, "CHAIN_GAP").empty()) << describe(files);
  }
}

TEST_F(Chain, MissingMiddleSegmentIsAChainGapErrorWhenContiguityIsRequired) {
  std::vector<wal::Gap> gaps;
  auto files = verify(place(dir_, {kSeg34, kSeg36}), /*contiguous=*/true, &gaps);
  ASSERT_EQ(gaps.size(), 1u) << describe(files);
  EXPECT_EQ(gaps[0].finding.severity, Severity::kError);
  // The file after the gap is intact: what is missing is not its fault.
  EXPECT_TRUE(by_name(files, "000000010000000000000036").report.valid()) << describe(files);
}

TEST_F(Chain, MissingSegmentInsideAnArchiveIsAnErrorUnlessGapsAreAllowed) {
  fs::create_directories(dir_.file("archive"));
  dir_.write("archive/walpipe.json", std::string("{}"));
  place(dir_, {kSeg34, kSeg36}, "archive/wal");
  for (bool allow : {false, true}) {
    SCOPED_TRACE(allow ? "--allow-gaps" : "default");
    pipeline::VerifyOptions options;
    options.allow_gaps = allow;
    std::vector<wal::Gap> gaps;
    auto files = testing::verify_files({dir_.file("archive")}, options, &gaps);
    ASSERT_EQ(files.size(), 2u);
    for (const VerifiedFile& f : files) EXPECT_TRUE(f.in_archive) << f.path;
    ASSERT_EQ(gaps.size(), 1u) << describe(files);
    EXPECT_EQ(gaps[0].finding.severity, allow ? Severity::kWarning : Severity::kError);
    expect_clean(files);
  }
}

// Renaming would change the expected pageaddr, so the foreign segment keeps its real name:
// a PG 16 segment in a directory whose other files are PG 13 segments of another cluster.
TEST_F(Chain, SegmentOfAnotherClusterInADirectoryIsSysidMismatch) {
  auto paths = place(
      dir_, {"pg13/1mb/000000010000000000000026", "pg13/1mb/000000010000000000000027", kSeg34});
  auto files = verify(paths);
  const VerifiedFile& foreign = by_name(files, "000000010000000000000034");
  ASSERT_NO_FATAL_FAILURE(expect_one_error_at_start(files, foreign, "SYSID_MISMATCH"));
  EXPECT_FALSE(foreign.report.valid());
  // The majority of the directory is not blamed.
  EXPECT_TRUE(by_name(files, "000000010000000000000026").report.valid()) << describe(files);
  EXPECT_TRUE(by_name(files, "000000010000000000000027").report.valid()) << describe(files);
}

TEST_F(Chain, ClustersInSeparateDirectoriesDoNotDisagree) {
  auto paths = place(
      dir_, {"pg13/1mb/000000010000000000000026", "pg13/1mb/000000010000000000000027"}, "pg13");
  auto more = place(dir_, {kSeg34, kSeg35}, "pg16");
  paths.insert(paths.end(), more.begin(), more.end());
  expect_clean(verify(paths));
}

constexpr const char* kTl2History = "pg16/1mb/00000002.history";
constexpr const char* kTl1Partial = "pg16/1mb/000000010000000000000055.partial";
constexpr const char* kTl2First = "pg16/1mb/000000020000000000000055";
constexpr const char* kTl2Second = "pg16/1mb/000000020000000000000056";

TEST_F(Chain, TimelineSwitchWithHistoryAndPartialVerifiesClean) {
  std::vector<wal::Gap> gaps;
  auto files = verify(place(dir_, {kTl2History, kTl1Partial, kTl2First, kTl2Second}),
                      /*contiguous=*/true, &gaps);
  ASSERT_EQ(files.size(), 4u);
  expect_clean(files);
  EXPECT_TRUE(gaps.empty()) << gaps.front().finding.message;
  // The .partial ends early by design: that is information, not a problem.
  const VerifiedFile& partial = by_name(files, "000000010000000000000055.partial");
  EXPECT_TRUE(partial.report.open_end);
  EXPECT_FALSE(with_code(partial, "END_OF_WAL").empty()) << describe(files);
}

TEST_F(Chain, HistorySwitchPointBeyondTheEndOfThePartialIsHistorySwitchpoint) {
  // WAL in the .partial ends at 0/55000A0 (after its one checkpoint record); a history that
  // claims timeline 1 ran on to 0/5500100 describes WAL the archive does not have.
  auto paths = place(dir_, {kTl1Partial, kTl2First, kTl2Second});
  paths.push_back(
      dir_.write("00000002.history", std::string("1\t0/5500100\tno recovery target specified\n")));
  auto files = verify(paths);
  const VerifiedFile& partial = by_name(files, "000000010000000000000055.partial");
  ASSERT_NO_FATAL_FAILURE(expect_one_error_at_start(files, partial, "HISTORY_SWITCHPOINT"));
  EXPECT_FALSE(partial.report.valid());
}

TEST_F(Chain, HistorySwitchPointExactlyAtTheEndOfThePartialIsClean) {
  auto paths = place(dir_, {kTl1Partial, kTl2First, kTl2Second});
  paths.push_back(
      dir_.write("00000002.history", std::string("1\t0/55000A0\tno recovery target specified\n")));
  expect_clean(verify(paths));
}

// docs/wal-format.md §8: within one file the first record's predecessor is unknown, so only
// `xl_prev < own LSN` can be checked (step 4c); whether it names the right record is the
// chain check's job across the pair (step 5). A prev-link to an older, real record with a
// re-fixed CRC therefore passes the segment and must fail the chain, on the later file.
class PrevLinkAcrossFiles : public Chain {
 protected:
  void SetUp() override {
    Chain::SetUp();
    bytes35_ = corpus_bytes(kSeg35);
    // …35 starts with 1484 bytes of the record begun at 0/34FE678; its first own record is
    // at 0/35005F8 (file offset 0x5F8), and links back to 0/34FE678.
    std::vector<RecordLocation> records = locate_records(bytes35_);
    ASSERT_FALSE(records.empty());
    first_ = records.front();
    ASSERT_EQ(first_.offset, 0x5F8u);
    ASSERT_TRUE(first_.within_one_page);
    ASSERT_EQ(get_u64(bytes35_, first_.offset + 8), 0x34FE678u);
  }
  std::vector<VerifiedFile> verify_with_prev(uint64_t prev) {
    set_u64(bytes35_, first_.offset + 8, prev);
    EXPECT_TRUE(refix_record_crc(bytes35_, first_.offset, 8192));
    std::vector<std::string> paths = place(dir_, {kSeg34, kSeg36});
    paths.push_back(dir_.write("000000010000000000000035", bytes35_));
    return verify(paths);
  }
  ByteVec bytes35_;
  RecordLocation first_;
};

TEST_F(PrevLinkAcrossFiles, FirstRecordLinkingToAnOlderRecordIsPrevLinkOfTheChain) {
  // 0/34FE628 is the last record that is complete inside …34, not the one that continues.
  auto files = verify_with_prev(0x34FE628);
  const VerifiedFile& f35 = by_name(files, "000000010000000000000035");
  ASSERT_NO_FATAL_FAILURE(expect_one_error_at_start(files, f35, "PREV_LINK"));
  EXPECT_TRUE(with_code(by_name(files, "000000010000000000000034"), "PREV_LINK").empty());
}

TEST_F(PrevLinkAcrossFiles, TheSameSegmentAloneIsValid) {
  set_u64(bytes35_, first_.offset + 8, 0x34FE628);
  ASSERT_TRUE(refix_record_crc(bytes35_, first_.offset, 8192));
  auto files = verify({dir_.write("000000010000000000000035", bytes35_)});
  expect_clean(files);
}

TEST_F(PrevLinkAcrossFiles, FirstRecordLinkingForwardIsPrevLinkOfTheSegmentItself) {
  // xl_prev ≥ own LSN is impossible for any predecessor: the segment walk catches it alone,
  // at the record (docs/wal-format.md §14 PREV_LINK).
  auto files = verify_with_prev(0x3500600);
  const VerifiedFile& f35 = by_name(files, "000000010000000000000035");
  const Finding* e = f35.report.first_error();
  ASSERT_NE(e, nullptr) << describe(files);
  EXPECT_STREQ(e->code, "PREV_LINK");
  EXPECT_EQ(e->offset, 0x5F8u);
  EXPECT_EQ(e->lsn, 0x35005F8u);
}

// …34 ends with 1484 bytes of a record still to come; a …35 whose page 0 claims 1488 (the same
// MAXALIGNed end, so the segment alone still walks cleanly) does not continue that record.
TEST_F(Chain, ContinuationLengthThatDoesNotMatchThePreviousSegmentIsChainGap) {
  ByteVec bytes35 = corpus_bytes(kSeg35);
  ASSERT_EQ(get_u32(bytes35, 16), 1484u);
  set_u32(bytes35, 16, 1488);
  std::vector<std::string> paths = place(dir_, {kSeg34});
  paths.push_back(dir_.write("000000010000000000000035", bytes35));
  auto alone = verify({paths.back()});
  ASSERT_TRUE(alone[0].report.valid()) << describe(alone);
  auto files = verify(paths);
  const VerifiedFile& f35 = by_name(files, "000000010000000000000035");
  auto gaps = with_code(f35, "CHAIN_GAP");
  ASSERT_EQ(gaps.size(), 1u) << describe(files);
  EXPECT_EQ(gaps[0]->severity, Severity::kError);
  EXPECT_EQ(gaps[0]->offset, 0u);
}

}  // namespace
}  // namespace walpipe::testing

namespace walpipe::testing {
namespace {

// Regression: PostgreSQL ends archive recovery at the end of the last restored segment, which
// usually ends with XLOG_SWITCH, so the next timeline branches exactly at that segment's end.
TEST(ChainRegression, HistoryBranchingAtTheEndOfASwitchedSegmentIsConsistent) {
  WALPIPE_REQUIRE_CORPUS();
  ScratchDir dir;
  std::vector<std::string> paths;
  paths.push_back(
      dir.write("000000010000000000000039", corpus_bytes("pg16/1mb/000000010000000000000039")));
  paths.push_back(dir.write("00000002.history", std::string("1\t0/3A00000\tno recovery target "
                                                            "specified\n")));
  pipeline::VerifyOptions options;
  auto files = testing::verify_files(paths, options);
  for (const auto& f : files) EXPECT_TRUE(f.report.valid()) << f.name;
  // One byte further is beyond what the switched segment holds.
  ScratchDir dir2;
  std::vector<std::string> beyond{
      dir2.write("000000010000000000000039", corpus_bytes("pg16/1mb/000000010000000000000039")),
      dir2.write("00000002.history", std::string("1\t0/3A00001\tx\n"))};
  files = testing::verify_files(beyond, options);
  EXPECT_TRUE(files[0].report.valid());  // 0/3A00001 lies in the next segment: not held here
}

}  // namespace
}  // namespace walpipe::testing

namespace walpipe::testing {
namespace {

// ChainTracker alone, on synthetic points: arrival order, long runs, many odd files.
class Tracker : public ::testing::Test {
 protected:
  static constexpr uint32_t kSize = 16u << 20;

  wal::ChainTracker make(bool contiguous = false, bool repeat = false, bool allow_gaps = false) {
    return wal::ChainTracker(
        wal::ChainOptions{contiguous, repeat, allow_gaps},
        [this](const wal::ChainFile& file, const Finding& finding) {
          found_.push_back({file.path, finding});
        },
        [this](const wal::Gap& gap) { gaps_.push_back(gap); });
  }
  // A segment with no records starting in it: its links check only the continuation length.
  void add(wal::ChainTracker& tracker, uint64_t segno, const std::string& folder = "/a",
           uint64_t sysid = 7, uint64_t records = 0, wal::TimeLineId tli = 1,
           wal::FileKind kind = wal::FileKind::kSegment) {
    wal::WalFileName name = wal::segment_file_name(tli, segno, kSize);
    name.kind = kind;
    wal::ChainPoint p;
    p.is_wal = true;
    p.magic = 0xD110;
    p.segment_size = kSize;
    p.system_id = sysid;
    p.segment_start = segno * kSize;
    p.end_lsn = p.segment_start + kSize;
    p.record_count = records;
    p.min_page_tli = tli;
    tracker.add_segment(
        wal::ChainFile{index_++, folder + "/" + name.to_string(), folder, folder == "/archive"},
        name, p);
  }
  std::vector<std::pair<std::string, Finding>> with(const std::string& code) const {
    std::vector<std::pair<std::string, Finding>> out;
    for (const auto& f : found_)
      if (code == f.second.code) out.push_back(f);
    return out;
  }

  std::vector<std::pair<std::string, Finding>> found_;
  std::vector<wal::Gap> gaps_;
  size_t index_ = 0;
};

TEST_F(Tracker, LongRunInNameOrderIsClean) {
  auto tracker = make(/*contiguous=*/true);
  for (uint64_t s = 1; s <= 20000; ++s) add(tracker, s);
  tracker.finish();
  EXPECT_TRUE(found_.empty()) << found_.front().second.message;
}

TEST_F(Tracker, ArrivalOrderDoesNotMatter) {
  auto tracker = make(/*contiguous=*/true);
  for (uint64_t s : {5, 3, 1, 4, 2, 6}) add(tracker, s);
  tracker.finish();
  EXPECT_TRUE(found_.empty()) << found_.front().second.message;
}

TEST_F(Tracker, GapsAreReportedOnceEachNamingTheMissingRange) {
  auto tracker = make();
  for (uint64_t s : {1, 2, 3, 6, 7, 9}) add(tracker, s);
  tracker.finish();
  EXPECT_TRUE(found_.empty()) << found_.front().second.message;
  ASSERT_EQ(gaps_.size(), 2u);
  EXPECT_EQ(gaps_[0].finding.message,
            "missing WAL segments 000000010000000000000004 to 000000010000000000000005 between "
            "\"000000010000000000000003\" and \"000000010000000000000006\"");
  EXPECT_EQ(gaps_[0].finding.severity, Severity::kWarning);
  EXPECT_EQ(gaps_[0].missing, 2u);
  EXPECT_EQ(gaps_[0].first_missing, wal::segment_file_name(1, 4, kSize));
  EXPECT_EQ(gaps_[0].last_missing, wal::segment_file_name(1, 5, kSize));
  EXPECT_EQ(gaps_[0].before.path, "/a/" + wal::segment_file_name(1, 3, kSize).to_string());
  EXPECT_EQ(gaps_[0].after.path, "/a/" + wal::segment_file_name(1, 6, kSize).to_string());
  EXPECT_EQ(gaps_[1].finding.message,
            "missing WAL segment 000000010000000000000008 between \"000000010000000000000007\" "
            "and \"000000010000000000000009\"");
  EXPECT_EQ(gaps_[1].missing, 1u);
}

TEST_F(Tracker, AGapInAnArchiveIsAnErrorAndAllowingGapsMakesItAWarning) {
  for (bool allow : {false, true}) {
    gaps_.clear();
    auto tracker = make(/*contiguous=*/false, false, allow);
    for (uint64_t s : {1, 2, 5}) add(tracker, s, "/archive");
    tracker.finish();
    ASSERT_EQ(gaps_.size(), 1u);
    EXPECT_EQ(gaps_[0].finding.severity, allow ? Severity::kWarning : Severity::kError);
  }
}

TEST_F(Tracker, ContiguityRequiredMakesAGapAnErrorInAnyFolder) {
  auto tracker = make(/*contiguous=*/true);
  for (uint64_t s : {1, 2, 5}) add(tracker, s, "/a");
  tracker.finish();
  ASSERT_EQ(gaps_.size(), 1u);
  EXPECT_EQ(gaps_[0].finding.severity, Severity::kError);
}

// Timeline 1 runs to segment 5 (its last as a .partial), timeline 2 goes on from segment 5: two
// runs that each have no hole, whatever segments the other timeline holds.
TEST_F(Tracker, ATimelineSwitchAndAPartialAreNotGaps) {
  auto tracker = make(/*contiguous=*/true);
  for (uint64_t s : {1, 2, 3, 4}) add(tracker, s, "/archive");
  add(tracker, 5, "/archive", 7, 0, 1, wal::FileKind::kPartial);
  for (uint64_t s : {5, 6, 7}) add(tracker, s, "/archive", 7, 0, 2);
  tracker.finish();
  EXPECT_TRUE(gaps_.empty()) << gaps_.front().finding.message;
  EXPECT_TRUE(found_.empty()) << found_.front().second.message;
}

TEST_F(Tracker, ACopyWithOtherContentFromAnotherFolderIsAConflict) {
  auto tracker = make(false, /*repeat=*/true);
  for (uint64_t s = 1; s <= 300; ++s) add(tracker, s, "/archive");
  for (uint64_t s = 1; s <= 300; ++s) add(tracker, s, "/pg_wal", 7, s == 150 ? 1 : 0);
  tracker.finish();
  auto conflicts = with("ARCHIVE_CONFLICT");
  ASSERT_EQ(conflicts.size(), 1u);
  EXPECT_EQ(conflicts[0].first, "/pg_wal/" + wal::segment_file_name(1, 150, kSize).to_string());
  EXPECT_TRUE(with("CHAIN_GAP").empty());
}

// Timeline 2 branched at the start of segment 10: its segments 8 and 9 cannot exist. The history
// is checked against them whether it comes before them (name order) or after them (files given
// one by one): late, it still finds the run's first segment, which is what the walk keeps.
TEST_F(Tracker, SegmentsBeforeTheBranchPointAreFoundWhicheverArrivesFirst) {
  for (bool history_first : {true, false}) {
    SCOPED_TRACE(history_first ? "history first" : "history last");
    found_.clear();
    auto tracker = make();
    wal::TimelineHistory history;
    history.timeline = 2;
    history.entries.push_back(wal::HistoryEntry{1, 10ull * kSize, "promoted"});
    auto add_history = [&] {
      tracker.add_history(wal::ChainFile{index_++, "/a/00000002.history", "/a"}, history);
    };
    if (history_first) add_history();
    for (uint64_t s = 9; s <= 40; ++s) add(tracker, s, "/a", 7, 0, 2);
    if (!history_first) add_history();
    tracker.finish();
    auto before = with("TLI_NOT_IN_HISTORY");
    ASSERT_EQ(before.size(), 1u);
    EXPECT_EQ(before[0].first, "/a/" + wal::segment_file_name(2, 9, kSize).to_string());
    EXPECT_NE(before[0].second.message.find("lies before the timeline's branch point"),
              std::string::npos)
        << before[0].second.message;
  }
}

TEST_F(Tracker, ManyFilesOfAnotherClusterAreNamedThenCounted) {
  auto tracker = make();
  for (uint64_t s = 1; s <= 200; ++s) add(tracker, s, "/a", s <= 70 ? 8 : 7);
  tracker.finish();
  auto odd = with("SYSID_MISMATCH");
  ASSERT_EQ(odd.size(), 64u);
  EXPECT_EQ(odd.front().first, "/a/" + wal::segment_file_name(1, 1, kSize).to_string());
  EXPECT_NE(odd.back().second.message.find("(and 6 more files like it in this directory)"),
            std::string::npos)
      << odd.back().second.message;
  for (const auto& f : odd) EXPECT_EQ(f.second.severity, Severity::kError);
}

}  // namespace
}  // namespace walpipe::testing
