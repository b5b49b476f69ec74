// A single self-overwriting progress line on stderr, shown only when stderr is a terminal so
// logs and PostgreSQL's archiver never see it.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdio>
#include <mutex>
#include <string>

namespace walpipe::cli {

class Progress {
 public:
  Progress(std::string what, bool enabled);
  ~Progress();
  void update(size_t done, size_t total);  // thread-safe; redraws at most 10 times a second
  // Writes `text` to `out` without tearing the progress line (which is redrawn on next update).
  void print(std::FILE* out, const std::string& text);

 private:
  std::string what_;
  bool enabled_;
  bool drawn_ = false;
  std::mutex mu_;
  std::chrono::steady_clock::time_point last_{};
};

bool stderr_is_terminal();

}  // namespace walpipe::cli
