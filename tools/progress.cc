#include "progress.h"

#include <unistd.h>

#include <cstdio>

namespace walpipe::cli {

bool stderr_is_terminal() { return ::isatty(STDERR_FILENO) == 1; }

Progress::Progress(std::string what, bool enabled) : what_(std::move(what)), enabled_(enabled) {}

Progress::~Progress() {
  MutexLock lock(mu_);  // uncontended: taken for the analysis, which checks every read of drawn_
  if (drawn_) std::fprintf(stderr, "\r\033[K");
}

void Progress::update(size_t done, size_t total) {
  if (!enabled_) return;
  MutexLock lock(mu_);
  auto now = std::chrono::steady_clock::now();
  if (done != total && now - last_ < std::chrono::milliseconds(100)) return;
  last_ = now;
  std::fprintf(stderr, "\r%s: %zu/%zu files (%zu%%)\033[K", what_.c_str(), done, total,
               total ? done * 100 / total : 100);
  std::fflush(stderr);
  drawn_ = true;
}

}  // namespace walpipe::cli

namespace walpipe::cli {

void Progress::print(std::FILE* out, const std::string& text) {
  MutexLock lock(mu_);
  if (drawn_) {
    std::fprintf(stderr, "\r\033[K");
    drawn_ = false;
    last_ = {};
  }
  std::fputs(text.c_str(), out);
}

}  // namespace walpipe::cli
