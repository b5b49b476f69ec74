#include "pipeline/restore_plan.h"

#include <algorithm>
#include <map>

#include "io/fs.h"
#include "pipeline/file_loader.h"
#include "pipeline/listing.h"
#include "pipeline/restore_path.h"
#include "pipeline/restore_verify.h"

namespace walpipe::pipeline {

namespace {

using wal::PgTimestamp;
using wal::TimeLineId;

// Problems kept by object path, to say why a segment that is there cannot be used; an archive
// with more problems than this is named on stderr all the same.
constexpr size_t kProblemsKept = 1000;

// Collects what the plan needs from the listing: every segment's facts (a few dozen bytes
// each), which history files there are, and the problems, passed on as they come.
class ViewSink : public ListSink {
 public:
  ViewSink(ArchiveView* view, const PlanOptions& options) : view_(*view), options_(options) {}

  void object(const ListedObject& object) override {
    if (object.kind == wal::FileKind::kHistory) {
      history_timelines.push_back(object.timeline);
      return;
    }
    if (object.kind != wal::FileKind::kSegment) return;
    Result<wal::WalFileName> name = wal::parse_file_name(object.name);
    if (!name.is_ok()) return;  // the walk gives WAL names only
    std::optional<wal::SegNo> segno = wal::segno_of(*name, view_.segment_size);
    if (!segno) return;
    const archive::ObjectMetadata& m = *object.meta;
    view_.segments[{name->tli, *segno}] = SegmentFacts{m.original_size, m.last_lsn, m.end_lsn,
                                                       m.first_commit_time, m.last_commit_time};
  }

  void problem(const Status& problem) override {
    if (problem.code() == Code::kIoError) ++unreadable;
    if (problems.size() < kProblemsKept) problems.push_back(problem.message());
    if (options_.problem) options_.problem(problem);
  }

  std::vector<TimeLineId> history_timelines;
  std::vector<std::string> problems;
  uint64_t unreadable = 0;  // problems that are objects not read, not objects found damaged

 private:
  ArchiveView& view_;
  const PlanOptions& options_;
};

// The archive seam: the only places this file reaches the archive (a listing of metadata, a
// history file read; the verification of objects by their paths is restore_verify.cc's).
Result<ListOutcome> list_objects(archive::Store& store,
                                 const std::optional<archive::Identity>& identity, ListSink& sink) {
  return list_archive(store, identity, ListFilter{}, sink);
}
std::string object_path(const archive::Store& store, const wal::WalFileName& name) {
  return store.object_location(name);
}

void read_histories(archive::Store& store, const std::vector<TimeLineId>& timelines, ViewSink& sink,
                    ArchiveView* view) {
  FileLoader loader;
  for (TimeLineId tli : timelines) {
    const wal::WalFileName name{wal::FileKind::kHistory, tli};
    const std::string path = object_path(store, name);
    Result<archive::StoredObject> stored = store.read(name, kMaxTextFileSize + (1 << 16));
    if (!stored.is_ok()) {
      sink.problem(stored.status());
      continue;
    }
    Result<LoadedFile> loaded = loader.load_object_bytes(stored->bytes(), path, true);
    if (!loaded.is_ok()) {
      sink.problem(loaded.status());
      continue;
    }
    wal::SegmentReport report;
    wal::TimelineHistory history =
        wal::parse_history(loader.data(), tli, name.to_string(), &report);
    if (const wal::Finding* error = report.first_error()) {
      sink.problem(Status(Code::kCorruption,
                          "invalid timeline history file \"" + path + "\": " + error->message));
      continue;
    }
    view->histories.emplace(tli, std::move(history));
  }
}

// PostgreSQL writes STOP TIME to the second: the backup ended somewhere in the second it names.
constexpr PgTimestamp kStopTimeResolution = 1000000;

// The backups that end before the target, newest first: by their stop, which a backup from the
// archive always has. A backup that stopped in the target's second may have ended after it.
std::vector<const KnownBackup*> backups_before(const std::vector<KnownBackup>& backups,
                                               const RestoreTarget& target, RestorePlan* plan) {
  std::vector<const KnownBackup*> before;
  for (const KnownBackup& b : backups) {
    if (!b.info.stop_lsn || !b.info.stop_time) continue;
    if (!plan->oldest_backup || *b.info.stop_lsn < *plan->oldest_backup->info.stop_lsn)
      plan->oldest_backup = b;
    if (target.kind == RestoreTarget::Kind::kLatest ||
        (target.kind == RestoreTarget::Kind::kTime &&
         *b.info.stop_time + kStopTimeResolution <= target.time) ||
        (target.kind == RestoreTarget::Kind::kLsn && *b.info.stop_lsn <= target.lsn))
      before.push_back(&b);
  }
  std::stable_sort(before.begin(), before.end(), [](const KnownBackup* a, const KnownBackup* b) {
    return std::pair(*a->info.stop_time, *a->info.stop_lsn) >
           std::pair(*b->info.stop_time, *b->info.stop_lsn);
  });
  return before;
}

// Whether the backup given by the operator ends before the target; a backup_label has no stop,
// so its start stands for it.
bool given_backup_precedes(const KnownBackup& b, const RestoreTarget& target) {
  switch (target.kind) {
    case RestoreTarget::Kind::kTime:
      return b.info.stop_time.value_or(b.info.start_time) < target.time;
    case RestoreTarget::Kind::kLsn:
      return backup_end(b) <= target.lsn;
    case RestoreTarget::Kind::kLatest:
      return true;
  }
  return true;
}

// Why a segment that is there was not listed: the problem naming its object, as the listing
// worded it.
std::string unusable_reason(const std::string& path, const std::vector<std::string>& problems) {
  for (const std::string& p : problems)
    if (p.find("\"" + path + "\"") != std::string::npos) return p;
  return "its object could not be read";
}

// Where recovery ends on the segments before `end` of the way, when that is past the backup's
// end.
std::optional<ReachablePoint> reachable_point(const std::vector<PathSegment>& way, size_t end,
                                              wal::Lsn backup_end_lsn) {
  if (end == 0 || way[end - 1].facts->end_lsn < backup_end_lsn) return std::nullopt;
  ReachablePoint point{way[end - 1].name.to_string(), way[end - 1].facts->end_lsn, {}, {}};
  for (size_t i = 0; i < end; ++i) {
    const std::optional<PgTimestamp>& t = way[i].facts->last_commit_time;
    if (t && (!point.last_commit_time || *t >= *point.last_commit_time)) {
      point.last_commit_time = t;
      point.last_commit_segment = way[i].name.to_string();
    }
  }
  return point;
}

// What planning from one backup reads, shared by the backups tried in turn.
struct Planner {
  archive::Store& store;
  const ArchiveView& view;
  const std::vector<std::string>& problems;
  const PlanOptions& options;
  WayVerifier verifier;
};

// The plan from `backup`, to the target of `plan`. A way that already falls short before any
// verification is verified only when `verify_short` (to say how far the reported plan gets).
RestorePlan plan_from(Planner& p, RestorePlan plan, const KnownBackup& backup, bool verify_short) {
  plan.backup = backup;
  plan.backup_timeline = backup.info.stop_tli.value_or(backup.info.start_tli);
  std::vector<TimelineSpan> spans;
  if (p.options.target_timeline) {
    spans = timeline_path_to(p.view, plan.backup_timeline, backup_end(backup),
                             *p.options.target_timeline, &plan.bad_reason);
    if (spans.empty()) {
      plan.shortfall = Shortfall::kTimeline;
      plan.target_timeline = *p.options.target_timeline;
      return plan;
    }
  } else {
    spans = timeline_path(p.view, plan.backup_timeline, backup_end(backup));
  }
  for (const TimelineSpan& span : spans) plan.timelines.push_back(span.tli);
  plan.target_timeline = spans.back().tli;

  RestoreWay way = walk_path(p.view, spans, backup, plan.target);
  plan.shortfall = way.shortfall;
  if (way.first_absent) {
    plan.missing_first = way.first_absent->to_string();
    plan.missing_last = way.last_absent.value_or(*way.first_absent).to_string();
    plan.missing = way.absent;
    const std::string path = object_path(p.store, *way.first_absent);
    Result<bool> present = p.store.contains(*way.first_absent);
    if (way.shortfall == Shortfall::kMissing && present.is_ok() && *present) {
      plan.shortfall = Shortfall::kUnusable;
      plan.bad_file = path;
      plan.bad_reason = unusable_reason(path, p.problems);
    }
  }
  plan.segments = way.segments.size();
  if (!way.segments.empty()) {
    plan.first_segment = way.segments.front().name.to_string();
    plan.last_segment = way.segments.back().name.to_string();
  }
  for (const PathSegment& s : way.segments) plan.wal_bytes += s.facts->original_size;
  if (!plan.reachable() && !verify_short) return plan;

  const size_t good = p.verifier.verify(spans, way.segments, &plan);
  plan.verified = good;
  if (good == way.segments.size() && way.reached) {
    const SegmentFacts& last = *way.segments.back().facts;
    plan.reached_in = plan.last_segment;
    plan.reached_first_commit = last.first_commit_time;
    plan.reached_last_commit = last.last_commit_time;
  }
  if (!plan.reachable() || plan.target.kind == RestoreTarget::Kind::kLatest)
    plan.latest = reachable_point(way.segments, good, backup_end(backup));
  return plan;
}

}  // namespace

Result<RestorePlan> plan_restore(archive::Store& store,
                                 const std::optional<archive::Identity>& identity,
                                 const PlanOptions& options) {
  if (!identity)
    return Status(Code::kNotFound, "archive \"" + store.location() + "\" has no walpipe.json")
        .with_hint(
            "walpipe push writes walpipe.json before any object: nothing was archived "
            "there, or it is not the archive's folder.");
  RestorePlan plan;
  plan.target = options.target;
  ArchiveView view;
  view.segment_size = identity->segment_size;
  ViewSink sink(&view, options);
  WALPIPE_ASSIGN_OR_RETURN(ListOutcome listed, list_objects(store, identity, sink));
  read_histories(store, sink.history_timelines, sink, &view);
  plan.unreadable = sink.unreadable;  // every plan below starts from this one
  Planner planner{store, view, sink.problems, options, WayVerifier(store, view, options)};

  if (options.backup) {
    if (!given_backup_precedes(*options.backup, options.target)) {
      plan.backup = options.backup;
      plan.shortfall = Shortfall::kTargetInBackup;
      return plan;
    }
    return plan_from(planner, std::move(plan), *options.backup, true);
  }
  const std::vector<const KnownBackup*> before = backups_before(listed.backups, plan.target, &plan);
  if (before.empty()) {
    plan.shortfall = Shortfall::kNoBackup;
    return plan;
  }
  RestorePlan newest = plan_from(planner, plan, *before.front(), true);
  if (newest.reachable()) return newest;
  // On one history an older backup needs all the WAL a newer one does; across timelines (a
  // backup on a timeline the target does not follow) an older one may reach what it cannot.
  std::vector<RestorePlan> passed_over{newest};
  for (size_t i = 1; i < before.size(); ++i) {
    RestorePlan older = plan_from(planner, plan, *before[i], false);
    if (older.reachable()) {
      older.passed_over = std::move(passed_over);
      return older;
    }
    passed_over.push_back(std::move(older));
  }
  return newest;
}

}  // namespace walpipe::pipeline
