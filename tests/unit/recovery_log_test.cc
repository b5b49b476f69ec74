// What walpipe drill reads in the log of the server it recovers (pg/recovery_server.h): the
// segments restore_command brought, counted once each, whether the server accepts connections,
// and the file it could not restore with walpipe get's own words. The lines are PostgreSQL 15's,
// as a drill's server wrote them.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "pg/recovery_server.h"

namespace walpipe::pg {
namespace {

constexpr const char* kPrefix = "2026-12-04 20:19:02.771 UTC [14537] ";

std::string lines(const std::vector<std::string>& messages) {
  std::string text;
  for (const std::string& m : messages)
    text += (m.starts_with("walpipe") ? "" : kPrefix) + m + "\n";
  return text;
}

TEST(RecoveryLog, CountsEachRestoredSegmentOnceAndSeesTheServerAccepting) {
  LogFindings f;
  scan_log(lines({"LOG:  starting archive recovery",
                  "LOG:  restored log file \"000000010000000000000007\" from archive",
                  "LOG:  restored log file \"00000002.history\" from archive",
                  "LOG:  restored log file \"000000010000000000000008\" from archive",
                  "LOG:  consistent recovery state reached at 0/700100"}),
           &f);
  EXPECT_EQ(f.segments_restored, 2u);
  EXPECT_EQ(f.last_restored, "000000010000000000000008");
  EXPECT_FALSE(f.accepting);
  scan_log(lines({"LOG:  database system is ready to accept read-only connections",
                  "LOG:  restored log file \"000000010000000000000008\" from archive",
                  "LOG:  restored log file \"000000020000000000000009\" from archive"}),
           &f);
  EXPECT_EQ(f.segments_restored, 3u);
  EXPECT_EQ(f.last_restored, "000000020000000000000009");
  EXPECT_TRUE(f.accepting);
  EXPECT_EQ(f.failed_file, "");
  EXPECT_EQ(f.errors, std::vector<std::string>());
}

TEST(RecoveryLog, NamesTheFileRestoreCommandCouldNotBringWithWalpipesWords) {
  LogFindings f;
  const std::string get =
      "walpipe get: error: archive object \"/a/wal/0000000100000000/"
      "000000010000000000000008.zst\": zstd frame is damaged";
  const std::string fatal =
      "FATAL:  could not restore file \"000000010000000000000008\" from archive: child process "
      "exited with exit code 200";
  scan_log(lines({"LOG:  restored log file \"000000010000000000000007\" from archive", get, fatal,
                  "LOG:  startup process (PID 14537) exited with exit code 1"}),
           &f);
  EXPECT_EQ(f.failed_file, "000000010000000000000008");
  EXPECT_EQ(f.errors, (std::vector<std::string>{get, kPrefix + fatal}));
}

TEST(RecoveryLog, LeavesAnUnfinishedLineForTheNextRead) {
  LogFindings f;
  scan_log(std::string(kPrefix) + "LOG:  restored log file \"000000010000000000000007\" from arch",
           &f);
  EXPECT_EQ(f.segments_restored, 0u);
}

}  // namespace
}  // namespace walpipe::pg
