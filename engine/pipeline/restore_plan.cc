#include "pipeline/restore_plan.h"

#include <algorithm>
#include <map>

#include "io/fs.h"
#include "pipeline/file_loader.h"
#include "pipeline/listing.h"
#include "pipeline/restore_path.h"
#include "pipeline/verify.h"

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
    if (problems.size() < kProblemsKept) problems.push_back(problem.message());
    if (options_.problem) options_.problem(problem);
  }

  std::vector<TimeLineId> history_timelines;
  std::vector<std::string> problems;

 private:
  ArchiveView& view_;
  const PlanOptions& options_;
};

// The verification's verdict on each file, by its place in the list given.
class Verdicts : public VerifySink {
 public:
  explicit Verdicts(size_t files) : reasons_(files) {}
  void file(size_t index, const VerifiedFile& file) override {
    if (!file.load_status.is_ok())
      note(index, file.load_status.message());
    else if (const wal::Finding* error = file.report.first_error())
      note(index, error->message);
  }
  void set_finding(size_t index, const std::string&, const wal::Finding& finding) override {
    if (finding.severity == wal::Severity::kError) note(index, finding.message);
  }
  void gap(const wal::Gap&) override {}  // the way was walked without gaps
  // The first file in list order that failed, and why.
  std::optional<std::pair<size_t, std::string>> first_bad() const {
    for (size_t i = 0; i < reasons_.size(); ++i)
      if (!reasons_[i].empty()) return std::pair{i, reasons_[i]};
    return std::nullopt;
  }

 private:
  void note(size_t index, const std::string& reason) {
    if (index < reasons_.size() && reasons_[index].empty())
      reasons_[index] = reason.empty() ? "it failed verification" : reason;
  }
  std::vector<std::string> reasons_;
};

// The archive seam: the only places this file reaches the archive (a listing of metadata, a
// history file read, the verification of objects by their paths).
Result<ListOutcome> list_objects(archive::Store& store,
                                 const std::optional<archive::Identity>& identity, ListSink& sink) {
  return list_archive(store, identity, ListFilter{}, sink);
}
std::string object_path(const archive::Store& store, const wal::WalFileName& name) {
  return store.object_location(name);
}

void read_histories(const archive::Store& store, const std::vector<TimeLineId>& timelines,
                    ViewSink& sink, ArchiveView* view) {
  FileLoader loader;
  for (TimeLineId tli : timelines) {
    const wal::WalFileName name{wal::FileKind::kHistory, tli};
    const std::string path = object_path(store, name);
    Result<LoadedFile> loaded = loader.load(path, true);
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

// The newest backup that ends before the target: by its stop, which a backup from the archive
// always has. A backup that stopped in the target's second may have ended after it.
std::optional<KnownBackup> choose_backup(const std::vector<KnownBackup>& backups,
                                         const RestoreTarget& target, RestorePlan* plan) {
  const KnownBackup* chosen = nullptr;
  for (const KnownBackup& b : backups) {
    if (!b.info.stop_lsn || !b.info.stop_time) continue;
    if (!plan->oldest_backup || *b.info.stop_lsn < *plan->oldest_backup->info.stop_lsn)
      plan->oldest_backup = b;
    bool before = target.kind == RestoreTarget::Kind::kLatest ||
                  (target.kind == RestoreTarget::Kind::kTime &&
                   *b.info.stop_time + kStopTimeResolution <= target.time) ||
                  (target.kind == RestoreTarget::Kind::kLsn && *b.info.stop_lsn <= target.lsn);
    if (before && (!chosen || std::pair(*b.info.stop_time, *b.info.stop_lsn) >
                                  std::pair(*chosen->info.stop_time, *chosen->info.stop_lsn)))
      chosen = &b;
  }
  if (!chosen) return std::nullopt;
  return *chosen;
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

// Verifies the history files of the way's timelines, then its segments, and cuts the way at the
// first that fails. Returns the number of segments that passed.
size_t verify_way(const archive::Store& store, const ArchiveView& view,
                  const std::vector<TimelineSpan>& spans, const std::vector<PathSegment>& way,
                  const PlanOptions& options, RestorePlan* plan) {
  std::vector<std::string> paths;
  std::vector<TimeLineId> history_of;  // the timeline of each history file in `paths`
  for (const TimelineSpan& span : spans)
    if (view.histories.count(span.tli)) {
      paths.push_back(object_path(store, wal::WalFileName{wal::FileKind::kHistory, span.tli}));
      history_of.push_back(span.tli);
    }
  const size_t first_segment = paths.size();
  for (const PathSegment& s : way) paths.push_back(object_path(store, s.name));
  if (way.empty()) return 0;
  VerifyOptions verify;
  verify.jobs = options.jobs;
  verify.allow_gaps = true;  // the way has none; timelines meet at switch points
  if (options.progress)
    verify.progress = [&](size_t done) { options.progress(done, paths.size()); };
  Verdicts verdicts(paths.size());
  verify_files(paths, verify, verdicts);
  std::optional<std::pair<size_t, std::string>> bad = verdicts.first_bad();
  if (!bad) return way.size();
  size_t cut = bad->first >= first_segment ? bad->first - first_segment : way.size();
  if (bad->first < first_segment) {
    // A timeline whose history fails cannot be followed: the way ends where it begins.
    const TimeLineId tli = history_of[bad->first];
    for (size_t i = 0; i < way.size(); ++i)
      if (way[i].name.tli >= tli) {
        cut = i;
        break;
      }
  }
  plan->shortfall = Shortfall::kInvalid;
  plan->bad_file = paths[bad->first];
  plan->bad_reason = bad->second;
  return cut;
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
  Result<ListOutcome> listed = list_objects(store, identity, sink);
  if (!listed.is_ok()) return std::move(listed).take_status();
  read_histories(store, sink.history_timelines, sink, &view);

  if (options.backup) {
    plan.backup = options.backup;
    if (!given_backup_precedes(*options.backup, options.target)) {
      plan.shortfall = Shortfall::kTargetInBackup;
      return plan;
    }
  } else {
    plan.backup = choose_backup(listed->backups, options.target, &plan);
    if (!plan.backup) {
      plan.shortfall = Shortfall::kNoBackup;
      return plan;
    }
  }
  const KnownBackup& backup = *plan.backup;
  plan.backup_timeline = backup.info.stop_tli.value_or(backup.info.start_tli);
  const std::vector<TimelineSpan> spans =
      timeline_path(view, plan.backup_timeline, backup_end(backup));
  for (const TimelineSpan& span : spans) plan.timelines.push_back(span.tli);
  plan.target_timeline = spans.back().tli;

  RestoreWay way = walk_path(view, spans, backup, options.target);
  plan.shortfall = way.shortfall;
  if (way.first_absent) {
    plan.missing_first = way.first_absent->to_string();
    plan.missing_last = way.last_absent.value_or(*way.first_absent).to_string();
    plan.missing = way.absent;
    const std::string path = object_path(store, *way.first_absent);
    Result<bool> present = store.contains(*way.first_absent);
    if (way.shortfall == Shortfall::kMissing && present.is_ok() && *present) {
      plan.shortfall = Shortfall::kUnusable;
      plan.bad_file = path;
      plan.bad_reason = unusable_reason(path, sink.problems);
    }
  }
  plan.segments = way.segments.size();
  if (!way.segments.empty()) {
    plan.first_segment = way.segments.front().name.to_string();
    plan.last_segment = way.segments.back().name.to_string();
  }
  for (const PathSegment& s : way.segments) plan.wal_bytes += s.facts->original_size;

  const size_t good = verify_way(store, view, spans, way.segments, options, &plan);
  plan.verified = good;
  if (good == way.segments.size() && way.reached) {
    const SegmentFacts& last = *way.segments.back().facts;
    plan.reached_in = plan.last_segment;
    plan.reached_first_commit = last.first_commit_time;
    plan.reached_last_commit = last.last_commit_time;
  }
  if (!plan.reachable() || options.target.kind == RestoreTarget::Kind::kLatest)
    plan.latest = reachable_point(way.segments, good, backup_end(backup));
  return plan;
}

}  // namespace walpipe::pipeline
