// The options status and metrics share: which server, which archive, which thresholds.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cli.h"
#include "monitor/alerts.h"
#include "monitor/status.h"

namespace walpipe::cli {

std::vector<OptionSpec> monitor_option_specs();

struct MonitorSettings {
  monitor::StatusOptions status;  // its archive is filled by gather()
  std::optional<std::string> archive;
  Args args;  // as parsed: they also say how to reach an archive in a bucket
  monitor::Thresholds thresholds;
};

// nullopt, after printing the usage error, when an option is malformed.
std::optional<MonitorSettings> monitor_settings(const std::string& command, const Args& args);

// What status and metrics report on: the server's and the archive's side, and its alerts.
struct MonitorReport {
  Args args;
  monitor::StatusReport report;
  std::vector<monitor::Alert> alerts;
};

// The start status and metrics share: parses the common options plus `extra` (and --help),
// prints `help` or the usage error; then gathers the report the options ask for and evaluates
// its alerts against their thresholds. nullopt when the command is done; `*exit_status` then
// holds its exit status (0 after --help, UNKNOWN after a usage error).
std::optional<MonitorReport> parse_and_gather(const std::string& command,
                                              const std::vector<std::string>& argv,
                                              std::vector<OptionSpec> extra, const char* help,
                                              int* exit_status);

}  // namespace walpipe::cli
