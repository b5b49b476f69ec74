// Runs the built walpipe binary (or any program) and captures exit status, stdout and stderr.
#pragma once

#include <string>
#include <vector>

namespace walpipe::testing {

struct CommandResult {
  int exit_code = -1;  // -1 when killed by a signal
  std::string out;
  std::string err;
};

CommandResult run_command(const std::vector<std::string>& argv);

// run_command with the walpipe binary built beside the tests as argv[0].
CommandResult run_walpipe(const std::vector<std::string>& args);

}  // namespace walpipe::testing
