// The walpipe command's way to run work past its answer to PostgreSQL (pipeline::Detach): a
// process of its own, so that archive_command and restore_command return at once.
#pragma once

#include <functional>

namespace walpipe::cli {

// Forks a process in its own session with stdin, stdout and stderr on /dev/null that runs `work`
// and exits, and returns in the caller at once; false when no process could be made (the work is
// then skipped). Nothing the work does can change the caller's exit status.
bool detach(const std::function<void()>& work);

}  // namespace walpipe::cli
