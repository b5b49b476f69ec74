#include "pipeline/worker_lock.h"

#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>
#include <thread>

#include "base/check.h"

namespace walpipe::pipeline {

namespace {

// A plan is its names, one per line, ended by an empty line: what follows is left over from a
// longer plan before it and is not read. The longest plan fits: 1,024 names (--batch and
// --prefetch stop there) of at most 40 characters.
constexpr size_t kMaxPlanBytes = 64 * 1024;

}  // namespace

std::vector<std::string> parse_plan(std::string_view text) {
  std::vector<std::string> names;
  size_t begin = 0;
  for (size_t end; (end = text.find('\n', begin)) != std::string_view::npos; begin = end + 1) {
    if (end == begin) return names;  // the end of the plan
    names.emplace_back(text.substr(begin, end - begin));
  }
  return {};  // no end seen: a plan being written, or none
}

void start_worker_once(const std::string& lock_path, const std::function<bool()>& worth_starting,
                       const Detach& detach, const std::function<void(io::LockFile&)>& work) {
  // The lock is taken here, before the work is detached: while a worker is at it (most calls of
  // a busy archiver), no process is forked just to find the lock taken, and nothing else is
  // looked at. A forked worker shares this open file description, so the lock stays held until
  // it exits, whatever the caller closes. The lock file is only created once there is work: a
  // push with nothing ready leaves nothing behind in the archive.
  Result<io::LockFile> opened = io::LockFile::open(lock_path, io::LockFile::Access::kReadWrite);
  const bool asked = !opened.is_ok();
  if (asked) {
    if (!worth_starting()) return;
    opened = io::LockFile::create(lock_path);
    if (!opened.is_ok()) return;
  }
  // A plan left by a worker gone is not this worker's.
  if (!opened->try_lock_exclusive() || (!asked && !worth_starting()) || !opened->truncate().is_ok())
    return;
  auto lock = std::make_shared<io::LockFile>(std::move(opened).value());
  // The caller answers PostgreSQL now, and closes its descriptor when `lock` goes; a work not
  // started is just skipped.
  (void)detach([lock, &work] { work(*lock); });
}

void announce_plan(io::LockFile& lock, const std::vector<std::string>& names) {
  std::string text;
  for (const std::string& name : names) text += name + "\n";
  text += "\n";
  WALPIPE_CHECK(text.size() <= kMaxPlanBytes);
  // Not checked: a plan that could not be written only makes callers wait less or more.
  (void)lock.write_at_start(text);
}

bool may_be_planned(const std::vector<std::string>& plan, const std::string& name) {
  return plan.empty() || std::find(plan.begin(), plan.end(), name) != plan.end();
}

void wait_while_locked(const std::string& lock_path, const std::function<bool()>& is_done,
                       int max_wait_ms,
                       const std::function<bool(const std::vector<std::string>&)>& worth_waiting) {
  // Nobody at work is the common case, told by the lock alone: `is_done` asks the archive.
  Result<io::LockFile> lock = io::LockFile::open(lock_path, io::LockFile::Access::kRead);
  if (!lock.is_ok()) return;
  // A look-ahead push makes a segment every few milliseconds: a short poll keeps the caller's
  // added wait small, at the cost of a stat() and a read of the plan per poll.
  constexpr std::chrono::microseconds kPoll{200};
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(max_wait_ms);
  // The plan is read at every poll but weighed only when it changed: the worker rewrites it once
  // per window, and a long one is a thousand names.
  std::vector<char> buffer(kMaxPlanBytes);
  std::optional<std::string> weighed;  // the plan as it was when last weighed
  bool worth = true;
  while (std::chrono::steady_clock::now() < deadline) {
    if (lock->try_lock_shared()) break;  // nobody is at work
    if (is_done()) break;
    Result<size_t> n = lock->read_at_start(buffer);
    std::string_view text(buffer.data(), n.is_ok() ? *n : 0);
    if (!weighed || text != *weighed) {
      worth = worth_waiting(parse_plan(text));
      weighed = std::string(text);
    }
    if (!worth) break;
    std::this_thread::sleep_for(kPoll);
  }
}

Status wait_until_unlocked(const std::string& lock_path, int max_wait_ms) {
  Result<io::LockFile> lock = io::LockFile::open(lock_path, io::LockFile::Access::kRead);
  if (!lock.is_ok())
    return lock.status().code() == Code::kNotFound ? Status::ok() : std::move(lock).take_status();
  constexpr std::chrono::milliseconds kPoll{10};
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(max_wait_ms);
  bool free = false;
  while (!(free = lock->try_lock_shared()) && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(kPoll);
  if (free) return Status::ok();
  return Status(Code::kIoError, "\"" + lock_path + "\" is still locked after " +
                                    std::to_string(max_wait_ms / 1000) + " s");
}

}  // namespace walpipe::pipeline
