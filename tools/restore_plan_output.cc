#include "restore_plan_output.h"

#include "json.h"
#include "status_output.h"

namespace walpipe::cli {

namespace {

using pipeline::RestorePlan;
using pipeline::RestoreTarget;
using wal::format_lsn;
using wal::format_pg_timestamp;

const char* kind_key(RestoreTarget::Kind kind) {
  switch (kind) {
    case RestoreTarget::Kind::kTime:
      return "time";
    case RestoreTarget::Kind::kLsn:
      return "lsn";
    case RestoreTarget::Kind::kLatest:
      return "latest";
  }
  return "";
}

const char* shortfall_key(pipeline::Shortfall s) {
  switch (s) {
    case pipeline::Shortfall::kNone:
      return "none";
    case pipeline::Shortfall::kNoBackup:
      return "no_backup";
    case pipeline::Shortfall::kTargetInBackup:
      return "target_in_backup";
    case pipeline::Shortfall::kMissing:
      return "missing_segments";
    case pipeline::Shortfall::kUnusable:
      return "unusable_segment";
    case pipeline::Shortfall::kInvalid:
      return "failed_verification";
    case pipeline::Shortfall::kEndsBeforeBackup:
      return "wal_ends_before_backup_end";
    case pipeline::Shortfall::kEndsBeforeTarget:
      return "wal_ends_before_target";
    case pipeline::Shortfall::kTimeline:
      return "timeline_not_descendant";
  }
  return "";
}

void print_text(const RestorePlan& plan, const std::string& archive,
                const std::vector<std::string>& get_options, std::FILE* out) {
  std::string target = "target: " + target_text(plan.target);
  if (!plan.backup || plan.timelines.empty()) {
    std::fprintf(out, "%s\n", target.c_str());
    if (plan.backup) std::fprintf(out, "%s\n", backup_line(*plan.backup).c_str());
    return;
  }
  std::fprintf(out, "%s\n", backup_line(*plan.backup).c_str());
  target += ", on timeline " + std::to_string(plan.target_timeline);
  if (plan.timelines.size() > 1) {
    target += " (following timelines";
    for (wal::TimeLineId tli : plan.timelines) target += " " + std::to_string(tli);
    target += ")";
  }
  std::fprintf(out, "%s\n", target.c_str());
  if (plan.segments > 0) {
    std::string wal = "WAL on the way: " + plan.first_segment;
    if (plan.segments > 1) wal += " to " + plan.last_segment;
    wal += ", " + plural(plan.segments, "segment", "segments") + " (" + size_text(plan.wal_bytes) +
           "), ";
    wal += plan.verified == plan.segments ? "all verified"
                                          : std::to_string(plan.verified) + " verified";
    std::fprintf(out, "%s\n", wal.c_str());
  }
  if (!plan.reached_in.empty() && plan.reached_first_commit && plan.reached_last_commit)
    std::fprintf(out, "reached in %s (commits from %s to %s)\n", plan.reached_in.c_str(),
                 format_pg_timestamp(*plan.reached_first_commit).c_str(),
                 format_pg_timestamp(*plan.reached_last_commit).c_str());
  else if (!plan.reached_in.empty())
    std::fprintf(out, "reached in %s\n", plan.reached_in.c_str());
  if (plan.latest) {
    std::string latest = "latest reachable point: " + format_lsn(plan.latest->end_lsn) +
                         " (the end of " + plan.latest->segment + ")";
    if (plan.latest->last_commit_time)
      latest += ", newest commit " + format_pg_timestamp(*plan.latest->last_commit_time);
    std::fprintf(out, "%s\n", latest.c_str());
  }
  if (!plan.reachable()) return;
  std::fprintf(out,
               "\nrecovery settings (postgresql.auto.conf of the restored backup, with an empty "
               "recovery.signal beside it):\n");
  for (const Setting& setting : recovery_settings(plan, archive, get_options))
    std::fprintf(out, "%s\n", setting_line(setting).c_str());
}

void print_json(const RestorePlan& plan, const std::string& archive,
                const std::vector<std::string>& get_options,
                const std::vector<std::string>& problems, std::FILE* out) {
  json::Writer w;
  w.begin_object();
  w.field("archive", archive);
  w.key("target");
  w.begin_object();
  w.field("kind", kind_key(plan.target.kind));
  if (plan.target.kind == RestoreTarget::Kind::kTime) {
    w.field("time", format_pg_timestamp(plan.target.time));
  } else if (plan.target.kind == RestoreTarget::Kind::kLsn) {
    w.field("lsn", format_lsn(plan.target.lsn));
  }
  w.end_object();
  w.field("reachable", plan.reachable());
  w.key("backup");
  if (plan.backup)
    backup_json(w, *plan.backup, BackupFields::kExtent);
  else
    w.null();
  w.key("passed_over");
  w.begin_array();
  for (const RestorePlan& passed : plan.passed_over) {
    w.begin_object();
    w.field("backup", passed.backup->source);
    w.field("shortfall", shortfall_key(passed.shortfall));
    w.field("message", shortfall_status(passed).message());
    w.end_object();
  }
  w.end_array();
  w.key("timelines");
  w.begin_array();
  for (wal::TimeLineId tli : plan.timelines) w.value(static_cast<uint64_t>(tli));
  w.end_array();
  w.key("target_timeline");
  if (plan.target_timeline)
    w.value(static_cast<uint64_t>(plan.target_timeline));
  else
    w.null();
  w.key("wal");
  w.begin_object();
  w.field("first_segment", text_or_none(plan.first_segment));
  w.field("last_segment", text_or_none(plan.last_segment));
  w.field("segments", plan.segments);
  w.field("bytes", plan.wal_bytes);
  w.field("verified", plan.verified);
  w.end_object();
  w.field("reached_in", text_or_none(plan.reached_in));
  w.key("latest_reachable");
  if (plan.latest) {
    w.begin_object();
    w.field("end_lsn", format_lsn(plan.latest->end_lsn));
    w.field("segment", plan.latest->segment);
    w.field("last_commit_time", time_or_none(plan.latest->last_commit_time));
    w.end_object();
  } else {
    w.null();
  }
  w.key("shortfall");
  if (plan.reachable()) {
    w.null();
  } else {
    const Status why = shortfall_status(plan);
    w.begin_object();
    w.field("kind", shortfall_key(plan.shortfall));
    w.field("message", why.message());
    if (plan.shortfall == pipeline::Shortfall::kMissing) {
      w.field("first_missing", plan.missing_first);
      w.field("last_missing", plan.missing_last);
      w.field("missing_count", plan.missing);
    }
    w.end_object();
  }
  w.key("settings");
  if (plan.reachable()) {
    w.begin_object();
    for (const Setting& setting : recovery_settings(plan, archive, get_options)) {
      w.field(setting.name, setting.value);
    }
    w.end_object();
  } else {
    w.null();
  }
  w.key("problems");
  w.begin_array();
  for (const std::string& p : problems) w.value(p);
  w.end_array();
  w.end_object();
  std::fprintf(out, "%s\n", w.str().c_str());
}

}  // namespace

void print_plan(const RestorePlan& plan, const std::string& archive,
                const std::vector<std::string>& get_options, bool json,
                const std::vector<std::string>& problems, std::FILE* out) {
  if (json)
    print_json(plan, archive, get_options, problems, out);
  else
    print_text(plan, archive, get_options, out);
}

}  // namespace walpipe::cli
