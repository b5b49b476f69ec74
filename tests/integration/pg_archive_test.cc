// walpipe against a real PostgreSQL 15 server (docs/faults.md finding 1, rows 1, 26, 27, 36).
//
// A primary initialised with --wal-segsize=1 (fast, and it exercises 1 MiB segments) archives
// through `walpipe push`; pgbench loads it; pg_basebackup -X none takes a base backup whose WAL
// must come from the archive; three rows are then committed about a second apart. Then:
//   1. point-in-time recovery through `walpipe get` to a time strictly between the commits of
//      rows 1 and 2 must give exactly row 1 (and every pgbench row), then promote to timeline 2;
//   2. the promoted server archives 00000002.history, which `walpipe get` restores byte for byte,
//      and a row it commits on timeline 2 reaches the archive;
//   3. a second restore of the same backup with recovery_target_timeline = 'latest' must follow
//      the history file onto timeline 2: it sees row 1 and timeline 2's row, not rows 2 and 3
//      (those were committed on timeline 1 after the branch point), and promotes to timeline 3;
//   4. `walpipe get` of a name the archive does not hold exits 1 quickly without creating DEST,
//      and `walpipe verify` accepts the whole archive.
// PostgreSQL runs as the `postgres` OS user (the tests run as root in CI); so does every walpipe
// command that touches the archive, so that nothing in it ends up owned by root.
//
// The whole test runs five times: with the archive in a folder, in a bucket of a real Ceph RADOS
// Gateway (issue 14) reached through a configuration file that holds the keys (mode 0600), in
// both at once (--archive FOLDER --archive s3://…), each of which must then hold every file, and
// encrypted with age (issue 13) in a folder and in a bucket: push gets the recipient and the
// fingerprint key from the configuration file, get an --identity file; every object must be a
// .zst.age file that `age -d | zstd -d` turns back into the segment, byte for byte.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <ostream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "exit_codes.h"
#include "s3/client.h"
#include "support/age_tools.h"
#include "support/pg_cluster.h"
#include "support/prerequisite.h"
#include "support/rgw.h"
#include "support/run_command.h"

namespace walpipe::testing {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr int kWait = 60;                    // seconds: the bound on every poll below
constexpr const char* kAccounts = "100000";  // pgbench -s 1: 1 x 100000 rows

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

void sleep_ms(int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

enum class ArchiveIn { kFolder, kBucket, kFolderAndBucket };

struct Variant {
  ArchiveIn in;
  bool encrypted;
  const char* name;  // the test's name suffix
};

void PrintTo(const Variant& variant, std::ostream* os) { *os << variant.name; }

class PgArchiveTest : public ::testing::TestWithParam<Variant> {
 protected:
  static void TearDownTestSuite() {
    delete rgw_;
    rgw_ = nullptr;
  }

  void SetUp() override {
    std::string why;
    if (pg15_bin_dir(&why).empty()) WALPIPE_SKIP() << why;
    workspace_ = std::make_unique<PgWorkspace>();
    out_ = workspace_->make_dir("out");
    started_ = Clock::now();
    if (GetParam().in != ArchiveIn::kBucket) folder_ = workspace_->make_dir("archive");
    if (GetParam().in != ArchiveIn::kFolder) {
      ASSERT_NO_FATAL_FAILURE(set_up_bucket());
    }
    if (GetParam().encrypted) {
      ASSERT_NO_FATAL_FAILURE(set_up_keys());
    }
  }

  // A bucket and the configuration file that reaches it, readable by `postgres` alone.
  void set_up_bucket() {
    if (std::string missing = ceph_missing(); !missing.empty()) WALPIPE_SKIP() << missing;
    std::string why;
    if (rgw_ == nullptr) rgw_ = Rgw::start(&why).release();
    ASSERT_NE(rgw_, nullptr) << why;
    const s3::S3Settings& s = rgw_->settings();
    Result<std::unique_ptr<s3::Client>> client = s3::Client::create(s, {"pitr", ""});
    ASSERT_TRUE(client.is_ok()) << client.status().to_string();
    Status made = client.value()->create_bucket();
    ASSERT_TRUE(made.is_ok()) << made.to_string();
    // One prefix per run and per variant: each is a cluster of its own.
    const std::string test = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    bucket_prefix_ = test.substr(test.find('/') + 1) + "-" + std::to_string(::getpid());
    bucket_ = "s3://pitr/" + bucket_prefix_;
    config_ = workspace_->file("walpipe.conf");
    write_text_file(config_, "s3-endpoint = " + s.endpoint + "\ns3-region = " + s.region +
                                 "\naws-access-key-id = " + s.credentials.access_key_id +
                                 "\naws-secret-access-key = " + s.credentials.secret_access_key +
                                 "\n");
    ASSERT_EQ(::chmod(config_.c_str(), 0600), 0);
  }

  // An identity for get, and for push its recipient and a fingerprint key in the configuration
  // file: all three files `postgres`'s alone, as walpipe requires of a secret.
  void set_up_keys() {
    for (const char* program : {kAge, kAgeKeygen, "/usr/bin/zstd"})
      if (!fs::exists(program)) WALPIPE_SKIP() << "no " << program << " (scripts/setup.sh)";
    identity_ = workspace_->file("archive.key");
    CommandResult r = run_command({kAgeKeygen, "-o", identity_});
    ASSERT_EQ(r.exit_code, 0) << "age-keygen\n" << describe(r);
    chown_to_postgres(identity_);
    ASSERT_EQ(::chmod(identity_.c_str(), 0600), 0);
    r = run_command({kAgeKeygen, "-y", identity_});
    ASSERT_EQ(r.exit_code, 0) << "age-keygen -y\n" << describe(r);
    const std::string recipient = r.out.substr(0, r.out.find('\n'));

    std::random_device random;
    std::string hex;
    for (int i = 0; i < 8; ++i) {
      char eight[9];
      std::snprintf(eight, sizeof eight, "%08x", random());
      hex += eight;
    }
    const std::string fingerprint_key = workspace_->file("fingerprint.key");
    write_text_file(fingerprint_key, hex + "\n");
    ASSERT_EQ(::chmod(fingerprint_key.c_str(), 0600), 0);

    if (config_.empty()) config_ = workspace_->file("walpipe.conf");
    write_text_file(config_,
                    "encrypt-to = " + recipient + "\nfingerprint-key = " + fingerprint_key + "\n",
                    /*append=*/true);
    ASSERT_EQ(::chmod(config_.c_str(), 0600), 0);
  }

  // --archive for each archive, and the configuration file when there is one (how to reach a
  // bucket, what push encrypts to).
  std::vector<std::string> archive_args() const {
    std::vector<std::string> args;
    if (!config_.empty()) args = {"--config", config_};
    if (!folder_.empty()) args.insert(args.end(), {"--archive", folder_});
    if (!bucket_.empty()) args.insert(args.end(), {"--archive", bucket_});
    return args;
  }
  // archive_args() and, for an encrypted archive, the identity that reads it.
  std::vector<std::string> reading_args() const {
    std::vector<std::string> args = archive_args();
    if (!identity_.empty()) args.insert(args.end(), {"--identity", identity_});
    return args;
  }
  static std::string joined(const std::vector<std::string>& args) {
    std::string options;
    for (const std::string& arg : args) options += (options.empty() ? "" : " ") + arg;
    return options;
  }

  void TearDown() override {
    if (workspace_) std::fprintf(stderr, "pg_archive_test: %.1f s\n", seconds_since(started_));
  }

  // Prints how long the test has run so far, to show where the time goes.
  void phase(const char* what) const {
    std::fprintf(stderr, "[%6.1f s] %s\n", seconds_since(started_), what);
  }

  std::string archive_command() const {
    return "archive_command = '" + workspace_->walpipe() + " push " + joined(archive_args()) +
           " %p'";
  }
  std::string restore_command() const {
    return "restore_command = '" + workspace_->walpipe() + " get " + joined(reading_args()) +
           " %f %p'";
  }
  std::string recovery_end_command() const {
    return "recovery_end_command = '" + workspace_->walpipe() +
           " get --remove-spool=pg_wal/walpipe_prefetch'";
  }

  // walpipe run as the `postgres` user, as PostgreSQL runs it.
  CommandResult walpipe(const std::vector<std::string>& args) const {
    std::vector<std::string> argv{workspace_->walpipe()};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_as_postgres(argv);
  }

  CommandResult get(const std::string& name, const std::string& dest) const {
    std::vector<std::string> args{"get"};
    std::vector<std::string> archive = reading_args();
    args.insert(args.end(), archive.begin(), archive.end());
    args.insert(args.end(), {name, dest});
    return walpipe(args);
  }

  // Polls `walpipe get NAME` until it restores the file (the server archives asynchronously);
  // returns the restored bytes, or "" (with a failure) after kWait seconds.
  std::string wait_for_archived(const std::string& name) const {
    std::string dest = out_ + "/" + name;
    auto deadline = Clock::now() + std::chrono::seconds(kWait);
    CommandResult r;
    do {
      std::error_code ec;
      fs::remove(dest, ec);
      r = get(name, dest);
      if (r.exit_code == 0) return read_text_file(dest);
      // Anything but "not (yet) in the archive" is an error.
      if (r.exit_code != exit_code::kGetNotFound) break;
      sleep_ms(200);
    } while (Clock::now() < deadline);
    ADD_FAILURE() << name << " did not become restorable from the archive: " << describe(r);
    return "";
  }

  // Switches to a new WAL segment and waits until the server has archived the one it closed.
  void switch_and_wait_archived(const PgCluster& pg) const {
    std::string closed = pg.query("SELECT pg_walfile_name(pg_switch_wal())");
    ASSERT_EQ(closed.size(), 24u) << closed;
    EXPECT_TRUE(pg.wait_for(
        "SELECT coalesce(last_archived_wal >= '" + closed + "', false) FROM pg_stat_archiver", "t",
        kWait))
        << closed << " was not archived by " << pg.name();
    EXPECT_EQ(pg.query("SELECT failed_count FROM pg_stat_archiver"), "0")
        << pg.query("SELECT last_failed_wal, last_failed_time FROM pg_stat_archiver");
  }

  // A plain folder is verified in full; a bucket is read through its objects' metadata, and an
  // encrypted folder (verify takes no identity) through its objects' headers (walpipe list).
  void expect_archive_verifies() const {
    if (!folder_.empty() && identity_.empty()) {
      CommandResult r = walpipe({"verify", folder_});
      EXPECT_EQ(r.exit_code, 0) << "walpipe verify " << folder_ << "\n" << describe(r);
    }
    for (const std::string& archive : {identity_.empty() ? "" : folder_, bucket_}) {
      if (archive.empty()) continue;
      std::vector<std::string> args{"list", "--archive", archive};
      if (!config_.empty()) args.insert(args.end(), {"--config", config_});
      if (!identity_.empty()) args.insert(args.end(), {"--identity", identity_});
      CommandResult r = walpipe(args);
      EXPECT_EQ(r.exit_code, 0) << "walpipe list " << archive << "\n" << describe(r);
    }
  }

  // The name of every object in the folder archive, relative to it.
  std::vector<std::string> folder_keys() const {
    std::vector<std::string> keys;
    for (const fs::directory_entry& entry : fs::recursive_directory_iterator(folder_))
      if (entry.is_regular_file()) keys.push_back(fs::relative(entry.path(), folder_).string());
    return keys;
  }

  std::unique_ptr<s3::Client> bucket_client() const {
    Result<std::unique_ptr<s3::Client>> client =
        s3::Client::create(rgw_->settings(), {"pitr", bucket_prefix_});
    EXPECT_TRUE(client.is_ok()) << client.status().to_string();
    return client.is_ok() ? std::move(client.value()) : nullptr;
  }

  std::vector<std::string> bucket_keys() const {
    std::vector<std::string> keys;
    std::unique_ptr<s3::Client> client = bucket_client();
    s3::ListQuery query;
    while (client) {
      Result<s3::ListPage> page = client->list(query);
      EXPECT_TRUE(page.is_ok()) << page.status().to_string();
      if (!page.is_ok()) break;
      for (const s3::ListEntry& entry : page->entries) keys.push_back(entry.key);
      if (!page->truncated) break;
      query.continuation_token = page->continuation_token;
    }
    return keys;
  }

  // An encrypted archive holds .zst.age objects and not one plain .zst object; and with nothing
  // of walpipe's, `age -d -i KEY | zstd -d` turns its newest segment's object back into the
  // segment byte for byte: what `walpipe get` restores, and the segment in `server`'s pg_wal
  // when it is still there.
  void expect_sealed_objects(const PgCluster& server) const {
    for (const bool in_bucket : {false, true}) {
      if ((in_bucket ? bucket_ : folder_).empty()) continue;
      const std::string where = in_bucket ? bucket_ : folder_;
      std::vector<std::string> keys = in_bucket ? bucket_keys() : folder_keys();
      std::string newest;  // the newest segment's object key
      int sealed = 0;
      for (const std::string& key : keys) {
        EXPECT_FALSE(key.ends_with(".zst")) << "a plain object in " << where << ": " << key;
        if (!key.ends_with(".zst.age")) continue;
        ++sealed;
        // wal/<16 hex>/<24 hex>.zst.age: a segment's, not a history file's
        if (key.size() == 4 + 17 + 24 + 8) newest = std::max(newest, key);
      }
      EXPECT_GT(sealed, 0) << where << " holds no .zst.age object";
      ASSERT_FALSE(newest.empty()) << where << " holds no segment object";

      const std::string name = newest.substr(4 + 17, 24);
      const std::string sealed_copy = out_ + "/" + name + (in_bucket ? ".bucket" : ".folder");
      std::string object = folder_ + "/" + newest;
      if (in_bucket) {
        std::unique_ptr<s3::Client> client = bucket_client();
        ASSERT_NE(client, nullptr);
        Result<std::vector<std::byte>> bytes = client->get(newest, std::nullopt, size_t{4} << 20);
        ASSERT_TRUE(bytes.is_ok()) << newest << ": " << bytes.status().to_string();
        object = sealed_copy + ".zst.age";
        write_text_file(object,
                        std::string(reinterpret_cast<const char*>(bytes->data()), bytes->size()));
      }
      CommandResult r =
          run_command({kAge, "-d", "-i", identity_, "-o", sealed_copy + ".zst", object});
      ASSERT_EQ(r.exit_code, 0) << "age -d " << object << "\n" << describe(r);
      r = run_command({"/usr/bin/zstd", "-d", "-q", "-f", sealed_copy + ".zst", "-o", sealed_copy});
      ASSERT_EQ(r.exit_code, 0) << "zstd -d " << sealed_copy << ".zst\n" << describe(r);
      const std::string opened = read_text_file(sealed_copy);
      EXPECT_EQ(opened.size(), size_t{1} << 20) << newest << " is not a 1 MiB segment";

      const std::string restored = out_ + "/" + name;
      std::error_code ec;
      fs::remove(restored, ec);
      r = get(name, restored);
      ASSERT_EQ(r.exit_code, 0) << "walpipe get " << name << "\n" << describe(r);
      EXPECT_TRUE(opened == read_text_file(restored))
          << "age -d | zstd -d of " << newest << " in " << where << " differs from walpipe get";
      const std::string in_pg_wal = server.data_dir() + "/pg_wal/" + name;
      if (fs::exists(in_pg_wal)) {
        EXPECT_TRUE(opened == read_text_file(in_pg_wal))
            << "age -d | zstd -d of " << newest << " in " << where << " differs from " << in_pg_wal;
      }
    }
  }

  static inline Rgw* rgw_ = nullptr;
  std::unique_ptr<PgWorkspace> workspace_;
  std::string folder_;         // the archive's folder, or ""
  std::string bucket_;         // the archive's s3:// URL, or ""
  std::string bucket_prefix_;  // its prefix in bucket "pitr"
  std::string config_;         // for a bucket or an encrypted archive
  std::string identity_;       // the identity file of an encrypted archive, or ""
  std::string out_;
  Clock::time_point started_;
};

TEST_P(PgArchiveTest, PointInTimeRecoveryPromotionAndLatestTimelineThroughWalpipe) {
  // ---- the primary: archive_mode = on through walpipe push, 1 MiB segments ----
  PgCluster primary(*workspace_, "primary");
  CommandResult r = primary.init({"--wal-segsize=1"});
  ASSERT_EQ(r.exit_code, 0) << "initdb\n" << describe(r);
  primary.append_conf({"wal_level = replica", "archive_mode = on", archive_command(),
                       "max_wal_senders = 4", "log_checkpoints = off"});
  r = primary.start();
  ASSERT_EQ(r.exit_code, 0) << "pg_ctl start\n" << describe(r);
  phase("primary started");

  r = primary.run_client({"pgbench", "-i", "-q", "-s", "1", "postgres"});
  ASSERT_EQ(r.exit_code, 0) << "pgbench -i\n" << describe(r);
  r = primary.run_client({"pgbench", "-T", "3", "-c", "2", "-j", "2", "postgres"});
  ASSERT_EQ(r.exit_code, 0) << "pgbench -T 3\n" << describe(r);
  phase("pgbench done");

  // The backup holds no WAL: replaying it needs the archive from its start to its end.
  const std::string backup = workspace_->file("backup");
  r = primary.run_client({"pg_basebackup", "-D", backup, "-X", "none", "-c", "fast"});
  ASSERT_EQ(r.exit_code, 0) << "pg_basebackup\n" << describe(r);
  phase("base backup taken");

  // Three rows, each in its own transaction, with a recovery target strictly between the
  // commits of rows 1 and 2 (half a second clear of each).
  ASSERT_EQ(primary.query("CREATE TABLE marks(id int, t timestamptz DEFAULT clock_timestamp())"),
            "");
  ASSERT_EQ(primary.query("INSERT INTO marks(id) VALUES (1)"), "");
  sleep_ms(500);
  const std::string target = primary.query("SELECT clock_timestamp()");
  ASSERT_FALSE(target.empty());
  sleep_ms(500);
  ASSERT_EQ(primary.query("INSERT INTO marks(id) VALUES (2)"), "");
  sleep_ms(1000);
  ASSERT_EQ(primary.query("INSERT INTO marks(id) VALUES (3)"), "");
  ASSERT_EQ(
      primary.query("SELECT string_agg((t < '" + target + "')::text, ',' ORDER BY id) FROM marks"),
      "true,false,false")
      << "row 1 must precede the target " << target << ", rows 2 and 3 follow it";
  ASSERT_NO_FATAL_FAILURE(switch_and_wait_archived(primary));
  phase("rows committed and archived");

  // ---- walpipe get: a name the archive does not hold (catalogue 26, 27) ----
  for (const std::string absent : {"00000001000000AA00000001", "0000000A.history"}) {
    std::string dest = out_ + "/absent-" + absent;
    auto t0 = Clock::now();
    r = get(absent, dest);
    double took = seconds_since(t0);
    EXPECT_EQ(r.exit_code, exit_code::kGetNotFound) << absent << "\n" << describe(r);
    // Not a speed test: a get that waits for a prefetcher or for retries before saying
    // "absent" waits 30 s or more; a loaded machine takes a few seconds at worst.
    EXPECT_LT(took, 15.0) << "walpipe get of an absent " << absent << " waited " << took << " s";
    EXPECT_FALSE(fs::exists(dest)) << "walpipe get created " << dest << " for an absent file";
  }
  expect_archive_verifies();
  if (GetParam().encrypted) {
    ASSERT_NO_FATAL_FAILURE(expect_sealed_objects(primary));
  }

  // ---- point-in-time recovery to between rows 1 and 2, then promotion ----
  PgCluster pitr(*workspace_, "pitr");
  r = pitr.init_from_backup(backup);
  ASSERT_EQ(r.exit_code, 0) << "cp -a backup\n" << describe(r);
  pitr.append_conf({"archive_mode = on", archive_command(), restore_command(),
                    recovery_end_command(), "recovery_target_time = '" + target + "'",
                    "recovery_target_action = 'promote'"});
  pitr.touch("recovery.signal");
  r = pitr.start();
  ASSERT_EQ(r.exit_code, 0) << "pg_ctl start (point-in-time recovery)\n" << describe(r);
  ASSERT_TRUE(pitr.wait_for("SELECT pg_is_in_recovery()", "f", kWait))
      << "point-in-time recovery did not finish";
  phase("point-in-time recovery finished");
  EXPECT_FALSE(fs::exists(pitr.data_dir() + "/pg_wal/walpipe_prefetch"))
      << "recovery_end_command left the prefetch spool";

  EXPECT_EQ(pitr.query("SELECT array_agg(id ORDER BY id) FROM marks"), "{1}")
      << "exactly the rows committed before " << target << " must be there";
  EXPECT_EQ(pitr.query("SELECT count(*) FROM pgbench_accounts"), kAccounts);
  EXPECT_EQ(pitr.query("SELECT count(*) FROM pgbench_branches"), "1");
  EXPECT_TRUE(pitr.wait_for("SELECT timeline_id FROM pg_control_checkpoint()", "2", kWait));

  // ---- the promotion's history file reaches the archive and restores byte for byte ----
  const std::string history2 = wait_for_archived("00000002.history");
  const std::string local_history2 = read_text_file(pitr.data_dir() + "/pg_wal/00000002.history");
  EXPECT_FALSE(local_history2.empty());
  EXPECT_EQ(history2, local_history2);
  EXPECT_EQ(history2.rfind("1\t", 0), 0u) << "timeline 2 must branch off timeline 1:\n" << history2;

  // A row on timeline 2, archived (its segment starts with timeline 1's WAL up to the branch).
  ASSERT_EQ(pitr.query("INSERT INTO marks(id) VALUES (10)"), "");
  ASSERT_NO_FATAL_FAILURE(switch_and_wait_archived(pitr));
  pitr.stop("fast");
  expect_archive_verifies();
  phase("timeline 2 archived");

  // ---- recovery_target_timeline = 'latest' follows 00000002.history ----
  PgCluster latest(*workspace_, "latest");
  r = latest.init_from_backup(backup);
  ASSERT_EQ(r.exit_code, 0) << "cp -a backup\n" << describe(r);
  latest.append_conf({"archive_mode = on", archive_command(), restore_command(),
                      "recovery_target_timeline = 'latest'"});
  latest.touch("recovery.signal");
  r = latest.start();
  ASSERT_EQ(r.exit_code, 0) << "pg_ctl start (recovery to the latest timeline)\n" << describe(r);
  ASSERT_TRUE(latest.wait_for("SELECT pg_is_in_recovery()", "f", kWait))
      << "recovery to the latest timeline did not finish";
  phase("recovery to the latest timeline finished");

  // Recovery followed timeline 2 to its archived end and then chose the next free timeline:
  // 3, after walpipe said 00000003.history is not in the archive.
  EXPECT_TRUE(latest.wait_for("SELECT timeline_id FROM pg_control_checkpoint()", "3", kWait));
  EXPECT_EQ(read_text_file(latest.data_dir() + "/pg_wal/00000002.history"), local_history2);
  // Row 1 precedes the branch point; row 10 is timeline 2's; rows 2 and 3 were committed on
  // timeline 1 after the branch point, so they must not be replayed.
  EXPECT_EQ(latest.query("SELECT array_agg(id ORDER BY id) FROM marks"), "{1,10}");
  EXPECT_EQ(latest.query("SELECT count(*) FROM pgbench_accounts"), kAccounts);

  const std::string history3 = wait_for_archived("00000003.history");
  EXPECT_EQ(history3, read_text_file(latest.data_dir() + "/pg_wal/00000003.history"));
  EXPECT_EQ(history3.rfind(history2, 0), 0u) << "00000003.history must extend timeline 2's:\n"
                                             << history3;
  latest.stop("fast");
  expect_archive_verifies();
  if (GetParam().encrypted) {
    ASSERT_NO_FATAL_FAILURE(expect_sealed_objects(latest));
  }
  phase("timeline 3 archived");
}

INSTANTIATE_TEST_SUITE_P(
    Archive, PgArchiveTest,
    ::testing::Values(Variant{ArchiveIn::kFolder, false, "InAFolder"},
                      Variant{ArchiveIn::kBucket, false, "InABucket"},
                      Variant{ArchiveIn::kFolderAndBucket, false, "InAFolderAndABucket"},
                      Variant{ArchiveIn::kFolder, true, "InAnEncryptedFolder"},
                      Variant{ArchiveIn::kBucket, true, "InAnEncryptedBucket"}),
    [](const ::testing::TestParamInfo<Variant>& param) { return std::string(param.param.name); });

}  // namespace
}  // namespace walpipe::testing
