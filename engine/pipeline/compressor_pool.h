// Compression tasks on the process's worker pool (base/worker_pool.h), at most `threads` at once,
// each handed the zstd context its thread keeps for the level: a run of segments pays for the
// contexts (and their fresh memory) once per pool thread, not per segment. A thread that waits
// for compressed frames (frame_jobs.h) runs none of them: it must not be a task of the pool.
#pragma once

#include <deque>
#include <functional>

#include "base/mutex.h"
#include "base/worker_pool.h"
#include "codec/zstd_frames.h"

namespace walpipe::pipeline {

class CompressorPool {
 public:
  using Task = std::function<void(zstd::Compressor&)>;

  // `threads` 0: as many as the pool has.
  CompressorPool(unsigned threads, int level, WorkerPool& pool = WorkerPool::shared());
  // Runs every task already queued.
  ~CompressorPool();
  CompressorPool(const CompressorPool&) = delete;
  CompressorPool& operator=(const CompressorPool&) = delete;

  // Queues `task`; tasks start in the order they were queued, on whichever thread is free.
  void run(Task task) EXCLUDES(mu_);
  unsigned threads() const { return limit_; }

 private:
  // One of at most limit_ pool tasks that run queued tasks until none is left.
  void drain() EXCLUDES(mu_);

  const int level_;
  const unsigned limit_;
  Mutex mu_;
  std::deque<Task> tasks_ GUARDED_BY(mu_);
  unsigned runners_ GUARDED_BY(mu_) = 0;
  TaskGroup group_;  // last: its destructor waits for the runners, which use the members above
};

}  // namespace walpipe::pipeline
