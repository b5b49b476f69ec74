#include "list_output.h"

#include <cinttypes>

#include "cli.h"
#include "json.h"
#include "status_output.h"
#include "wal/time_text.h"

namespace walpipe::cli {

namespace {

using wal::format_lsn;
using wal::format_pg_timestamp;
using wal::format_time_seconds;

constexpr const char* kRowFormat = "%3s  %-12s %-12s %-23s  %-23s  %8s  %10s  %10s  %s\n";

const char* kind_key(wal::FileKind kind) {
  switch (kind) {
    case wal::FileKind::kSegment:
      return "segment";
    case wal::FileKind::kPartial:
      return "partial";
    case wal::FileKind::kHistory:
      return "history";
    case wal::FileKind::kBackup:
      return "backup";
  }
  return "unknown";
}

bool holds_wal(wal::FileKind kind) {
  return kind == wal::FileKind::kSegment || kind == wal::FileKind::kPartial;
}

// Why no segment covers `at`.
std::string uncovered_reason(const pipeline::ListOutcome& outcome, wal::PgTimestamp at) {
  if (!outcome.at_oldest_commit || !outcome.at_newest_commit)
    return "no segment covers it: no commit is archived";
  if (at < *outcome.at_oldest_commit)
    return "no segment covers it: it is before the first commit archived";
  if (at > *outcome.at_newest_commit)
    return "no segment covers it: it is after the newest commit archived";
  return "no segment covers it: no timeline has commits both before it and at or after it";
}

std::string at_text(const pipeline::ListOutcome& outcome, wal::PgTimestamp at) {
  std::string out = "at " + format_pg_timestamp(at) + ": ";
  if (!outcome.at) return out + uncovered_reason(outcome, at);
  return out + outcome.at->segment + " on timeline " + std::to_string(outcome.at->timeline) +
         " (commits from " + format_pg_timestamp(outcome.at->first_commit_time) + " to " +
         format_pg_timestamp(outcome.at->last_commit_time) + ")";
}

}  // namespace

void ListPrinter::begin(const std::string& archive,
                        const std::optional<archive::Identity>& identity) {
  if (!json_) return;
  json::Writer w;
  w.begin_object();
  w.field("archive", archive);
  w.key("system_identifier");
  if (identity)
    w.value(std::to_string(identity->system_id));  // does not fit a JSON double
  else
    w.null();
  w.key("objects");
  w.begin_array();
  std::string head = w.str();  // left open: rows follow
  std::fputs(head.c_str(), out_);
}

void ListPrinter::object(const pipeline::ListedObject& object) {
  if (json_)
    row_json(object);
  else
    row_text(object);
}

void ListPrinter::row_text(const pipeline::ListedObject& o) {
  if (!header_done_) {
    std::fprintf(out_, kRowFormat, "TLI", "FIRST LSN", "END LSN", "FIRST COMMIT", "LAST COMMIT",
                 "RECORDS", "STORED", "ORIGINAL", "NAME");
    header_done_ = true;
  }
  const archive::ObjectMetadata& m = *o.meta;
  const bool wal = holds_wal(o.kind);
  const std::string first = wal ? format_lsn(m.first_lsn) : "-";
  const std::string end = wal ? format_lsn(m.end_lsn) : "-";
  const std::string first_commit =
      m.first_commit_time ? format_time_seconds(*m.first_commit_time) : "-";
  const std::string last_commit =
      m.last_commit_time ? format_time_seconds(*m.last_commit_time) : "-";
  const std::string records = wal ? std::to_string(m.record_count) : "-";
  std::string name(o.name);
  if (m.flags & archive::kFlagFailedVerification)
    name += "  (pushed with --no-verify: " + m.validation_error + ")";
  std::fprintf(out_, kRowFormat, std::to_string(o.timeline).c_str(), first.c_str(), end.c_str(),
               first_commit.c_str(), last_commit.c_str(), records.c_str(),
               size_text(o.stored_size).c_str(), size_text(m.original_size).c_str(), name.c_str());
}

void ListPrinter::row_json(const pipeline::ListedObject& o) {
  const archive::ObjectMetadata& m = *o.meta;
  const bool wal = holds_wal(o.kind);
  json::Writer w;
  w.begin_object();
  w.field("name", o.name);
  w.field("kind", kind_key(o.kind));
  w.field("timeline", static_cast<uint64_t>(o.timeline));
  for (auto [key, lsn] : {std::pair{"first_lsn", m.first_lsn}, std::pair{"last_lsn", m.last_lsn},
                          std::pair{"end_lsn", m.end_lsn}}) {
    w.key(key);
    if (wal)
      w.value(format_lsn(lsn));
    else
      w.null();
  }
  w.field("first_commit_time", time_or_none(m.first_commit_time));
  w.field("last_commit_time", time_or_none(m.last_commit_time));
  w.key("record_count");
  if (wal)
    w.value(m.record_count);
  else
    w.null();
  w.field("stored_size", o.stored_size);
  w.field("original_size", m.original_size);
  w.field("verified", (m.flags & archive::kFlagFailedVerification) == 0);
  if (!m.validation_error.empty()) {
    w.field("validation_error", m.validation_error);
  }
  w.end_object();
  if (!first_row_) std::fputc(',', out_);
  first_row_ = false;
  std::fputs(w.str().c_str(), out_);
}

void ListPrinter::problem(const Status& problem) {
  print_error("list", problem.to_string());
  if (json_ && problems_.size() < kMaxProblemsInDocument) problems_.push_back(problem.to_string());
}

void ListPrinter::finish(const pipeline::ListOutcome& outcome, std::optional<wal::PgTimestamp> at) {
  if (json_)
    finish_json(outcome, at);
  else
    finish_text(outcome, at);
}

void ListPrinter::finish_text(const pipeline::ListOutcome& o, std::optional<wal::PgTimestamp> at) {
  if (header_done_ && !o.backups.empty()) std::fputc('\n', out_);
  for (const pipeline::KnownBackup& b : o.backups)
    std::fprintf(out_, "%s\n", backup_line(b).c_str());
  if (header_done_ || !o.backups.empty()) std::fputc('\n', out_);
  if (o.last_restorable_time)
    std::fprintf(out_, "last restorable time: %s (the newest commit archived, in %s)\n",
                 format_pg_timestamp(*o.last_restorable_time).c_str(),
                 o.last_restorable_segment.c_str());
  else
    std::fprintf(out_, "last restorable time: none (no commit is archived)\n");
  if (at) std::fprintf(out_, "%s\n", at_text(o, *at).c_str());
  std::string summary = "listed " + std::to_string(o.listed) + " of " +
                        plural(o.objects, "object", "objects") + ", " +
                        plural(o.backups.size(), "backup", "backups");
  if (o.problems) summary += "; " + plural(o.problems, "problem", "problems") + " (on stderr)";
  std::fprintf(out_, "%s\n", summary.c_str());
}

void ListPrinter::finish_json(const pipeline::ListOutcome& o, std::optional<wal::PgTimestamp> at) {
  json::Writer w;
  w.begin_object();  // a fragment: the document's object is already open
  w.key("backups");
  w.begin_array();
  for (const pipeline::KnownBackup& b : o.backups) backup_json(w, b, BackupFields::kAll);
  w.end_array();
  w.field("last_restorable_time", time_or_none(o.last_restorable_time));
  w.key("last_restorable_segment");
  if (o.last_restorable_time)
    w.value(o.last_restorable_segment);
  else
    w.null();
  w.key("at");
  if (at) {
    w.begin_object();
    w.field("time", format_pg_timestamp(*at));
    w.key("segment");
    if (o.at) {
      w.value(o.at->segment);
      w.field("timeline", static_cast<uint64_t>(o.at->timeline));
      w.field("first_commit_time", format_pg_timestamp(o.at->first_commit_time));
      w.field("last_commit_time", format_pg_timestamp(o.at->last_commit_time));
    } else {
      w.null();
      w.field("reason", uncovered_reason(o, *at));
    }
    w.end_object();
  } else {
    w.null();
  }
  w.field("objects_walked", o.objects);
  w.field("objects_listed", o.listed);
  w.field("problem_count", o.problems);
  w.key("problems");
  w.begin_array();
  for (const std::string& p : problems_) w.value(p);
  w.end_array();
  w.end_object();
  // "]," closes the objects array; the fragment's own "{" is dropped.
  std::fprintf(out_, "],%s\n", w.str().c_str() + 1);
}

}  // namespace walpipe::cli
