#include "report_output.h"

#include <cstdio>

#include "json.h"
#include "wal/lsn.h"

namespace walpipe::cli {

namespace {

bool is_segment(const pipeline::VerifiedFile& f) { return f.report.is_wal; }

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

VerifySummary summarize(const std::vector<pipeline::VerifiedFile>& files) {
  VerifySummary s;
  for (const auto& f : files) {
    ++s.files;
    if (!f.load_status.is_ok()) {
      ++s.unreadable;
      continue;
    }
    if (f.report.valid())
      ++s.valid;
    else
      ++s.invalid;
    s.records += f.report.record_count;
    if (is_segment(f)) s.wal_bytes += f.report.segment_size;
  }
  return s;
}

std::string format_file_text(const pipeline::VerifiedFile& f, bool verbose) {
  if (!f.load_status.is_ok()) return f.path + ": error: " + f.load_status.to_string() + "\n";
  std::string out = f.path + ": " + (f.report.valid() ? "ok: " : "invalid: ") + describe(f) + "\n";
  for (const wal::Finding& finding : f.report.findings) {
    if (finding.severity == wal::Severity::kInfo && !verbose) continue;
    out += "  " + std::string(wal::severity_name(finding.severity)) + ": " + finding.message +
           " (" + finding.code + ", file offset " + std::to_string(finding.offset) + ")\n";
  }
  if (f.report.findings_dropped)
    out += "  (" + std::to_string(f.report.findings_dropped) + " more findings not shown)\n";
  return out;
}

std::string format_summary_text(const VerifySummary& s) {
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "verified %zu files: %zu valid, %zu invalid, %zu unreadable; %llu records in "
                "%llu MiB of WAL\n",
                s.files, s.valid, s.invalid, s.unreadable,
                static_cast<unsigned long long>(s.records),
                static_cast<unsigned long long>(s.wal_bytes >> 20));
  return buf;
}

std::string format_json(const std::vector<pipeline::VerifiedFile>& files,
                        const VerifySummary& summary) {
  json::Writer w;
  w.begin_object();
  w.key("files");
  w.begin_array();
  for (const auto& f : files) {
    const wal::SegmentReport& r = f.report;
    w.begin_object();
    w.key("path");
    w.value(f.path);
    w.key("name");
    w.value(f.name);
    w.key("kind");
    if (f.wal_name)
      w.value(wal::file_kind_name(f.wal_name->kind));
    else
      w.null();
    w.key("compressed");
    w.value(f.compressed);
    w.key("status");
    w.value(!f.load_status.is_ok() ? "unreadable" : r.valid() ? "valid" : "invalid");
    if (!f.load_status.is_ok()) {
      w.key("error");
      w.value(f.load_status.to_string());
    }
    if (r.is_wal) {
      w.key("version");
      w.value(r.version);
      w.key("system_identifier");
      w.value(std::to_string(r.system_id));  // a string: it does not fit a JSON double
      w.key("timeline");
      w.value(r.timeline);
      w.key("segment_size");
      w.value(r.segment_size);
      w.key("page_size");
      w.value(r.page_size);
      w.key("record_count");
      w.value(r.record_count);
      w.key("first_lsn");
      w.value(wal::format_lsn(r.first_record_lsn));
      w.key("last_lsn");
      w.value(wal::format_lsn(r.last_record_lsn));
      w.key("end_lsn");
      w.value(wal::format_lsn(r.end_lsn));
      w.key("first_commit_time");
      if (r.first_commit_time)
        w.value(wal::format_pg_timestamp(*r.first_commit_time));
      else
        w.null();
      w.key("last_commit_time");
      if (r.last_commit_time)
        w.value(wal::format_pg_timestamp(*r.last_commit_time));
      else
        w.null();
      w.key("ends_with_switch");
      w.value(r.ends_with_switch);
      w.key("continues_in_next_segment");
      w.value(r.continued_remaining != 0);
    }
    w.key("problems");
    w.begin_array();
    for (const wal::Finding& finding : r.findings) {
      w.begin_object();
      w.key("severity");
      w.value(wal::severity_name(finding.severity));
      w.key("code");
      w.value(finding.code);
      w.key("offset");
      w.value(finding.offset);
      w.key("lsn");
      if (finding.lsn)
        w.value(wal::format_lsn(finding.lsn));
      else
        w.null();
      w.key("message");
      w.value(finding.message);
      w.end_object();
    }
    w.end_array();
    w.end_object();
  }
  w.end_array();
  w.key("summary");
  w.begin_object();
  w.key("files");
  w.value(static_cast<uint64_t>(summary.files));
  w.key("valid");
  w.value(static_cast<uint64_t>(summary.valid));
  w.key("invalid");
  w.value(static_cast<uint64_t>(summary.invalid));
  w.key("unreadable");
  w.value(static_cast<uint64_t>(summary.unreadable));
  w.key("records");
  w.value(summary.records);
  w.end_object();
  w.end_object();
  return w.str() + "\n";
}

}  // namespace walpipe::cli
