// walpipe status against a real PostgreSQL 15, as a monitoring system runs it: a healthy
// cluster, an archive_command that fails and then recovers, an archiver that stalls while the
// backlog grows, a server that is down, a role without pg_monitor, a standby that archives
// (archive_mode = always), and an archive with a segment missing. Each with the exit code a
// monitoring plugin must give and the first line it prints.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <memory>
#include <string>

#include "exit_codes.h"
#include "support/pg_test.h"
#include "support/prerequisite.h"
#include "support/run_command.h"

namespace walpipe::testing {
namespace {

namespace fs = std::filesystem;

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

class PgStatusTest : public PgArchivingTest {
 protected:
  std::unique_ptr<PgCluster> start_primary(const std::string& archive_command) {
    return start_cluster("primary",
                         {"archive_mode = on", "archive_command = '" + archive_command + "'",
                          "wal_level = replica", "max_wal_senders = 4", "archive_timeout = 0"});
  }

  // The archive sits on this machine's disk, whose use the test does not choose: the disk
  // alert is lifted out of the way (tests/unit/catalog_test holds it to its defaults).
  CommandResult status(const std::vector<std::string>& args) const {
    std::vector<std::string> with{"status", "--warn-disk=100", "--crit-disk=100"};
    with.insert(with.end(), args.begin(), args.end());
    return walpipe(with);
  }

  static void set_archive_command(const PgCluster& pg, const std::string& command) {
    pg.query("ALTER SYSTEM SET archive_command = '" + command + "'");
    pg.query("SELECT pg_reload_conf()");
  }

  static std::string switch_and_wait(const PgCluster& pg) {
    pg.query("CREATE TABLE IF NOT EXISTS t(x int)");
    pg.query("INSERT INTO t VALUES (1)");
    std::string closed = pg.query("SELECT pg_walfile_name(pg_switch_wal())");
    EXPECT_TRUE(pg.wait_for(
        "SELECT coalesce(last_archived_wal >= '" + closed + "', false) FROM pg_stat_archiver", "t",
        60));
    return closed;
  }
};

TEST_F(PgStatusTest, AHealthyClusterIsOkWithPerformanceData) {
  auto pg = start_primary(push_command(archive_));
  std::string closed = switch_and_wait(*pg);
  pg->query("INSERT INTO t VALUES (2)");  // a commit that is not archived yet
  CommandResult r = status({"--dbname", conninfo(*pg), "--archive", archive_});
  EXPECT_EQ(r.exit_code, exit_code::kMonitorOk) << describe(r);
  const std::string line = first_line(r.out);
  EXPECT_EQ(line.rfind("WALPIPE OK - ", 0), 0u) << line;
  EXPECT_NE(line.find(" | 'archiving'=0;;1 'archive_age'="), std::string::npos) << line;
  EXPECT_NE(line.find("s;600;900 'ready'=0;50;100 'archive_disk'="), std::string::npos) << line;
  EXPECT_NE(line.find("%;100;100 'archive_gaps'=0;;1"), std::string::npos) << line;
  EXPECT_NE(r.out.find("server: PostgreSQL 15."), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(", primary, host \"" + pg->socket_dir() + "\""), std::string::npos);
  EXPECT_NE(r.out.find("wal_segment_size 1024 kB"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("last \"" + closed + "\" at "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  at risk: the oldest commit not yet archived is "), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("archive_timeout = 0: a quiet cluster can keep its last transactions"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("archive: " + archive_ + " (system identifier "), std::string::npos);
  EXPECT_NE(r.out.find("  timeline 1: "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(" to \"" + closed + "\", no gap\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  newest archived commit: "), std::string::npos) << r.out;

  r = status({"--dbname", conninfo(*pg), "--archive", archive_, "--json"});
  EXPECT_EQ(r.exit_code, exit_code::kMonitorOk) << describe(r);
  EXPECT_EQ(r.out.rfind("{\"status\":\"OK\",", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("\"last_archived_wal\":\"" + closed + "\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"wal_segment_size_bytes\":1048576"), std::string::npos) << r.out;
  // The archived commit happened seconds ago: its time is Unix seconds like "now".
  const auto number_after = [&](const std::string& key) {
    const size_t at = r.out.find("\"" + key + "\":");
    return at == std::string::npos ? 0.0 : std::stod(r.out.substr(at + key.size() + 3));
  };
  EXPECT_NEAR(number_after("newest_commit_time"), number_after("now"), 120) << r.out;
}

TEST_F(PgStatusTest, AFailingArchiveCommandIsCriticalUntilItSucceedsAgain) {
  auto pg = start_primary(push_command(archive_));
  switch_and_wait(*pg);
  set_archive_command(*pg, "/bin/false");
  pg->query("INSERT INTO t VALUES (2)");
  std::string failing = pg->query("SELECT pg_walfile_name(pg_switch_wal())");
  ASSERT_TRUE(pg->wait_for("SELECT last_failed_wal FROM pg_stat_archiver", failing));
  CommandResult r = status({"--dbname", conninfo(*pg), "--archive", archive_});
  EXPECT_EQ(r.exit_code, exit_code::kMonitorCritical) << describe(r);
  EXPECT_EQ(first_line(r.out).rfind(
                "WALPIPE CRITICAL - archive_command is failing: \"" + failing + "\" failed ", 0),
            0u)
      << r.out;
  EXPECT_NE(r.out.find("'archiving'=1;;1"), std::string::npos) << r.out;

  // The lifetime counter stays above zero; only a failure newer than the last success counts.
  set_archive_command(*pg, push_command(archive_));
  ASSERT_TRUE(
      pg->wait_for("SELECT last_archived_wal >= '" + failing + "' FROM pg_stat_archiver", "t"));
  r = status({"--dbname", conninfo(*pg), "--archive", archive_});
  EXPECT_EQ(r.exit_code, exit_code::kMonitorOk) << describe(r);
  EXPECT_NE(r.out.find("  failed: "), std::string::npos) << r.out;
}

TEST_F(PgStatusTest, AStalledArchiverGoesFromWarningToCriticalAsTheBacklogGrows) {
  auto pg = start_primary(push_command(archive_));
  switch_and_wait(*pg);
  // An archive_command that hangs: no failure is ever recorded, the backlog only grows.
  set_archive_command(*pg, "sleep 60");
  const std::vector<std::string> thresholds{"--warn-ready=2", "--crit-ready=4"};
  auto run = [&] {
    std::vector<std::string> args{"--dbname", conninfo(*pg), "--archive", archive_};
    args.insert(args.end(), thresholds.begin(), thresholds.end());
    return status(args);
  };
  auto grow_to = [&](int ready) {
    while (std::stoi(pg->query("SELECT count(*) FROM pg_ls_archive_statusdir() "
                               "WHERE name LIKE '%.ready'")) < ready) {
      pg->query("INSERT INTO t VALUES (3)");
      pg->query("SELECT pg_switch_wal()");
    }
  };
  grow_to(2);
  CommandResult r = run();
  EXPECT_EQ(r.exit_code, exit_code::kMonitorWarning) << describe(r);
  EXPECT_EQ(first_line(r.out).rfind("WALPIPE WARNING - 2 files waiting (.ready), oldest \"", 0), 0u)
      << r.out;
  EXPECT_NE(r.out.find("'ready'=2;2;4"), std::string::npos) << r.out;
  grow_to(4);
  r = run();
  EXPECT_EQ(r.exit_code, exit_code::kMonitorCritical) << describe(r);
  EXPECT_EQ(first_line(r.out).rfind("WALPIPE CRITICAL - 4 files waiting (.ready)", 0), 0u) << r.out;
  // The last archive's age counts while WAL waits: with a 1 s threshold it is critical too.
  r = status({"--dbname", conninfo(*pg), "--crit-archive-age=1", "--warn-archive-age=0"});
  EXPECT_EQ(r.exit_code, exit_code::kMonitorCritical) << describe(r);
  EXPECT_NE(r.out.find("CRITICAL last archived "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(" ago while WAL waits (warning 0 s, critical 1 s)"), std::string::npos)
      << r.out;
  pg->stop("immediate");
}

TEST_F(PgStatusTest, AServerThatIsDownIsCriticalInOneLine) {
  auto pg = start_primary(push_command(archive_));
  switch_and_wait(*pg);
  pg->stop();
  CommandResult r =
      status({"--dbname", conninfo(*pg) + " password=Hunter2-secret", "--archive", archive_});
  EXPECT_EQ(r.exit_code, exit_code::kMonitorCritical) << describe(r);
  EXPECT_EQ(first_line(r.out),
            "WALPIPE CRITICAL - cannot ask PostgreSQL: could not connect to PostgreSQL at host \"" +
                pg->socket_dir() + "\" port " + std::to_string(pg->port()) +
                " user \"postgres\" database \"postgres\" | 'archive_disk'=" +
                first_line(r.out).substr(first_line(r.out).find("'archive_disk'=") + 15))
      << r.out;
  EXPECT_NE(r.out.find("HINT: is the server running"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("Hunter2-secret"), std::string::npos) << r.out;
  EXPECT_EQ(r.err.find("Hunter2-secret"), std::string::npos) << r.err;
  // The archive's side is still there.
  EXPECT_NE(r.out.find("  timeline 1: "), std::string::npos) << r.out;
}

TEST_F(PgStatusTest, ARoleWithoutPgMonitorGetsUnknownForTheBacklogAndTheGrant) {
  auto pg = start_primary(push_command(archive_));
  switch_and_wait(*pg);
  pg->query("CREATE ROLE watcher LOGIN");
  CommandResult r = status(
      {"--dbname", conninfo(*pg, "watcher"), "--archive", archive_, "--pgdata", pg->data_dir()});
  EXPECT_EQ(r.exit_code, exit_code::kMonitorUnknown) << describe(r);
  EXPECT_EQ(first_line(r.out).rfind("WALPIPE UNKNOWN - the .ready backlog is unknown: query "
                                    "failed on PostgreSQL at ",
                                    0),
            0u)
      << r.out;
  EXPECT_NE(r.out.find("permission denied for function pg_ls_archive_statusdir"),
            std::string::npos);
  pg->query("GRANT pg_monitor TO watcher");
  r = status({"--dbname", conninfo(*pg, "watcher"), "--archive", archive_});
  EXPECT_EQ(r.exit_code, exit_code::kMonitorOk) << describe(r);
}

TEST_F(PgStatusTest, AStandbyThatArchivesIsAskedFromItsOwnView) {
  auto primary = start_primary(push_command(archive_));
  switch_and_wait(*primary);
  const std::string backup = workspace_->file("standby-backup");
  CommandResult r = primary->run_client({"pg_basebackup", "-D", backup, "-X", "stream", "-R"});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  const std::string standby_archive = workspace_->make_dir("standby-archive");
  PgCluster standby(*workspace_, "standby");
  r = standby.init_from_backup(backup);
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  standby.append_conf(
      {"archive_mode = always", "archive_command = '" + push_command(standby_archive) + "'"});
  r = standby.start();
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  std::string closed = switch_and_wait(*primary);
  ASSERT_TRUE(standby.wait_for(
      "SELECT coalesce(last_archived_wal >= '" + closed + "', false) FROM pg_stat_archiver", "t",
      60));
  r = status({"--dbname", conninfo(standby), "--archive", standby_archive});
  EXPECT_EQ(r.exit_code, exit_code::kMonitorOk) << describe(r);
  EXPECT_NE(r.out.find(", standby, host \"" + standby.socket_dir() + "\""), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("archive_mode always"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("archive: " + standby_archive), std::string::npos) << r.out;
}

TEST_F(PgStatusTest, ASegmentMissingFromTheArchiveIsCriticalAndNamed) {
  auto pg = start_primary(push_command(archive_));
  std::string a = switch_and_wait(*pg);
  std::string b = switch_and_wait(*pg);
  std::string c = switch_and_wait(*pg);
  fs::remove(archive_ + "/wal/" + b.substr(0, 16) + "/" + b + ".zst");
  CommandResult r = status({"--dbname", conninfo(*pg), "--archive", archive_});
  EXPECT_EQ(r.exit_code, exit_code::kMonitorCritical) << describe(r);
  EXPECT_EQ(first_line(r.out).rfind("WALPIPE CRITICAL - 1 segments missing in 1 gaps, the first "
                                    "between \"" +
                                        a + "\" and \"" + c + "\": recovery cannot pass a gap",
                                    0),
            0u)
      << r.out;
  EXPECT_NE(r.out.find("    gap: 1 segments missing between \"" + a + "\" and \"" + c + "\"\n"),
            std::string::npos)
      << r.out;
}

// The textfile collector's file: written whole, in the exposition format promtool accepts, with
// no sample timestamps (node_exporter rejects them).
TEST_F(PgStatusTest, MetricsAreWrittenAtomicallyInPrometheusFormat) {
  auto pg = start_primary(push_command(archive_));
  std::string closed = switch_and_wait(*pg);
  const std::string prom = workspace_->make_dir("textfile") + "/walpipe.prom";
  CommandResult r =
      walpipe({"metrics", "--dbname", conninfo(*pg), "--archive", archive_, "--output", prom});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_EQ(r.out, "");
  const std::string text = read_text_file(prom);
  EXPECT_NE(text.find("\nwalpipe_pg_up 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\n# TYPE walpipe_pg_archived_total counter\nwalpipe_pg_archived_total "),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("\nwalpipe_pg_wal_segment_size_bytes 1048576\n"), std::string::npos);
  EXPECT_NE(text.find("\nwalpipe_archive_segments{archive=\"" + archive_ + "\",timeline=\"1\"} "),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("\nwalpipe_alert_state{alert=\"archiving\"} 0\n"), std::string::npos);
  // Unix seconds, as Prometheus's time() is: the commit archived above happened just now.
  const std::string newest =
      "\nwalpipe_archive_newest_commit_timestamp_seconds{archive=\"" + archive_ + "\"} ";
  const size_t newest_at = text.find(newest);
  ASSERT_NE(newest_at, std::string::npos) << text;
  EXPECT_NEAR(std::stod(text.substr(newest_at + newest.size())),
              static_cast<double>(std::time(nullptr)), 120)
      << text;
  for (size_t at = 0, end; at < text.size(); at = end + 1) {
    end = text.find('\n', at);
    std::string line = text.substr(at, end - at);
    if (line.empty() || line[0] == '#') continue;
    // "name{labels} value": exactly one space outside the labels, so no timestamp follows.
    std::string outside = line.substr(line.find('}') == std::string::npos ? 0 : line.find('}'));
    EXPECT_EQ(std::count(outside.begin(), outside.end(), ' '), 1) << line;
  }
  for (const auto& entry : fs::directory_iterator(fs::path(prom).parent_path()))
    EXPECT_EQ(entry.path().filename(), "walpipe.prom") << "a temporary was left behind";
  if (access("/usr/bin/promtool", X_OK) != 0)
    WALPIPE_SKIP() << "promtool is not installed (Debian's prometheus package)";
  CommandResult check = run_command({"/bin/sh", "-c", "promtool check metrics < " + prom});
  EXPECT_EQ(check.exit_code, 0) << describe(check);

  // The server down: still a file, saying so; a folder that cannot be written: exit 1.
  pg->stop();
  r = walpipe({"metrics", "--dbname", conninfo(*pg), "--output", prom});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_NE(read_text_file(prom).find("\nwalpipe_pg_up 0\n"), std::string::npos);
  r = walpipe({"metrics", "--dbname", conninfo(*pg), "--output", "/proc/walpipe.prom"});
  EXPECT_EQ(r.exit_code, exit_code::kMetricsNotWritten) << describe(r);
  EXPECT_EQ(r.err.rfind("walpipe metrics: error: could not create file \"/proc/.walpipe.prom.", 0),
            0u)
      << r.err;
}

TEST_F(PgStatusTest, BadOptionsAreUnknown) {
  CommandResult r = status({"--warn-ready=10", "--crit-ready=5"});
  EXPECT_EQ(r.exit_code, exit_code::kMonitorUnknown);
  EXPECT_EQ(r.err,
            "walpipe status: error: --warn-ready is above --crit-ready\n"
            "walpipe status: hint: Try \"walpipe status --help\" for more information.\n");
  r = status({"--warn-disk=lots"});
  EXPECT_EQ(r.exit_code, exit_code::kMonitorUnknown);
  EXPECT_EQ(first_line(r.err),
            "walpipe status: error: invalid value \"lots\" for option --warn-disk");
  r = status({"--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out.rfind("walpipe status tells whether PostgreSQL's archiving works", 0), 0u);
}

}  // namespace
}  // namespace walpipe::testing
