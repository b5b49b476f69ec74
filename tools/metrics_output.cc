#include "metrics_output.h"

#include <cmath>
#include <cstdio>

namespace walpipe::cli {

namespace {

// Label values escape backslash, double quote and newline (the exposition format's rules).
std::string label_value(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"')
      out += '\\', out += c;
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string number(double v) {
  if (std::isnan(v)) return "NaN";
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

// Writes one metric family: HELP and TYPE once, then its samples. No sample timestamps:
// node_exporter's textfile collector rejects files that carry them.
class Exposition {
 public:
  void family(const char* name, const char* type, const char* help) {
    name_ = name;
    out_ += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
  }
  void sample(double value, const std::string& labels = "") {
    out_ += name_ + (labels.empty() ? "" : "{" + labels + "}") + " " + number(value) + "\n";
  }
  std::string take() { return std::move(out_); }

 private:
  std::string name_;
  std::string out_;
};

void server_metrics(const monitor::ServerSide& s, Exposition* e) {
  const pg::ArchiverStats& st = s.stats;
  e->family("walpipe_pg_archived_total", "counter",
            "WAL files PostgreSQL archived since its statistics were reset (pg_stat_archiver).");
  e->sample(static_cast<double>(st.archived_count));
  e->family("walpipe_pg_archive_failed_total", "counter",
            "Failed archive_command calls since the statistics were reset.");
  e->sample(static_cast<double>(st.failed_count));
  if (st.last_archived_time) {
    e->family("walpipe_pg_last_archived_timestamp_seconds", "gauge",
              "When PostgreSQL last archived a file, in Unix time.");
    e->sample(*st.last_archived_time);
  }
  if (st.last_failed_time) {
    e->family("walpipe_pg_last_failed_timestamp_seconds", "gauge",
              "When archive_command last failed, in Unix time.");
    e->sample(*st.last_failed_time);
  }
  e->family("walpipe_pg_in_recovery", "gauge", "1 on a standby, 0 on a primary.");
  e->sample(s.position.in_recovery ? 1 : 0);
  e->family("walpipe_pg_wal_segment_size_bytes", "gauge", "The server's WAL segment size.");
  e->sample(static_cast<double>(s.settings.wal_segment_size));
  e->family("walpipe_pg_archive_timeout_seconds", "gauge",
            "archive_timeout; 0 lets a quiet cluster keep its last commits out of the archive.");
  e->sample(static_cast<double>(s.settings.archive_timeout_s));
  if (s.segments_behind) {
    e->family("walpipe_pg_wal_unarchived_segments", "gauge",
              "Complete WAL segments written after the last one archived.");
    e->sample(static_cast<double>(*s.segments_behind));
  }
  if (s.bytes_behind) {
    e->family("walpipe_pg_wal_unarchived_bytes", "gauge",
              "WAL bytes written after the end of the last archived segment.");
    e->sample(static_cast<double>(*s.bytes_behind));
  }
  if (s.backlog) {
    e->family("walpipe_pg_ready_files", "gauge",
              "WAL files marked .ready, waiting to be archived.");
    e->sample(static_cast<double>(s.backlog->ready_count));
    if (s.backlog->oldest_ready_time) {
      e->family("walpipe_pg_oldest_ready_timestamp_seconds", "gauge",
                "Modification time of the oldest .ready file, in Unix time.");
      e->sample(*s.backlog->oldest_ready_time);
    }
  }
  if (s.oldest_unarchived_commit) {
    e->family("walpipe_pg_oldest_unarchived_commit_timestamp_seconds", "gauge",
              "The oldest commit in pg_wal that is not archived yet, in Unix time.");
    e->sample(*s.oldest_unarchived_commit);
  }
}

void archive_metrics(const monitor::ArchiveSide& a, Exposition* e) {
  const std::string where = "archive=\"" + label_value(a.root) + "\"";
  const archive::ArchiveSummary& s = a.summary;
  e->family("walpipe_archive_segments", "gauge", "WAL segments in the archive, per timeline.");
  for (const archive::TimelineSummary& tl : s.timelines)
    e->sample(static_cast<double>(tl.segments),
              where + ",timeline=\"" + std::to_string(tl.timeline) + "\"");
  e->family("walpipe_archive_missing_segments", "gauge",
            "Segments missing between the oldest and newest of a timeline in the archive.");
  for (const archive::TimelineSummary& tl : s.timelines)
    e->sample(static_cast<double>(tl.missing_segments),
              where + ",timeline=\"" + std::to_string(tl.timeline) + "\"");
  e->family("walpipe_archive_stored_bytes", "gauge", "Bytes the archive's objects take.");
  e->sample(static_cast<double>(s.stored_bytes), where);
  e->family("walpipe_archive_wal_bytes", "gauge", "WAL bytes the archive holds, uncompressed.");
  e->sample(static_cast<double>(s.wal_bytes), where);
  if (s.newest_commit_time) {
    e->family("walpipe_archive_newest_commit_timestamp_seconds", "gauge",
              "The newest commit in the archive: the latest point a recovery can reach.");
    e->sample(static_cast<double>(*s.newest_commit_time), where);
  }
  if (a.space) {
    e->family("walpipe_archive_filesystem_size_bytes", "gauge",
              "Size of the archive's filesystem, as df counts it.");
    e->sample(static_cast<double>(a.space->total_bytes), where);
    e->family("walpipe_archive_filesystem_avail_bytes", "gauge",
              "Bytes of the archive's filesystem still available.");
    e->sample(static_cast<double>(a.space->free_bytes), where);
  }
}

}  // namespace

std::string prometheus_text(const monitor::StatusReport& report,
                            const std::vector<monitor::Alert>& alerts) {
  Exposition e;
  e.family("walpipe_pg_up", "gauge", "1 when walpipe could ask PostgreSQL, 0 when not.");
  e.sample(report.server ? 1 : 0);
  if (report.server) server_metrics(*report.server, &e);
  if (report.archive || !report.archive_error.empty()) {
    e.family("walpipe_archive_up", "gauge", "1 when walpipe could read the archive, 0 when not.");
    e.sample(report.archive ? 1 : 0);
  }
  if (report.archive) archive_metrics(*report.archive, &e);
  e.family("walpipe_alert_state", "gauge",
           "Each alert of walpipe status: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.");
  for (const monitor::Alert& a : alerts)
    e.sample(static_cast<double>(a.level), "alert=\"" + label_value(a.name) + "\"");
  return e.take();
}

}  // namespace walpipe::cli
