// The worker pool's contract (base/worker_pool.h): its bound, waiting for a group, the one
// cancellation rule, nesting without deadlock, and a usable pool in a forked child.
#include "base/worker_pool.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <thread>

namespace walpipe {
namespace {

using std::chrono::milliseconds;

// Spins until `flag` is set or a second has passed; whether it was set.
bool await(const std::atomic<bool>& flag) {
  auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  while (!flag && std::chrono::steady_clock::now() < give_up) std::this_thread::yield();
  return flag;
}

// No more tasks run at once than the pool's threads and the one thread waiting on the group.
TEST(WorkerPool, RunsNoMoreTasksAtOnceThanItsThreadsAndTheWaiter) {
  WorkerPool pool(3);
  std::atomic<int> running{0}, most{0}, ran{0};
  TaskGroup group(pool);
  for (int i = 0; i < 40; ++i)
    group.run([&] {
      int now = ++running;
      for (int seen = most; seen < now && !most.compare_exchange_weak(seen, now);) {
      }
      std::this_thread::sleep_for(milliseconds(2));
      --running;
      ++ran;
      return Status::ok();
    });
  EXPECT_TRUE(group.wait().is_ok());
  EXPECT_EQ(ran, 40);
  EXPECT_LE(most, 4);
  EXPECT_GE(most, 2);
}

// The queue is bounded: past kQueuedPerThread tasks a thread, the submitter runs them itself.
TEST(WorkerPool, AFullQueueRunsTheTaskOnTheSubmitter) {
  WorkerPool pool(1);
  std::atomic<bool> release{false};
  std::atomic<int> on_submitter{0};
  const std::thread::id submitter = std::this_thread::get_id();
  TaskGroup group(pool);
  group.run([&] {
    while (!release) std::this_thread::yield();  // keeps the one pool thread busy
    return Status::ok();
  });
  const int queued = static_cast<int>(WorkerPool::kQueuedPerThread);
  for (int i = 0; i < queued + 10; ++i)
    group.run([&] {
      if (std::this_thread::get_id() == submitter) ++on_submitter;
      return Status::ok();
    });
  // The pool thread may or may not have taken the first task off the queue before the rest came.
  EXPECT_GE(on_submitter, 10);
  EXPECT_LE(on_submitter, 11);
  release = true;
  EXPECT_TRUE(group.wait().is_ok());
}

// The first error cancels the group: tasks not started never start, wait() returns that error.
TEST(WorkerPool, TheFirstErrorCancelsTheTasksNotStarted) {
  WorkerPool pool(1);
  std::atomic<bool> fail{false};
  std::atomic<int> later_ran{0};
  TaskGroup group(pool);
  group.run([&] {
    while (!fail) std::this_thread::yield();
    return Status(Code::kCorruption, "frame 0 is damaged");
  });
  for (int i = 0; i < 10; ++i)
    group.run([&] {
      ++later_ran;
      return Status(Code::kIoError, "not the first error");
    });
  fail = true;
  // Not waited for yet (the waiter would run the queued tasks): the one pool thread meets them
  // only after the failure.
  auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!group.cancelled() && std::chrono::steady_clock::now() < give_up)
    std::this_thread::yield();
  ASSERT_TRUE(group.cancelled());
  Status status = group.wait();
  EXPECT_EQ(status.code(), Code::kCorruption);
  EXPECT_EQ(status.message(), "frame 0 is damaged");
  EXPECT_EQ(later_ran, 0);
}

// A group of another group's tasks does not cancel its parent, and a failure in one group
// leaves another group on the same pool alone.
TEST(WorkerPool, AnErrorCancelsOnlyItsOwnGroup) {
  WorkerPool pool(2);
  TaskGroup failing(pool), other(pool);
  std::atomic<int> other_ran{0};
  failing.run([] { return Status(Code::kIoError, "could not read file \"x\""); });
  for (int i = 0; i < 20; ++i)
    other.run([&] {
      ++other_ran;
      return Status::ok();
    });
  EXPECT_EQ(failing.wait().message(), "could not read file \"x\"");
  EXPECT_TRUE(other.wait().is_ok());
  EXPECT_EQ(other_ran, 20);
}

// Tasks that wait for groups of their own on the same pool, three levels deep, on one thread and
// on two: every pool thread may be blocked in a wait, and the waiters run what is queued.
TEST(WorkerPool, NestedGroupsOnTheSamePoolFinish) {
  for (unsigned threads : {1u, 2u}) {
    WorkerPool pool(threads);
    std::atomic<int> leaves{0};
    std::function<Status(int)> fan_out = [&](int depth) -> Status {
      if (depth == 0) {
        ++leaves;
        return Status::ok();
      }
      TaskGroup inner(pool);
      for (int i = 0; i < 4; ++i) inner.run([&, depth] { return fan_out(depth - 1); });
      return inner.wait();
    };
    TaskGroup outer(pool);
    for (int i = 0; i < 4; ++i) outer.run([&] { return fan_out(3); });
    EXPECT_TRUE(outer.wait().is_ok());
    EXPECT_EQ(leaves, 4 * 4 * 4 * 4) << threads << " threads";
  }
}

// run_on_threads with two runners needs a second thread besides the waiter: in a child forked
// while the parent's pool was busy, the child's pool must have live threads of its own.
TEST(WorkerPool, AChildForkedWhileThePoolIsBusyHasAWorkingPool) {
  WorkerPool* parent_pool = &WorkerPool::shared();
  std::atomic<bool> stop{false};
  std::thread busy([&] {
    while (!stop) {
      TaskGroup group;
      for (int i = 0; i < 8; ++i) group.run([] { return Status::ok(); });
      (void)group.wait();
    }
  });
  std::this_thread::sleep_for(milliseconds(20));
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    if (&WorkerPool::shared() == parent_pool) ::_exit(2);
    std::atomic<int> started{0};
    std::atomic<bool> both{false};
    TaskGroup group;
    Status s = run_on_threads(group, 2, [&] {
      if (++started == 2) both = true;
      return await(both) ? Status::ok() : Status(Code::kIoError, "one runner ran alone");
    });
    ::_exit(s.is_ok() ? 0 : 3);
  }
  stop = true;
  busy.join();
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "2: the parent's pool; 3: no live pool thread";
}

// fork() waits until every thread of the shared pool is asleep: one inside malloc() or free() at
// the fork would leave the child an allocator lock nobody releases (worker_pool.h, kForkWait).
TEST(WorkerPool, ForkWaitsUntilTheSharedPoolsTasksHaveEnded) {
  std::atomic<bool> started{false}, ended{false};
  TaskGroup group;
  group.run([&] {
    started = true;
    std::this_thread::sleep_for(milliseconds(200));
    ended = true;
    return Status::ok();
  });
  ASSERT_TRUE(await(started));
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) ::_exit(ended ? 0 : 2);
  EXPECT_TRUE(ended);
  EXPECT_TRUE(group.wait().is_ok());
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "2: forked while the task ran";
}

// A task of the pool that forks can never see every thread asleep (it is one of them): the wait
// ends after kForkWait, and the child is made.
TEST(WorkerPool, AForkFromATaskIsHeldUpOnlyForTheBoundedWait) {
  TaskGroup group;
  std::atomic<pid_t> child{-1};
  std::atomic<bool> done{false};
  std::chrono::steady_clock::duration took{};
  group.run([&] {
    const auto start = std::chrono::steady_clock::now();
    const pid_t pid = ::fork();
    if (pid == 0) ::_exit(0);
    took = std::chrono::steady_clock::now() - start;
    child = pid;
    done = true;
    return Status::ok();
  });
  // Not wait() at once: this thread would run the task itself, and it is not one of the pool's.
  const auto give_up = std::chrono::steady_clock::now() + WorkerPool::kForkWait * 10;
  while (!done && std::chrono::steady_clock::now() < give_up)
    std::this_thread::sleep_for(milliseconds(10));
  ASSERT_TRUE(done) << "the fork is held up for good";
  EXPECT_TRUE(group.wait().is_ok());
  ASSERT_GT(child, 0);
  EXPECT_LT(took, WorkerPool::kForkWait + std::chrono::seconds(2));
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status));
}

}  // namespace
}  // namespace walpipe
