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

struct ChainItem {
  WalFileName name;
  std::string directory;  // files of one directory must come from one cluster
  SegmentReport* report;  // findings about the set are added to the later file of a pair
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
