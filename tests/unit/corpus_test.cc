// Every file of the corpus in tests/corpus verifies, with the record count and last record LSN that
// pg_waldump gives: from the corpus READMEs, and for PostgreSQL 15 from the installed pg_waldump.
#include "support/corpus.h"
#include "support/prerequisite.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include "support/run_command.h"
#include "support/scratch_dir.h"
#include "wal/inspect.h"
#include "wal/names.h"

namespace walpipe::testing {
namespace {

struct WaldumpFigures {
  uint64_t records = 0;
  std::string last_lsn;  // as pg_waldump prints it, "0/01FFE218"
};

std::string normalise_lsn(const std::string& text) {
  auto lsn = wal::parse_lsn(text);
  return lsn ? wal::format_lsn(*lsn) : text;
}

// "## 1mb/000000010000000000000034" sections with "- pg_waldump: N records;" and "lsn: X/Y,".
std::map<std::string, WaldumpFigures> readme_figures(const std::string& version_dir) {
  std::map<std::string, WaldumpFigures> out;
  std::ifstream in(corpus_dir() + "/" + version_dir + "/README.md");
  std::string line, section;
  std::regex count_re(R"(^- pg_waldump: (\d+) records;)");
  std::regex last_re(R"(^- last record: .*lsn: ([0-9A-F]+/[0-9A-F]+),)");
  std::smatch m;
  while (std::getline(in, line)) {
    if (line.rfind("## ", 0) == 0)
      section = version_dir + "/" + line.substr(3);
    else if (std::regex_search(line, m, count_re))
      out[section].records = std::stoull(m[1]);
    else if (std::regex_search(line, m, last_re))
      out[section].last_lsn = normalise_lsn(m[1]);
  }
  return out;
}

bool is_text_file(const std::string& rel) {
  return rel.ends_with(".history") || rel.ends_with(".backup");
}

TEST(Corpus, EveryWalFileIsValid) {
  WALPIPE_REQUIRE_CORPUS();
  size_t checked = 0;
  for (const std::string& rel : corpus_files()) {
    if (is_text_file(rel)) continue;
    wal::SegmentReport report = wal::inspect_segment(corpus_bytes(rel), base_name(rel));
    EXPECT_TRUE(report.is_wal) << rel;
    EXPECT_TRUE(report.valid()) << rel << ": " << report.first_error()->message;
    for (const auto& f : report.findings)
      EXPECT_NE(f.severity, wal::Severity::kWarning) << rel << ": " << f.message;
    ++checked;
  }
  EXPECT_GE(checked, 50u);
}

TEST(Corpus, RecordCountsAndLastLsnMatchReadmeFigures) {
  WALPIPE_REQUIRE_CORPUS();
  size_t compared = 0;
  for (const char* version : {"pg13", "pg15-tl", "pg16", "pg17", "pg18"}) {
    for (const auto& [rel, want] : readme_figures(version)) {
      if (want.records == 0) continue;
      wal::SegmentReport report = wal::inspect_segment(corpus_bytes(rel), base_name(rel));
      EXPECT_EQ(report.record_count, want.records) << rel;
      EXPECT_EQ(wal::format_lsn(report.last_record_lsn), want.last_lsn) << rel;
      ++compared;
    }
  }
  EXPECT_GE(compared, 40u);
}

TEST(Corpus, Pg15MatchesInstalledPgWaldump) {
  WALPIPE_REQUIRE_CORPUS();
  const std::string waldump = "/usr/lib/postgresql/15/bin/pg_waldump";
  if (access(waldump.c_str(), X_OK) != 0) WALPIPE_SKIP() << "pg_waldump 15 is not installed";
  size_t compared = 0;
  for (const std::string& rel : corpus_files()) {
    // pg15-tl's 1 MiB segments come from the same PostgreSQL 15 as the installed pg_waldump.
    bool pg15 = rel.rfind("pg15/", 0) == 0 || rel.rfind("pg15-tl/", 0) == 0;
    if (!pg15 || is_text_file(rel) || rel.ends_with(".partial")) continue;
    ScratchDir dir;
    std::string path = dir.write(base_name(rel), corpus_bytes(rel));
    CommandResult dump = run_command({waldump, path});
    ASSERT_EQ(dump.exit_code, 0) << rel << ": " << dump.err;
    uint64_t records = 0;
    std::string last_lsn;
    std::istringstream lines(dump.out);
    std::regex lsn_re(R"(lsn: ([0-9A-F]+/[0-9A-F]+),)");
    std::smatch m;
    for (std::string line; std::getline(lines, line);) {
      if (line.rfind("rmgr:", 0) != 0) continue;
      ++records;
      if (std::regex_search(line, m, lsn_re)) last_lsn = normalise_lsn(m[1]);
    }
    wal::SegmentReport report = wal::inspect_segment(corpus_bytes(rel), base_name(rel));
    EXPECT_TRUE(report.valid()) << rel;
    EXPECT_EQ(report.record_count, records) << rel;
    EXPECT_EQ(wal::format_lsn(report.last_record_lsn), last_lsn) << rel;
    ++compared;
  }
  EXPECT_GE(compared, 10u);
}

TEST(Corpus, ReportsIdentityAndCommitTimes) {
  WALPIPE_REQUIRE_CORPUS();
  const std::string rel = "pg16/1mb/000000010000000000000035";
  wal::SegmentReport r = wal::inspect_segment(corpus_bytes(rel), base_name(rel));
  EXPECT_EQ(r.version, "16");
  EXPECT_EQ(r.magic, 0xD113);
  EXPECT_EQ(r.system_id, 7711766861564540605ull);
  EXPECT_EQ(r.segment_size, 1u << 20);
  EXPECT_EQ(r.page_size, 8192u);
  EXPECT_EQ(r.timeline, 1u);
  EXPECT_EQ(wal::format_lsn(r.first_record_lsn), "0/35005F8");
  ASSERT_TRUE(r.last_commit_time.has_value());
  // README: the last record is "COMMIT 2026-11-24 15:54:16.073428 UTC".
  EXPECT_EQ(wal::format_pg_timestamp(*r.last_commit_time), "2026-11-24 15:54:16.073428 UTC");
  EXPECT_EQ(r.leading_continuation, 1484u);
}

TEST(Corpus, SwitchedSegmentEndsWithSwitchAndZeroTail) {
  WALPIPE_REQUIRE_CORPUS();
  const std::string rel = "pg16/1mb/000000010000000000000039";
  wal::SegmentReport r = wal::inspect_segment(corpus_bytes(rel), base_name(rel));
  EXPECT_TRUE(r.valid());
  EXPECT_TRUE(r.ends_with_switch);
  EXPECT_EQ(r.record_count, 3u);
  EXPECT_EQ(wal::format_lsn(r.last_record_lsn), "0/39000B0");
}

TEST(Corpus, PartialEndsEarlyWithoutError) {
  WALPIPE_REQUIRE_CORPUS();
  const std::string rel = "pg16/1mb/000000010000000000000055.partial";
  wal::SegmentReport r = wal::inspect_segment(corpus_bytes(rel), base_name(rel));
  EXPECT_TRUE(r.valid());
  EXPECT_TRUE(r.open_end);
  ASSERT_TRUE(r.end_of_wal.has_value());
  EXPECT_EQ(*r.end_of_wal, "invalid record length at 0/55000A0: expected at least 24, got 0");
  // The same bytes under the full segment name are an incomplete archived segment.
  wal::SegmentReport full = wal::inspect_segment(corpus_bytes(rel), "000000010000000000000055");
  ASSERT_FALSE(full.valid());
  EXPECT_STREQ(full.first_error()->code, "RECORD_LEN_ZERO");
  EXPECT_EQ(full.first_error()->lsn, 0x55000A0u);
}

TEST(Corpus, RecordContinuingIntoNextSegmentIsReported) {
  WALPIPE_REQUIRE_CORPUS();
  const std::string rel = "pg16/1mb/000000010000000000000034";
  wal::SegmentReport r = wal::inspect_segment(corpus_bytes(rel), base_name(rel));
  ASSERT_TRUE(r.continued_record_lsn.has_value());
  // The next segment starts with exactly the bytes this one leaves outstanding.
  const std::string next = "pg16/1mb/000000010000000000000035";
  wal::SegmentReport n = wal::inspect_segment(corpus_bytes(next), base_name(next));
  EXPECT_EQ(r.continued_remaining, n.leading_continuation);
  ASSERT_TRUE(n.first_record_prev.has_value());
  EXPECT_EQ(*n.first_record_prev, *r.continued_record_lsn);
}

}  // namespace
}  // namespace walpipe::testing
