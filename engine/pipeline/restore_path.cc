#include "pipeline/restore_path.h"

#include <algorithm>
#include <string>

namespace walpipe::pipeline {

namespace {

using wal::Lsn;
using wal::SegNo;
using wal::TimeLineId;

// The timeline whose file recovery asks for at segment `segno`: the newest that has begun by
// that segment. The segment holding a switch point is read from the new timeline, which copied
// its beginning from the parent.
TimeLineId timeline_of(const std::vector<TimelineSpan>& spans, SegNo segno, uint64_t seg_size) {
  TimeLineId tli = spans.front().tli;
  for (const TimelineSpan& span : spans)
    if (wal::segno_containing(span.begin, seg_size) <= segno) tli = span.tli;
  return tli;
}

// The last segment of `view` on the way: past it, the archive has no more WAL to give recovery.
std::optional<SegNo> last_on_path(const ArchiveView& view, const std::vector<TimelineSpan>& spans) {
  std::optional<SegNo> last;
  for (size_t i = 0; i < spans.size(); ++i) {
    const SegNo from = wal::segno_containing(spans[i].begin, view.segment_size);
    auto end = view.segments.upper_bound({spans[i].tli, UINT64_MAX});
    if (end == view.segments.begin()) continue;
    --end;
    if (end->first.first != spans[i].tli || end->first.second < from) continue;
    SegNo newest = end->first.second;
    // A parent's segments after the next timeline began are not on the way.
    if (i + 1 < spans.size()) {
      const SegNo next_from = wal::segno_containing(spans[i + 1].begin, view.segment_size);
      auto below = view.segments.lower_bound({spans[i].tli, next_from});
      if (below == view.segments.begin()) continue;
      --below;
      if (below->first.first != spans[i].tli || below->first.second < from) continue;
      newest = below->first.second;
    }
    last = std::max(last.value_or(0), newest);
  }
  return last;
}

// The spans from `backup_tli` to the timeline of `history`, when that timeline leaves
// `backup_tli` at or after `end`; else none, and *why (when given) says why.
std::vector<TimelineSpan> spans_through(const wal::TimelineHistory& history, TimeLineId backup_tli,
                                        Lsn end, std::string* why) {
  auto from = std::find_if(history.entries.begin(), history.entries.end(),
                           [&](const wal::HistoryEntry& e) { return e.parent == backup_tli; });
  const std::string tli = "timeline " + std::to_string(history.timeline);
  if (from == history.entries.end()) {
    if (why) *why = "the history of " + tli + " does not go through it";
    return {};
  }
  if (from->switch_point < end) {
    if (why)
      *why = tli + " leaves it at " + wal::format_lsn(from->switch_point) +
             ", before the backup's end at " + wal::format_lsn(end);
    return {};
  }
  std::vector<TimelineSpan> spans{{backup_tli, 0}};
  for (auto e = from; e + 1 != history.entries.end(); ++e)
    spans.push_back({(e + 1)->parent, e->switch_point});
  spans.push_back({history.timeline, history.branch_point()});
  return spans;
}

bool holds_target(const SegmentFacts& facts, Lsn end, const RestoreTarget& target) {
  switch (target.kind) {
    case RestoreTarget::Kind::kTime:
      // Recovery stops at the first commit after the target; commits before the backup's end
      // are before the target, which the choice of backup made later than the backup's stop.
      return facts.last_commit_time && *facts.last_commit_time >= target.time &&
             facts.end_lsn > end;
    case RestoreTarget::Kind::kLsn:
      return facts.end_lsn > facts.last_lsn && facts.last_lsn >= target.lsn;
    case RestoreTarget::Kind::kLatest:
      return false;
  }
  return false;
}

}  // namespace

Lsn backup_end(const KnownBackup& backup) {
  return backup.info.stop_lsn.value_or(backup.info.checkpoint_lsn);
}

std::vector<TimelineSpan> timeline_path(const ArchiveView& view, TimeLineId backup_tli, Lsn end) {
  std::vector<TimelineSpan> best{{backup_tli, 0}};
  for (const auto& [tli, history] : view.histories) {
    if (tli <= best.back().tli) continue;
    std::vector<TimelineSpan> spans = spans_through(history, backup_tli, end, nullptr);
    if (!spans.empty()) best = std::move(spans);
  }
  return best;
}

std::vector<TimelineSpan> timeline_path_to(const ArchiveView& view, TimeLineId backup_tli, Lsn end,
                                           TimeLineId target, std::string* why) {
  if (target == backup_tli) return {{backup_tli, 0}};
  auto history = view.histories.find(target);
  if (target < backup_tli || history == view.histories.end()) {
    *why = target < backup_tli
               ? "it is older"
               : "the archive has no readable history file for timeline " + std::to_string(target);
    return {};
  }
  return spans_through(history->second, backup_tli, end, why);
}

RestoreWay walk_path(const ArchiveView& view, const std::vector<TimelineSpan>& spans,
                     const KnownBackup& backup, const RestoreTarget& target) {
  WALPIPE_CHECK(!spans.empty() && wal::valid_segment_size(view.segment_size));
  RestoreWay out;
  const Lsn end = backup_end(backup);
  const std::optional<SegNo> last = last_on_path(view, spans);
  Lsn reached_lsn = 0;
  for (SegNo segno = wal::segno_containing(backup.info.start_lsn, view.segment_size);; ++segno) {
    const TimeLineId tli = timeline_of(spans, segno, view.segment_size);
    auto found = view.segments.find({tli, segno});
    if (found != view.segments.end()) {
      out.segments.push_back(
          {wal::segment_file_name(tli, segno, view.segment_size), &found->second});
      reached_lsn = found->second.end_lsn;
      if (holds_target(found->second, end, target)) {
        out.reached = true;
        return out;
      }
      continue;
    }
    if (!last || segno > *last) {
      // The archive's WAL on the way ends here.
      if (reached_lsn < end || out.segments.empty())
        out.shortfall = Shortfall::kEndsBeforeBackup;
      else if (target.kind != RestoreTarget::Kind::kLatest)
        out.shortfall = Shortfall::kEndsBeforeTarget;
      if (out.shortfall == Shortfall::kEndsBeforeBackup)
        out.first_absent = wal::segment_file_name(tli, segno, view.segment_size);
      return out;
    }
    out.shortfall = Shortfall::kMissing;
    out.first_absent = wal::segment_file_name(tli, segno, view.segment_size);
    SegNo after = segno;
    while (after + 1 <= *last) {
      const TimeLineId next_tli = timeline_of(spans, after + 1, view.segment_size);
      if (view.segments.count({next_tli, after + 1})) break;
      ++after;
    }
    out.last_absent = wal::segment_file_name(timeline_of(spans, after, view.segment_size), after,
                                             view.segment_size);
    out.absent = after - segno + 1;
    return out;
  }
}

}  // namespace walpipe::pipeline
