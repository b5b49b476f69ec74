#include "monitor/alerts.h"

#include <cmath>
#include <cstdio>

namespace walpipe::monitor {

namespace {

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

std::string quoted(const std::string& s) { return "\"" + s + "\""; }

Level judge(double value, double warning, double critical) {
  if (value >= critical) return Level::kCritical;
  if (value >= warning) return Level::kWarning;
  return Level::kOk;
}

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f", v);
  return buf;
}

Alert archiving(const ServerSide& s, double now) {
  Alert a{.name = "archiving"};
  a.unit = "";
  a.critical = 1;
  const pg::ArchiverStats& st = s.stats;
  if (s.settings.archive_mode == "off") {
    a.level = Level::kCritical;
    a.value = 1;
    a.text = "archive_mode is off: PostgreSQL archives nothing";
    return a;
  }
  if (s.position.in_recovery && s.settings.archive_mode != "always") {
    a.value = 0;
    a.text = "standby with archive_mode = " + s.settings.archive_mode +
             ": its primary archives, it does not";
    return a;
  }
  const bool failing = st.last_failed_time && (!st.last_archived_time ||
                                               *st.last_failed_time > *st.last_archived_time);
  a.value = failing ? 1 : 0;
  if (failing) {
    a.level = Level::kCritical;
    a.text = "archive_command is failing: " + quoted(st.last_failed_wal.value_or("?")) +
             " failed " + age_text(now - *st.last_failed_time) + " ago";
    a.text += st.last_archived_time ? ", last success " + quoted(*st.last_archived_wal) + " " +
                                          age_text(now - *st.last_archived_time) + " ago"
                                    : ", and nothing was ever archived";
    return a;
  }
  a.text = st.last_archived_time ? "archiving works: last archived " +
                                       quoted(*st.last_archived_wal) + " " +
                                       age_text(now - *st.last_archived_time) + " ago"
                                 : "nothing archived yet, and no failure";
  return a;
}

Alert archive_age(const ServerSide& s, double now, const Thresholds& t) {
  Alert a{.name = "archive_age", .unit = "s", .warning = t.archive_age_warning_s,
          .critical = t.archive_age_critical_s};
  std::optional<bool> waiting;
  if (s.segments_behind) waiting = *s.segments_behind > 0;
  if (s.backlog) waiting = waiting.value_or(false) || s.backlog->ready_count > 0;
  const auto& last = s.stats.last_archived_time;
  if (last) a.value = now - *last;
  if (!waiting) {
    a.level = Level::kUnknown;
    a.text = "cannot tell whether WAL waits to be archived";
    return a;
  }
  if (!*waiting) {
    a.text = "nothing waits to be archived" +
             (last ? " (last archived " + age_text(now - *last) + " ago)" : std::string());
    return a;
  }
  if (!last) {
    a.level = Level::kCritical;
    a.text = "WAL waits to be archived and nothing was ever archived";
    return a;
  }
  a.level = judge(*a.value, t.archive_age_warning_s, t.archive_age_critical_s);
  a.text = "last archived " + age_text(*a.value) + " ago while WAL waits (warning " +
           age_text(t.archive_age_warning_s) + ", critical " + age_text(t.archive_age_critical_s) +
           ")";
  return a;
}

Alert ready_backlog(const ServerSide& s, double now, const Thresholds& t) {
  Alert a{.name = "ready", .unit = "", .warning = t.ready_warning, .critical = t.ready_critical};
  if (!s.backlog) {
    a.level = Level::kUnknown;
    a.text = "the .ready backlog is unknown: " + first_line(s.backlog_error);
    return a;
  }
  a.value = static_cast<double>(s.backlog->ready_count);
  a.level = judge(*a.value, t.ready_warning, t.ready_critical);
  a.text = number(*a.value) + " files waiting (.ready)";
  if (s.backlog->oldest_ready && s.backlog->oldest_ready_time)
    a.text += ", oldest " + quoted(*s.backlog->oldest_ready) + " " +
              age_text(now - *s.backlog->oldest_ready_time) + " old";
  a.text += " (warning " + number(t.ready_warning) + ", critical " + number(t.ready_critical) + ")";
  return a;
}

Alert disk(const ArchiveSide& side, const Thresholds& t) {
  Alert a{.name = "archive_disk", .unit = "%", .warning = t.disk_used_warning_pct,
          .critical = t.disk_used_critical_pct};
  if (!side.space) {
    a.level = Level::kUnknown;
    a.text = "free space of the archive is unknown: " + side.space_error;
    return a;
  }
  a.value = std::round(side.space->used_percent() * 10) / 10;
  a.level = judge(*a.value, t.disk_used_warning_pct, t.disk_used_critical_pct);
  char text[160];
  std::snprintf(text, sizeof text, "archive disk %.1f %% used (warning %.0f %%, critical %.0f %%)",
                *a.value, t.disk_used_warning_pct, t.disk_used_critical_pct);
  a.text = text;
  return a;
}

Alert gaps(const ArchiveSide& side) {
  Alert a{.name = "archive_gaps", .unit = "", .critical = 1};
  uint64_t missing = 0, count = 0;
  const archive::SegmentGap* first = nullptr;
  for (const archive::TimelineSummary& tl : side.summary.timelines) {
    missing += tl.missing_segments;
    count += tl.gap_count;
    if (first == nullptr && !tl.gaps.empty()) first = &tl.gaps.front();
  }
  a.value = static_cast<double>(missing);
  if (first == nullptr) {
    a.text = "no segment missing between the oldest and the newest of each timeline";
    return a;
  }
  a.level = Level::kCritical;
  a.text = std::to_string(missing) + " segments missing in " + std::to_string(count) +
           " gaps, the first between " + quoted(first->after) + " and " + quoted(first->before) +
           ": recovery cannot pass a gap";
  return a;
}

}  // namespace

const char* level_name(Level level) {
  switch (level) {
    case Level::kOk:
      return "OK";
    case Level::kWarning:
      return "WARNING";
    case Level::kCritical:
      return "CRITICAL";
    case Level::kUnknown:
      return "UNKNOWN";
  }
  return "UNKNOWN";
}

std::string age_text(double seconds) {
  if (seconds < 0) seconds = 0;
  const auto s = static_cast<long long>(seconds + 0.5);
  if (s < 120) return std::to_string(s) + " s";
  if (s < 2 * 3600) return std::to_string(s / 60) + " min";
  if (s < 2 * 86400)
    return std::to_string(s / 3600) + " h " + std::to_string(s % 3600 / 60) + " min";
  return std::to_string(s / 86400) + " d " + std::to_string(s % 86400 / 3600) + " h";
}

std::vector<Alert> evaluate(const StatusReport& report, const Thresholds& thresholds) {
  std::vector<Alert> alerts;
  if (report.server) {
    alerts.push_back(archiving(*report.server, report.now));
    alerts.push_back(archive_age(*report.server, report.now, thresholds));
    alerts.push_back(ready_backlog(*report.server, report.now, thresholds));
  } else {
    alerts.push_back({.name = "server", .level = Level::kCritical,
                      .text = "cannot ask PostgreSQL: " + first_line(report.server_error)});
  }
  if (report.archive) {
    alerts.push_back(disk(*report.archive, thresholds));
    alerts.push_back(gaps(*report.archive));
  } else if (!report.archive_error.empty()) {
    alerts.push_back({.name = "archive", .level = Level::kCritical,
                      .text = "cannot read the archive: " + first_line(report.archive_error)});
  }
  return alerts;
}

Level overall(const std::vector<Alert>& alerts) {
  auto rank = [](Level l) {
    switch (l) {
      case Level::kCritical:
        return 3;
      case Level::kWarning:
        return 2;
      case Level::kUnknown:
        return 1;
      case Level::kOk:
        return 0;
    }
    return 1;
  };
  Level worst = Level::kOk;
  for (const Alert& a : alerts)
    if (rank(a.level) > rank(worst)) worst = a.level;
  return worst;
}

}  // namespace walpipe::monitor
