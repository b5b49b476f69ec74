// A single self-overwriting progress line on stderr, shown only when stderr is a terminal so
// logs and PostgreSQL's archiver never see it.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdio>
#include <string>

#include "base/mutex.h"

namespace walpipe::cli {

class Progress {
 public:
  Progress(std::string what, bool enabled);
  ~Progress();
  // Thread-safe; redraws at most 10 times a second.
  void update(size_t done, size_t total) EXCLUDES(mu_);
  // Writes `text` to `out` without tearing the progress line (which is redrawn on next update).
  void print(std::FILE* out, const std::string& text) EXCLUDES(mu_);

 private:
  std::string what_;
  bool enabled_;
  Mutex mu_;
  bool drawn_ GUARDED_BY(mu_) = false;
  std::chrono::steady_clock::time_point last_ GUARDED_BY(mu_){};
};

bool stderr_is_terminal();

}  // namespace walpipe::cli
