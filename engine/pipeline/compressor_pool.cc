#include "pipeline/compressor_pool.h"

#include <algorithm>

namespace walpipe::pipeline {

CompressorPool::CompressorPool(unsigned threads, int level) {
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  for (unsigned t = 0; t < threads; ++t) threads_.emplace_back([this, level] { work(level); });
}

CompressorPool::~CompressorPool() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  queued_.notify_all();
  for (auto& t : threads_) t.join();
}

void CompressorPool::run(Task task) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    tasks_.push_back(std::move(task));
  }
  queued_.notify_one();
}

void CompressorPool::work(int level) {
  zstd::Compressor compressor(level);
  for (;;) {
    Task task;
    {
      std::unique_lock<std::mutex> lock(mu_);
      queued_.wait(lock, [&] { return stopping_ || !tasks_.empty(); });
      if (tasks_.empty()) return;
      task = std::move(tasks_.front());
      tasks_.pop_front();
    }
    task(compressor);
  }
}

}  // namespace walpipe::pipeline
