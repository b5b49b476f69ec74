// Issue 15 on the push side, with a real PostgreSQL 15 (1 MiB segments, no pgbench):
//   (a) the segment the server is still writing, pushed by hand: refused with a hint that it is
//       incomplete (never one to use --no-verify); stored anyway with --no-verify; then, after
//       pg_switch_wal(), the server's own archive_command archives the finished segment without
//       a single failure: it supersedes the copy stored by hand, which is kept in superseded/,
//       and `walpipe get` gives back exactly the finished segment;
//   (b) a first push by hand as root into a fresh archive that `postgres` owns, then the
//       server's archive_command (as `postgres`) archives later segments into it without a
//       failure, and everything in the archive belongs to `postgres`.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "exit_codes.h"
#include "support/files.h"
#include "support/pg_test.h"
#include "support/prerequisite.h"
#include "support/run_command.h"

namespace walpipe::testing {
namespace {

namespace fs = std::filesystem;

constexpr int kWait = 60;  // seconds: the bound on every poll

class PgPushTest : public PgTest {
 protected:
  void TearDown() override {
    if (workspace_) std::fprintf(stderr, "pg_push_test: %.1f s\n", seconds());
  }

  // Switches to a new segment and waits until the server has archived the one it closed.
  std::string switch_and_wait_archived(const PgCluster& pg) const {
    std::string closed = pg.query("SELECT pg_walfile_name(pg_switch_wal())");
    EXPECT_EQ(closed.size(), 24u) << closed;
    EXPECT_TRUE(pg.wait_for(
        "SELECT coalesce(last_archived_wal >= '" + closed + "', false) FROM pg_stat_archiver", "t",
        kWait))
        << closed << " was not archived\n"
        << pg.log_tail();
    return closed;
  }
};

TEST_F(PgPushTest, HalfWrittenSegmentPushedByHandThenRootPushThenTheServersOwnPushes) {
  const std::string archive = workspace_->make_dir("archive");
  PgCluster pg(*workspace_, "primary");
  CommandResult r = pg.init({"--wal-segsize=1"});
  ASSERT_EQ(r.exit_code, 0) << "initdb\n" << describe(r);
  pg.append_conf({"wal_level = replica", "archive_mode = on",
                  "archive_command = '" + push_command(archive) + "'", "log_checkpoints = off",
                  "checkpoint_timeout = 1h"});
  r = pg.start();
  ASSERT_EQ(r.exit_code, 0) << "pg_ctl start\n" << describe(r);

  // ---- (a) the segment being written, pushed by hand ----
  ASSERT_EQ(pg.query("CREATE TABLE t AS SELECT g FROM generate_series(1, 2000) g"), "");
  const std::string current = pg.query("SELECT pg_walfile_name(pg_current_wal_lsn())");
  ASSERT_EQ(current.size(), 24u) << current;
  const std::string in_pg_wal = pg.data_dir() + "/pg_wal/" + current;
  r = walpipe({"push", "--batch=1", "--archive", archive, in_pg_wal});
  EXPECT_EQ(r.exit_code, exit_code::kPushRefused) << describe(r);
  EXPECT_TRUE(r.err.ends_with(
      "\nHINT: This segment is still being written, or was copied before it was complete: "
      "PostgreSQL hands it to archive_command once it is complete.\n"))
      << describe(r);
  EXPECT_EQ(r.err.find("--no-verify"), std::string::npos) << describe(r);
  r = walpipe({"push", "--batch=1", "--no-verify", "--archive", archive, in_pg_wal});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  const std::string object = archive + "/wal/" + current.substr(0, 16) + "/" + current + ".zst";
  const std::string by_hand = file_text(object);
  ASSERT_FALSE(by_hand.empty());

  ASSERT_EQ(switch_and_wait_archived(pg), current);
  EXPECT_EQ(pg.query("SELECT failed_count FROM pg_stat_archiver"), "0")
      << pg.query("SELECT last_failed_wal FROM pg_stat_archiver") << "\n"
      << pg.log_tail();
  const std::string finished = file_text(in_pg_wal);
  ASSERT_EQ(finished.size(), 1u << 20);
  std::vector<std::string> kept;
  for (const auto& e : fs::directory_iterator(archive + "/superseded"))
    kept.push_back(e.path().filename().string());
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_TRUE(kept[0].starts_with(current + ".") && kept[0].ends_with(".zst")) << kept[0];
  EXPECT_EQ(file_text(archive + "/superseded/" + kept[0]), by_hand);
  const std::string dest = workspace_->file("restored");
  r = walpipe({"get", "--archive", archive, current, dest});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_TRUE(file_text(dest) == finished) << "get did not give back the finished segment";
  EXPECT_NE(read_text_file(pg.log_path())
                .find("walpipe push: \"" + current +
                      "\" superseded the copy archived with --no-verify that failed validation; "
                      "the old copy was kept as \"" +
                      archive + "/superseded/" + kept[0] + "\""),
            std::string::npos)
      << pg.log_tail();

  // ---- (b) a first push by hand as root into a fresh archive of the server's user ----
  if (::geteuid() != 0) WALPIPE_SKIP() << "a push as root needs root";
  const std::string second = workspace_->make_dir("second-archive");
  const std::string closed = switch_and_wait_archived(pg);
  r = run_command({workspace_->walpipe(), "push", "--batch=1", "--archive", second,
                   pg.data_dir() + "/pg_wal/" + closed});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  ASSERT_EQ(pg.query("ALTER SYSTEM SET archive_command = '" + push_command(second) + "'"), "");
  ASSERT_EQ(pg.query("SELECT pg_reload_conf()"), "t");
  ASSERT_EQ(pg.query("INSERT INTO t SELECT g FROM generate_series(1, 2000) g"), "");
  // The reload reaches the archiver asynchronously: the segments after it go to `second`.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  for (int i = 0; i < 2; ++i) {
    const std::string later = switch_and_wait_archived(pg);
    EXPECT_TRUE(fs::exists(second + "/wal/" + later.substr(0, 16) + "/" + later + ".zst")) << later;
  }
  EXPECT_EQ(pg.query("SELECT failed_count FROM pg_stat_archiver"), "0")
      << pg.query("SELECT last_failed_wal FROM pg_stat_archiver") << "\n"
      << pg.log_tail();
  struct stat owner;
  ASSERT_EQ(::stat(second.c_str(), &owner), 0);
  for (const auto& e : fs::recursive_directory_iterator(second)) {
    struct stat st;
    ASSERT_EQ(::stat(e.path().c_str(), &st), 0);
    EXPECT_EQ(st.st_uid, owner.st_uid) << e.path();
  }
  r = walpipe({"verify", second});
  EXPECT_EQ(r.exit_code, 0) << describe(r);
}

}  // namespace
}  // namespace walpipe::testing
