// The way recovery goes from a base backup through the archive, worked out from what the
// archive's metadata and history files say, before anything is decompressed: the timelines
// recovery follows, then segment after segment the one it would ask restore_command for, until
// the target, the end of the archive, or the first segment that is not there. Pure: a view of
// the archive in, the way out.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "pipeline/restore_plan.h"
#include "wal/history.h"

namespace walpipe::pipeline {

// What a segment's metadata says that the way needs.
struct SegmentFacts {
  uint64_t original_size = 0;
  wal::Lsn last_lsn = 0;  // the last record's start
  wal::Lsn end_lsn = 0;
  std::optional<wal::PgTimestamp> first_commit_time;
  std::optional<wal::PgTimestamp> last_commit_time;
};

struct ArchiveView {
  uint64_t segment_size = 0;
  std::map<std::pair<wal::TimeLineId, wal::SegNo>, SegmentFacts> segments;
  std::map<wal::TimeLineId, wal::TimelineHistory> histories;  // the valid ones
};

// A timeline recovery follows, from `begin` (the parent's switch point; 0 for the first).
struct TimelineSpan {
  wal::TimeLineId tli = 0;
  wal::Lsn begin = 0;
};

// The timelines from the backup's to the newest one of `view` that descends from it, branching
// off at or after `end` (a timeline that leaves the backup's before the backup ends cannot be
// recovered into from it: PostgreSQL refuses it as "not a child of this server's history").
std::vector<TimelineSpan> timeline_path(const ArchiveView& view, wal::TimeLineId backup_tli,
                                        wal::Lsn end);

// The timelines from the backup's to `target` (--target-timeline), by the same rule; empty when
// `target` does not descend from the backup's timeline after `end`, *why saying how (the
// archive has no history for it, its history does not go through the backup's timeline, or it
// leaves it before `end`).
std::vector<TimelineSpan> timeline_path_to(const ArchiveView& view, wal::TimeLineId backup_tli,
                                           wal::Lsn end, wal::TimeLineId target, std::string* why);

struct PathSegment {
  wal::WalFileName name;
  const SegmentFacts* facts = nullptr;  // into the view
};

struct RestoreWay {
  std::vector<PathSegment> segments;  // present, in the order recovery reads them
  Shortfall shortfall = Shortfall::kNone;
  // kMissing: the first absent segment on the way, and the last one before WAL resumes.
  std::optional<wal::WalFileName> first_absent;
  std::optional<wal::WalFileName> last_absent;
  uint64_t absent = 0;
  bool reached = false;  // the last segment holds the target (kTime, kLsn)
};

// Segment by segment from the backup's first one: on each, the newest timeline of `spans` that
// has begun by its start (as PostgreSQL's XLogFileReadAnyTLI picks it). Stops at the segment
// that holds the target (a commit at or after a time, a record at or after an LSN), at the end
// of the archive's WAL on the way, or at the first segment absent before it.
RestoreWay walk_path(const ArchiveView& view, const std::vector<TimelineSpan>& spans,
                     const KnownBackup& backup, const RestoreTarget& target);

}  // namespace walpipe::pipeline
