#include "wal/names.h"

#include <cstdio>

namespace walpipe::wal {

const char* file_kind_name(FileKind kind) {
  switch (kind) {
    case FileKind::kSegment:
      return "segment";
    case FileKind::kPartial:
      return "partial segment";
    case FileKind::kHistory:
      return "timeline history file";
    case FileKind::kBackup:
      return "backup history file";
  }
  return "unknown";
}

namespace {

std::optional<uint32_t> upper_hex8(std::string_view s) {
  if (s.size() != 8) return std::nullopt;
  return parse_hex32(s, true);
}

std::string hex8(uint32_t v) {
  char buf[9];
  std::snprintf(buf, sizeof buf, "%08X", v);
  return buf;
}

Status bad_name(std::string_view name, const char* why) {
  std::string shown;
  for (char c : name.substr(0, 80)) shown += (c >= 0x20 && c < 0x7F) ? c : '?';
  return Status(Code::kInvalidArgument, "invalid WAL file name \"" + shown + "\": " + why)
      .with_hint(
          "Expected a segment (24 upper-case hex digits), a .partial segment, "
          "TTTTTTTT.history or a .backup file name, without a directory.");
}

}  // namespace

std::string WalFileName::segment_name() const { return hex8(tli) + hex8(log) + hex8(seg); }

std::string WalFileName::to_string() const {
  switch (kind) {
    case FileKind::kSegment:
      return segment_name();
    case FileKind::kPartial:
      return segment_name() + ".partial";
    case FileKind::kHistory:
      return hex8(tli) + ".history";
    case FileKind::kBackup:
      return segment_name() + "." + hex8(backup_offset) + ".backup";
  }
  return {};
}

Result<WalFileName> parse_file_name(std::string_view name) {
  if (name.empty()) return bad_name(name, "empty name");
  if (name.size() > 64) return bad_name(name, "name is longer than 64 characters");
  for (char c : name) {
    bool ok =
        (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '.';
    if (!ok) return bad_name(name, "name contains a character other than letters, digits and dots");
  }
  WalFileName out;
  auto parse_segment = [&](std::string_view s) -> bool {
    auto t = upper_hex8(s.substr(0, 8)), l = upper_hex8(s.substr(8, 8)),
         g = upper_hex8(s.substr(16, 8));
    if (!t || !l || !g) return false;
    out.tli = *t;
    out.log = *l;
    out.seg = *g;
    return true;
  };
  if (name.size() == 24) {
    if (!parse_segment(name)) return bad_name(name, "not 24 upper-case hexadecimal digits");
    out.kind = FileKind::kSegment;
  } else if (name.size() == 32 && name.substr(24) == ".partial") {
    if (!parse_segment(name.substr(0, 24)))
      return bad_name(name, "not 24 upper-case hexadecimal digits before .partial");
    out.kind = FileKind::kPartial;
  } else if (name.size() == 16 && name.substr(8) == ".history") {
    auto t = upper_hex8(name.substr(0, 8));
    if (!t) return bad_name(name, "not 8 upper-case hexadecimal digits before .history");
    out.kind = FileKind::kHistory;
    out.tli = *t;
  } else if (name.size() == 40 && name[24] == '.' && name.substr(33) == ".backup") {
    auto off = upper_hex8(name.substr(25, 8));
    if (!parse_segment(name.substr(0, 24)) || !off)
      return bad_name(name, "not SEGMENT.OFFSET.backup in upper-case hexadecimal");
    out.kind = FileKind::kBackup;
    out.backup_offset = *off;
  } else {
    return bad_name(name, "not a segment, .partial, .history or .backup name");
  }
  if (out.tli == 0) return bad_name(name, "timeline 0 is not valid");
  return out;
}

bool valid_segment_size(uint64_t seg_size) {
  return seg_size >= (1ull << 20) && seg_size <= (1ull << 30) && (seg_size & (seg_size - 1)) == 0;
}

std::optional<SegNo> segno_of(const WalFileName& name, uint64_t seg_size) {
  if (!valid_segment_size(seg_size) || !name.has_segment()) return std::nullopt;
  uint64_t per_log = segments_per_log(seg_size);
  if (name.seg >= per_log) return std::nullopt;
  return static_cast<SegNo>(name.log) * per_log + name.seg;
}

WalFileName segment_file_name(TimeLineId tli, SegNo segno, uint64_t seg_size) {
  uint64_t per_log = segments_per_log(seg_size);
  WalFileName out;
  out.kind = FileKind::kSegment;
  out.tli = tli;
  out.log = static_cast<uint32_t>(segno / per_log);
  out.seg = static_cast<uint32_t>(segno % per_log);
  return out;
}

}  // namespace walpipe::wal
