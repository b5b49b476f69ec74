// The one set of worker threads of a walpipe process: compression, decompression, verification,
// age chunks, the spool's fetches and unmapping all run as tasks on it, so that however they
// nest, no more threads compute at once than the pool has (one per core by default).
//
// The bound: `threads` pool threads, plus the threads blocked in TaskGroup::wait(), which run
// queued tasks of their own group rather than sleep. The queue holds at most kQueuedPerThread
// tasks a thread; a task submitted to a full queue runs at once on the submitting thread, which
// slows the producer down instead of growing the queue or blocking (a blocked producer that is
// itself a task could wait for a queue only it would drain).
//
// The one cancellation rule: the first task of a group to return an error cancels the group.
// Its tasks not yet started never start; those under way run to their end (a long one may poll
// cancelled()); wait() returns that first error. Nothing else cancels; tasks never throw.
//
// Nesting: a task may start a group of its own on the same pool and wait for it. The waiting
// thread runs its group's queued tasks itself, so a group never waits for a pool thread that is
// blocked further up: every wait is for tasks either queued (run by the waiter) or under way on
// another thread, deeper in the tree of groups, which ends.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "base/mutex.h"
#include "base/status.h"
#include "base/thread_annotations.h"

namespace walpipe {

class TaskGroup;

class WorkerPool {
 public:
  static constexpr size_t kQueuedPerThread = 64;
  // A thread of the parent inside malloc() or free() at fork() leaves the allocator's lock held
  // for good in the child when the allocator takes none around fork() (the sanitizers' of GCC 12
  // do not; glibc's does): a child that then starts threads of its own hangs. A thread asleep in
  // work() holds none, and one just started, or running a task, may. Bounded, because the forking
  // thread may itself be one of the pool's, or hold what a task waits for.
  static constexpr std::chrono::seconds kForkWait{1};

  // `threads` 0: one per core. The threads start here and stay until the pool is destroyed.
  explicit WorkerPool(unsigned threads = 0);
  // Every group using the pool must be gone (their destructors wait for their tasks).
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // The pool of this process, started on first use and kept until exit. A child forked by a
  // process whose pool has started (the look-ahead and the prefetcher, io/process.h) holds none
  // of its threads: on its first call the child starts a pool of its own. A reference taken
  // before fork() is not used after it in the child. fork() waits, kForkWait at most, until
  // each of this pool's threads is asleep waiting for work.
  static WorkerPool& shared();

  // The bound: what callers that choose a degree of parallelism default to.
  unsigned threads() const { return thread_count_; }

 private:
  friend class TaskGroup;
  struct Entry {
    TaskGroup* group;
    std::function<Status()> task;
  };

  // pthread_atfork handlers: they hold mu_ of the shared pool across fork(), once its threads
  // are asleep, so that none wakes before the child exists.
  static void before_fork();
  static void after_fork_in_parent();
  static void after_fork_in_child();
  void hold_asleep_for_fork() ACQUIRE(mu_);

  void work() EXCLUDES(mu_);
  // Runs (or, when its group is cancelled, drops) `entry` with mu_ released, then counts it done.
  void run_entry(Entry entry) REQUIRES(mu_);
  // Takes the first queued task of `group` and runs it; false when none is queued.
  bool run_queued_of(TaskGroup& group) REQUIRES(mu_);

  const unsigned thread_count_;
  const size_t queue_limit_;
  Mutex mu_;
  CondVar queued_;
  CondVar all_asleep_;  // the last thread to go to sleep in work() tells before_fork()
  std::deque<Entry> queue_ GUARDED_BY(mu_);
  bool stopping_ GUARDED_BY(mu_) = false;
  unsigned asleep_ GUARDED_BY(mu_) = 0;
  std::vector<std::thread> threads_;
};

// Tasks submitted together and waited for together. run() and wait() may be called from any
// thread, tasks of the group included (but a task never waits for its own group); the
// destructor waits.
class TaskGroup {
 public:
  explicit TaskGroup(WorkerPool& pool = WorkerPool::shared()) : pool_(pool) {}
  ~TaskGroup() { (void)wait(); }
  TaskGroup(const TaskGroup&) = delete;
  TaskGroup& operator=(const TaskGroup&) = delete;

  // Queues `task`, or runs it now when the queue is full. Anything it refers to must outlive
  // wait().
  void run(std::function<Status()> task) EXCLUDES(pool_.mu_);
  // Runs `task` on this thread now, as a task of the group (its error cancels the group).
  void run_here(std::function<Status()> task) EXCLUDES(pool_.mu_);
  // Blocks until every task run() so far has ended or been dropped, running queued ones of this
  // group meanwhile; returns the first error (ok if none). May be called again after more run().
  Status wait() EXCLUDES(pool_.mu_);
  // Whether a task of the group failed: tasks under way may stop early.
  bool cancelled() const { return cancelled_.load(std::memory_order_relaxed); }

 private:
  friend class WorkerPool;

  WorkerPool& pool_;
  std::atomic<bool> cancelled_{false};
  size_t unfinished_ GUARDED_BY(pool_.mu_) = 0;  // queued or under way
  Status error_ GUARDED_BY(pool_.mu_);
  CondVar changed_;  // a task of the group was queued, or the last one ended
};

// Runs `runner()` `count` times at once, as far as the pool has threads free: on the calling
// thread and as count - 1 tasks of `group`. For work that claims items from a shared counter,
// each runner keeping its own context (a decoder, a buffer) from item to item. Returns the
// group's first error.
Status run_on_threads(TaskGroup& group, unsigned count, const std::function<Status()>& runner);

}  // namespace walpipe
