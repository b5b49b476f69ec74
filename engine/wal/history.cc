#include "wal/history.h"

#include <cctype>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <map>

#include "wal/names.h"

namespace walpipe::wal {

namespace {

std::vector<std::string_view> split_lines(Bytes text) {
  std::string_view all(reinterpret_cast<const char*>(text.data()), text.size());
  std::vector<std::string_view> lines;
  while (!all.empty()) {
    size_t nl = all.find('\n');
    lines.push_back(all.substr(0, nl));
    if (nl == std::string_view::npos) break;
    all.remove_prefix(nl + 1);
  }
  return lines;
}

std::string_view trim_left(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  return s;
}

bool is_text(Bytes text) {
  for (std::byte b : text) {
    auto c = static_cast<unsigned char>(b);
    if (c == 0 || (c < 0x20 && c != '\n' && c != '\t' && c != '\r')) return false;
  }
  return true;
}

}  // namespace

TimelineHistory parse_history(Bytes text, TimeLineId timeline, std::string_view file_name,
                              SegmentReport* report) {
  TimelineHistory history;
  history.timeline = timeline;
  report->timeline = timeline;
  std::string name(file_name);
  if (!is_text(text)) {
    report->add(Severity::kError, "HISTORY_SYNTAX", 0, 0,
                "history file \"" + name + "\" is not a text file");
    return history;
  }
  if (timeline < 2)
    report->add(Severity::kError, "HISTORY_PARENT", 0, 0,
                "history file \"" + name + "\" is for timeline 1, which never has one");
  uint64_t offset = 0;
  for (std::string_view raw : split_lines(text)) {
    uint64_t line_offset = offset;
    offset += raw.size() + 1;
    std::string_view line = trim_left(raw);
    if (line.empty() || line.front() == '#') continue;
    HistoryEntry entry;
    auto [p, ec] = std::from_chars(line.data(), line.data() + line.size(), entry.parent);
    if (ec != std::errc()) {
      report->add(Severity::kError, "HISTORY_SYNTAX", line_offset, 0,
                  "syntax error in history file \"" + name + "\": Expected a numeric timeline ID.");
      return history;
    }
    std::string_view rest = trim_left(line.substr(static_cast<size_t>(p - line.data())));
    size_t end = 0;
    while (end < rest.size() && !std::isspace(static_cast<unsigned char>(rest[end]))) ++end;
    std::optional<Lsn> point = parse_lsn(rest.substr(0, end));
    if (!point) {
      report->add(Severity::kError, "HISTORY_SYNTAX", line_offset, 0,
                  "syntax error in history file \"" + name +
                      "\": Expected a write-ahead log switchpoint location.");
      return history;
    }
    entry.switch_point = *point;
    entry.reason = std::string(trim_left(rest.substr(end)));
    if (!history.entries.empty() && entry.parent <= history.entries.back().parent) {
      report->add(Severity::kError, "HISTORY_ORDER", line_offset, 0,
                  "invalid data in history file \"" + name +
                      "\": Timeline IDs must be in increasing sequence.");
      return history;
    }
    if (entry.parent >= timeline) {
      report->add(Severity::kError, "HISTORY_PARENT", line_offset, 0,
                  "invalid data in history file \"" + name +
                      "\": Timeline IDs must be less than child timeline's ID.");
      return history;
    }
    if (!history.entries.empty() && entry.switch_point < history.entries.back().switch_point)
      report->add(Severity::kWarning, "HISTORY_SWITCHPOINT_ORDER", line_offset, entry.switch_point,
                  "switch points in history file \"" + name + "\" decrease");
    history.entries.push_back(std::move(entry));
  }
  if (history.entries.empty() && report->valid())
    report->add(Severity::kError, "HISTORY_SYNTAX", 0, 0,
                "history file \"" + name + "\" lists no parent timeline");
  return history;
}

namespace {

// "0/7000028 (file 000000010000000000000007)" → LSN and file name.
bool parse_location(std::string_view value, Lsn* lsn, std::string* file) {
  size_t space = value.find(' ');
  std::optional<Lsn> parsed = parse_lsn(value.substr(0, space));
  if (!parsed) return false;
  *lsn = *parsed;
  size_t open = value.find("(file ");
  size_t close = value.find(')');
  if (open != std::string_view::npos && close != std::string_view::npos && close > open + 6)
    *file = std::string(value.substr(open + 6, close - open - 6));
  return true;
}

}  // namespace

BackupLabel parse_backup_history(Bytes text, std::string_view file_name, uint64_t seg_size,
                                 SegmentReport* report) {
  BackupLabel label;
  std::string name(file_name);
  if (!is_text(text)) {
    report->add(Severity::kError, "BACKUP_MISSING_KEY", 0, 0,
                "backup history file \"" + name + "\" is not a text file");
    return label;
  }
  std::map<std::string, std::string, std::less<>> keys;
  for (std::string_view line : split_lines(text)) {
    size_t colon = line.find(": ");
    if (colon == std::string_view::npos) continue;
    keys.emplace(std::string(line.substr(0, colon)), std::string(line.substr(colon + 2)));
  }
  for (const char* required : {"START WAL LOCATION", "STOP WAL LOCATION", "CHECKPOINT LOCATION",
                               "START TIME", "LABEL", "STOP TIME"}) {
    if (!keys.count(required)) {
      report->add(Severity::kError, "BACKUP_MISSING_KEY", 0, 0,
                  "backup history file \"" + name + "\" has no \"" + required + "\" line");
      return label;
    }
  }
  std::string start_file, stop_file, ignored;
  if (!parse_location(keys["START WAL LOCATION"], &label.start_lsn, &start_file) ||
      !parse_location(keys["STOP WAL LOCATION"], &label.stop_lsn, &stop_file) ||
      !parse_location(keys["CHECKPOINT LOCATION"], &label.checkpoint_lsn, &ignored)) {
    report->add(Severity::kError, "BACKUP_INCONSISTENT", 0, 0,
                "backup history file \"" + name + "\" has a location that is not an LSN");
    return label;
  }
  label.label = keys["LABEL"];
  label.start_tli =
      static_cast<TimeLineId>(std::strtoul(keys["START TIMELINE"].c_str(), nullptr, 10));
  label.stop_tli =
      static_cast<TimeLineId>(std::strtoul(keys["STOP TIMELINE"].c_str(), nullptr, 10));
  if (label.stop_lsn < label.checkpoint_lsn || label.checkpoint_lsn < label.start_lsn)
    report->add(
        Severity::kError, "BACKUP_INCONSISTENT", 0, 0,
        "backup history file \"" + name + "\": expected START <= CHECKPOINT <= STOP WAL LOCATION");
  if (label.start_tli && label.stop_tli && label.stop_tli < label.start_tli)
    report->add(Severity::kError, "BACKUP_INCONSISTENT", 0, 0,
                "backup history file \"" + name + "\": STOP TIMELINE is before START TIMELINE");
  Result<WalFileName> parsed = parse_file_name(file_name);
  if (parsed.is_ok() && parsed->kind == FileKind::kBackup) {
    if (!start_file.empty() && start_file != parsed->segment_name())
      report->add(Severity::kError, "BACKUP_INCONSISTENT", 0, 0,
                  "backup history file \"" + name + "\" names start segment " + start_file);
    if (seg_size != 0 && valid_segment_size(seg_size) &&
        parsed->backup_offset != label.start_lsn % seg_size)
      report->add(Severity::kError, "BACKUP_INCONSISTENT", 0, 0,
                  "backup history file \"" + name + "\": offset in the name does not match " +
                      "START WAL LOCATION " + format_lsn(label.start_lsn));
  }
  report->first_record_lsn = label.start_lsn;
  report->end_lsn = label.stop_lsn;
  report->timeline = label.start_tli;
  return label;
}

}  // namespace walpipe::wal
