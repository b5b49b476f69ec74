// The way recovery takes through an archive, from a view of its metadata: which timelines it
// follows from a backup, which timeline's file it reads at each segment (the new timeline's from
// the segment holding the switch point on), and where it stops: the target, the end, a gap.
#include "pipeline/restore_path.h"

#include <gtest/gtest.h>

namespace walpipe::pipeline {
namespace {

constexpr uint64_t kSeg = 1 << 20;  // 1 MiB segments: segment N starts at LSN N << 20

wal::TimelineHistory history(wal::TimeLineId tli, std::vector<wal::HistoryEntry> entries) {
  return wal::TimelineHistory{tli, std::move(entries)};
}

KnownBackup backup_at(wal::Lsn start, wal::Lsn stop, wal::PgTimestamp stop_time) {
  KnownBackup b;
  b.source = "backup";
  b.from_archive = true;
  b.info.start_lsn = start;
  b.info.checkpoint_lsn = start;
  b.info.stop_lsn = stop;
  b.info.stop_time = stop_time;
  b.info.start_tli = 1;
  b.info.stop_tli = 1;
  return b;
}

// Segments `from`..`to` of `tli`, each holding commits at its segment number in seconds.
void add_segments(ArchiveView* view, wal::TimeLineId tli, wal::SegNo from, wal::SegNo to) {
  for (wal::SegNo s = from; s <= to; ++s) {
    const wal::PgTimestamp t = static_cast<wal::PgTimestamp>(s) * 1000000;
    view->segments[{tli, s}] =
        SegmentFacts{kSeg, s * kSeg + kSeg - 0x100, s * kSeg + kSeg - 0x50, t, t + 500000};
  }
}

std::vector<std::string> names(const RestoreWay& way) {
  std::vector<std::string> out;
  for (const PathSegment& s : way.segments) out.push_back(s.name.to_string());
  return out;
}

TEST(TimelinePath, FollowsTheNewestTimelineThatBranchesAfterTheBackupEnds) {
  ArchiveView view;
  view.segment_size = kSeg;
  view.histories.emplace(2, history(2, {{1, 0x5500000, ""}}));
  view.histories.emplace(3, history(3, {{1, 0x5500000, ""}, {2, 0x6000000, ""}}));
  std::vector<TimelineSpan> spans = timeline_path(view, 1, 0x3400C00);
  ASSERT_EQ(spans.size(), 3u);
  EXPECT_EQ(spans[0].tli, 1u);
  EXPECT_EQ(spans[1].tli, 2u);
  EXPECT_EQ(spans[1].begin, 0x5500000u);
  EXPECT_EQ(spans[2].tli, 3u);
  EXPECT_EQ(spans[2].begin, 0x6000000u);
  // A backup that ends after timeline 1 left for 2 cannot be recovered into 2 or 3.
  spans = timeline_path(view, 1, 0x5600000);
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(spans[0].tli, 1u);
  // From a backup taken on timeline 2, timeline 1 is not on the way.
  spans = timeline_path(view, 2, 0x5800000);
  ASSERT_EQ(spans.size(), 2u);
  EXPECT_EQ(spans[0].tli, 2u);
  EXPECT_EQ(spans[1].tli, 3u);
}

TEST(WalkPath, ReadsTheNewTimelinesFileFromTheSwitchSegmentOn) {
  ArchiveView view;
  view.segment_size = kSeg;
  view.histories.emplace(2, history(2, {{1, 0x5500100, ""}}));
  add_segments(&view, 1, 0x53, 0x56);  // timeline 1 went on after the switch: not on the way
  add_segments(&view, 2, 0x55, 0x56);
  const KnownBackup b = backup_at(0x5300028, 0x5300100, 0);
  const std::vector<TimelineSpan> spans = timeline_path(view, 1, 0x5300100);
  RestoreWay way = walk_path(view, spans, b, RestoreTarget{});
  EXPECT_EQ(way.shortfall, Shortfall::kNone);
  EXPECT_EQ(names(way),
            (std::vector<std::string>{"000000010000000000000053", "000000010000000000000054",
                                      "000000020000000000000055", "000000020000000000000056"}));
}

TEST(WalkPath, StopsAtTheFirstCommitAtOrAfterTheTargetTime) {
  ArchiveView view;
  view.segment_size = kSeg;
  add_segments(&view, 1, 0x30, 0x40);
  const KnownBackup b = backup_at(0x3000028, 0x3000100, 0);
  RestoreTarget target{RestoreTarget::Kind::kTime, 0x34 * 1000000 + 700000, 0};
  RestoreWay way = walk_path(view, timeline_path(view, 1, 0x3000100), b, target);
  EXPECT_EQ(way.shortfall, Shortfall::kNone);
  EXPECT_TRUE(way.reached);
  ASSERT_EQ(way.segments.size(), 6u);  // 0x30 .. 0x35: 0x34's last commit is before the target
  EXPECT_EQ(way.segments.back().name.to_string(), "000000010000000000000035");

  target.time = 0x41 * 1000000;
  way = walk_path(view, timeline_path(view, 1, 0x3000100), b, target);
  EXPECT_EQ(way.shortfall, Shortfall::kEndsBeforeTarget);
  EXPECT_FALSE(way.reached);
  EXPECT_EQ(way.segments.size(), 17u);
}

TEST(WalkPath, AGapIsNamedFromItsFirstToItsLastSegment) {
  ArchiveView view;
  view.segment_size = kSeg;
  add_segments(&view, 1, 0x30, 0x33);
  add_segments(&view, 1, 0x37, 0x38);
  const KnownBackup b = backup_at(0x3000028, 0x3000100, 0);
  RestoreWay way = walk_path(view, timeline_path(view, 1, 0x3000100), b, RestoreTarget{});
  EXPECT_EQ(way.shortfall, Shortfall::kMissing);
  EXPECT_EQ(way.segments.size(), 4u);
  ASSERT_TRUE(way.first_absent && way.last_absent);
  EXPECT_EQ(way.first_absent->to_string(), "000000010000000000000034");
  EXPECT_EQ(way.last_absent->to_string(), "000000010000000000000036");
  EXPECT_EQ(way.absent, 3u);

  // The backup's own first segment missing, and nothing after it: never consistent.
  ArchiveView empty;
  empty.segment_size = kSeg;
  way = walk_path(empty, timeline_path(empty, 1, 0x3000100), b, RestoreTarget{});
  EXPECT_EQ(way.shortfall, Shortfall::kEndsBeforeBackup);
  ASSERT_TRUE(way.first_absent);
  EXPECT_EQ(way.first_absent->to_string(), "000000010000000000000030");
}

}  // namespace
}  // namespace walpipe::pipeline
