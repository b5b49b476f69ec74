// A fixed set of compression threads, each with its own zstd context, made once and fed the
// frames of any number of files: a run of segments pays for threads and contexts (and their
// fresh memory) once, not per segment.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "codec/zstd_frames.h"

namespace walpipe::pipeline {

class CompressorPool {
 public:
  using Task = std::function<void(zstd::Compressor&)>;

  // `threads` 0: one per core.
  CompressorPool(unsigned threads, int level);
  // Runs every task already queued, then stops the threads.
  ~CompressorPool();
  CompressorPool(const CompressorPool&) = delete;
  CompressorPool& operator=(const CompressorPool&) = delete;

  // Queues `task`; tasks start in the order they were queued, on whichever thread is free.
  void run(Task task);
  unsigned threads() const { return static_cast<unsigned>(threads_.size()); }

 private:
  void work(int level);

  std::mutex mu_;
  std::condition_variable queued_;
  std::deque<Task> tasks_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace walpipe::pipeline
