// What an archive holds, from the objects' names and sizes and the metadata of a few of them,
// never by decompressing: segments per timeline with the gaps between them, bytes stored against
// WAL bytes, and the newest commit archived. For `walpipe status` and `metrics`, which must
// answer in well under a second on 10,000 objects with memory that does not grow with them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "archive/store.h"
#include "base/status.h"

namespace walpipe::archive {

struct SegmentGap {
  std::string after;          // the last segment before the gap
  std::string before;         // the first segment after it
  uint64_t missing = 0;       // how many segments are missing
};

struct TimelineSummary {
  uint32_t timeline = 0;
  uint64_t segments = 0;
  std::string oldest;
  std::string newest;
  std::vector<SegmentGap> gaps;  // at most kMaxGapsListed; missing_segments counts them all
  uint64_t gap_count = 0;
  uint64_t missing_segments = 0;
};

struct ArchiveSummary {
  std::vector<TimelineSummary> timelines;  // in timeline order
  uint64_t segments = 0;
  uint64_t partial_files = 0;
  uint64_t history_files = 0;
  uint64_t backup_files = 0;
  uint64_t stored_bytes = 0;  // every object's size on disk
  uint64_t wal_bytes = 0;     // segments and .partial files at the archive's segment size
  // The newest commit or abort time in the newest segments' metadata, and the segment holding it.
  std::optional<int64_t> newest_commit_time;  // Unix seconds
  std::string newest_commit_segment;
  uint64_t unreadable_metadata = 0;  // objects looked at whose metadata could not be read
};

inline constexpr size_t kMaxGapsListed = 16;
// How many of the newest segments of a timeline are searched for a commit: a quiet cluster
// with archive_timeout switches segments that hold none.
inline constexpr size_t kCommitSearchDepth = 32;

// Summarises the archive in `store`, whose segments are `segment_size` bytes (walpipe.json).
// Lists it 4096 objects at a time and reads the metadata of at most kCommitSearchDepth objects
// per timeline.
Result<ArchiveSummary> summarize_archive(Store& store, uint64_t segment_size);

}  // namespace walpipe::archive
