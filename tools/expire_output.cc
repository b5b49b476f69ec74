#include "expire_output.h"

#include "archive_output.h"
#include "cli.h"
#include "json.h"
#include "status_output.h"

namespace walpipe::cli {

namespace {

std::string quoted(std::string_view s) {
  json::Writer w;
  w.value(s);
  return w.str();
}

}  // namespace

ExpireReport::ExpireReport(std::string command, bool json, bool dry_run, std::FILE* out)
    : command_(std::move(command)), json_(json), dry_run_(dry_run), out_(out) {}

void ExpireReport::begin(const std::string& archive, const pipeline::ExpirePlan& plan) {
  if (!json_) {
    if (plan.newest_commit)
      std::fprintf(out_, "newest commit: %s (in %s)\n",
                   wal::format_pg_timestamp(*plan.newest_commit).c_str(),
                   plan.newest_commit_segment.c_str());
    std::fprintf(out_, "retention: removes %s\n", plan.reason.c_str());
    for (size_t i = 0; i < plan.backups.size(); ++i)
      std::fprintf(out_, "%s %s\n", plan.kept[i] ? "keeps" : "expires",
                   backup_line(plan.backups[i]).c_str());
    std::fflush(out_);
    return;
  }
  json::Writer w;
  w.begin_object();
  w.field("archive", archive);
  w.field("dry_run", dry_run_);
  w.field("newest_commit", time_or_none(plan.newest_commit));
  w.field("cutoff", time_or_none(plan.cutoff));
  w.field("first_kept_segment", plan.boundary_segment);
  w.field("reason", plan.reason);
  w.key("backups");
  w.begin_array();
  for (size_t i = 0; i < plan.backups.size(); ++i) {
    w.begin_object();
    w.field("kept", static_cast<bool>(plan.kept[i]));
    w.key("backup");
    backup_json(w, plan.backups[i], BackupFields::kExtent);
    w.end_object();
  }
  w.end_array();
  // The object stays open: the removals follow as they happen.
  std::string head = w.str();
  head.pop_back();
  std::fprintf(out_, "%s,\"removed\":[", head.c_str());
  std::fflush(out_);
}

void ExpireReport::removed(const pipeline::ExpiredObject& object) {
  if (json_) {
    std::fprintf(out_, "%s{\"name\":%s,\"location\":%s,\"size\":%llu,\"reason\":%s}",
                 first_removal_ ? "" : ",", quoted(object.name).c_str(),
                 quoted(object.location).c_str(), static_cast<unsigned long long>(object.size),
                 quoted(*object.reason).c_str());
  } else {
    std::fprintf(out_, "%s \"%s\": %s\n", dry_run_ ? "would remove" : "removed",
                 object.location.c_str(), object.reason->c_str());
  }
  first_removal_ = false;
  // A kill leaves the log of what was done.
  std::fflush(out_);
}

void ExpireReport::problem(const Status& problem) {
  print_warning(command_, problem);
  if (problems_.size() < kMaxProblemsInDocument) problems_.push_back(problem.to_string());
}

void ExpireReport::problems_json() {
  std::fputs(",\"problems\":[", out_);
  for (size_t i = 0; i < problems_.size(); ++i)
    std::fprintf(out_, "%s%s", i ? "," : "", quoted(problems_[i]).c_str());
  std::fputs("]", out_);
}

void ExpireReport::close_removals() { std::fputs("]", out_); }

void ExpireReport::finish(const pipeline::ExpireOutcome& outcome) {
  if (!json_) {
    std::fprintf(out_, "%s %s (%s); kept %s\n", dry_run_ ? "would remove" : "removed",
                 plural(outcome.removed, "object", "objects").c_str(),
                 size_text(outcome.removed_bytes).c_str(),
                 plural(outcome.kept, "object", "objects").c_str());
    for (const auto& [tli, t] : outcome.timelines) {
      std::string wal = t.first.empty()     ? "no WAL"
                        : t.first == t.last ? "WAL " + t.first
                                            : "WAL from " + t.first + " to " + t.last;
      std::fprintf(out_, "timeline %u keeps %s (%s)\n", tli, wal.c_str(),
                   plural(t.objects, "object", "objects").c_str());
    }
    return;
  }
  close_removals();
  json::Writer w;
  w.begin_object();
  w.key("kept");
  w.begin_array();
  for (const auto& [tli, t] : outcome.timelines) {
    w.begin_object();
    w.field("timeline", tli);
    w.field("first", t.first);
    w.field("last", t.last);
    w.field("objects", t.objects);
    w.end_object();
  }
  w.end_array();
  w.field("removed_objects", outcome.removed);
  w.field("removed_bytes", outcome.removed_bytes);
  w.field("kept_objects", outcome.kept);
  w.field("left_objects", outcome.left);
  w.end_object();
  // The fields above, inside the open document.
  std::fprintf(out_, ",%s", w.str().substr(1, w.str().size() - 2).c_str());
  problems_json();
  std::fputs("}\n", out_);
}

void ExpireReport::stopped(const Status& error) {
  if (!json_) return;
  close_removals();
  std::fprintf(out_, ",\"error\":%s", quoted(error.to_string()).c_str());
  problems_json();
  std::fputs("}\n", out_);
}

void ExpireReport::refused(const std::string& archive, const Status& why) {
  if (!json_) return;
  std::fprintf(out_, "{\"archive\":%s,\"dry_run\":%s,\"refused\":%s", quoted(archive).c_str(),
               dry_run_ ? "true" : "false", quoted(why.to_string()).c_str());
  problems_json();
  std::fputs("}\n", out_);
}

}  // namespace walpipe::cli
