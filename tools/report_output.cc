#include "report_output.h"

#include <cstdio>

#include "archive_output.h"
#include "io/fs.h"
#include "json.h"
#include "wal/lsn.h"

namespace walpipe::cli {

namespace {

std::string describe(const pipeline::VerifiedFile& f) {
  const wal::SegmentReport& r = f.report;
  if (!r.is_wal) {
    if (f.wal_name && f.wal_name->kind == wal::FileKind::kHistory)
      return "timeline history of timeline " + std::to_string(f.wal_name->tli);
    if (f.wal_name && f.wal_name->kind == wal::FileKind::kBackup)
      return "backup history from " + wal::format_lsn(r.first_record_lsn) + " to " +
             wal::format_lsn(r.end_lsn);
    return "not WAL";
  }
  std::string out = "PostgreSQL " + r.version + ", timeline " + std::to_string(r.timeline) + ", " +
                    std::to_string(r.record_count) + " records";
  if (r.record_count > 0)
    out += ", " + wal::format_lsn(r.first_record_lsn) + " to " + wal::format_lsn(r.last_record_lsn);
  if (r.first_commit_time)
    out += ", commits " + wal::format_pg_timestamp(*r.first_commit_time) + " to " +
           wal::format_pg_timestamp(*r.last_commit_time);
  if (r.ends_with_switch) out += ", ends with a WAL switch";
  if (r.open_end && r.end_of_wal) out += ", WAL ends at " + wal::format_lsn(r.end_lsn);
  return out;
}

}  // namespace

namespace {

std::string finding_text(const wal::Finding& f) {
  return "  " + std::string(wal::severity_name(f.severity)) + ": " + f.message + " (" + f.code +
         ", file offset " + std::to_string(f.offset) + ")\n";
}

void write_finding(json::Writer& w, const wal::Finding& f) {
  w.begin_object();
  w.field("severity", wal::severity_name(f.severity));
  w.field("code", f.code);
  w.field("offset", f.offset);
  w.key("lsn");
  if (f.lsn)
    w.value(wal::format_lsn(f.lsn));
  else
    w.null();
  w.field("message", f.message);
  w.end_object();
}

std::string file_text(const pipeline::VerifiedFile& f, bool verbose) {
  if (!f.load_status.is_ok()) return f.path + ": error: " + f.load_status.to_string() + "\n";
  // The one finding says what the file holds instead of WAL.
  if (f.recycled) return f.path + ": recycled: " + f.report.findings.front().message + "\n";
  std::string out = f.path + ": " + (f.report.valid() ? "ok: " : "invalid: ") + describe(f) + "\n";
  for (const wal::Finding& finding : f.report.findings) {
    if (finding.severity == wal::Severity::kInfo && !verbose) continue;
    out += finding_text(finding);
  }
  if (f.report.findings_dropped)
    out += "  (" + std::to_string(f.report.findings_dropped) + " more findings not shown)\n";
  return out;
}

std::string file_json(const pipeline::VerifiedFile& f) {
  const wal::SegmentReport& r = f.report;
  json::Writer w;
  w.begin_object();
  w.field("path", f.path);
  w.field("name", f.name);
  w.key("kind");
  if (f.wal_name)
    w.value(wal::file_kind_name(f.wal_name->kind));
  else
    w.null();
  w.field("compressed", f.compressed);
  w.field("status", !f.load_status.is_ok() ? "unreadable"
                    : f.recycled           ? "recycled"
                    : r.valid()            ? "valid"
                                           : "invalid");
  if (!f.load_status.is_ok()) {
    w.field("error", f.load_status.to_string());
  }
  if (r.is_wal) {
    w.field("version", r.version);
    w.field("system_identifier",
            std::to_string(r.system_id));  // a string: it does not fit a JSON double
    w.field("timeline", r.timeline);
    w.field("segment_size", r.segment_size);
    w.field("page_size", r.page_size);
    w.field("record_count", r.record_count);
    w.field("first_lsn", wal::format_lsn(r.first_record_lsn));
    w.field("last_lsn", wal::format_lsn(r.last_record_lsn));
    w.field("end_lsn", wal::format_lsn(r.end_lsn));
    w.field("first_commit_time", time_or_none(r.first_commit_time));
    w.field("last_commit_time", time_or_none(r.last_commit_time));
    w.field("ends_with_switch", r.ends_with_switch);
    w.field("continues_in_next_segment", r.continued_remaining != 0);
  }
  w.key("problems");
  w.begin_array();
  for (const wal::Finding& finding : r.findings) write_finding(w, finding);
  w.end_array();
  w.end_object();
  return w.str();
}

}  // namespace

VerifyPrinter::VerifyPrinter(PrintOptions options, Progress* progress)
    : options_(options), progress_(progress) {
  if (options_.json) emit("{\"files\":[");
}

void VerifyPrinter::emit(const std::string& text) { progress_->print(stdout, text); }

void VerifyPrinter::file(size_t index, const pipeline::VerifiedFile& f) {
  ++summary_.files;
  bool readable = f.load_status.is_ok();
  bool valid = readable && f.report.valid();
  if (!readable)
    ++summary_.unreadable;
  else if (f.recycled)
    ++summary_.recycled;
  else if (valid)
    ++summary_.valid;
  else
    ++summary_.invalid;
  summary_.records += f.report.record_count;
  if (f.report.is_wal) summary_.wal_bytes += f.report.segment_size;
  if (valid_.size() <= index) valid_.resize(index + 1);
  valid_[index] = valid && !f.recycled;
  if (options_.json) {
    emit((first_json_file_ ? "" : ",") + file_json(f));
    first_json_file_ = false;
  } else if (!(options_.quiet && valid)) {
    emit(file_text(f, options_.verbose));
  }
}

void VerifyPrinter::set_finding(size_t index, const std::string& path, const wal::Finding& f) {
  if (f.severity == wal::Severity::kError && index < valid_.size() && valid_[index]) {
    valid_[index] = false;
    --summary_.valid;
    ++summary_.invalid;
  }
  if (options_.json) {
    json::Writer w;
    w.begin_object();
    w.field("path", path);
    w.key("problem");
    write_finding(w, f);
    w.end_object();
    set_problems_ += (set_problems_.empty() ? "" : ",") + w.str();
  } else if (f.severity != wal::Severity::kInfo || options_.verbose) {
    set_problems_ += path + ":\n" + finding_text(f);
  }
}

void VerifyPrinter::gap(const wal::Gap& gap) {
  ++summary_.gaps;
  summary_.missing_segments += gap.missing;
  if (gap.finding.severity == wal::Severity::kError) ++summary_.gap_errors;
  if (!options_.json) {
    // Under the folder the segments are missing from, as a file's problems are under its path.
    set_problems_ += io::dir_name(gap.after.path) + ":\n  " +
                     wal::severity_name(gap.finding.severity) + ": " + gap.finding.message + " (" +
                     gap.finding.code + ")\n";
    return;
  }
  json::Writer w;
  w.begin_object();
  w.field("severity", wal::severity_name(gap.finding.severity));
  w.field("code", gap.finding.code);
  w.field("timeline", gap.first_missing.tli);
  w.field("first_missing", gap.first_missing.to_string());
  w.field("last_missing", gap.last_missing.to_string());
  w.field("missing_segments", gap.missing);
  w.field("lsn", wal::format_lsn(gap.finding.lsn));
  w.field("preceding_path", gap.before.path);
  w.field("following_path", gap.after.path);
  w.field("message", gap.finding.message);
  w.end_object();
  gaps_json_ += (gaps_json_.empty() ? "" : ",") + w.str();
}

namespace {

std::string counted(uint64_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

}  // namespace

VerifySummary VerifyPrinter::finish() {
  const VerifySummary& s = summary_;
  if (options_.json) {
    json::Writer w;
    w.begin_object();
    w.field("files", static_cast<uint64_t>(s.files));
    w.field("valid", static_cast<uint64_t>(s.valid));
    w.field("invalid", static_cast<uint64_t>(s.invalid));
    w.field("unreadable", static_cast<uint64_t>(s.unreadable));
    w.field("recycled", static_cast<uint64_t>(s.recycled));
    w.field("gaps", static_cast<uint64_t>(s.gaps));
    w.field("missing_segments", s.missing_segments);
    w.field("records", s.records);
    w.end_object();
    emit("],\"set_problems\":[" + set_problems_ + "],\"gaps\":[" + gaps_json_ +
         "],\"summary\":" + w.str() + "}\n");
    return s;
  }
  if (!set_problems_.empty()) emit("across files:\n" + set_problems_);
  char buf[256];
  std::snprintf(buf, sizeof buf, "verified %zu files: %zu valid, %zu invalid, %zu unreadable",
                s.files, s.valid, s.invalid, s.unreadable);
  std::string line = buf;
  if (s.recycled) line += ", " + std::to_string(s.recycled) + " recycled";
  if (s.gaps)
    line += "; " + counted(s.gaps, "gap", "gaps") + " (" +
            counted(s.missing_segments, "missing segment", "missing segments") + ")";
  std::snprintf(buf, sizeof buf, "; %llu records in %llu MiB of WAL\n",
                static_cast<unsigned long long>(s.records),
                static_cast<unsigned long long>(s.wal_bytes >> 20));
  emit(line + buf);
  return s;
}

}  // namespace walpipe::cli
