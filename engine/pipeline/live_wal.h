// Where WAL ends in a live pg_wal. PostgreSQL renames old segments to future names to reuse them
// (docs/wal-format.md §7.3), so a pg_wal holds, past the segment being written, files whose first
// page belongs to an older segment, or only zeros. The end of WAL of a folder and timeline is its
// newest segment whose first page carries its own address; what comes before it is WAL that must
// be whole, what comes after it may be recycled.
#pragma once

#include <map>
#include <set>
#include <string>
#include <utility>

#include "wal/names.h"

namespace walpipe::pipeline {

enum class WalPlace {
  kBeforeEnd,  // complete WAL: checked in full
  kEnd,        // the segment being written: WAL may end anywhere in it
  kPastEnd,    // recycled or preallocated, unless written since the folder was read
};

// Not thread-safe: callers serialise calls.
class WalEnds {
 public:
  // Where the segment `name` in `folder` (a live pg_wal) stands. The first call for a folder
  // reads the first page header of every segment in it, a window of names at a time; a file
  // that cannot be read there counts as not carrying its own address (verification reports
  // it). A timeline with no segment that carries its own address has only files past its end.
  // Memory: one name per folder and timeline.
  WalPlace place(const std::string& folder, const wal::WalFileName& name);

 private:
  void scan(const std::string& folder);

  std::set<std::string> scanned_;
  std::map<std::pair<std::string, wal::TimeLineId>, std::string> ends_;  // → end segment name
};

}  // namespace walpipe::pipeline
