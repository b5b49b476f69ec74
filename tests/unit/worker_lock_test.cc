// pipeline/worker_lock: the lock and plan of the one detached worker of an archive or a spool,
// with work run in this process (a detach that does not fork, as a resident process may use).
#include "pipeline/worker_lock.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "io/file_lock.h"
#include "support/scratch_dir.h"

namespace walpipe::testing {
namespace {

using Names = std::vector<std::string>;
using io::LockFile;

std::string contents(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

bool run_here(const std::function<void()>& work) {
  work();
  return true;
}

TEST(WorkerLock, APlanIsReadOnlyToItsEnd) {
  EXPECT_EQ(pipeline::parse_plan("a\nb\n\n"), (Names{"a", "b"}));
  EXPECT_EQ(pipeline::parse_plan("a\n\nleft\nover\n\n"), Names{"a"});
  EXPECT_EQ(pipeline::parse_plan("\n"), Names{});
  // Caught half written, or never written: no plan, which may hold anything.
  EXPECT_EQ(pipeline::parse_plan("a\nb\n"), Names{});
  EXPECT_EQ(pipeline::parse_plan("a\nb"), Names{});
  EXPECT_EQ(pipeline::parse_plan(""), Names{});
  EXPECT_TRUE(pipeline::may_be_planned({}, "b"));
  EXPECT_TRUE(pipeline::may_be_planned({"a", "b"}, "b"));
  EXPECT_FALSE(pipeline::may_be_planned({"a"}, "b"));
}

TEST(WorkerLock, AShorterPlanOverAnOlderOneReadsAsItself) {
  ScratchDir dir;
  Result<LockFile> lock = LockFile::create(dir.file("w.lock"));
  ASSERT_TRUE(lock.is_ok()) << lock.status().to_string();
  pipeline::announce_plan(*lock, {"a", "b", "c"});
  pipeline::announce_plan(*lock, {"x"});
  EXPECT_EQ(contents(dir.file("w.lock")), "x\n\n\nc\n\n");
  EXPECT_EQ(pipeline::parse_plan(contents(dir.file("w.lock"))), Names{"x"});
}

TEST(WorkerLock, NothingToDoCreatesNoLockFile) {
  ScratchDir dir;
  bool worked = false;
  pipeline::start_worker_once(
      dir.file("w.lock"), [] { return false; }, run_here, [&](LockFile&) { worked = true; });
  EXPECT_FALSE(worked);
  EXPECT_FALSE(std::filesystem::exists(dir.file("w.lock")));
}

TEST(WorkerLock, WorkRunsUnderTheLockWithTheOldPlanGone) {
  ScratchDir dir;
  const std::string path = dir.write("w.lock", "gone\n\n");
  bool worked = false;
  pipeline::start_worker_once(
      path, [] { return true; }, run_here,
      [&](LockFile& lock) {
        worked = true;
        EXPECT_EQ(contents(path), "");
        Result<LockFile> other = LockFile::open(path, LockFile::Access::kRead);
        ASSERT_TRUE(other.is_ok());
        EXPECT_FALSE(other->try_lock_shared());
        pipeline::announce_plan(lock, {"a"});
      });
  EXPECT_TRUE(worked);
  EXPECT_EQ(contents(path), "a\n\n");
  Result<LockFile> after = LockFile::open(path, LockFile::Access::kRead);
  ASSERT_TRUE(after.is_ok());
  EXPECT_TRUE(after->try_lock_shared());
}

TEST(WorkerLock, AWorkerAtWorkKeepsAnyOtherFromStarting) {
  ScratchDir dir;
  Result<LockFile> held = LockFile::create(dir.file("w.lock"));
  ASSERT_TRUE(held.is_ok());
  ASSERT_TRUE(held->try_lock_exclusive());
  bool asked = false;
  bool worked = false;
  pipeline::start_worker_once(
      dir.file("w.lock"),
      [&] {
        asked = true;
        return true;
      },
      run_here, [&](LockFile&) { worked = true; });
  // Told by the lock alone: with a worker at it, nothing else is looked at.
  EXPECT_FALSE(asked);
  EXPECT_FALSE(worked);
}

TEST(WorkerLock, WorkNotStartedLeavesTheLockFree) {
  ScratchDir dir;
  pipeline::start_worker_once(
      dir.file("w.lock"), [] { return true; }, [](const std::function<void()>&) { return false; },
      [](LockFile&) { ADD_FAILURE() << "work run"; });
  Result<LockFile> after = LockFile::open(dir.file("w.lock"), LockFile::Access::kRead);
  ASSERT_TRUE(after.is_ok());
  EXPECT_TRUE(after->try_lock_shared());
}

TEST(WorkerLock, WaitUntilUnlockedNamesALockStillHeld) {
  ScratchDir dir;
  EXPECT_TRUE(pipeline::wait_until_unlocked(dir.file("none.lock"), 10).is_ok());
  Result<LockFile> held = LockFile::create(dir.file("w.lock"));
  ASSERT_TRUE(held.is_ok());
  EXPECT_TRUE(pipeline::wait_until_unlocked(dir.file("w.lock"), 10).is_ok());
  ASSERT_TRUE(held->try_lock_exclusive());
  Status still = pipeline::wait_until_unlocked(dir.file("w.lock"), 50);
  EXPECT_EQ(still.code(), Code::kIoError);
  EXPECT_EQ(still.message(), "\"" + dir.file("w.lock") + "\" is still locked after 0 s");
}

TEST(WorkerLock, NoWaitForAFileNotInThePlan) {
  ScratchDir dir;
  Result<LockFile> held = LockFile::create(dir.file("w.lock"));
  ASSERT_TRUE(held.is_ok());
  ASSERT_TRUE(held->try_lock_exclusive());
  pipeline::announce_plan(*held, {"a"});
  Names weighed;
  const auto start = std::chrono::steady_clock::now();
  pipeline::wait_while_locked(
      dir.file("w.lock"), [] { return false; }, 60000,
      [&](const Names& plan) {
        weighed = plan;
        return pipeline::may_be_planned(plan, "b");
      });
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(30));
  EXPECT_EQ(weighed, Names{"a"});
}

}  // namespace
}  // namespace walpipe::testing
