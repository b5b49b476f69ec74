// Checks across the files of one set (a directory, an archive): one cluster, no missing
// segment inside a run, records that link from one segment into the next, and timeline
// histories that agree with the segments they describe (docs/wal-format.md §8 step 5, §9).
//
// Files arrive one at a time, in any order. What is kept of them is bounded by how far the
// arrival order is from name order: in name order (a folder walk) a run of any length holds
// its first and last segment, a folder holds one vote counter per cluster, and only segments
// whose WAL ends early wait for histories that may come later.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "wal/history.h"
#include "wal/names.h"
#include "wal/report.h"

namespace walpipe::wal {

// What the checks across files need of one file's report: a few fixed fields.
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

  static ChainPoint of(const SegmentReport& report);
};

struct ChainOptions {
  // A missing segment between two present ones is an error wherever it is; otherwise it is one
  // only inside an archive, which must be contiguous, and a warning elsewhere (a sample of
  // segments, such as a test corpus).
  bool require_contiguous = false;
  // The same name may arrive from several places (several folders given): every copy is then
  // compared with the first, which costs a few bytes per segment. Inside one folder walk a
  // name is unique, and copies (a segment and its .zst) arrive side by side.
  bool names_may_repeat = false;
  // A missing segment is a warning, inside an archive too (segments expired on purpose).
  bool allow_gaps = false;
};

// A file a finding is reported on: its place in the input and its path.
struct ChainFile {
  size_t index = 0;
  std::string path;
  std::string folder;       // files of one folder must come from one cluster
  bool in_archive = false;  // a walpipe archive: a segment missing before it is an error
};

// Segments missing inside a timeline's run: a finding about the set, on no file, reported once
// for the whole range.
struct Gap {
  Finding finding;   // CHAIN_GAP: severity, the first missing segment's LSN, the message
  ChainFile before;  // the present files on either side
  ChainFile after;
  WalFileName first_missing;
  WalFileName last_missing;
  uint64_t missing = 0;  // segments
};

class ChainTracker {
 public:
  // Findings about the set go to `report`, on the later file of a pair; gaps go to `gaps`.
  using Report = std::function<void(const ChainFile& file, const Finding& finding)>;
  using GapReport = std::function<void(const Gap& gap)>;
  ChainTracker(ChainOptions options, Report report, GapReport gaps);
  ~ChainTracker();
  ChainTracker(const ChainTracker&) = delete;
  ChainTracker& operator=(const ChainTracker&) = delete;

  // A segment or .partial file and what its own checks found.
  void add_segment(ChainFile file, const WalFileName& name, const ChainPoint& point);
  // A valid .history file; it applies to segments in its folder and below.
  void add_history(ChainFile file, TimelineHistory history);
  // Reports what can only be known once every file is in: the odd clusters out, then gaps.
  void finish();

 private:
  class State;
  std::unique_ptr<State> state_;
};

}  // namespace walpipe::wal
