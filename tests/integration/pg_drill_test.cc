// walpipe drill against a real PostgreSQL 15 server archiving through walpipe push: a drill to
// the end of the archive and one to a time between two commits (the later row absent), each
// answering its check query and leaving no scratch folder behind; a drill from an archive with a
// damaged object, which fails naming the segment; and the recovery server itself meeting that
// object during replay, which stops recovery and names it from the server log.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "io/spawn.h"
#include "pg/drill_setup.h"
#include "pg/recovery_server.h"
#include "support/archiving_primary.h"
#include "support/pg_cluster.h"
#include "support/run_command.h"

namespace walpipe::testing {
namespace {

namespace fs = std::filesystem;

constexpr int kWait = 60;  // seconds: the bound on every poll below
constexpr const char* kCountSql =
    "SELECT count(*) FILTER (WHERE id = 2), count(*) FILTER (WHERE id = 3), count(*) FROM t";

// The folders drill made under `parent` and left behind.
std::vector<std::string> scratch_left(const std::string& parent) {
  std::vector<std::string> left;
  for (const auto& entry : fs::directory_iterator(parent))
    if (entry.path().filename().string().starts_with("walpipe-drill-"))
      left.push_back(entry.path().string());
  return left;
}

// The segment after `name` on its timeline.
std::string next_segment(const std::string& name) {
  char seg[16];
  std::snprintf(seg, sizeof seg, "%08lX", std::stoul(name.substr(16), nullptr, 16) + 1);
  return name.substr(0, 16) + seg;
}

// Flips one byte in the middle of the stored object of `segment`: inside its data frames.
void damage_object(const std::string& archive, const std::string& segment) {
  const std::string path = archive + "/wal/" + segment.substr(0, 16) + "/" + segment + ".zst";
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  ASSERT_TRUE(f) << path;
  f.seekg(0, std::ios::end);
  const std::streamoff middle = f.tellg() / 2;
  f.seekg(middle);
  char byte = 0;
  f.read(&byte, 1);
  byte = static_cast<char>(byte ^ 0x5a);
  f.seekp(middle);
  f.write(&byte, 1);
  ASSERT_TRUE(f) << path;
}

class PgDrill : public ArchivingPrimaryTest {
 protected:
  // A backup, then writes over several segments, then row 2, a target, row 3 and a WAL switch;
  // returns once the commit of row 3 is archived.
  void write_history(std::string* backup, std::string* target) {
    ArchivingPrimary& p = primary();
    ASSERT_EQ(p.query("INSERT INTO t VALUES (1)"), "");
    *backup = workspace().file("backup");
    ASSERT_NO_FATAL_FAILURE(p.base_backup(*backup, "drill"));
    ASSERT_EQ(p.query("INSERT INTO t SELECT g FROM generate_series(100, 40000) g"), "");
    ASSERT_EQ(p.query("INSERT INTO t VALUES (2)"), "");
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    *target = p.query(kNowUtc);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    ASSERT_EQ(p.query("INSERT INTO t VALUES (3)"), "");
    ASSERT_FALSE(p.query("SELECT pg_switch_wal()").empty());
    CommandResult r;
    ASSERT_NO_FATAL_FAILURE(p.walpipe_until(
        {"restore-plan", "--archive", p.archive(), "--target-time", *target},
        [](const CommandResult& result) { return result.exit_code == 0; }, &r, kWait));
  }
};

TEST_F(PgDrill, RecoversToTheEndAndToATimeBetweenTwoCommitsAnsweringTheQuery) {
  std::string backup, target;
  ASSERT_NO_FATAL_FAILURE(write_history(&backup, &target));
  const std::string& archive = primary().archive();

  CommandResult r = primary().walpipe({"drill", "--archive", archive, "--backup", backup,
                                       "--target-time", target, "--sql", kCountSql, "--json"});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_NE(r.out.find("\"passed\":true"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"answer\":[[\"1\",\"0\",\"39903\"]]"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"target\":\"" + target.substr(0, 19)), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"os_user\":\"postgres\""), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("\"segments_replayed\":0,"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("\"last_replayed_commit\":null"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"error\":null}"), std::string::npos) << r.out;
  EXPECT_TRUE(
      r.err.starts_with("walpipe drill: working in \"" + workspace().path() + "/walpipe-drill-"))
      << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;

  // To the end of the archive, in text; as root, the server runs as the backup's owner.
  std::vector<std::string> argv{
      workspace().walpipe(), "drill", "--archive", archive, "--backup", backup, "--sql", kCountSql};
  r = ::geteuid() == 0 ? run_command(argv) : primary().walpipe({argv.begin() + 1, argv.end()});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_NE(r.out.find("\nanswer: 1|1|39904\ndrill passed in "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\nlast replayed commit: "), std::string::npos) << r.out;
  if (::geteuid() == 0) {
    EXPECT_TRUE(
        r.err.starts_with("walpipe drill: running the server as user \"postgres\" "
                          "(PostgreSQL does not run as root)\n"))
        << r.err;
  }
  EXPECT_EQ(scratch_left(workspace().path()), std::vector<std::string>());
}

TEST_F(PgDrill, ADamagedObjectFailsTheDrillNamingTheSegment) {
  std::string backup, target;
  ASSERT_NO_FATAL_FAILURE(write_history(&backup, &target));
  const std::string& archive = primary().archive();
  const std::string label = read_text_file(backup + "/backup_label");
  const std::string first = label.substr(label.find("(file ") + 6, 24);
  const std::string damaged = next_segment(first);
  ASSERT_NO_FATAL_FAILURE(damage_object(archive, damaged));

  CommandResult r = primary().walpipe({"drill", "--archive", archive, "--backup", backup});
  EXPECT_EQ(r.exit_code, 1) << describe(r);
  const std::string object = archive + "/wal/" + damaged.substr(0, 16) + "/" + damaged + ".zst";
  EXPECT_NE(r.err.find("\nwalpipe drill: error: the archive cannot take recovery from backup \"" +
                       backup + "\" to its end: archive object \"" + object +
                       "\": zstd frame is damaged: "),
            std::string::npos)
      << r.err;
  EXPECT_EQ(r.out.find("server:"), std::string::npos) << r.out;
  EXPECT_EQ(scratch_left(workspace().path()), std::vector<std::string>());
}

// The drill's plan finds a damaged object before any server starts; a server that meets one
// during replay (damaged after the plan, or a drill run without one) must stop and say which.
TEST_F(PgDrill, RecoveryMeetingADamagedObjectStopsAndTheLogNamesIt) {
  std::string backup, target;
  ASSERT_NO_FATAL_FAILURE(write_history(&backup, &target));
  const std::string label = read_text_file(backup + "/backup_label");
  const std::string damaged = next_segment(label.substr(label.find("(file ") + 6, 24));
  ASSERT_NO_FATAL_FAILURE(damage_object(primary().archive(), damaged));
  primary().stop();

  const std::string scratch = workspace().make_dir("scratch");
  const std::string data = scratch + "/data";
  ASSERT_EQ(run_as_postgres({"/bin/cp", "-a", backup, data}).exit_code, 0);
  const std::string socket_dir = workspace().make_dir("socket");
  std::optional<io::Credentials> as;
  if (::geteuid() == 0) {
    Result<io::Credentials> postgres = io::credentials_of("postgres");
    ASSERT_TRUE(postgres.is_ok()) << postgres.status().to_string();
    as = *postgres;
  }
  ASSERT_TRUE(pg::prepare_data_dir(data, scratch, socket_dir, as).is_ok());
  pg::ServerSetup setup;
  setup.bin_dir = pg15_bin_dir();
  setup.data_dir = data;
  setup.socket_dir = socket_dir;
  setup.log_path = scratch + "/server.log";
  setup.settings = {
      {"listen_addresses", ""},
      {"unix_socket_directories", socket_dir},
      {"hba_file", scratch + "/pg_hba.conf"},
      {"archive_mode", "off"},
      {"lc_messages", "C"},
      {"restore_command", pg::restore_command(workspace().walpipe(), primary().archive())}};
  setup.as = as;
  setup.user = "postgres";
  Result<std::unique_ptr<pg::RecoveryServer>> server = pg::RecoveryServer::start(setup);
  ASSERT_TRUE(server.is_ok()) << server.status().to_string();
  Status s = (*server)->wait_for_recovery_end({}, {});
  EXPECT_EQ(s.message(), "recovery stopped at WAL file \"" + damaged +
                             "\": restore_command could not bring it from the archive")
      << s.to_string();
  EXPECT_NE(s.detail().find("walpipe get: error: "), std::string::npos) << s.to_string();
  EXPECT_NE(s.detail().find("FATAL:  could not restore file \"" + damaged +
                            "\" from archive: child process exited with exit code 200"),
            std::string::npos)
      << s.to_string();
  EXPECT_EQ((*server)->findings().segments_restored, 1u);
  EXPECT_TRUE((*server)->stop().is_ok());
}

}  // namespace
}  // namespace walpipe::testing
