#include "status_output.h"

#include <cmath>
#include <cstdio>
#include <ctime>

#include "json.h"

namespace walpipe::cli {

namespace {

using monitor::Alert;
using monitor::Level;

std::string quoted(const std::string& s) { return "\"" + s + "\""; }

std::string perf_number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

// 'label'=value[UOM];[warn];[crit] — the monitoring plugins' performance data.
std::string perf_datum(const Alert& a) {
  std::string out = "'" + a.name + "'=" + perf_number(*a.value) + a.unit + ";";
  if (a.warning) out += perf_number(*a.warning);
  out += ";";
  if (a.critical) out += perf_number(*a.critical);
  return out;
}

const Alert* worst(const std::vector<Alert>& alerts) {
  const Level level = monitor::overall(alerts);
  for (const Alert& a : alerts)
    if (a.level == level) return &a;
  return alerts.empty() ? nullptr : &alerts.front();
}

std::string ago(double now, double then) { return monitor::age_text(now - then) + " ago"; }

void server_lines(const monitor::ServerSide& s, double now, std::string* out) {
  const pg::WalPosition& p = s.position;
  *out += "server: PostgreSQL " + p.version + ", " + (p.in_recovery ? "standby" : "primary") +
          ", " + s.where + "\n";
  *out += "  settings: archive_mode " + s.settings.archive_mode + ", wal_level " +
          s.settings.wal_level + ", archive_timeout " +
          std::to_string(s.settings.archive_timeout_s) + " s, wal_segment_size " +
          size_text(s.settings.wal_segment_size) + ", max_wal_size " +
          size_text(s.settings.max_wal_size) + "\n";
  const pg::ArchiverStats& st = s.stats;
  *out += "  archived: " + std::to_string(st.archived_count) + " files";
  if (st.last_archived_wal && st.last_archived_time)
    *out += ", last " + quoted(*st.last_archived_wal) + " at " + time_text(*st.last_archived_time) +
            " (" + ago(now, *st.last_archived_time) + ")";
  *out += "\n  failed: " + std::to_string(st.failed_count) + " times";
  if (st.last_failed_wal && st.last_failed_time)
    *out += ", last " + quoted(*st.last_failed_wal) + " at " + time_text(*st.last_failed_time) +
            " (" + ago(now, *st.last_failed_time) + ")";
  *out += "\n  current WAL: " + quoted(p.walfile) + " on timeline " + std::to_string(p.timeline);
  if (s.segments_behind && s.bytes_behind)
    *out += "; not archived yet: " + std::to_string(*s.segments_behind) + " complete segments, " +
            size_text(*s.bytes_behind) + " of WAL";
  *out += "\n  waiting: ";
  if (s.backlog) {
    *out += std::to_string(s.backlog->ready_count) + " files .ready";
    if (s.backlog->oldest_ready && s.backlog->oldest_ready_time)
      *out += ", oldest " + quoted(*s.backlog->oldest_ready) + " " +
              monitor::age_text(now - *s.backlog->oldest_ready_time) + " old";
  } else {
    *out += "unknown (" + s.backlog_error.substr(0, s.backlog_error.find('\n')) + ")";
  }
  *out += "\n  at risk: ";
  if (s.oldest_unarchived_commit)
    *out += "the oldest commit not yet archived is " +
            monitor::age_text(now - *s.oldest_unarchived_commit) + " old (" +
            time_text(*s.oldest_unarchived_commit) + ")";
  else if (s.nothing_unarchived)
    *out += "no commit waits to be archived";
  else
    *out += "unknown (" + s.at_risk_error + ")";
  *out += s.settings.archive_timeout_s == 0
              ? "; archive_timeout = 0: a quiet cluster can keep its last transactions out of "
                "the archive for hours\n"
              : "; archive_timeout " + std::to_string(s.settings.archive_timeout_s) +
                    " s bounds that on a quiet cluster\n";
}

void archive_lines(const monitor::ArchiveSide& a, double now, std::string* out) {
  *out += "archive: " + a.root;
  if (!a.identity) {
    *out += " (nothing archived yet)\n";
  } else {
    *out += " (system identifier " + std::to_string(a.identity->system_id) + ", segments of " +
            size_text(a.identity->segment_size) + ")\n";
    const archive::ArchiveSummary& s = a.summary;
    for (const archive::TimelineSummary& tl : s.timelines) {
      *out += "  timeline " + std::to_string(tl.timeline) + ": " + std::to_string(tl.segments) +
              " segments, " + quoted(tl.oldest) + " to " + quoted(tl.newest);
      *out += tl.gap_count == 0 ? ", no gap\n"
                                : ", " + std::to_string(tl.missing_segments) + " missing in " +
                                      std::to_string(tl.gap_count) + " gaps\n";
      for (const archive::SegmentGap& g : tl.gaps)
        *out += "    gap: " + std::to_string(g.missing) + " segments missing between " +
                quoted(g.after) + " and " + quoted(g.before) + "\n";
    }
    char ratio[32] = "-";
    if (s.wal_bytes > 0)
      std::snprintf(ratio, sizeof ratio, "%.1f %%",
                    100.0 * static_cast<double>(s.stored_bytes) / static_cast<double>(s.wal_bytes));
    *out += "  stored: " + size_text(s.stored_bytes) + " for " + size_text(s.wal_bytes) +
            " of WAL (" + ratio + "); " + std::to_string(s.history_files) + " history, " +
            std::to_string(s.backup_files) + " backup, " + std::to_string(s.partial_files) +
            " partial files\n";
    if (s.newest_commit_time)
      *out += "  newest archived commit: " + time_text(static_cast<double>(*s.newest_commit_time)) +
              " (" + ago(now, static_cast<double>(*s.newest_commit_time)) + "), in " +
              quoted(s.newest_commit_segment) + "\n";
  }
  if (a.space)
    *out += "  disk: " + size_text(a.space->free_bytes) + " free of " +
            size_text(a.space->total_bytes) + "\n";
}

}  // namespace

std::string size_text(uint64_t bytes) {
  static const char* kUnits[] = {"bytes", "kB", "MB", "GB", "TB", "PB"};
  double v = static_cast<double>(bytes);
  int unit = 0;
  while (v >= 10 * 1024 && unit < 5) {
    v /= 1024;
    ++unit;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f %s", std::round(v), kUnits[unit]);
  return buf;
}

std::string time_text(double unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return buf;
}

std::string plugin_line(const std::vector<Alert>& alerts) {
  const Alert* w = worst(alerts);
  std::string out = std::string("WALPIPE ") + monitor::level_name(monitor::overall(alerts)) +
                    " - " + (w != nullptr ? w->text : "nothing to check");
  std::string perf;
  for (const Alert& a : alerts)
    if (a.value) perf += (perf.empty() ? "" : " ") + perf_datum(a);
  if (!perf.empty()) out += " | " + perf;
  return out;
}

std::string status_screen(const monitor::StatusReport& report, const std::vector<Alert>& alerts) {
  std::string out;
  if (report.server)
    server_lines(*report.server, report.now, &out);
  else
    out += "server: " + report.server_error + "\n";
  if (report.archive)
    archive_lines(*report.archive, report.now, &out);
  else if (!report.archive_error.empty())
    out += "archive: " + report.archive_error + "\n";
  out += "alerts:\n";
  for (const Alert& a : alerts) {
    char level[16];
    std::snprintf(level, sizeof level, "%-9s", monitor::level_name(a.level));
    out += std::string("  ") + level + a.text + "\n";
  }
  return out;
}

std::string status_json(const monitor::StatusReport& report, const std::vector<Alert>& alerts) {
  json::Writer w;
  w.begin_object();
  w.field("status", monitor::level_name(monitor::overall(alerts)));
  w.field("now", report.now);
  w.key("alerts");
  w.begin_array();
  for (const Alert& a : alerts) {
    w.begin_object();
    w.field("name", a.name);
    w.field("level", monitor::level_name(a.level));
    w.field("text", a.text);
    w.field("value", a.value);
    w.field("warning", a.warning);
    w.field("critical", a.critical);
    w.end_object();
  }
  w.end_array();
  w.key("server");
  if (!report.server) {
    w.begin_object();
    w.field("error", report.server_error);
    w.end_object();
  } else {
    const monitor::ServerSide& s = *report.server;
    w.begin_object();
    w.field("version", s.position.version);
    w.field("in_recovery", s.position.in_recovery);
    w.field("archive_mode", s.settings.archive_mode);
    w.field("wal_level", s.settings.wal_level);
    w.field("archive_timeout_seconds", s.settings.archive_timeout_s);
    w.field("wal_segment_size_bytes", s.settings.wal_segment_size);
    w.field("archived_count", s.stats.archived_count);
    w.field("last_archived_wal", s.stats.last_archived_wal);
    w.field("last_archived_time", s.stats.last_archived_time);
    w.field("failed_count", s.stats.failed_count);
    w.field("last_failed_wal", s.stats.last_failed_wal);
    w.field("last_failed_time", s.stats.last_failed_time);
    w.field("current_wal", s.position.walfile);
    w.field("timeline", s.position.timeline);
    w.field("segments_not_archived", s.segments_behind);
    w.field("bytes_not_archived", s.bytes_behind);
    w.key("ready_count");
    s.backlog ? w.value(s.backlog->ready_count) : w.null();
    w.field("oldest_ready_time", s.backlog ? s.backlog->oldest_ready_time : std::nullopt);
    w.field("oldest_unarchived_commit_time", s.oldest_unarchived_commit);
    w.end_object();
  }
  if (report.archive || !report.archive_error.empty()) {
    w.key("archive");
    w.begin_object();
    if (!report.archive) {
      w.field("error", report.archive_error);
    } else {
      const monitor::ArchiveSide& a = *report.archive;
      const archive::ArchiveSummary& s = a.summary;
      w.field("path", a.root);
      w.field("segments", s.segments);
      w.key("timelines");
      w.begin_array();
      for (const archive::TimelineSummary& tl : s.timelines) {
        w.begin_object();
        w.field("timeline", tl.timeline);
        w.field("segments", tl.segments);
        w.field("oldest", tl.oldest);
        w.field("newest", tl.newest);
        w.field("missing_segments", tl.missing_segments);
        w.end_object();
      }
      w.end_array();
      w.field("stored_bytes", s.stored_bytes);
      w.field("wal_bytes", s.wal_bytes);
      w.field("newest_commit_time", s.newest_commit_time);
      w.key("free_bytes");
      a.space ? w.value(a.space->free_bytes) : w.null();
      w.key("total_bytes");
      a.space ? w.value(a.space->total_bytes) : w.null();
    }
    w.end_object();
  }
  w.end_object();
  return w.str() + "\n";
}

}  // namespace walpipe::cli
