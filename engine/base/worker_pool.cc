#include "base/worker_pool.h"

#include <pthread.h>

#include <algorithm>

#include "base/check.h"

namespace walpipe {

namespace {

unsigned thread_count_for(unsigned asked) {
  return asked != 0 ? asked : std::max(1u, std::thread::hardware_concurrency());
}

}  // namespace

WorkerPool::WorkerPool(unsigned threads)
    : thread_count_(thread_count_for(threads)), queue_limit_(thread_count_ * kQueuedPerThread) {
  for (unsigned t = 0; t < thread_count_; ++t) threads_.emplace_back([this] { work(); });
}

WorkerPool::~WorkerPool() {
  {
    MutexLock lock(mu_);
    stopping_ = true;
  }
  queued_.notify_all();
  for (std::thread& thread : threads_) thread.join();
}

void WorkerPool::work() {
  MutexLock lock(mu_);
  for (;;) {
    while (!stopping_ && queue_.empty()) {
      if (++asleep_ == thread_count_) all_asleep_.notify_all();
      queued_.wait(mu_);
      --asleep_;
    }
    if (queue_.empty()) return;
    Entry entry = std::move(queue_.front());
    queue_.pop_front();
    run_entry(std::move(entry));
  }
}

void WorkerPool::run_entry(Entry entry) {
  TaskGroup& group = *entry.group;
  Status status;
  mu_.unlock();
  {
    // Destroyed here too, so that whatever the task holds is released without mu_.
    std::function<Status()> task = std::move(entry.task);
    if (!group.cancelled()) status = task();
  }
  mu_.lock();
  WALPIPE_CHECK(&group.pool_ == this);
  group.pool_.mu_.assume_held();
  if (!status.is_ok() && group.error_.is_ok()) {
    group.error_ = std::move(status);
    group.cancelled_.store(true, std::memory_order_relaxed);
  }
  WALPIPE_CHECK(group.unfinished_ > 0);
  // Notified with mu_ held: the waiter cannot see the count at zero, return and destroy the
  // group before this call is over.
  if (--group.unfinished_ == 0) group.changed_.notify_all();
}

bool WorkerPool::run_queued_of(TaskGroup& group) {
  auto mine = std::find_if(queue_.begin(), queue_.end(),
                           [&group](const Entry& entry) { return entry.group == &group; });
  if (mine == queue_.end()) return false;
  Entry entry = std::move(*mine);
  queue_.erase(mine);
  run_entry(std::move(entry));
  return true;
}

void TaskGroup::run(std::function<Status()> task) {
  MutexLock lock(pool_.mu_);
  ++unfinished_;
  if (pool_.queue_.size() >= pool_.queue_limit_) {
    pool_.run_entry(WorkerPool::Entry{this, std::move(task)});
    return;
  }
  pool_.queue_.push_back(WorkerPool::Entry{this, std::move(task)});
  pool_.queued_.notify_one();
  changed_.notify_all();  // a waiter (when a task adds to its own group) can run it
}

void TaskGroup::run_here(std::function<Status()> task) {
  MutexLock lock(pool_.mu_);
  ++unfinished_;
  pool_.run_entry(WorkerPool::Entry{this, std::move(task)});
}

Status TaskGroup::wait() {
  MutexLock lock(pool_.mu_);
  while (unfinished_ > 0) {
    if (!pool_.run_queued_of(*this)) changed_.wait(pool_.mu_);
  }
  return error_;
}

Status run_on_threads(TaskGroup& group, unsigned count, const std::function<Status()>& runner) {
  for (unsigned i = 1; i < count; ++i) group.run(runner);
  group.run_here(runner);
  return group.wait();
}

namespace {

// The shared pool, and the fork handlers that keep it usable in a child. Around fork() the
// forking thread holds shared_mu, so that no other thread is half-way through starting a pool;
// the child, whose copy of the pool has no threads, drops it (kept reachable in `abandoned`:
// its mutex may be held by a thread that does not exist there, so it is never touched again).
Mutex shared_mu;
WorkerPool* shared_pool GUARDED_BY(shared_mu) = nullptr;
std::vector<WorkerPool*>* abandoned GUARDED_BY(shared_mu) = nullptr;

WorkerPool* current_shared_pool() {
  MutexLock lock(shared_mu);
  return shared_pool;
}

}  // namespace

void WorkerPool::hold_asleep_for_fork() {
  mu_.lock();
  const auto give_up = std::chrono::steady_clock::now() + kForkWait;
  while (asleep_ < thread_count_ && all_asleep_.wait_until(mu_, give_up)) {
  }
}

// The analysis cannot follow locks taken in one handler and released in another. The pool's
// mutex is taken before shared_mu: a task may start a group on the shared pool, and so take
// shared_mu, before it goes back to sleep. The shared pool only ever changes from none to one,
// so the loop runs at most twice.
void WorkerPool::before_fork() NO_THREAD_SAFETY_ANALYSIS {
  for (WorkerPool* pool = current_shared_pool();;) {
    if (pool) pool->hold_asleep_for_fork();
    shared_mu.lock();
    if (shared_pool == pool) return;
    if (pool) pool->mu_.unlock();
    pool = shared_pool;
    shared_mu.unlock();
  }
}

void WorkerPool::after_fork_in_parent() NO_THREAD_SAFETY_ANALYSIS {
  if (shared_pool) shared_pool->mu_.unlock();
  shared_mu.unlock();
}

void WorkerPool::after_fork_in_child() NO_THREAD_SAFETY_ANALYSIS {
  if (shared_pool) {
    if (!abandoned) abandoned = new std::vector<WorkerPool*>;
    abandoned->push_back(shared_pool);
    shared_pool = nullptr;
  }
  shared_mu.unlock();
}

WorkerPool& WorkerPool::shared() {
  static const int registered =
      pthread_atfork(before_fork, after_fork_in_parent, after_fork_in_child);
  WALPIPE_CHECK(registered == 0);
  MutexLock lock(shared_mu);
  // Never destroyed: its threads sleep until the process exits.
  if (!shared_pool) shared_pool = new WorkerPool();
  return *shared_pool;
}

}  // namespace walpipe
