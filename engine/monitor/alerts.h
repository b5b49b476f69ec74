// The alerts a DBA writes down for archiving, judged against thresholds the way a monitoring
// plugin does: each OK, WARNING, CRITICAL or UNKNOWN with the value and thresholds behind it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "monitor/status.h"

namespace walpipe::monitor {

// Ordered as a monitoring plugin's exit code: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.
enum class Level { kOk = 0, kWarning = 1, kCritical = 2, kUnknown = 3 };
const char* level_name(Level level);  // "OK", "WARNING", …

struct Thresholds {
  // The last archive's age, counted only while WAL waits to be archived: a quiet cluster with
  // nothing to archive is not late.
  double archive_age_warning_s = 600;
  double archive_age_critical_s = 900;
  double disk_used_warning_pct = 80;
  double disk_used_critical_pct = 90;
  double ready_warning = 50;
  double ready_critical = 100;
};

struct Alert {
  std::string name;   // "archiving", "archive_age", … stable, for --json and metrics
  Level level = Level::kOk;
  std::string text;   // one line a person reads at 3 a.m.
  // Performance data for Nagios: 'label'=value[UOM];warn;crit
  std::optional<double> value;
  std::string unit;   // "s", "%", "" (a count), "B"
  std::optional<double> warning;
  std::optional<double> critical;
};

std::vector<Alert> evaluate(const StatusReport& report, const Thresholds& thresholds);

// The worst level: CRITICAL over WARNING over UNKNOWN over OK, as monitoring systems rank them.
Level overall(const std::vector<Alert>& alerts);

// "2 min", "3 h 10 min", "45 s": an age for people.
std::string age_text(double seconds);

}  // namespace walpipe::monitor
