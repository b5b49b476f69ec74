// Detached background work for push (look-ahead) and get (prefetch): PostgreSQL gets its answer
// at once, and at most one such worker works per archive or spool, under a lock file. The
// worker writes into that lock file the names it is at work on (its plan), so that a caller
// waits for it only for a file it is going to deliver. One module for both locks: the look-ahead
// lock in an archive's meeting_dir() and the spool's (spool_lock_path).
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "io/file_lock.h"

namespace walpipe::pipeline {

// How the caller runs work that goes on after its call returns: the walpipe command forks a
// process in its own session (tools/detach.h); a resident process may run it otherwise. false
// when the work was not started (a failed fork), which only skips it. `work` refers to the
// caller's objects: a detach runs it in a copy of the calling process, or before it returns.
using Detach = std::function<bool(const std::function<void()>& work)>;

// Takes the exclusive lock `lock_path` without waiting and, only if it got it and
// `worth_starting` says so (asked under the lock, or before the lock file is first created:
// a call with nothing to do creates nothing), empties the plan and hands `detach` the `work` to
// run under the lock, given the lock file. Returns at once; nothing it does can change the
// caller's result. The work must be safe to kill at any moment, which every walpipe write is.
void start_worker_once(const std::string& lock_path, const std::function<bool()>& worth_starting,
                       const Detach& detach, const std::function<void(io::LockFile& lock)>& work);

// Replaces the plan in the worker's lock file with `names`. A reader may catch a plan half
// written: it then waits for a file it need not have waited for, or does not wait and does the
// work itself, both safe.
void announce_plan(io::LockFile& lock, const std::vector<std::string>& names);

// The names of a plan as the lock file holds it; empty when it holds none, or one not written
// to its end yet.
std::vector<std::string> parse_plan(std::string_view text);

// Whether `plan` may hold `name`: an empty plan is one not announced yet, which may hold anything.
bool may_be_planned(const std::vector<std::string>& plan, const std::string& name);

// While a worker holds `lock_path`, `is_done` says no and `worth_waiting` says so of the plan it
// announced (empty when none yet), waits (at most `max_wait_ms`) so the caller can use that
// worker's result instead of doing the same work beside it.
void wait_while_locked(
    const std::string& lock_path, const std::function<bool()>& is_done, int max_wait_ms,
    const std::function<bool(const std::vector<std::string>& plan)>& worth_waiting);

// Waits (at most `max_wait_ms`) until no worker holds `lock_path` (none does when the file does
// not exist); kIoError naming the lock when one still does, or when it cannot be opened.
Status wait_until_unlocked(const std::string& lock_path, int max_wait_ms);

}  // namespace walpipe::pipeline
