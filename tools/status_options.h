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
  monitor::StatusOptions status;
  monitor::Thresholds thresholds;
};

// nullopt, after printing the usage error, when an option is malformed.
std::optional<MonitorSettings> monitor_settings(const std::string& command, const Args& args);

}  // namespace walpipe::cli
