// The names of the files PostgreSQL hands to archive_command (docs/wal-format.md §2), and the
// segment-number arithmetic behind them for every legal segment size (1 MiB … 1 GiB).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "wal/lsn.h"

namespace walpipe::wal {

enum class FileKind { kSegment, kPartial, kHistory, kBackup };

const char* file_kind_name(FileKind kind);

struct WalFileName {
  FileKind kind = FileKind::kSegment;
  TimeLineId tli = 0;
  uint32_t log = 0;            // high 32 bits of the segment's start LSN (segments only)
  uint32_t seg = 0;            // index of the segment within `log` (segments only)
  uint32_t backup_offset = 0;  // .backup only: offset of the backup's start LSN in its segment

  // The 24-hex segment part (segments, .partial, .backup) or 8-hex TLI (.history), plus suffix.
  std::string to_string() const;
  // The 24-hex name of the segment this file belongs to (not meaningful for .history).
  std::string segment_name() const;
  bool has_segment() const { return kind != FileKind::kHistory; }
  bool operator==(const WalFileName&) const = default;
};

// Parses a bare file name (no directory). Refuses anything that is not exactly one of the four
// kinds: lower-case hex, a zero timeline, path separators, wrong lengths.
Result<WalFileName> parse_file_name(std::string_view name);

// True when the segment size is a power of two between 1 MiB and 1 GiB.
bool valid_segment_size(uint64_t seg_size);

inline uint64_t segments_per_log(uint64_t seg_size) { return 0x100000000ull / seg_size; }

// Segment number of the segment named by (log, seg) at this segment size; nullopt when `seg` is
// out of range for the size (PostgreSQL never writes such a name).
std::optional<SegNo> segno_of(const WalFileName& name, uint64_t seg_size);

WalFileName segment_file_name(TimeLineId tli, SegNo segno, uint64_t seg_size);

inline Lsn segment_start_lsn(SegNo segno, uint64_t seg_size) { return segno * seg_size; }
// The segment that contains byte `lsn` (XLByteToSeg).
inline SegNo segno_containing(Lsn lsn, uint64_t seg_size) { return lsn / seg_size; }

}  // namespace walpipe::wal
