// The calling process itself, for work that goes on after the command has answered PostgreSQL
// (pipeline/worker_lock.h): going into the background, and yielding the processor. Children that
// run other programs are io/spawn.h.
#pragma once

#include "base/status.h"

namespace walpipe::io {

enum class Forked { kParent, kChild, kFailed };

// fork(2). In the child, which it returns to with kChild: a session of its own (no signal from
// the caller's terminal or process group reaches it) and stdin, stdout and stderr on /dev/null
// (PostgreSQL may have closed the pipe it reads the caller's output from). The child has one
// thread, a copy of the calling one; it must end with std::_Exit, never by returning into the
// caller's code. kFailed when no process could be made: the caller goes on without one.
Forked fork_detached();

// Lowers this process's priority to the nice value `nice` (setpriority(2)).
Status lower_priority(int nice);

}  // namespace walpipe::io
