// How `walpipe drill` words its report: the backup and target, how long recovery took, the last
// replayed commit (what a restore to this point would lose after it), the segments replayed and
// the check query's answer, then one verdict line; or one JSON document. A failure is the
// caller's to print on stderr, worded by drill_failure.
#pragma once

#include <cstdio>
#include <string>

#include "base/status.h"
#include "pg/drill.h"

namespace walpipe::cli {

// Why the drill did not pass: the plan's shortfall, the recovery's or the query's failure, or
// the cleanup's; only for a report that did not pass.
Status drill_failure(const pg::DrillReport& report);

void print_drill(const pg::DrillReport& report, const std::string& archive, const std::string& sql,
                 bool json, std::FILE* out);

}  // namespace walpipe::cli
