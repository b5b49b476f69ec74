#include "wal/backup_label.h"

#include <array>
#include <charconv>
#include <string_view>

#include "wal/names.h"
#include "wal/time_text.h"

namespace walpipe::wal {

namespace {

enum Key : size_t {
  kStartLocation,
  kStopLocation,
  kCheckpoint,
  kMethod,
  kFrom,
  kStartTime,
  kLabel,
  kStartTimeline,
  kIncrementalLsn,
  kIncrementalTli,
  kStopTime,
  kStopTimeline,
  kKeyCount,
};

constexpr std::array<std::string_view, kKeyCount> kKeyNames = {
    "START WAL LOCATION",
    "STOP WAL LOCATION",
    "CHECKPOINT LOCATION",
    "BACKUP METHOD",
    "BACKUP FROM",
    "START TIME",
    "LABEL",
    "START TIMELINE",
    "INCREMENTAL FROM LSN",
    "INCREMENTAL FROM TLI",
    "STOP TIME",
    "STOP TIMELINE",
};

constexpr size_t kQuotedMax = 64;

// A value as a message shows it: printable, and cut short.
std::string quoted(std::string_view text) {
  std::string out = "\"";
  for (size_t i = 0; i < text.size() && i < kQuotedMax; ++i) {
    auto u = static_cast<unsigned char>(text[i]);
    out += u < 0x20 || u == 0x7F ? '?' : text[i];
  }
  if (text.size() > kQuotedMax) out += "...";
  return out + "\"";
}

class Parser {
 public:
  Parser(const std::string& what, BackupFileKind kind)
      : prefix_(std::string(kind == BackupFileKind::kLabel ? "invalid backup label file \""
                                                           : "invalid backup history file \"") +
                what + "\": "),
        kind_(kind) {}

  Result<BackupInfo> parse(std::string_view text) {
    if (text.empty()) return fail("the file is empty");
    if (text.back() != '\n') return fail("the last line does not end with a newline");
    size_t start = 0;
    for (line_ = 1; start < text.size(); ++line_) {
      const size_t end = text.find('\n', start);
      WALPIPE_TRY(take_line(text.substr(start, end - start)));
      start = end + 1;
    }
    return finish();
  }

 private:
  Status fail(const std::string& reason) const {
    return Status(Code::kCorruption, prefix_ + reason);
  }
  Status fail_line(const std::string& reason) const {
    return fail("line " + std::to_string(line_) + ": " + reason);
  }
  Status bad_value(Key key, std::string_view value, const std::string& why) const {
    return fail_line(std::string(kKeyNames[key]) + " " + quoted(value) + " " + why);
  }

  Status take_line(std::string_view line) {
    for (char c : line)
      if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7F)
        return fail_line("not text (control characters)");
    const size_t colon = line.find(": ");
    size_t key = kKeyCount;
    if (colon != std::string_view::npos)
      for (size_t k = 0; k < kKeyCount; ++k)
        if (kKeyNames[k] == line.substr(0, colon)) key = k;
    if (key == kKeyCount) return fail_line("unexpected line " + quoted(line));
    if (seen_[key]) return fail_line(std::string(kKeyNames[key]) + " given twice");
    if (kind_ == BackupFileKind::kLabel &&
        (key == kStopLocation || key == kStopTime || key == kStopTimeline))
      return fail_line(std::string(kKeyNames[key]) + " belongs in a backup history file");
    seen_[key] = true;
    return take_value(static_cast<Key>(key), line.substr(colon + 2));
  }

  // "%X/%X (file NAME)": an LSN and the segment holding it on its timeline.
  Status location(Key key, std::string_view value, Lsn* lsn, std::string* segment) {
    const size_t space = value.find(' ');
    std::optional<Lsn> parsed = parse_lsn(value.substr(0, space));
    constexpr std::string_view kOpen = " (file ";
    if (!parsed || space == std::string_view::npos || value.substr(space, kOpen.size()) != kOpen ||
        value.back() != ')')
      return bad_value(key, value, "is not \"LSN (file NAME)\"");
    std::string_view name = value.substr(space + kOpen.size());
    name.remove_suffix(1);
    Result<WalFileName> file = parse_file_name(name);
    if (!file.is_ok() || file->kind != FileKind::kSegment)
      return bad_value(key, value, "does not name a WAL segment");
    if (file->log != static_cast<uint32_t>(*parsed >> 32))
      return bad_value(key, value, "names a segment that cannot hold its LSN");
    *lsn = *parsed;
    *segment = std::string(name);
    return Status::ok();
  }

  Result<TimeLineId> timeline(Key key, std::string_view value) const {
    uint32_t tli = 0;
    auto [end, err] = std::from_chars(value.data(), value.data() + value.size(), tli);
    if (err != std::errc() || end != value.data() + value.size() || tli == 0)
      return bad_value(key, value, "is not a timeline");
    return tli;
  }

  Result<PgTimestamp> time(Key key, std::string_view value) const {
    Result<PgTimestamp> t = parse_time(value);
    if (t.is_ok()) return t;
    Status s = bad_value(key, value, "is not a time: " + t.status().message());
    if (!t.status().hint().empty()) return std::move(s).with_hint(t.status().hint());
    return s;
  }

  Status lsn(Key key, std::string_view value, Lsn* out) const {
    std::optional<Lsn> parsed = parse_lsn(value);
    if (!parsed) return bad_value(key, value, "is not a WAL location");
    *out = *parsed;
    return Status::ok();
  }

  Status take_value(Key key, std::string_view value) {
    switch (key) {
      case kStartLocation:
        return location(key, value, &info_.start_lsn, &info_.start_segment);
      case kStopLocation: {
        Lsn stop = 0;
        WALPIPE_TRY(location(key, value, &stop, &info_.stop_segment));
        info_.stop_lsn = stop;
        return Status::ok();
      }
      case kCheckpoint:
        return lsn(key, value, &info_.checkpoint_lsn);
      case kMethod:
        if (value != "streamed" && value != "pg_start_backup")
          return bad_value(key, value, "is not \"streamed\" or \"pg_start_backup\"");
        info_.method = value;
        return Status::ok();
      case kFrom:
        if (value != "primary" && value != "standby" && value != "master")
          return bad_value(key, value, "is not \"primary\" or \"standby\"");
        info_.from = value;
        return Status::ok();
      case kStartTime:
      case kStopTime: {
        WALPIPE_ASSIGN_OR_RETURN(PgTimestamp t, time(key, value));
        (key == kStartTime ? info_.start_time : info_.stop_time.emplace()) = t;
        return Status::ok();
      }
      case kLabel:
        info_.label = value;
        return Status::ok();
      case kStartTimeline:
      case kStopTimeline:
      case kIncrementalTli: {
        WALPIPE_ASSIGN_OR_RETURN(TimeLineId tli, timeline(key, value));
        if (key == kStartTimeline) info_.start_tli = tli;
        if (key == kStopTimeline) info_.stop_tli = tli;
        if (key == kIncrementalTli) info_.incremental_from_tli = tli;
        return Status::ok();
      }
      case kIncrementalLsn:
        return lsn(key, value, &info_.incremental_from_lsn.emplace());
      case kKeyCount:
        break;
    }
    return fail_line("unexpected line");
  }

  Result<BackupInfo> finish() const {
    for (Key key :
         {kStartLocation, kCheckpoint, kMethod, kFrom, kStartTime, kLabel, kStartTimeline})
      if (!seen_[key]) return fail("no " + std::string(kKeyNames[key]) + " line");
    if (kind_ == BackupFileKind::kHistoryFile)
      for (Key key : {kStopLocation, kStopTime, kStopTimeline})
        if (!seen_[key]) return fail("no " + std::string(kKeyNames[key]) + " line");
    if (seen_[kIncrementalLsn] != seen_[kIncrementalTli])
      return fail("INCREMENTAL FROM LSN and INCREMENTAL FROM TLI come together");
    if (segment_timeline(info_.start_segment) != info_.start_tli)
      return fail("START WAL LOCATION names a segment of another timeline than START TIMELINE");
    if (info_.checkpoint_lsn < info_.start_lsn)
      return fail("CHECKPOINT LOCATION is before START WAL LOCATION");
    if (kind_ == BackupFileKind::kLabel) return info_;
    if (segment_timeline(info_.stop_segment) != *info_.stop_tli)
      return fail("STOP WAL LOCATION names a segment of another timeline than STOP TIMELINE");
    if (*info_.stop_lsn < info_.checkpoint_lsn)
      return fail("STOP WAL LOCATION is before CHECKPOINT LOCATION");
    if (*info_.stop_tli < info_.start_tli) return fail("STOP TIMELINE is before START TIMELINE");
    if (*info_.stop_time < info_.start_time) return fail("STOP TIME is before START TIME");
    return info_;
  }

  static TimeLineId segment_timeline(const std::string& segment) {
    Result<WalFileName> name = parse_file_name(segment);
    return name.is_ok() ? name->tli : 0;
  }

  const std::string prefix_;
  const BackupFileKind kind_;
  size_t line_ = 0;
  std::array<bool, kKeyCount> seen_{};
  BackupInfo info_;
};

}  // namespace

Result<BackupInfo> parse_backup_file(Bytes text, const std::string& what, BackupFileKind kind) {
  return Parser(what, kind)
      .parse(std::string_view(reinterpret_cast<const char*>(text.data()), text.size()));
}

}  // namespace walpipe::wal
