// Checks across the files of one set (a directory, an archive): one cluster, no missing
// segment inside a run, records that link from one segment into the next, and timeline
// histories that agree with the segments they describe (wal-format.md §8 step 5, §9).
#pragma once

#include <string>
#include <vector>

#include "wal/history.h"
#include "wal/names.h"
#include "wal/report.h"

namespace walpipe::wal {

// What the checks across files need of one file's report: a few fixed fields, so a long run of
// files costs about 150 bytes each. Findings about the set are collected here.
struct ChainPoint {
  bool is_wal = false;
  bool open_end = false;
  bool ends_with_switch = false;
  bool self_valid = true;  // the file's own checks passed
  uint16_t magic = 0;
  uint32_t segment_size = 0;
  TimeLineId min_page_tli = 0;
  uint32_t leading_continuation = 0;
  uint64_t system_id = 0;
  uint64_t record_count = 0;
  uint64_t continued_remaining = 0;
  Lsn segment_start = 0;
  Lsn end_lsn = 0;
  Lsn last_record_lsn = 0;
  std::optional<Lsn> first_record_prev;
  std::optional<Lsn> continued_record_lsn;
  std::optional<Lsn> overwritten_lsn;
  std::vector<Finding> findings;

  static ChainPoint of(const SegmentReport& report);
  bool valid() const;
  void add(Severity severity, const char* code, uint64_t offset, Lsn lsn, std::string message);
};

struct ChainItem {
  WalFileName name;
  const std::string* directory;  // files of one directory must come from one cluster
  ChainPoint* point;             // findings about the set go to the later file of a pair
};

struct ScopedHistory {
  std::string directory;  // applies to segments in this directory and below it
  TimelineHistory history;
};

struct ChainOptions {
  // A missing segment between two present ones is an error (an archive must be contiguous);
  // otherwise a warning (a sample of segments, such as a test corpus).
  bool require_contiguous = false;
};

// Runs per cluster (system identifier) and timeline: gaps, links between neighbours, duplicate
// names with different content; histories against the segments they describe. Adds findings
// to the items' reports.
void check_chain(std::vector<ChainItem> items, const std::vector<ScopedHistory>& histories,
                 const ChainOptions& options);

}  // namespace walpipe::wal
