#include "background.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <chrono>

#include "io/fs.h"

namespace walpipe::cli {

void run_detached_once(const std::string& lock_path, const std::function<void()>& work) {
  // The lock is taken here, before the fork: while a worker is at it (most calls of a busy
  // archiver), no process is forked just to find the lock taken. The child shares this open file
  // description, so the lock stays held until the child exits, whatever the parent closes.
  int lock = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock < 0) return;
  if (::flock(lock, LOCK_EX | LOCK_NB) != 0) {
    ::close(lock);
    return;
  }
  pid_t child = ::fork();
  if (child != 0) {
    ::close(lock);  // the caller answers PostgreSQL now; a failed fork just skips this
    return;
  }
  ::setsid();
  int null = ::open("/dev/null", O_RDWR);
  if (null >= 0) {
    ::dup2(null, STDIN_FILENO);
    ::dup2(null, STDOUT_FILENO);
    ::dup2(null, STDERR_FILENO);
    if (null > STDERR_FILENO) ::close(null);
  }
  work();
  ::_exit(0);
}

void wait_while_locked(const std::string& lock_path, const std::string& ready_path,
                       int max_wait_ms) {
  if (io::entry_type(ready_path).is_ok()) return;
  int lock = ::open(lock_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (lock < 0) return;
  // A look-ahead push makes a segment every few milliseconds: a short poll keeps the caller's
  // added wait small, at the cost of a stat() per poll.
  constexpr long kPollMicros = 200;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(max_wait_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    if (::flock(lock, LOCK_SH | LOCK_NB) == 0) break;  // nobody is at work
    if (io::entry_type(ready_path).is_ok()) break;
    ::usleep(kPollMicros);
  }
  ::close(lock);
}

}  // namespace walpipe::cli
