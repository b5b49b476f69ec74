// walpipe restore-plan's engine: which base backup to restore for a recovery target, and whether
// the archive can take recovery from it to the target. The answer comes from the objects'
// metadata (which segments exist, their LSN and commit-time ranges), the archive's .backup and
// .history files, and a verification of every segment on the way (decompressed and checked as
// walpipe verify checks them, with the chain across segments and the timeline histories). No
// output: the plan says what it found, the caller words it.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "archive/identity.h"
#include "archive/store.h"
#include "base/status.h"
#include "io/io.h"
#include "pipeline/backups.h"
#include "wal/lsn.h"
#include "wal/names.h"
#include "wal/report.h"

namespace walpipe::pipeline {

struct RestoreTarget {
  enum class Kind { kTime, kLsn, kLatest };
  Kind kind = Kind::kLatest;
  wal::PgTimestamp time = 0;  // kTime
  wal::Lsn lsn = 0;           // kLsn
};

struct PlanOptions {
  RestoreTarget target;
  // The timeline to recover to (--target-timeline); by default the newest that descends from the
  // backup's.
  std::optional<wal::TimeLineId> target_timeline;
  // The backup to restore (--backup DIR): then no other is chosen. A backup taken on a standby
  // archives no .backup file, so this is the only way to plan from one.
  std::optional<KnownBackup> backup;
  unsigned jobs = 0;  // verification workers; 0: one per core
  // Called from verification workers with the segments done and the total.
  std::function<void(size_t done, size_t total)> progress;
  // An object of the archive that cannot be used (another cluster's, unreadable metadata, a
  // .backup file that does not parse), as the listing meets it; the message names the file.
  std::function<void(const Status& problem)> problem;
};

// Why the plan does not reach its target; kNone when it does.
enum class Shortfall {
  kNone,
  kNoBackup,          // no base backup ends before the target (or none is known)
  kTargetInBackup,    // the backup given with --backup does not end before the target
  kMissing,           // segments on the way are not in the archive, with WAL after them
  kUnusable,          // a segment's object is there but could not be listed (a problem above)
  kInvalid,           // a segment or history file on the way failed verification
  kEndsBeforeBackup,  // the archive's WAL ends before the backup's end: never consistent
  kEndsBeforeTarget,  // the archive's WAL ends before a commit at or after the target
  kTimeline,          // the target timeline does not descend from the backup's after its end
};

// The end of what recovery can replay from the backup: the last segment of the unbroken,
// verified run of WAL, its end, and the newest commit in that run.
struct ReachablePoint {
  std::string segment;
  wal::Lsn end_lsn = 0;
  std::optional<wal::PgTimestamp> last_commit_time;
  std::string last_commit_segment;
};

struct RestorePlan {
  RestoreTarget target;
  std::optional<KnownBackup> backup;         // the one chosen (or given)
  std::optional<KnownBackup> oldest_backup;  // kNoBackup: the one that ends first
  // The newer backups before the target that cannot reach it, newest first, each with the plan
  // that says why; only when an older one can (otherwise the plan is the newest one's).
  std::vector<RestorePlan> passed_over;

  wal::TimeLineId backup_timeline = 0;
  // Recovery follows these, the first the backup's, the last the one to give as
  // recovery_target_timeline: the newest timeline of the archive that descends from the
  // backup's after the backup's end.
  std::vector<wal::TimeLineId> timelines;
  wal::TimeLineId target_timeline = 0;

  // The WAL recovery reads, from the backup's first segment on: as far as the target, or as far
  // as the shortfall.
  std::string first_segment;
  std::string last_segment;
  uint64_t segments = 0;
  uint64_t wal_bytes = 0;  // their original size
  uint64_t verified = 0;   // of them, verified (all of them unless verification failed)

  // kTime: the segment holding the first commit at or after the target, and its commits.
  std::string reached_in;
  std::optional<wal::PgTimestamp> reached_first_commit;
  std::optional<wal::PgTimestamp> reached_last_commit;

  Shortfall shortfall = Shortfall::kNone;
  // kMissing: the segments missing (first and last, and how many); kUnusable, kInvalid: the file
  // and why; kTimeline: why (bad_file empty).
  std::string missing_first;
  std::string missing_last;
  uint64_t missing = 0;
  std::string bad_file;
  std::string bad_reason;
  // With a shortfall, where recovery from the backup would end (none when it cannot even
  // reach the backup's end); with --latest, where it ends.
  std::optional<ReachablePoint> latest;
  // Objects of the archive that could not be read (no identity given opens them, an I/O error),
  // as opposed to found damaged: a plan that falls short while some could not be read may lack
  // nothing but them.
  uint64_t unreadable = 0;

  bool reachable() const { return shortfall == Shortfall::kNone; }
  // Whether the archive can reach the target cannot be told: it may lack only what was unread.
  bool cannot_tell() const { return !reachable() && unreadable > 0; }
};

// Where WAL must reach for the backup to be consistent: its STOP WAL LOCATION; for a
// backup_label, which has none, at least its checkpoint.
wal::Lsn backup_end(const KnownBackup& backup);

// Plans recovery to options.target from the archive in `store`, whose walpipe.json gave
// `identity`: from the newest backup that ends before the target or, when that one cannot reach
// it, the next older one that can (without --backup). Errors are those of an archive that
// cannot be read at all (its folder walk), or one without an identity (kNotFound); everything
// about the plan itself is in the RestorePlan.
// Runs the verification on options.jobs threads; the callbacks come from them.
Result<RestorePlan> plan_restore(archive::Store& store,
                                 const std::optional<archive::Identity>& identity,
                                 const PlanOptions& options);

}  // namespace walpipe::pipeline
