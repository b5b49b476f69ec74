// Timeline history files (docs/wal-format.md §9) and backup history files (§10): small text files
// archived beside the segments, parsed with PostgreSQL's own tolerance rules.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "wal/lsn.h"
#include "wal/report.h"

namespace walpipe::wal {

struct HistoryEntry {
  TimeLineId parent = 0;
  Lsn switch_point = 0;  // the parent timeline ran up to, not including, this LSN
  std::string reason;
};

struct TimelineHistory {
  TimeLineId timeline = 0;  // the file's own timeline, from its name
  std::vector<HistoryEntry> entries;

  Lsn branch_point() const { return entries.empty() ? 0 : entries.back().switch_point; }
};

// Parses `text` as the history of `timeline`, adding findings to `report`.
TimelineHistory parse_history(Bytes text, TimeLineId timeline, std::string_view file_name,
                              SegmentReport* report);

struct BackupLabel {
  Lsn start_lsn = 0;
  Lsn stop_lsn = 0;
  Lsn checkpoint_lsn = 0;
  TimeLineId start_tli = 0;
  TimeLineId stop_tli = 0;
  std::string label;
};

// Parses a backup history file named `file_name` (SEGMENT.OFFSET.backup) and checks it against
// its name; needs the segment size only when `seg_size` is not 0.
BackupLabel parse_backup_history(Bytes text, std::string_view file_name, uint64_t seg_size,
                                 SegmentReport* report);

}  // namespace walpipe::wal
