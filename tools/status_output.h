// How `walpipe status` shows a StatusReport: the monitoring plugin's first line (state, summary
// and Nagios performance data), the screen a DBA reads, or one JSON document for scripts.
#pragma once

#include <string>
#include <vector>

#include "monitor/alerts.h"
#include "monitor/status.h"

namespace walpipe::cli {

// "WALPIPE CRITICAL - <worst alert> | 'label'=value[UOM];warn;crit ..."
std::string plugin_line(const std::vector<monitor::Alert>& alerts);

// The lines after the first: the server, the archive, every alert with its state.
std::string status_screen(const monitor::StatusReport& report,
                          const std::vector<monitor::Alert>& alerts);

std::string status_json(const monitor::StatusReport& report,
                        const std::vector<monitor::Alert>& alerts);

// "16 MiB", "1.9 GiB": binary units, as PostgreSQL's pg_size_pretty.
std::string size_text(uint64_t bytes);
// "2026-12-04 14:05:00 UTC"
std::string time_text(double unix_seconds);

}  // namespace walpipe::cli
