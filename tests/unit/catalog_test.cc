// archive::summarize_archive over a real archive written by walpipe push, and the alerts judged
// from what it and the server say: thresholds, a failure newer than the last success, a quiet
// cluster, a standby, gaps.
#include "archive/catalog.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "archive/local/local_store.h"
#include "io/io.h"
#include "io/space.h"
#include "monitor/alerts.h"
#include "monitor/status.h"
#include "support/corpus.h"
#include "support/run_command.h"
#include "support/scratch_archive.h"
#include "support/scratch_dir.h"

namespace walpipe::testing {
namespace {

namespace fs = std::filesystem;

class Catalog : public ScratchArchiveTest {
 protected:
  void push(const std::string& relative) { push_corpus(relative); }
  archive::ArchiveSummary summarize() {
    io::SyncIo io;
    archive::LocalStore store(io, dir_.file("archive"));
    auto s = archive::summarize_archive(store, 1u << 20);
    EXPECT_TRUE(s.is_ok()) << s.status().to_string();
    return s.is_ok() ? *s : archive::ArchiveSummary{};
  }
};

TEST_F(Catalog, AnEmptyArchiveHasNothing) {
  archive::ArchiveSummary s = summarize();
  EXPECT_EQ(s.segments, 0u);
  EXPECT_TRUE(s.timelines.empty());
  EXPECT_FALSE(s.newest_commit_time.has_value());
}

TEST_F(Catalog, CountsSegmentsGapsBytesAndTheNewestCommit) {
  for (const char* seg : {"34", "35", "36", "39"})
    push(std::string("pg16/1mb/0000000100000000000000") + seg);
  push("pg16/1mb/00000002.history");
  push("pg16/1mb/000000010000000000000055.partial");
  push("pg16/1mb/000000020000000000000055");
  push("pg16/1mb/000000020000000000000056");
  archive::ArchiveSummary s = summarize();
  ASSERT_EQ(s.timelines.size(), 2u);
  const archive::TimelineSummary& one = s.timelines[0];
  EXPECT_EQ(one.timeline, 1u);
  EXPECT_EQ(one.segments, 4u);
  EXPECT_EQ(one.oldest, "000000010000000000000034");
  EXPECT_EQ(one.newest, "000000010000000000000039");
  EXPECT_EQ(one.gap_count, 1u);
  EXPECT_EQ(one.missing_segments, 2u);
  ASSERT_EQ(one.gaps.size(), 1u);
  EXPECT_EQ(one.gaps[0].after, "000000010000000000000036");
  EXPECT_EQ(one.gaps[0].before, "000000010000000000000039");
  const archive::TimelineSummary& two = s.timelines[1];
  EXPECT_EQ(two.segments, 2u);
  EXPECT_EQ(two.gap_count, 0u);  // a new timeline starts a new run
  EXPECT_EQ(s.segments, 6u);
  EXPECT_EQ(s.history_files, 1u);
  EXPECT_EQ(s.partial_files, 1u);
  EXPECT_EQ(s.wal_bytes, 7u << 20);
  uint64_t on_disk = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir_.file("archive/wal")))
    if (e.is_regular_file()) on_disk += e.file_size();
  EXPECT_EQ(s.stored_bytes, on_disk);
  EXPECT_LT(s.stored_bytes, s.wal_bytes);
  // The newest commit is the latest of each timeline's newest segment holding one.
  ASSERT_TRUE(s.newest_commit_time.has_value());
  EXPECT_EQ(s.newest_commit_segment, "000000020000000000000056");
  // Unix seconds, not PostgreSQL's microseconds since 2000: the corpus was written in 2025-2026.
  EXPECT_GT(*s.newest_commit_time, 1'735'689'600) << *s.newest_commit_time;  // 2025-01-01
  EXPECT_LT(*s.newest_commit_time, 1'830'297'600) << *s.newest_commit_time;  // 2028-01-01
  EXPECT_EQ(s.unreadable_metadata, 0u);
}

TEST_F(Catalog, AnObjectWithUnreadableMetadataIsCountedAndPassedOver) {
  push("pg16/1mb/000000010000000000000034");
  push("pg16/1mb/000000010000000000000035");
  const std::string newest = dir_.file("archive/wal/0000000100000000/000000010000000000000035.zst");
  fs::resize_file(newest, 8);
  archive::ArchiveSummary s = summarize();
  EXPECT_EQ(s.unreadable_metadata, 1u);
  ASSERT_TRUE(s.newest_commit_time.has_value());
  EXPECT_EQ(s.newest_commit_segment, "000000010000000000000034");
}

monitor::StatusReport healthy_report() {
  monitor::StatusReport r;
  r.now = 1'000'000;
  monitor::ServerSide s;
  s.settings.archive_mode = "on";
  s.settings.wal_segment_size = 16u << 20;
  s.stats.last_archived_wal = "000000010000000000000010";
  s.stats.last_archived_time = r.now - 30;
  s.segments_behind = 0;
  s.backlog = pg::ReadyBacklog{};
  r.server = s;
  return r;
}

const monitor::Alert& named(const std::vector<monitor::Alert>& alerts, const std::string& name) {
  for (const monitor::Alert& a : alerts)
    if (a.name == name) return a;
  static monitor::Alert none;
  ADD_FAILURE() << "no alert " << name;
  return none;
}

TEST(Alerts, AFailureCountsOnlyWhenNewerThanTheLastSuccess) {
  monitor::StatusReport r = healthy_report();
  r.server->stats.failed_count = 12;  // the lifetime counter
  r.server->stats.last_failed_wal = "00000001000000000000000F";
  r.server->stats.last_failed_time = r.now - 3600;
  EXPECT_EQ(named(monitor::evaluate(r, {}), "archiving").level, monitor::Level::kOk);
  r.server->stats.last_failed_wal = "000000010000000000000011";
  r.server->stats.last_failed_time = r.now - 5;
  auto alerts = monitor::evaluate(r, {});
  EXPECT_EQ(named(alerts, "archiving").level, monitor::Level::kCritical);
  EXPECT_EQ(named(alerts, "archiving").text,
            "archive_command is failing: \"000000010000000000000011\" failed 5 s ago, last "
            "success \"000000010000000000000010\" 30 s ago");
  EXPECT_EQ(monitor::overall(alerts), monitor::Level::kCritical);
}

TEST(Alerts, TheArchiveAgeCountsOnlyWhileWalWaits) {
  monitor::StatusReport r = healthy_report();
  r.server->stats.last_archived_time = r.now - 7200;  // a quiet cluster
  monitor::Thresholds t;
  EXPECT_EQ(named(monitor::evaluate(r, t), "archive_age").level, monitor::Level::kOk);
  r.server->segments_behind = 1;
  EXPECT_EQ(named(monitor::evaluate(r, t), "archive_age").level, monitor::Level::kCritical);
  r.server->stats.last_archived_time = r.now - 700;
  EXPECT_EQ(named(monitor::evaluate(r, t), "archive_age").level, monitor::Level::kWarning);
  r.server->stats.last_archived_time = r.now - 100;
  EXPECT_EQ(named(monitor::evaluate(r, t), "archive_age").level, monitor::Level::kOk);
}

TEST(Alerts, ThresholdsAreInclusiveAndUnknownIsBelowWarning) {
  monitor::StatusReport r = healthy_report();
  monitor::Thresholds t;
  t.ready_warning = 5;
  t.ready_critical = 10;
  r.server->backlog->ready_count = 5;
  EXPECT_EQ(named(monitor::evaluate(r, t), "ready").level, monitor::Level::kWarning);
  r.server->backlog->ready_count = 10;
  EXPECT_EQ(named(monitor::evaluate(r, t), "ready").level, monitor::Level::kCritical);
  r.server->backlog.reset();
  r.server->backlog_error = "permission denied\nHINT: GRANT pg_monitor TO x;";
  auto alerts = monitor::evaluate(r, t);
  EXPECT_EQ(named(alerts, "ready").level, monitor::Level::kUnknown);
  EXPECT_EQ(named(alerts, "ready").text, "the .ready backlog is unknown: permission denied");
  EXPECT_EQ(monitor::overall(alerts), monitor::Level::kUnknown);
  r.server->stats.last_failed_time = r.now;
  EXPECT_EQ(monitor::overall(monitor::evaluate(r, t)), monitor::Level::kCritical);
}

TEST(Alerts, TheArchiveDiskWarnsFrom80AndIsCriticalFrom90PercentUsed) {
  monitor::StatusReport r = healthy_report();
  r.archive = monitor::ArchiveSide{};
  r.archive->space = io::FilesystemSpace{.total_bytes = 1000, .free_bytes = 201};
  EXPECT_EQ(named(monitor::evaluate(r, {}), "archive_disk").level, monitor::Level::kOk);
  r.archive->space->free_bytes = 200;
  const auto alerts = monitor::evaluate(r, {});
  EXPECT_EQ(named(alerts, "archive_disk").level, monitor::Level::kWarning);
  EXPECT_EQ(named(alerts, "archive_disk").text,
            "archive disk 80.0 % used (warning 80 %, critical 90 %)");
  r.archive->space->free_bytes = 100;
  EXPECT_EQ(named(monitor::evaluate(r, {}), "archive_disk").level, monitor::Level::kCritical);
  r.archive->space.reset();
  r.archive->space_error = "statvfs: permission denied";
  EXPECT_EQ(named(monitor::evaluate(r, {}), "archive_disk").level, monitor::Level::kUnknown);
}

TEST(Alerts, AStandbyThatDoesNotArchiveIsNotFailingAndArchiveModeOffIs) {
  monitor::StatusReport r = healthy_report();
  r.server->position.in_recovery = true;
  EXPECT_EQ(named(monitor::evaluate(r, {}), "archiving").text,
            "standby with archive_mode = on: its primary archives, it does not");
  r.server->position.in_recovery = false;
  r.server->settings.archive_mode = "off";
  EXPECT_EQ(named(monitor::evaluate(r, {}), "archiving").level, monitor::Level::kCritical);
}

TEST(Alerts, AgesReadAsPeopleSayThem) {
  EXPECT_EQ(monitor::age_text(-3), "0 s");
  EXPECT_EQ(monitor::age_text(119), "119 s");
  EXPECT_EQ(monitor::age_text(120), "2 min");
  EXPECT_EQ(monitor::age_text(3 * 3600 + 600), "3 h 10 min");
  EXPECT_EQ(monitor::age_text(3 * 86400 + 7200), "3 d 2 h");
}

}  // namespace
}  // namespace walpipe::testing
