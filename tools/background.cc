#include "background.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <optional>
#include <string_view>

#include "base/check.h"
#include "io/fs.h"

namespace walpipe::cli {

namespace {

// A plan is its names, one per line, ended by an empty line: what follows is left over from a
// longer plan before it and is not read. The longest plan fits: 1,024 names (--batch and
// --prefetch stop there) of at most 40 characters.
constexpr size_t kMaxPlanBytes = 64 * 1024;

std::vector<std::string> parse_plan(std::string_view text) {
  std::vector<std::string> names;
  size_t begin = 0;
  for (size_t end; (end = text.find('\n', begin)) != std::string_view::npos; begin = end + 1) {
    if (end == begin) return names;  // the end of the plan
    names.emplace_back(text.substr(begin, end - begin));
  }
  return {};  // no end seen: a plan being written, or none
}

}  // namespace

void run_detached_once(const std::string& lock_path, const std::function<bool()>& worth_starting,
                       const std::function<void(int)>& work) {
  // The lock is taken here, before the fork: while a worker is at it (most calls of a busy
  // archiver), no process is forked just to find the lock taken, and nothing else is looked at.
  // The child shares this open file description, so the lock stays held until the child exits,
  // whatever the parent closes. The lock file is only created once there is work: a push with
  // nothing ready leaves nothing behind in the archive.
  int lock = ::open(lock_path.c_str(), O_RDWR | O_CLOEXEC);
  const bool asked = lock < 0;
  if (asked) {
    if (!worth_starting()) return;
    lock = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (lock < 0) return;
  }
  // A plan left by a worker gone is not this worker's.
  if (::flock(lock, LOCK_EX | LOCK_NB) != 0 || (!asked && !worth_starting()) ||
      ::ftruncate(lock, 0) != 0) {
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
  work(lock);
  ::_exit(0);
}

void announce_plan(int lock_fd, const std::vector<std::string>& names) {
  std::string text;
  for (const std::string& name : names) text += name + "\n";
  text += "\n";
  WALPIPE_CHECK(text.size() <= kMaxPlanBytes);
  // Not checked: a plan that could not be written only makes callers wait less or more.
  ssize_t written = ::pwrite(lock_fd, text.data(), text.size(), 0);
  (void)written;
}

bool may_be_planned(const std::vector<std::string>& plan, const std::string& name) {
  return plan.empty() || std::find(plan.begin(), plan.end(), name) != plan.end();
}

void wait_while_locked(const std::string& lock_path, const std::function<bool()>& is_done,
                       int max_wait_ms,
                       const std::function<bool(const std::vector<std::string>&)>& worth_waiting) {
  // Nobody at work is the common case, told by the lock alone: `is_done` asks the archive.
  int lock = ::open(lock_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (lock < 0) return;
  // A look-ahead push makes a segment every few milliseconds: a short poll keeps the caller's
  // added wait small, at the cost of a stat() and a read of the plan per poll.
  constexpr long kPollMicros = 200;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(max_wait_ms);
  // The plan is read at every poll but weighed only when it changed: the worker rewrites it once
  // per window, and a long one is a thousand names.
  std::vector<char> buffer(kMaxPlanBytes);
  std::optional<std::string> weighed;  // the plan as it was when last weighed
  bool worth = true;
  while (std::chrono::steady_clock::now() < deadline) {
    if (::flock(lock, LOCK_SH | LOCK_NB) == 0) break;  // nobody is at work
    if (is_done()) break;
    ssize_t n = ::pread(lock, buffer.data(), buffer.size(), 0);
    std::string_view text(buffer.data(), n > 0 ? static_cast<size_t>(n) : 0);
    if (!weighed || text != *weighed) {
      worth = worth_waiting(parse_plan(text));
      weighed = std::string(text);
    }
    if (!worth) break;
    ::usleep(kPollMicros);
  }
  ::close(lock);
}

Status wait_until_unlocked(const std::string& lock_path, int max_wait_ms) {
  int lock = ::open(lock_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (lock < 0) return errno == ENOENT ? Status::ok() : io::errno_status(errno, "open", lock_path);
  constexpr long kPollMicros = 10000;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(max_wait_ms);
  bool free = false;
  while (!(free = ::flock(lock, LOCK_SH | LOCK_NB) == 0) &&
         std::chrono::steady_clock::now() < deadline)
    ::usleep(kPollMicros);
  ::close(lock);
  if (free) return Status::ok();
  return Status(Code::kIoError, "\"" + lock_path + "\" is still locked after " +
                                    std::to_string(max_wait_ms / 1000) + " s");
}

}  // namespace walpipe::cli
