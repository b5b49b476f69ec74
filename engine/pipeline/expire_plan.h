// walpipe expire's first half: one pass over the archive's listing that learns what retention
// needs (the base backups from the .backup files, each timeline's newest segment and its gaps,
// the newest commit in the objects' metadata), then where the WAL that goes ends. Age is read on
// the WAL's own clock, back from the newest commit archived, never from file times nor from the
// machine's clock. Memory holds a summary per timeline and the backups, whatever the number of
// objects. expire.h does the removing.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "archive/identity.h"
#include "archive/store.h"
#include "base/status.h"
#include "pipeline/backups.h"
#include "wal/names.h"
#include "wal/report.h"

namespace walpipe::pipeline {

// Retention as a DBA states it; when several are given, the one that keeps more wins. Whatever
// is asked, the newest base backup and the WAL it needs stay.
struct RetentionPolicy {
  std::optional<uint32_t> keep_days;     // a restore to any time of the last N days stays possible
  std::optional<uint32_t> keep_backups;  // the newest N backups and their WAL to the present
  // WAL logically before this segment goes, on every timeline (as pg_archivecleanup reads it).
  std::optional<wal::WalFileName> before;
};

struct ExpireOptions {
  RetentionPolicy policy;
  // A backup the operator names besides those of the archive (a backup taken on a standby
  // archives no .backup file): kept, with its WAL.
  std::optional<KnownBackup> backup;
  bool dry_run = false;
  bool force = false;  // act even on an archive with gaps or objects that cannot be used
  // An object that cannot be used (unreadable metadata, another cluster's, a .backup file that
  // does not parse), as the listing meets it; the message names the object.
  std::function<void(const Status& problem)> problem;
};

struct TimelineFacts {
  uint64_t segments = 0;  // full segments
  std::optional<wal::SegNo> newest_segment;
  std::optional<wal::SegNo> newest_partial;
  std::optional<wal::SegNo> last_seen;  // segment or .partial, for the gaps
  uint64_t gaps = 0;
  uint64_t missing = 0;
  // The first gap: its first and last missing segment, and how many are missing there.
  std::string first_missing;
  std::string last_missing;
  uint64_t first_gap_missing = 0;
};

struct ExpirePlan {
  uint64_t segment_size = 0;
  uint64_t objects = 0;
  uint64_t problems = 0;
  std::map<wal::TimeLineId, TimelineFacts> timelines;
  std::optional<wal::PgTimestamp> newest_commit;
  std::string newest_commit_segment;
  std::optional<wal::PgTimestamp> cutoff;  // keep_days: newest_commit less the days

  // Every backup known, oldest end first, and of them the ones that stay.
  std::vector<KnownBackup> backups;
  std::vector<bool> kept;
  // Segments (of any timeline) before this one go, the newest of each timeline excepted;
  // nullopt when nothing goes.
  std::optional<wal::SegNo> boundary;
  std::string boundary_segment;  // its name, on the timeline of the backup that needs it
  std::string reason;            // why the WAL before it goes, for the log and --json

  // Why nothing may be removed (the archive has gaps or problems, or retention cannot be told);
  // ok when the removal can go ahead.
  Status refusal;
};

// Lists the archive in `store`, whose walpipe.json gave `identity`, and works out what
// options.policy keeps. Errors are those of an archive that cannot be read at all, or that has
// no identity (kNotFound); a plan that must not be carried out says so in its `refusal`.
Result<ExpirePlan> plan_expiry(archive::Store& store,
                               const std::optional<archive::Identity>& identity,
                               const ExpireOptions& options);

// The segment a --before value names: a segment, .partial or .backup file's (a .history file
// names none: kInvalidArgument).
Result<wal::WalFileName> before_segment(const std::string& text);

}  // namespace walpipe::pipeline
