// Look-ahead push: after archiving the requested file, walpipe archives the files PostgreSQL
// marked ready next, in the background, without touching PostgreSQL's status files.
#include "pipeline/lookahead.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>

#include "exit_codes.h"
#include "support/corpus.h"
#include "support/processes.h"
#include "support/run_command.h"
#include "support/scratch_dir.h"

namespace walpipe::testing {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> names_of(const std::vector<std::string>& paths) {
  std::vector<std::string> out;
  for (const auto& p : paths) out.push_back(fs::path(p).filename().string());
  return out;
}

TEST(NextReadyFiles, HistoryFirstThenNameOrderWithoutTheRequestedFile) {
  ScratchDir dir;
  for (const char* n :
       {"000000010000000000000036", "000000010000000000000034", "00000002.history",
        "000000010000000000000035", "xlogtemp.123", "000000010000000000000037.done"})
    dir.write(std::string("pg_wal/archive_status/") + n +
                  (std::string(n).ends_with(".done") ? "" : ".ready"),
              "");
  auto next = pipeline::next_ready_files(dir.file("pg_wal/000000010000000000000034"), 10);
  ASSERT_TRUE(next.is_ok()) << next.status().to_string();
  EXPECT_EQ(names_of(*next),
            (std::vector<std::string>{"00000002.history", "000000010000000000000035",
                                      "000000010000000000000036"}));
  EXPECT_EQ((*next)[0], dir.file("pg_wal/00000002.history"));
  auto limited = pipeline::next_ready_files(dir.file("pg_wal/000000010000000000000034"), 1);
  ASSERT_TRUE(limited.is_ok());
  EXPECT_EQ(names_of(*limited), std::vector<std::string>{"00000002.history"});
}

TEST(NextReadyFiles, LaterWindowsTakeTheSegmentsAfterTheLastOneTaken) {
  ScratchDir dir;
  for (const char* n : {"000000010000000000000036", "000000010000000000000034", "00000002.history",
                        "000000010000000000000035", "000000010000000000000038"})
    dir.write(std::string("pg_wal/archive_status/") + n + ".ready", "");
  const std::string requested = dir.file("pg_wal/000000010000000000000034");
  auto next = pipeline::ready_segments_after(requested, "000000010000000000000035", 10);
  ASSERT_TRUE(next.is_ok()) << next.status().to_string();
  EXPECT_EQ(names_of(*next),
            (std::vector<std::string>{"000000010000000000000036", "000000010000000000000038"}));
  auto from_start = pipeline::ready_segments_after(requested, "", 2);
  ASSERT_TRUE(from_start.is_ok());
  EXPECT_EQ(names_of(*from_start),
            (std::vector<std::string>{"000000010000000000000035", "000000010000000000000036"}));
  EXPECT_TRUE(pipeline::archived_before("000000010000000000000035", "000000010000000000000036"));
  EXPECT_FALSE(pipeline::archived_before("000000010000000000000036", "000000010000000000000036"));
  EXPECT_FALSE(pipeline::archived_before("000000020000000000000001", "000000010000000000000036"));
}

TEST(NextReadyFiles, NoStatusFolderMeansNothingToDo) {
  ScratchDir dir;
  auto next = pipeline::next_ready_files(dir.file("000000010000000000000034"), 10);
  ASSERT_TRUE(next.is_ok());
  EXPECT_TRUE(next->empty());
}

class LookaheadPush : public ::testing::Test {
 protected:
  void SetUp() override {
    WALPIPE_REQUIRE_CORPUS();
    for (const char* seg : {"34", "35", "36"}) {
      std::string name = std::string("0000000100000000000000") + seg;
      dir_.write("pg_wal/" + name, corpus_bytes("pg16/1mb/" + name));
      dir_.write("pg_wal/archive_status/" + name + ".ready", "");
    }
    fs::create_directories(dir_.file("archive"));
  }

  std::string object(const std::string& name) {
    return dir_.file("archive/wal/0000000100000000/" + name + ".zst");
  }

  bool wait_for(const std::string& path) {
    for (int i = 0; i < 1000 && !fs::exists(path); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return fs::exists(path);
  }

  ScratchDir dir_;
};

TEST_F(LookaheadPush, ArchivesTheNextReadyFilesAndLeavesStatusFilesAlone) {
  CommandResult r = run_walpipe(
      {"push", "--archive", dir_.file("archive"), dir_.file("pg_wal/000000010000000000000034")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::exists(object("000000010000000000000034")));
  EXPECT_TRUE(wait_for(object("000000010000000000000035")));
  EXPECT_TRUE(wait_for(object("000000010000000000000036")));
  // Then PostgreSQL's own calls only confirm them.
  for (const char* seg : {"35", "36"}) {
    CommandResult again =
        run_walpipe({"push", "-v", "--archive", dir_.file("archive"),
                     dir_.file(std::string("pg_wal/0000000100000000000000") + seg)});
    EXPECT_EQ(again.exit_code, 0) << again.err;
    EXPECT_NE(again.err.find("already archived with identical content"), std::string::npos)
        << again.err;
  }
  size_t ready = 0, other = 0;
  for (const auto& e : fs::directory_iterator(dir_.file("pg_wal/archive_status")))
    (e.path().extension() == ".ready" ? ready : other)++;
  EXPECT_EQ(ready, 3u);
  EXPECT_EQ(other, 0u);
  CommandResult verified = run_walpipe({"verify", "--contiguous", dir_.file("archive")});
  EXPECT_EQ(verified.exit_code, 0) << verified.out;
}

// The look-ahead pusher killed at any moment: what it left under final names is complete and
// verifies, PostgreSQL's status files are untouched, and PostgreSQL's own calls then archive
// every file. Real 16 MiB segments keep the pusher at work for about half a second here, so that
// the kills land all along its work: with 1 MiB ones it was done within a few milliseconds of
// the archiver's call, and on a busy machine no round caught it.
TEST(LookaheadKilled, LosesNothingAndLeavesNothingWrong) {
  WALPIPE_REQUIRE_CORPUS();
  ScratchDir dir;
  const std::vector<std::string> names{
      "pgbench/00000001000000000000002C",  "pgbench/000000010000000000000040",
      "switched/000000010000000000000064", "switched/000000010000000000000070",
      "switched/000000010000000000000080", "pgbench/0000000100000001000000D0",
      "pgbench/0000000100000001000000E8"};
  auto segment = [](const std::string& corpus_name) {
    return fs::path(corpus_name).filename().string();
  };
  for (const std::string& name : names) {
    dir.write("pg_wal/" + segment(name), corpus_bytes("pg15/" + name));
    dir.write("pg_wal/archive_status/" + segment(name) + ".ready", "");
  }
  int killed_at_work = 0;
  for (int round = 0; round < 8; ++round) {
    SCOPED_TRACE("killed after " + std::to_string(round * 25) + " ms");
    const std::string archive = dir.file("archive" + std::to_string(round));
    fs::create_directories(archive);
    // The archiver's call for the oldest .ready file starts the look-ahead for the others. Its
    // leak check at exit (a sanitizer build's) would take about as long as the look-ahead's
    // work, which would then be over before this test looks; and in the idle scheduling class,
    // which the look-ahead inherits, a busy machine makes it wait for a free core instead.
    CommandResult first = run_command(
        {"/usr/bin/env", "ASAN_OPTIONS=detect_leaks=0", "/usr/bin/chrt", "--idle", "0",
         WALPIPE_BINARY, "push", "--archive", archive, dir.file("pg_wal/" + segment(names[0]))});
    ASSERT_EQ(first.exit_code, 0) << first.err;
    std::this_thread::sleep_for(std::chrono::milliseconds(round * 25));
    killed_at_work += kill_holders(archive + "/.tmp/lookahead.lock");

    // The names skip segments: gaps by design, not what is tested here.
    CommandResult verified = run_walpipe({"verify", "--allow-gaps", archive});
    EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
    for (const std::string& name : names) {
      CommandResult call = run_walpipe(
          {"push", "--batch", "1", "--archive", archive, dir.file("pg_wal/" + segment(name))});
      ASSERT_EQ(call.exit_code, 0) << name << ": " << call.err;
    }
    size_t ready = 0, other = 0;
    for (const auto& e : fs::directory_iterator(dir.file("pg_wal/archive_status")))
      (e.path().extension() == ".ready" ? ready : other)++;
    EXPECT_EQ(ready, names.size());
    EXPECT_EQ(other, 0u);
    for (const std::string& name : names) {
      const std::string object = segment(name);
      EXPECT_TRUE(fs::exists(archive + "/wal/" + object.substr(0, 16) + "/" + object + ".zst"))
          << name;
    }
    verified = run_walpipe({"verify", "--allow-gaps", archive});
    EXPECT_EQ(verified.exit_code, 0) << verified.out;
  }
  // Most rounds catch the pusher at work; none would mean the test proved nothing.
  EXPECT_GT(killed_at_work, 0);
}

TEST_F(LookaheadPush, BatchOfOneArchivesOnlyTheRequestedFile) {
  CommandResult r = run_walpipe({"push", "--batch", "1", "--archive", dir_.file("archive"),
                                 dir_.file("pg_wal/000000010000000000000034")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_FALSE(fs::exists(object("000000010000000000000035")));
}

// One look-ahead pusher per archive: while another process holds the lock, PostgreSQL's call
// confirms its own file and starts nothing; once the lock is free, the next call starts one.
TEST_F(LookaheadPush, StartsNoSecondPusherWhileOneHoldsTheLock) {
  const std::string own = dir_.file("pg_wal/000000010000000000000034");
  CommandResult r = run_walpipe({"push", "--batch", "1", "--archive", dir_.file("archive"), own});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string lock = dir_.file("archive/.tmp/lookahead.lock");
  int fd = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::flock(fd, LOCK_EX | LOCK_NB), 0);
  r = run_walpipe({"push", "--archive", dir_.file("archive"), own});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_FALSE(fs::exists(object("000000010000000000000035")));
  EXPECT_EQ(holder_count(lock), 1);  // this test, and no process left waiting for the lock
  ::close(fd);
  r = run_walpipe({"push", "--archive", dir_.file("archive"), own});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(wait_for(object("000000010000000000000035")));
  EXPECT_TRUE(wait_for(object("000000010000000000000036")));
}

// PostgreSQL's archiver restarted behind a look-ahead: the files still marked ready are archived
// already, and its calls confirm them without starting a pusher that would find nothing to do.
TEST_F(LookaheadPush, StartsNoPusherWhenWhatIsReadyIsArchivedAlready) {
  for (const char* seg : {"34", "35", "36"}) {
    CommandResult r = run_walpipe({"push", "--batch", "1", "--archive", dir_.file("archive"),
                                   dir_.file(std::string("pg_wal/0000000100000000000000") + seg)});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  CommandResult r = run_walpipe(
      {"push", "--archive", dir_.file("archive"), dir_.file("pg_wal/000000010000000000000034")});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(fs::exists(dir_.file("archive/.tmp/lookahead.lock")));
}

// A backlog drains through one pusher, window after window: with windows of one file, PostgreSQL's
// call for the oldest file has the others archived without another call.
TEST_F(LookaheadPush, GoesOnWindowAfterWindowUntilNothingIsReady) {
  CommandResult r = run_walpipe({"push", "--batch", "2", "--archive", dir_.file("archive"),
                                 dir_.file("pg_wal/000000010000000000000034")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(wait_for(object("000000010000000000000035")));
  EXPECT_TRUE(wait_for(object("000000010000000000000036")));
  for (int i = 0; i < 500 && holder_count(dir_.file("archive/.tmp/lookahead.lock")) > 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(holder_count(dir_.file("archive/.tmp/lookahead.lock")), 0) << "the pusher stops";
}

// PostgreSQL's call waits for a pusher at work only for a file it is going to push: one in its
// window, or a segment after it (a later window takes it). For any other file it archives the
// file itself at once.
TEST_F(LookaheadPush, WaitsOnlyForWhatThePusherIsGoingToPush) {
  fs::create_directories(dir_.file("archive/.tmp"));
  const std::string lock = dir_.file("archive/.tmp/lookahead.lock");
  using Clock = std::chrono::steady_clock;
  struct Outcome {
    Clock::duration took;
    bool archived_while_held = false;
  };
  // Holds the pusher's lock, with a window of 35 only, while PostgreSQL's call for `name` runs;
  // the lock goes after `hold`, or as soon as the call has returned.
  auto push_while_held = [&](const std::string& name, std::chrono::milliseconds hold) {
    int fd = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    EXPECT_GE(fd, 0);
    EXPECT_EQ(::flock(fd, LOCK_EX | LOCK_NB), 0);
    const std::string plan = "000000010000000000000035\n\n";
    EXPECT_EQ(::pwrite(fd, plan.data(), plan.size(), 0), static_cast<ssize_t>(plan.size()));
    Outcome outcome;
    std::atomic<bool> returned{false};
    const auto start = Clock::now();
    std::thread release([&] {
      while (!returned && Clock::now() - start < hold)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      outcome.archived_while_held = fs::exists(object(name));
      ::close(fd);
    });
    CommandResult r = run_walpipe(
        {"push", "--batch", "1", "--archive", dir_.file("archive"), dir_.file("pg_wal/" + name)});
    returned = true;
    release.join();
    outcome.took = Clock::now() - start;
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(fs::exists(object(name)));
    return outcome;
  };
  // Before the window and not in it: archived at once (a wrong wait would last 30 s).
  Outcome before = push_while_held("000000010000000000000034", std::chrono::minutes(1));
  EXPECT_TRUE(before.archived_while_held);
  EXPECT_LT(before.took, std::chrono::seconds(15));
  // Marked ready and after the window: a later window takes it, so the call waits for the pusher.
  Outcome after = push_while_held("000000010000000000000036", std::chrono::milliseconds(1500));
  EXPECT_FALSE(after.archived_while_held);
  EXPECT_GE(after.took, std::chrono::milliseconds(1500));
}

TEST_F(LookaheadPush, BadBatchValueIsAUsageError) {
  CommandResult r = run_walpipe({"push", "--batch", "0", "--archive", dir_.file("archive"),
                                 dir_.file("pg_wal/000000010000000000000034")});
  EXPECT_EQ(r.exit_code, exit_code::kPushUsage);
  EXPECT_EQ(r.err,
            "walpipe push: error: invalid value \"0\" for option --batch\n"
            "walpipe push: hint: Try \"walpipe push --help\" for more information.\n");
}

}  // namespace
}  // namespace walpipe::testing
