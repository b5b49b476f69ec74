#include "archive_output.h"

namespace walpipe::cli {

using wal::format_lsn;
using wal::format_pg_timestamp;
using wal::format_time_seconds;

std::string backup_name(const pipeline::KnownBackup& b) {
  return b.from_archive ? "backup " + b.source : "backup \"" + b.source + "\"";
}

std::string backup_line(const pipeline::KnownBackup& b) {
  const wal::BackupInfo& i = b.info;
  std::string out = backup_name(b) + ": label \"" + i.label + "\", from " + i.from + ", start " +
                    format_lsn(i.start_lsn) + " at " + format_time_seconds(i.start_time);
  if (i.stop_lsn && i.stop_time)
    out += ", stop " + format_lsn(*i.stop_lsn) + " at " + format_time_seconds(*i.stop_time);
  else
    out += ", stop unknown (backup_label)";
  out += ", timeline " + std::to_string(i.start_tli);
  if (i.stop_tli && *i.stop_tli != i.start_tli) out += " to " + std::to_string(*i.stop_tli);
  if (i.incremental_from_lsn) out += ", incremental from " + format_lsn(*i.incremental_from_lsn);
  return out + ", needs WAL from " + i.start_segment;
}

void backup_json(json::Writer& w, const pipeline::KnownBackup& b, BackupFields fields) {
  const wal::BackupInfo& i = b.info;
  const bool all = fields == BackupFields::kAll;
  w.begin_object();
  w.field("source", b.source);
  w.field("from_archive", b.from_archive);
  w.field("label", i.label);
  if (all) {
    w.field("backup_from", i.from);
    w.field("method", i.method);
  }
  w.field("start_lsn", format_lsn(i.start_lsn));
  w.field("start_time", format_pg_timestamp(i.start_time));
  if (all) {
    w.field("start_timeline", static_cast<uint64_t>(i.start_tli));
    w.field("first_segment", i.start_segment);
    w.field("checkpoint_lsn", format_lsn(i.checkpoint_lsn));
  }
  w.key("stop_lsn");
  if (i.stop_lsn)
    w.value(format_lsn(*i.stop_lsn));
  else
    w.null();
  w.field("stop_time", time_or_none(i.stop_time));
  if (!all) {
    w.field("first_segment", i.start_segment);
    w.end_object();
    return;
  }
  w.key("stop_timeline");
  if (i.stop_tli)
    w.value(static_cast<uint64_t>(*i.stop_tli));
  else
    w.null();
  if (i.incremental_from_lsn && i.incremental_from_tli) {
    w.field("incremental_from_lsn", format_lsn(*i.incremental_from_lsn));
    w.field("incremental_from_timeline", static_cast<uint64_t>(*i.incremental_from_tli));
  }
  w.end_object();
}

std::optional<std::string> time_or_none(const std::optional<wal::PgTimestamp>& t) {
  if (!t) return std::nullopt;
  return format_pg_timestamp(*t);
}

std::optional<std::string> text_or_none(const std::optional<std::string>& text) {
  if (!text || text->empty()) return std::nullopt;
  return text;
}

std::string plural(uint64_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

}  // namespace walpipe::cli
