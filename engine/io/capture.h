// Running a program for what it prints (walpipe reads a tar-format backup's backup_label with
// tar): its output, bounded, comes back through pipes, never through a file.
#pragma once

#include <cstddef>
#include <string>

#include "base/status.h"
#include "io/spawn.h"

namespace walpipe::io {

struct Captured {
  Ending ending;
  std::string out;       // the first out_limit bytes of the program's standard output
  std::string err;       // the first err_limit bytes of its standard error
  bool out_cut = false;  // it printed more than out_limit: it was killed there
};

// Runs `options` (its stdout_fd and stderr_fd are replaced by pipes) to its end and returns what
// it printed. A program that prints more than `out_limit` bytes is killed with its process group
// once it has (its ending then says so), so a huge output costs no more than the limit; its
// standard error past `err_limit` is read and dropped. Errors: the program could not start, or a
// pipe could not be made or read.
Result<Captured> run_captured(SpawnOptions options, size_t out_limit, size_t err_limit);

}  // namespace walpipe::io
