// Detached background work for push (look-ahead) and get (prefetch): PostgreSQL gets its answer
// at once, and at most one such process works per archive or spool, under a lock file.
#pragma once

#include <functional>
#include <string>

namespace walpipe::cli {

// Takes the exclusive lock `lock_path` without waiting and, only if it got it, forks a process in
// its own session with stdin/stdout/stderr on /dev/null that runs `work` under it. Returns at once;
// nothing it does can change the caller's exit status. The work must be safe to kill at any
// moment, which every walpipe write is.
void run_detached_once(const std::string& lock_path, const std::function<void()>& work);

// While a process holds `lock_path` and `ready_path` does not exist, waits (at most `max_wait_ms`)
// so the caller can use that process's result instead of doing the same work beside it.
void wait_while_locked(const std::string& lock_path, const std::string& ready_path,
                       int max_wait_ms);

}  // namespace walpipe::cli
