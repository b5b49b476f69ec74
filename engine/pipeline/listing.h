// walpipe list's engine: every object of an archive in key order with what its metadata
// frame says (never its data), the base backups its .backup files describe, the newest commit
// (the last restorable time) and the segment that covers a given time. Rows are handed over as
// they are read: memory does not grow with the number of objects.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "archive/identity.h"
#include "archive/store.h"
#include "archive/object.h"
#include "base/status.h"
#include "pipeline/backups.h"
#include "wal/names.h"
#include "wal/report.h"

namespace walpipe::pipeline {

// Which objects and backups to show. The running answers (last restorable time, --at) are
// worked out over every object of the timeline asked for, whatever the times given.
//
// A segment is shown when its commit-time range meets [since, until]. An object holding no
// commit (a quiet segment, a .history file) goes with the newest commit before it on its
// timeline: the database it carries is as of that commit; before any commit it is shown only
// without `since`. A .backup file and its backup are shown when the backup's start-to-stop range
// meets [since, until].
struct ListFilter {
  std::optional<wal::PgTimestamp> since;
  std::optional<wal::PgTimestamp> until;
  std::optional<wal::TimeLineId> timeline;  // objects of this timeline; backups starting on it
  std::optional<wal::PgTimestamp> at;
};

struct ListedObject {
  std::string_view name;  // the WAL file name
  wal::FileKind kind = wal::FileKind::kSegment;
  wal::TimeLineId timeline = 0;  // from the name
  uint64_t stored_size = 0;      // the object's bytes on disk
  const archive::ObjectMetadata* meta = nullptr;
};

// The segment whose commits cover a time: its first commit is at or before it, or the commit
// before it on its timeline is; and its last commit is at or after it. Recovery to that time
// stops in this segment.
struct CoveringSegment {
  std::string segment;
  wal::TimeLineId timeline = 0;
  wal::PgTimestamp first_commit_time = 0;
  wal::PgTimestamp last_commit_time = 0;
};

struct ListOutcome {
  uint64_t objects = 0;  // objects walked
  uint64_t listed = 0;   // handed to the sink
  uint64_t problems = 0;
  std::vector<KnownBackup> backups;  // from the .backup objects shown, in name order
  std::optional<wal::PgTimestamp> last_restorable_time;  // the newest commit archived
  std::string last_restorable_segment;
  std::optional<CoveringSegment> at;  // with filter.at; on the highest timeline that covers it
  // The oldest and newest commit of the segments searched for filter.at (those of
  // filter.timeline when given): why none covers it when none does.
  std::optional<wal::PgTimestamp> at_oldest_commit;
  std::optional<wal::PgTimestamp> at_newest_commit;
};

class ListSink {
 public:
  virtual ~ListSink() = default;
  virtual void object(const ListedObject& object) = 0;
  // An object that is not listed (unreadable metadata, another cluster's WAL, another name in its
  // metadata) or a .backup file that does not parse; the message names the file.
  virtual void problem(const Status& problem) = 0;
};

// Lists the archive in `store` for `filter`. `identity` is walpipe.json's (nullopt when there
// is none: then no object can be checked, and the first one met is a problem). Errors are those
// of the folder walk (an archive that cannot be read); every problem with one object goes to
// `sink` and the walk goes on.
Result<ListOutcome> list_archive(archive::Store& store,
                                 const std::optional<archive::Identity>& identity,
                                 const ListFilter& filter, ListSink& sink);

}  // namespace walpipe::pipeline
