#include "drill_output.h"

#include <chrono>
#include <optional>
#include <vector>

#include "archive_output.h"
#include "json.h"
#include "restore_plan_output.h"

namespace walpipe::cli {

namespace {

double seconds(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

std::string seconds_text(std::chrono::steady_clock::duration d) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f s", seconds(d));
  return text;
}

// The answer as psql -A -t prints it: a row per line, columns between "|", NULL empty.
std::string answer_text(const pg::Rows& rows) {
  std::string out;
  for (const auto& row : rows.values) {
    if (!out.empty()) out += "\n";
    for (size_t c = 0; c < row.size(); ++c) out += (c ? "|" : "") + row[c].value_or("");
  }
  return out;
}

void print_text(const pg::DrillReport& r, const std::string& sql, std::FILE* out) {
  if (r.plan.backup) std::fprintf(out, "%s\n", backup_line(*r.plan.backup).c_str());
  std::fprintf(out, "target: %s\n", target_text(r.plan.target).c_str());
  if (!r.plan.reachable()) return;
  std::fprintf(out, "server: %s/postgres as user \"%s\"\n", r.pg_bin.c_str(), r.os_user.c_str());
  if (r.segments_replayed > 0 || r.recovery_time.count() > 0) {
    std::string line = "recovery: " + seconds_text(r.recovery_time) + ", " +
                       plural(r.segments_replayed, "segment", "segments") + " replayed";
    if (!r.last_segment.empty()) line += " (the last " + r.last_segment + ")";
    std::fprintf(out, "%s\n", line.c_str());
  }
  if (r.last_replayed_commit)
    std::fprintf(out, "last replayed commit: %s%s\n", r.last_replayed_commit->c_str(),
                 r.replay_lsn ? (", replayed to " + *r.replay_lsn).c_str() : "");
  if (r.failure.is_ok()) {
    std::fprintf(out, "query: %s\n", sql.c_str());
    std::fprintf(out, "answer: %s\n", answer_text(r.answer).c_str());
  }
  std::fprintf(out, "drill %s in %s (copy and plan %s)\n", r.passed() ? "passed" : "failed",
               seconds_text(r.total_time).c_str(), seconds_text(r.copy_time).c_str());
}

void print_json(const pg::DrillReport& r, const std::string& archive, const std::string& sql,
                std::FILE* out) {
  json::Writer w;
  w.begin_object();
  w.field("archive", archive);
  w.key("backup");
  if (r.plan.backup)
    backup_json(w, *r.plan.backup, BackupFields::kExtent);
  else
    w.null();
  w.field("target", target_text(r.plan.target));
  w.field("passed", r.passed());
  w.field("os_user", r.os_user);
  w.field("pg_bin", r.pg_bin);
  w.field("copy_seconds", seconds(r.copy_time));
  w.field("recovery_seconds", seconds(r.recovery_time));
  w.field("total_seconds", seconds(r.total_time));
  w.field("segments_planned", r.plan.segments);
  w.field("segments_replayed", r.segments_replayed);
  w.field("last_segment", text_or_none(r.last_segment));
  w.field("last_replayed_commit", text_or_none(r.last_replayed_commit));
  w.field("replay_lsn", text_or_none(r.replay_lsn));
  w.field("query", sql);
  w.key("answer");
  w.begin_array();
  for (const auto& row : r.answer.values) {
    w.begin_array();
    for (const std::optional<std::string>& v : row) {
      if (v)
        w.value(*v);
      else
        w.null();
    }
    w.end_array();
  }
  w.end_array();
  w.key("error");
  if (r.passed())
    w.null();
  else
    w.value(drill_failure(r).to_string());
  w.end_object();
  std::fprintf(out, "%s\n", w.str().c_str());
}

}  // namespace

Status drill_failure(const pg::DrillReport& report) {
  if (!report.plan.reachable()) return shortfall_status(report.plan);
  if (!report.failure.is_ok()) return report.failure;
  return report.cleanup;
}

void print_drill(const pg::DrillReport& report, const std::string& archive, const std::string& sql,
                 bool json, std::FILE* out) {
  if (json)
    print_json(report, archive, sql, out);
  else
    print_text(report, sql, out);
}

}  // namespace walpipe::cli
