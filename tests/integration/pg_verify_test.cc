// walpipe verify on the live pg_wal of a real PostgreSQL 15 server (issue 15). Checkpoints remove
// old segments by renaming them to future names (wal_recycle), so a healthy pg_wal holds, past
// the segment being written, files whose pages belong to older segments: verify must report
// them as recycled and exit 0. A damaged segment before the end of WAL must still be an error.
// 1 MiB segments (initdb --wal-segsize=1) make a few megabytes of load enough.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include "exit_codes.h"
#include "support/pg_test.h"
#include "support/run_command.h"

namespace walpipe::testing {
namespace {

namespace fs = std::filesystem;

// Rows of 1000 bytes: 1000 of them make about a 1 MiB segment of WAL.
std::string load(int rows) {
  return "INSERT INTO filler SELECT g, repeat('x', 1000) FROM generate_series(1, " +
         std::to_string(rows) + ") g";
}

size_t count_lines_with(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

// The totals of the summary line: valid, invalid, unreadable, recycled.
struct Totals {
  int files = -1, valid = -1, invalid = -1, unreadable = -1, recycled = 0;
};

Totals totals(const std::string& out) {
  static const std::regex line(
      R"(verified (\d+) files: (\d+) valid, (\d+) invalid, (\d+) unreadable(, (\d+) recycled)?;)");
  std::smatch m;
  Totals t;
  if (!std::regex_search(out, m, line)) return t;
  t.files = std::stoi(m[1]);
  t.valid = std::stoi(m[2]);
  t.invalid = std::stoi(m[3]);
  t.unreadable = std::stoi(m[4]);
  if (m[6].matched) t.recycled = std::stoi(m[6]);
  return t;
}

// The segment before `name` on its timeline (1 MiB segments: 4096 to a log file).
std::string previous_segment(const std::string& name) {
  unsigned tli = std::stoul(name.substr(0, 8), nullptr, 16);
  unsigned long long segno = std::stoull(name.substr(8, 8), nullptr, 16) * 4096 +
                             std::stoull(name.substr(16, 8), nullptr, 16) - 1;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%08X%08llX%08llX", tli, segno / 4096, segno % 4096);
  return buf;
}

class PgVerifyTest : public PgTest {
 protected:
  CommandResult verify(const std::vector<std::string>& args) const {
    std::vector<std::string> with{"verify"};
    with.insert(with.end(), args.begin(), args.end());
    return walpipe(with);
  }
};

TEST_F(PgVerifyTest, LivePgWalWithRecycledSegmentsVerifiesAndDamageBeforeTheEndIsFound) {
  PgCluster pg(*workspace_, "live");
  CommandResult r = pg.init({"--wal-segsize=1"});
  ASSERT_EQ(r.exit_code, 0) << "initdb\n" << describe(r);
  // No archiving: a checkpoint may then recycle every segment before its redo point. The
  // recycled files are kept up to min_wal_size; no timed checkpoint interferes.
  pg.append_conf({"archive_mode = off", "wal_recycle = on", "min_wal_size = 32MB",
                  "max_wal_size = 64MB", "checkpoint_timeout = 1h", "log_checkpoints = off"});
  r = pg.start();
  ASSERT_EQ(r.exit_code, 0) << "pg_ctl start\n" << describe(r);
  ASSERT_EQ(pg.query("CREATE TABLE filler(id int, pad text)"), "");
  // Each checkpoint renames the segments before its redo point to future names; the next load
  // takes some of them back into use.
  for (int round = 0; round < 3; ++round) {
    ASSERT_EQ(pg.query(load(8000)), "");
    ASSERT_EQ(pg.query("CHECKPOINT"), "");
  }
  // WAL after the last checkpoint spans whole segments: those are complete WAL before the end.
  ASSERT_EQ(pg.query(load(3000)), "");
  const std::string pg_wal = pg.data_dir() + "/pg_wal";
  ASSERT_TRUE(fs::is_directory(pg_wal + "/archive_status"));

  // ---- the running server's pg_wal: recycled files, nothing invalid, exit 0 ----
  r = verify({pg_wal});
  EXPECT_EQ(r.exit_code, 0) << describe(r);
  Totals t = totals(r.out);
  EXPECT_GE(t.recycled, 1) << r.out;
  EXPECT_EQ(t.invalid, 0) << r.out;
  EXPECT_EQ(t.unreadable, 0) << r.out;
  EXPECT_GE(t.valid, 3) << r.out;
  EXPECT_EQ(count_lines_with(r.out, ": recycled: past the end of WAL, "),
            static_cast<size_t>(t.recycled))
      << r.out;
  EXPECT_EQ(count_lines_with(r.out, "PAGEADDR_MISMATCH"), 0u) << r.out;

  // ---- a copy taken as a crash leaves it, with one segment before the end damaged ----
  const std::string current = pg.query("SELECT pg_walfile_name(pg_current_wal_lsn())");
  ASSERT_EQ(current.size(), 24u) << current;
  pg.stop("immediate");
  const std::string copy = workspace_->file("pg_wal_copy");
  r = run_as_postgres({"cp", "-a", pg_wal, copy});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  r = verify({copy});
  ASSERT_EQ(r.exit_code, 0) << "the undamaged copy\n" << describe(r);
  const Totals before = totals(r.out);
  EXPECT_GE(before.recycled, 1) << r.out;

  // Two segments back is filled by the last load. Sixteen bytes in its middle are more than
  // the padding between two records, so they change some record under its CRC.
  const std::string victim = previous_segment(previous_segment(current));
  const std::string victim_path = copy + "/" + victim;
  ASSERT_TRUE(fs::exists(victim_path)) << victim << " (current " << current << ")";
  {
    std::fstream f(victim_path, std::ios::in | std::ios::out | std::ios::binary);
    for (std::streamoff at = 0x80000 + 200; at < 0x80000 + 216; ++at) {
      f.seekg(at);
      char c = static_cast<char>(f.get());
      f.seekp(at);
      f.put(static_cast<char>(c ^ 0x5A));
    }
    ASSERT_TRUE(f.good());
  }
  r = verify({copy});
  EXPECT_EQ(r.exit_code, exit_code::kVerifyProblems) << describe(r);
  EXPECT_NE(r.out.find(victim_path + ": invalid: PostgreSQL 15, timeline 1, "), std::string::npos)
      << r.out;
  const Totals after = totals(r.out);
  EXPECT_EQ(after.invalid, 1) << r.out;
  EXPECT_EQ(after.valid, before.valid - 1) << r.out;
  EXPECT_EQ(after.recycled, before.recycled) << r.out;
}

}  // namespace
}  // namespace walpipe::testing
