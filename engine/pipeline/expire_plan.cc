#include "pipeline/expire_plan.h"

#include <algorithm>
#include <utility>

#include "archive/walk.h"
#include "pipeline/file_loader.h"
#include "pipeline/restore_plan.h"

namespace walpipe::pipeline {

namespace {

using wal::PgTimestamp;
using wal::SegNo;

constexpr PgTimestamp kDay = 86400LL * 1000000;

// Folds the listing into the plan: timelines, backups, the newest commit and the problems.
class Surveyor {
 public:
  Surveyor(archive::Store& store, const archive::Identity& identity, const ExpireOptions& options,
           ExpirePlan* plan)
      : store_(store), identity_(identity), options_(options), plan_(*plan) {}

  Status add(const archive::ObjectEntry& entry) {
    ++plan_.objects;
    const wal::WalFileName& name = entry.name;
    // An object counts for the gaps by its name alone: it is there, usable or not.
    if (name.kind == wal::FileKind::kSegment || name.kind == wal::FileKind::kPartial)
      note_position(name);
    const std::string path = store_.object_location(name);
    Result<archive::ObjectMetadata> meta = store_.head(name);
    if (!meta.is_ok()) return problem(meta.status());
    if (meta->name != name.to_string())
      return problem(Status(Code::kCorruption, "archive object \"" + path + "\" holds \"" +
                                                   meta->name + "\" according to its metadata"));
    if (meta->system_id != 0 && meta->system_id != identity_.system_id)
      return problem(Status(Code::kMismatch, "archive object \"" + path +
                                                 "\" belongs to another cluster: its WAL has "
                                                 "system identifier " +
                                                 std::to_string(meta->system_id) +
                                                 ", the archive's is " +
                                                 std::to_string(identity_.system_id))
                         .with_hint("Another cluster archived here, or the file was copied in: "
                                    "remove it."));
    if (name.kind == wal::FileKind::kBackup) {
      Result<KnownBackup> backup =
          read_backup_object(loader_, store_, name, identity_.segment_size);
      if (!backup.is_ok()) return problem(backup.status());
      plan_.backups.push_back(std::move(*backup));
    } else if (meta->last_commit_time &&
               (!plan_.newest_commit || *meta->last_commit_time > *plan_.newest_commit)) {
      plan_.newest_commit = meta->last_commit_time;
      plan_.newest_commit_segment = meta->name;
    }
    return Status::ok();
  }

 private:
  void note_position(const wal::WalFileName& name) {
    std::optional<SegNo> segno = wal::segno_of(name, plan_.segment_size);
    if (!segno) return;  // a name no cluster of this segment size writes
    TimelineFacts& t = plan_.timelines[name.tli];
    if (name.kind == wal::FileKind::kSegment) {
      ++t.segments;
      t.newest_segment = std::max(t.newest_segment.value_or(0), *segno);
    } else {
      t.newest_partial = std::max(t.newest_partial.value_or(0), *segno);
    }
    if (t.last_seen && *segno > *t.last_seen + 1) {
      if (t.gaps++ == 0) {
        t.first_missing = wal::segment_file_name(name.tli, *t.last_seen + 1, plan_.segment_size)
                              .to_string();
        t.last_missing =
            wal::segment_file_name(name.tli, *segno - 1, plan_.segment_size).to_string();
        t.first_gap_missing = *segno - *t.last_seen - 1;
      }
      t.missing += *segno - *t.last_seen - 1;
    }
    t.last_seen = std::max(t.last_seen.value_or(0), *segno);
  }

  Status problem(const Status& status) {
    ++plan_.problems;
    if (options_.problem) options_.problem(status);
    return Status::ok();  // the walk goes on, to name every one
  }

  archive::Store& store_;
  const archive::Identity& identity_;
  const ExpireOptions& options_;
  ExpirePlan& plan_;
  FileLoader loader_;
};

// What a backup is ordered by: its end, which a backup_label does not give (its start stands in).
std::pair<PgTimestamp, wal::Lsn> end_of(const KnownBackup& b) {
  return {b.info.stop_time.value_or(b.info.start_time), backup_end(b)};
}

std::string segments_text(const std::string& first, const std::string& last, uint64_t n) {
  if (n == 1) return "WAL segment " + first + " is missing";
  return "WAL segments " + first + " to " + last + " are missing (" + std::to_string(n) +
         " segments)";
}

Status refuse_problems(const std::string& archive, uint64_t n) {
  return Status(Code::kCorruption, "archive \"" + archive + "\" has " + std::to_string(n) +
                                       (n == 1 ? " object" : " objects") +
                                       " that cannot be used: nothing was removed")
      .with_detail(n == 1 ? "It is named above." : "Each is named above.")
      .with_hint(
          "Repair or remove them (walpipe verify --archive says more), or give --force to expire "
          "all the same: they are then left where they are.");
}

Status refuse_gaps(const std::string& archive, const ExpirePlan& plan) {
  uint64_t gaps = 0;
  const std::pair<const wal::TimeLineId, TimelineFacts>* first = nullptr;
  for (const auto& t : plan.timelines) {
    gaps += t.second.gaps;
    if (!first && t.second.gaps) first = &t;
  }
  const TimelineFacts& f = first->second;
  Status s(Code::kCorruption,
           "archive \"" + archive + "\" has a gap on timeline " + std::to_string(first->first) +
               ": " + segments_text(f.first_missing, f.last_missing, f.first_gap_missing) +
               "; nothing was removed");
  std::string detail = "A backup before a gap cannot be recovered past it, so the WAL it needs "
                       "cannot be told.";
  if (gaps > 1) detail += " The archive has " + std::to_string(gaps) + " gaps in all.";
  return std::move(s).with_detail(detail).with_hint(
      "Push the missing segments if a pg_wal or another copy still has them, or give --force to "
      "expire all the same.");
}

// One rule's answer: segments before `segno` may go, for `reason`.
struct Candidate {
  SegNo segno;
  std::string segment;
  std::string reason;
};

std::string before_text(const std::string& segment) { return "WAL before " + segment; }

// The oldest start among backups [from, to) of the sorted list, as a candidate.
Candidate oldest_start(const std::vector<KnownBackup>& b, size_t from, size_t to, uint64_t seg_size,
                       const std::string& why) {
  size_t oldest = from;
  for (size_t i = from; i < to; ++i)
    if (b[i].info.start_lsn < b[oldest].info.start_lsn) oldest = i;
  const KnownBackup& k = b[oldest];
  return {wal::segno_containing(k.info.start_lsn, seg_size), k.info.start_segment,
          before_text(k.info.start_segment) + ", where backup " + k.source + " begins" + why};
}

void decide(const std::string& archive, const ExpireOptions& options, ExpirePlan* plan) {
  const RetentionPolicy& p = options.policy;
  std::vector<KnownBackup>& backups = plan->backups;
  std::stable_sort(backups.begin(), backups.end(), [](const KnownBackup& a, const KnownBackup& b) {
    return end_of(a) < end_of(b);
  });
  const uint64_t seg = plan->segment_size;
  std::vector<Candidate> candidates;
  if (!backups.empty())
    candidates.push_back(
        oldest_start(backups, backups.size() - 1, backups.size(), seg, " (the newest backup)"));
  if (options.backup)
    candidates.push_back({wal::segno_containing(options.backup->info.start_lsn, seg),
                          options.backup->info.start_segment,
                          before_text(options.backup->info.start_segment) + ", where backup \"" +
                              options.backup->source + "\" (--backup) begins"});
  if ((p.keep_days || p.keep_backups) && backups.empty()) {
    plan->refusal =
        Status(Code::kNotFound, "archive \"" + archive +
                                    "\" holds no backup history file: the WAL base backups "
                                    "need cannot be told; nothing was removed")
            .with_hint(
                "pg_basebackup archives one (SEGMENT.OFFSET.backup) when a backup taken on the "
                "primary ends. Name a backup taken on a standby with --backup DIR, or the first "
                "segment to keep with --before.");
    return;
  }
  if (p.keep_backups) {
    const size_t n = std::min<size_t>(*p.keep_backups, backups.size());
    candidates.push_back(oldest_start(backups, backups.size() - n, backups.size(), seg,
                                      " (the oldest of the " + std::to_string(*p.keep_backups) +
                                          " newest backups)"));
  }
  if (p.keep_days) {
    if (!plan->newest_commit) {
      plan->refusal =
          Status(Code::kNotFound, "archive \"" + archive +
                                      "\" holds no commit in its objects' metadata: the age of "
                                      "its WAL cannot be told; nothing was removed")
              .with_hint("Age is measured back from the newest commit archived. Use "
                         "--keep-backups or --before instead.");
      return;
    }
    plan->cutoff = *plan->newest_commit - static_cast<PgTimestamp>(*p.keep_days) * kDay;
    size_t from = 0;  // the newest backup that ended before the cutoff, else the oldest
    for (size_t i = 0; i < backups.size(); ++i)
      if (end_of(backups[i]).first < *plan->cutoff) from = i;
    const std::string days = std::to_string(*p.keep_days) + (*p.keep_days == 1 ? " day" : " days");
    const std::string cutoff = wal::format_pg_timestamp(*plan->cutoff);
    const bool before_cutoff = end_of(backups[from]).first < *plan->cutoff;
    candidates.push_back(oldest_start(
        backups, from, backups.size(), seg,
        before_cutoff ? " (the newest backup to end before " + cutoff + ", " + days +
                            " before the newest commit)"
                      : " (the oldest backup: every backup ended in the last " + days + ")"));
  }
  if (p.before)
    candidates.push_back({*wal::segno_of(*p.before, seg), p.before->segment_name(),
                          before_text(p.before->segment_name()) + " (--before)"});
  WALPIPE_CHECK(!candidates.empty());
  const Candidate* keep = &candidates.front();
  for (const Candidate& c : candidates)
    if (c.segno < keep->segno) keep = &c;
  plan->boundary = keep->segno;
  plan->boundary_segment = keep->segment;
  plan->reason = keep->reason;
  for (const KnownBackup& b : backups)
    plan->kept.push_back(wal::segno_containing(b.info.start_lsn, seg) >= keep->segno);
}

}  // namespace

Result<wal::WalFileName> before_segment(const std::string& text) {
  Result<wal::WalFileName> name = wal::parse_file_name(text);
  if (!name.is_ok() || name->kind == wal::FileKind::kHistory)
    return Status(Code::kInvalidArgument, "not a WAL segment name")
        .with_hint("Give a segment's 24-hex name, such as 000000010000000000000034; a .backup "
                   "file's name stands for its first segment.");
  name->kind = wal::FileKind::kSegment;
  name->backup_offset = 0;
  return name;
}

Result<ExpirePlan> plan_expiry(archive::Store& store,
                               const std::optional<archive::Identity>& identity,
                               const ExpireOptions& options) {
  if (!identity)
    return Status(Code::kNotFound, "archive \"" + store.location() + "\" has no walpipe.json")
        .with_hint(
            "walpipe push writes walpipe.json before any object: nothing was archived "
            "there, or it is not the archive's folder.");
  const RetentionPolicy& p = options.policy;
  WALPIPE_CHECK(p.keep_days || p.keep_backups || p.before);
  if (p.before && !wal::segno_of(*p.before, identity->segment_size))
    return Status(Code::kInvalidArgument,
                  "segment \"" + p.before->segment_name() + "\" given with --before is not one " +
                      "of this archive's segment size (" +
                      std::to_string(identity->segment_size >> 20) + " MB)");
  ExpirePlan plan;
  plan.segment_size = identity->segment_size;
  Surveyor surveyor(store, *identity, options, &plan);
  WALPIPE_TRY(archive::for_each_object(
      store, [&](const archive::ObjectEntry& e) { return surveyor.add(e); }));
  bool gaps = false;
  for (const auto& t : plan.timelines) gaps = gaps || t.second.gaps != 0;
  if (plan.problems && !options.force) {
    plan.refusal = refuse_problems(store.location(), plan.problems);
  } else if (gaps && !options.force) {
    plan.refusal = refuse_gaps(store.location(), plan);
  } else {
    decide(store.location(), options, &plan);
  }
  return plan;
}

}  // namespace walpipe::pipeline
