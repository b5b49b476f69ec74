// A command run with its peak RSS and wall time measured. A child's ru_maxrss includes the RSS of
// the process that spawned it (the kernel carries the old mm's high-water mark across exec), and
// a test process is large, so the measuring is done by a launcher: the test binary re-executed
// with a flag, whose static initializer (in measured.cc, linked in with run_measured) runs before
// gtest, forks from that small process, execs the command and writes "EXIT MAXRSS_KIB SECONDS" to
// a file.
#pragma once

#include <string>
#include <vector>

#include "support/run_command.h"

namespace walpipe::testing {

struct Measured {
  CommandResult result;
  long max_rss_kib = -1;
  double seconds = 0;
};

Measured run_measured(const std::vector<std::string>& argv);

}  // namespace walpipe::testing
