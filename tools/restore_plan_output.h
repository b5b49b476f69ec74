// How `walpipe restore-plan` words a plan: the backup, the target, the WAL on the way and, when
// the archive reaches the target, the recovery settings to use; when it does not, one error on
// stderr saying exactly what is missing and the latest reachable point. Or one JSON document.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "archive_output.h"
#include "pipeline/restore_plan.h"

namespace walpipe::cli {

// "2026-11-24 15:54:16.100000 UTC", "LSN 0/3600000", "the end of the archive".
std::string target_text(const pipeline::RestoreTarget& target);
// "The latest reachable point is …": a sentence for DETAIL.
std::string latest_text(const pipeline::RestorePlan& plan);

struct Setting {
  std::string name;
  std::string value;
};

// The recovery settings of a reachable plan. restore_command names the archive as given, with
// `get_options` (get_options_for_server) after it.
std::vector<Setting> recovery_settings(const pipeline::RestorePlan& plan,
                                       const std::string& archive,
                                       const std::vector<std::string>& get_options);
// "name = 'value'" as postgresql.conf reads it.
std::string setting_line(const Setting& setting);

// Why the plan falls short, PostgreSQL style (message, DETAIL with the latest reachable point,
// HINT); only for a plan that is not reachable.
Status shortfall_status(const pipeline::RestorePlan& plan);

// Why `passed`, a newer backup's plan, was passed over for `chosen`: its shortfall, with a DETAIL
// naming the backup restored instead.
Status passed_over_status(const pipeline::RestorePlan& passed, const pipeline::RestorePlan& chosen);

// The plan on `out`: in text, the backup, the target, the WAL on the way, and the settings when
// the target is reachable (restore_command with `get_options`); or one JSON document.
// `problems` are the archive's problems met on the way (already on stderr), for the document.
// The error of an unreachable plan is the caller's to print.
void print_plan(const pipeline::RestorePlan& plan, const std::string& archive,
                const std::vector<std::string>& get_options, bool json,
                const std::vector<std::string>& problems, std::FILE* out);

}  // namespace walpipe::cli
