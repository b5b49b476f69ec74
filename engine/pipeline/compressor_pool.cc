#include "pipeline/compressor_pool.h"

#include <optional>

namespace walpipe::pipeline {

namespace {

// Pool threads live as long as the process: their contexts are made once per level.
zstd::Compressor& compressor_of_this_thread(int level) {
  thread_local std::optional<zstd::Compressor> compressor;
  thread_local int compressor_level = 0;
  if (!compressor || compressor_level != level) {
    compressor.reset();
    compressor.emplace(level);
    compressor_level = level;
  }
  return *compressor;
}

}  // namespace

CompressorPool::CompressorPool(unsigned threads, int level, WorkerPool& pool)
    : level_(level), limit_(threads ? threads : pool.threads()), group_(pool) {}

CompressorPool::~CompressorPool() { (void)group_.wait(); }

void CompressorPool::run(Task task) {
  bool start_runner = false;
  {
    MutexLock lock(mu_);
    tasks_.push_back(std::move(task));
    if (runners_ < limit_) {
      ++runners_;
      start_runner = true;
    }
  }
  if (start_runner)
    group_.run([this] {
      drain();
      return Status::ok();
    });
}

void CompressorPool::drain() {
  for (;;) {
    Task task;
    {
      MutexLock lock(mu_);
      if (tasks_.empty()) {
        --runners_;
        return;
      }
      task = std::move(tasks_.front());
      tasks_.pop_front();
    }
    task(compressor_of_this_thread(level_));
  }
}

}  // namespace walpipe::pipeline
