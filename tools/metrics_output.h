// The figures of `walpipe status` in Prometheus's text exposition format, named as its
// conventions ask (a walpipe_ prefix, base units, _total for counters, _seconds, _bytes).
#pragma once

#include <string>
#include <vector>

#include "monitor/alerts.h"
#include "monitor/status.h"

namespace walpipe::cli {

std::string prometheus_text(const monitor::StatusReport& report,
                            const std::vector<monitor::Alert>& alerts);

}  // namespace walpipe::cli
