// walpipe drill against a real PostgreSQL 15 server archiving through walpipe push: a drill to
// the end of the archive and one to a time between two commits (the later row absent), each
// answering its check query and leaving no scratch folder behind; a drill from an archive with a
// damaged object, which fails naming the segment; the recovery server itself meeting that
// object during replay, which stops recovery and names it from the server log; a drill from an
// encrypted copy of the archive, whose server's restore_command decrypts with the --identity
// file drill was given; and a drill from an archive in a real RGW bucket, reached with the
// settings drill was given in a configuration file its server's user cannot read, the secret
// key nowhere in the scratch folder, the server log or a command line.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "io/spawn.h"
#include "pg/drill_setup.h"
#include "pg/recovery_server.h"
#include "s3/client.h"
#include "support/age_tools.h"
#include "support/archiving_primary.h"
#include "support/pg_cluster.h"
#include "support/prerequisite.h"
#include "support/rgw.h"
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

// An encrypted archive (issue 13): drill reads the plan with the identity it was given, and the
// server's restore_command gets the same file (a relative path made absolute: the server runs
// restore_command in its data directory); without an identity nothing is restored.
TEST_F(PgDrill, AnEncryptedArchiveIsRestoredWithTheIdentityDrillWasGiven) {
  std::string backup, target;
  ASSERT_NO_FATAL_FAILURE(write_history(&backup, &target));
  if (!fs::exists(kAgeKeygen)) WALPIPE_SKIP() << "no " << kAgeKeygen;
  const std::string keys = workspace().make_dir("keys");
  const std::string identity = keys + "/drill.key";
  CommandResult r = run_command({kAgeKeygen, "-o", identity});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  chown_to_postgres(identity);
  r = run_command({kAgeKeygen, "-y", identity});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  const std::string recipient = r.out.substr(0, r.out.find('\n'));
  const std::string fingerprint_key = keys + "/fingerprint.key";
  write_text_file(fingerprint_key, std::string(64, 'd') + "\n");
  for (const std::string& secret : {identity, fingerprint_key})
    ASSERT_EQ(::chmod(secret.c_str(), 0600), 0);
  const std::string sealed = workspace().make_dir("sealed");
  r = primary().walpipe({"copy", "--encrypt-to", recipient, "--fingerprint-key", fingerprint_key,
                         primary().archive(), sealed});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  ASSERT_TRUE(fs::exists(sealed + "/wal/0000000100000000")) << describe(r);

  // Without an identity nothing can be told about the WAL: not "failed" (1) but an archive
  // that could not be read (2), saying which key would open it.
  r = primary().walpipe({"drill", "--archive", sealed, "--backup", backup, "--sql", kCountSql});
  EXPECT_EQ(r.exit_code, 2) << describe(r);
  EXPECT_EQ(r.err, "walpipe drill: error: archive \"" + sealed +
                       "\" is encrypted, and no identity was given\nDETAIL: It was encrypted to " +
                       recipient +
                       ".\nHINT: Give the identity file of one of those recipients with "
                       "--identity FILE, or with identity in the configuration file.\n");
  EXPECT_EQ(scratch_left(workspace().path()), std::vector<std::string>());

  // drill runs in the workspace and is given the identity relative to it.
  r = run_as_postgres({"/usr/bin/env", "-C", workspace().path(), workspace().walpipe(), "drill",
                       "--archive", sealed, "--identity", "keys/drill.key", "--backup", backup,
                       "--sql", kCountSql, "--json"});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_NE(r.out.find("\"passed\":true"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"answer\":[[\"1\",\"1\",\"39904\"]]"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("\"segments_replayed\":0,"), std::string::npos) << r.out;
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

// Where a secret could be seen while drill runs: every process's command line (what ps shows)
// and the files of drill's scratch folders under `parent` (the copy's relation files aside,
// which hold only what the backup held). Samples until stopped.
class SecretWatch {
 public:
  SecretWatch(std::string secret, std::string parent)
      : secret_(std::move(secret)), parent_(std::move(parent)), thread_([this] { run(); }) {}
  ~SecretWatch() { stop(); }
  void stop() {
    done_ = true;
    if (thread_.joinable()) thread_.join();
  }
  // Where the secret was seen; the last server log seen; how many samples were taken.
  const std::vector<std::string>& seen() const { return seen_; }
  const std::string& server_log() const { return server_log_; }
  int samples() const { return samples_; }

 private:
  void look(const std::string& where, const std::string& text) {
    if (text.find(secret_) != std::string::npos &&
        std::find(seen_.begin(), seen_.end(), where) == seen_.end())
      seen_.push_back(where);
  }
  // "" for a file gone or a process ended while it is read (the stream then throws).
  static std::string slurp(const fs::path& path) {
    try {
      std::ifstream in(path, std::ios::binary);
      return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    } catch (const std::exception&) {
      return "";
    }
  }
  void sample() {
    std::error_code ec;
    for (const auto& proc : fs::directory_iterator("/proc", ec))
      if (std::isdigit(static_cast<unsigned char>(proc.path().filename().string()[0])))
        look("command line of process " + proc.path().filename().string(),
             slurp(proc.path() / "cmdline"));
    for (const std::string& scratch : scratch_left(parent_)) {
      for (auto it = fs::recursive_directory_iterator(scratch, ec);
           it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (ec) break;
        const std::string name = it->path().filename().string();
        if (it->is_directory(ec) && (name == "base" || name == "global")) {
          it.disable_recursion_pending();
          continue;
        }
        if (!it->is_regular_file(ec) || it->file_size(ec) > (1u << 20)) continue;
        const std::string text = slurp(it->path());
        look(it->path().string(), text);
        if (name == "server.log" && !text.empty()) server_log_ = text;
      }
    }
    ++samples_;
  }
  void run() {
    while (!done_) {
      sample();
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }

  const std::string secret_;
  const std::string parent_;
  std::atomic<bool> done_{false};
  std::vector<std::string> seen_;
  std::string server_log_;
  int samples_ = 0;
  std::thread thread_;
};

// One RGW for this program, started with the suite.
class PgDrillBucket : public PgDrill {
 protected:
  static void SetUpTestSuite() {
    missing_ = ceph_missing();
    if (missing_.empty()) rgw_ = Rgw::start(&start_failure_).release();
  }
  static void TearDownTestSuite() {
    delete rgw_;
    rgw_ = nullptr;
  }
  void SetUp() override {
    if (!missing_.empty()) WALPIPE_SKIP() << missing_;
    ASSERT_NE(rgw_, nullptr) << start_failure_;
    PgDrill::SetUp();
  }

  static inline Rgw* rgw_ = nullptr;
  static inline std::string missing_;
  static inline std::string start_failure_;
};

TEST_F(PgDrillBucket, RestoreCommandReachesTheBucketAndTheSecretShowsNowhere) {
  std::string backup, target;
  ASSERT_NO_FATAL_FAILURE(write_history(&backup, &target));
  const s3::S3Settings& s = rgw_->settings();
  Result<std::unique_ptr<s3::Client>> client = s3::Client::create(s, {"drill", ""});
  ASSERT_TRUE(client.is_ok()) << client.status().to_string();
  Status made = client.value()->create_bucket();
  ASSERT_TRUE(made.is_ok()) << made.to_string();
  const std::string bucket = "s3://drill/cluster-" + std::to_string(::getpid());
  // The settings are in a file only drill's user can read (as root: not the server's user).
  for (const char* variable : {"AWS_ENDPOINT_URL", "AWS_REGION", "AWS_DEFAULT_REGION",
                               "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"})
    ::unsetenv(variable);
  const std::string config = workspace().make_dir("conf") + "/walpipe.conf";
  write_text_file(config, "s3-endpoint = " + s.endpoint + "\ns3-region = " + s.region +
                              "\naws-access-key-id = " + s.credentials.access_key_id +
                              "\naws-secret-access-key = " + s.credentials.secret_access_key +
                              "\ns3-deadline = 60\n");
  ASSERT_EQ(::chmod(config.c_str(), 0600), 0);
  CommandResult r = run_walpipe({"copy", "--config", config, primary().archive(), bucket});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  primary().stop();  // the bucket alone holds the WAL now, as far as the drill can tell

  const std::string& secret = s.credentials.secret_access_key;
  ASSERT_GE(secret.size(), 16u);
  SecretWatch watch(secret, workspace().path());
  r = run_walpipe({"drill", "--config", config, "--archive", bucket, "--backup", backup, "--sql",
                   kCountSql, "--json"});
  watch.stop();
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_NE(r.out.find("\"passed\":true"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"answer\":[[\"1\",\"1\",\"39904\"]]"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("\"segments_replayed\":0,"), std::string::npos) << r.out;
  // The watch saw the server at work: its log names the segments restore_command brought.
  EXPECT_NE(watch.server_log().find("restored log file \""), std::string::npos)
      << watch.samples() << " samples; last server log:\n"
      << watch.server_log();
  EXPECT_EQ(watch.seen(), std::vector<std::string>());
  EXPECT_EQ(r.out.find(secret), std::string::npos);
  EXPECT_EQ(r.err.find(secret), std::string::npos);
  EXPECT_EQ(scratch_left(workspace().path()), std::vector<std::string>());
}

}  // namespace
}  // namespace walpipe::testing
