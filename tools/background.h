// Detached background work for push (look-ahead) and get (prefetch): PostgreSQL gets its answer
// at once, and at most one such process works per archive or spool, under a lock file. The
// worker writes into that lock file the names it is at work on (its plan), so that a caller
// waits for it only for a file it is going to deliver.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "base/status.h"

namespace walpipe::cli {

// Takes the exclusive lock `lock_path` without waiting and, only if it got it and
// `worth_starting` says so (asked under the lock, or before the lock file is first created:
// a call with nothing to do creates nothing), empties the plan and forks a process in its
// own session with stdin/stdout/stderr on /dev/null that runs `work` under the lock, given the
// lock file's descriptor. Returns at once; nothing it does can change the caller's exit status.
// The work must be safe to kill at any moment, which every walpipe write is.
void run_detached_once(const std::string& lock_path, const std::function<bool()>& worth_starting,
                       const std::function<void(int lock_fd)>& work);

// Replaces the plan in the worker's lock file with `names`. A reader may catch a plan half
// written: it then waits for a file it need not have waited for, or does not wait and does the
// work itself, both safe.
void announce_plan(int lock_fd, const std::vector<std::string>& names);

// Whether `plan` may hold `name`: an empty plan is one not announced yet, which may hold anything.
bool may_be_planned(const std::vector<std::string>& plan, const std::string& name);

// While a process holds `lock_path`, `is_done` says no and `worth_waiting` says so of the plan it
// announced (empty when none yet), waits (at most `max_wait_ms`) so the caller can use that
// process's result instead of doing the same work beside it.
void wait_while_locked(
    const std::string& lock_path, const std::function<bool()>& is_done, int max_wait_ms,
    const std::function<bool(const std::vector<std::string>& plan)>& worth_waiting);

// Waits (at most `max_wait_ms`) until no process holds `lock_path` (none does when the file does
// not exist); kIoError naming the lock when one still does, or when it cannot be opened.
Status wait_until_unlocked(const std::string& lock_path, int max_wait_ms);

}  // namespace walpipe::cli
