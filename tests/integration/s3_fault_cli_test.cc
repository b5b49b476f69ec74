// walpipe push and get, the real commands, against a real Ceph RADOS Gateway through a proxy that
// breaks requests on purpose (support/s3_fault_proxy.h). Whatever the store or the wire does,
// push says 0 only when the bucket holds the segment under its fingerprint, and get says 1 only
// when the bucket answered "absent", 200 when what came back is not the object, and otherwise
// above 125 with DEST never left behind; every message names what failed and never the secret.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <thread>

#include "codec/fingerprint.h"
#include "exit_codes.h"
#include "s3/client.h"
#include "support/corpus.h"
#include "support/prerequisite.h"
#include "support/rgw.h"
#include "support/run_command.h"
#include "support/s3_fault_proxy.h"
#include "support/scratch_dir.h"

extern char** environ;

namespace walpipe::testing {
namespace {

constexpr char kSegment[] = "pg16/1mb/000000010000000000000034";
constexpr char kOtherSegment[] = "pg16/1mb/000000010000000000000035";
constexpr char kObject[] = "000000010000000000000034.zst";  // what faults match in a target
constexpr char kWalDir[] = "wal/0000000100000000/";
// Short enough that retries run out within seconds; the try timeout follows it down.
constexpr char kDeadline[] = "3";
constexpr double kDeadlineSeconds = 3;

double seconds_since(std::chrono::steady_clock::time_point begin) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
}

bool exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

std::vector<std::byte> file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<char> chars((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::byte> out(chars.size());
  std::memcpy(out.data(), chars.data(), chars.size());
  return out;
}

// The first line of stderr: the error itself, without DETAIL and HINT.
std::string first_line(const std::string& err) { return err.substr(0, err.find('\n')); }

// One RGW for the whole program (it takes about 20 s to start); a proxy, a bucket and a prefix
// for each test.
class S3FaultCliTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    missing_ = ceph_missing();
    if (missing_.empty()) rgw_ = Rgw::start(&start_failure_).release();
    if (rgw_ == nullptr) return;
    // RGW's first write creates its data pools, which takes longer than a 3 s deadline.
    Result<std::unique_ptr<s3::Client>> warm = s3::Client::create(rgw_->settings(), {"warm", ""});
    const std::string text = "warm";
    if (warm.is_ok() && (*warm)->create_bucket().is_ok())
      (void)(*warm)->put_if_absent("warm", std::as_bytes(std::span(text)), {});
  }
  static void TearDownTestSuite() {
    delete rgw_;
    rgw_ = nullptr;
  }

  void SetUp() override {
    if (!missing_.empty()) WALPIPE_SKIP() << missing_;
    WALPIPE_REQUIRE_CORPUS();
    ASSERT_NE(rgw_, nullptr) << start_failure_;
    std::string why;
    proxy_ = S3FaultProxy::start(rgw_->settings().endpoint, &why);
    ASSERT_NE(proxy_, nullptr) << why;
    // The walpipe processes inherit what every S3 tool reads, the endpoint being the proxy.
    const s3::S3Settings& s = rgw_->settings();
    ::setenv("AWS_ENDPOINT_URL", proxy_->endpoint().c_str(), 1);
    ::setenv("AWS_ACCESS_KEY_ID", s.credentials.access_key_id.c_str(), 1);
    ::setenv("AWS_SECRET_ACCESS_KEY", s.credentials.secret_access_key.c_str(), 1);
    ::setenv("AWS_REGION", s.region.c_str(), 1);
    const std::string bucket = "cli-fault-" + std::to_string(++buckets_);
    prefix_ =
        std::string("clusters/") + ::testing::UnitTest::GetInstance()->current_test_info()->name();
    archive_ = "s3://" + bucket + "/" + prefix_;
    // Straight at RGW, never through the proxy: what the bucket really holds.
    Result<std::unique_ptr<s3::Client>> direct = s3::Client::create(s, {bucket, prefix_});
    ASSERT_TRUE(direct.is_ok()) << direct.status().to_string();
    direct_ = std::move(*direct);
    Status made = direct_->create_bucket();
    ASSERT_TRUE(made.is_ok()) << made.to_string();
  }
  void TearDown() override {
    for (const char* v :
         {"AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION"})
      ::unsetenv(v);
  }

  CommandResult walpipe(const std::vector<std::string>& args) {
    CommandResult r = run_walpipe(args);
    const std::string& secret = rgw_->settings().credentials.secret_access_key;
    EXPECT_EQ(r.err.find(secret), std::string::npos) << r.err;
    EXPECT_EQ(r.out.find(secret), std::string::npos) << r.out;
    return r;
  }
  std::string segment_file(const char* corpus_path) {
    return wal_.write(base_name(corpus_path), corpus_bytes(corpus_path));
  }
  CommandResult push(const char* corpus_path = kSegment,
                     const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {"push",    "--batch=1", "--s3-deadline",
                                     kDeadline, "--archive", archive_};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back(segment_file(corpus_path));
    return walpipe(args);
  }
  CommandResult get(const std::string& name, const std::string& dest) {
    return walpipe(
        {"get", "--prefetch=0", "--s3-deadline", kDeadline, "--archive", archive_, name, dest});
  }
  // The segment archived with nothing in the way.
  void seed(const char* corpus_path = kSegment) {
    CommandResult pushed = push(corpus_path);
    ASSERT_EQ(pushed.exit_code, 0) << pushed.err;
    ASSERT_EQ(proxy_->faults_applied(), 0);
  }

  static std::string key_of(const char* corpus_path) {
    return kWalDir + base_name(corpus_path) + ".zst";
  }
  std::string location_of(const char* corpus_path) const {
    return archive_ + "/" + key_of(corpus_path);
  }
  // Asserts that the bucket holds the segment under its own fingerprint.
  void expect_archived(const char* corpus_path = kSegment) {
    Result<s3::ObjectInfo> info = direct_->head(key_of(corpus_path));
    ASSERT_TRUE(info.is_ok()) << info.status().to_string();
    ASSERT_EQ(info->metadata.size(), 1u);
    EXPECT_EQ(info->metadata[0].name, "walpipe-fingerprint");
    EXPECT_EQ(info->metadata[0].value, fingerprint_of(corpus_bytes(corpus_path)).hex());
  }
  void expect_absent(const char* corpus_path = kSegment) {
    Result<s3::ObjectInfo> info = direct_->head(key_of(corpus_path));
    EXPECT_EQ(info.status().code(), Code::kNotFound) << info.status().to_string();
  }
  // Asserts that a get through the proxy restores the segment as it was pushed.
  void expect_restorable(const char* corpus_path = kSegment) {
    const std::string dest = restored_.file("check-" + std::to_string(++checks_));
    CommandResult got = get(base_name(corpus_path), dest);
    ASSERT_EQ(got.exit_code, 0) << got.err;
    EXPECT_TRUE(file_bytes(dest) == corpus_bytes(corpus_path));
  }
  std::string at() const { return " at \"" + proxy_->endpoint().substr(7) + "\": "; }

  static inline Rgw* rgw_ = nullptr;
  static inline std::string missing_, start_failure_;
  static inline int buckets_ = 0;
  std::unique_ptr<S3FaultProxy> proxy_;
  std::unique_ptr<s3::Client> direct_;
  std::string prefix_, archive_;
  ScratchDir wal_, restored_;
  int checks_ = 0;
};

// ---- push ----

TEST_F(S3FaultCliTest, PushRetriesSlowDown) {
  proxy_->inject({FaultKind::kSlowDown503, "PUT", kObject, 2});
  CommandResult pushed = push();
  EXPECT_EQ(pushed.exit_code, 0) << pushed.err;
  EXPECT_EQ(pushed.err, "");
  EXPECT_EQ(proxy_->count("PUT", kObject), 3);
  expect_archived();
  expect_restorable();
}

TEST_F(S3FaultCliTest, PushGivesUpOnInternalErrorsAtTheDeadline) {
  proxy_->inject({FaultKind::kInternalError500, "PUT", kObject, 1000});
  auto begin = std::chrono::steady_clock::now();
  CommandResult pushed = push();
  EXPECT_EQ(pushed.exit_code, exit_code::kPushFailed) << pushed.err;
  EXPECT_LT(seconds_since(begin), 2 * kDeadlineSeconds + 2);
  EXPECT_EQ(first_line(pushed.err), "walpipe push: error: could not PUT \"" +
                                        location_of(kSegment) +
                                        "\": the server answered 500 InternalError");
  EXPECT_GT(proxy_->count("PUT", kObject), 2);
  expect_absent();
}

TEST_F(S3FaultCliTest, PushNeverTakesAnErrorDocumentForAWrite) {
  proxy_->inject({FaultKind::kErrorIn200, "PUT", kObject, 1000});
  CommandResult pushed = push();
  EXPECT_EQ(pushed.exit_code, exit_code::kPushFailed) << pushed.err;
  EXPECT_EQ(first_line(pushed.err),
            "walpipe push: error: could not PUT \"" + location_of(kSegment) +
                "\": the server answered 200 with an error document (InternalError)");
  // The proxy answered in the store's place: the bucket holds nothing.
  expect_absent();
}

TEST_F(S3FaultCliTest, PushWhoseAnswerLiedIsConfirmedByTheNextPush) {
  // The bucket stores the first PUT; every answer says "error", the retries' 412s included.
  Fault fault{FaultKind::kErrorIn200, "PUT", kObject, 1000};
  fault.after_store = true;
  proxy_->inject(fault);
  CommandResult pushed = push();
  EXPECT_EQ(pushed.exit_code, exit_code::kPushFailed) << pushed.err;
  EXPECT_EQ(first_line(pushed.err),
            "walpipe push: error: could not PUT \"" + location_of(kSegment) +
                "\": the server answered 200 with an error document (InternalError)");
  expect_archived();

  // PostgreSQL pushes again: the object found is this file's, so it is acknowledged now.
  proxy_->clear_faults();
  CommandResult again = push(kSegment, {"-v"});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.err.find("walpipe push: \"000000010000000000000034\" was already archived "
                           "with identical content\n"),
            std::string::npos)
      << again.err;
  expect_restorable();
}

TEST_F(S3FaultCliTest, PushRetriesAfterTheAnswerWasReset) {
  proxy_->inject({FaultKind::kReset, "PUT", kObject, 1});
  CommandResult pushed = push();
  EXPECT_EQ(pushed.exit_code, 0) << pushed.err;
  EXPECT_EQ(pushed.err, "");
  EXPECT_EQ(proxy_->count("PUT", kObject), 2);
  expect_archived();
  expect_restorable();
}

TEST_F(S3FaultCliTest, PushStalledPastTheTryTimeoutFailsWithinTheDeadline) {
  proxy_->inject({FaultKind::kStall, "PUT", kObject, 1000, false, 30'000});
  auto begin = std::chrono::steady_clock::now();
  CommandResult pushed = push();
  double seconds = seconds_since(begin);
  EXPECT_EQ(pushed.exit_code, exit_code::kPushFailed) << pushed.err;
  // The last try may run its whole timeout (the deadline here) past the deadline.
  EXPECT_LT(seconds, 2 * kDeadlineSeconds + 2);
  EXPECT_EQ(first_line(pushed.err)
                .rfind("walpipe push: error: could not PUT \"" + location_of(kSegment) + "\"" +
                           at() + "the server did not answer in time (",
                       0),
            0u)
      << pushed.err;
  expect_absent();
}

TEST_F(S3FaultCliTest, PreconditionFailedWithNothingStoredIsNeverSuccess) {
  // A 412 from something in front of the bucket, once: the HEAD that follows finds nothing and
  // the PUT goes again, for real this time.
  proxy_->inject({FaultKind::kPrecondition412, "PUT", kObject, 1});
  CommandResult once = push();
  EXPECT_EQ(once.exit_code, 0) << once.err;
  expect_archived();

  // Every time: whatever push answers, success only if the bucket really holds it.
  const std::string other = base_name(kOtherSegment) + ".zst";
  proxy_->inject({FaultKind::kPrecondition412, "PUT", other, 1000});
  CommandResult always = push(kOtherSegment);
  EXPECT_NE(always.exit_code, 0) << always.err;
  EXPECT_EQ(first_line(always.err),
            "walpipe push: error: could not store \"" + location_of(kOtherSegment) +
                "\": the bucket refused it as present, then had no such object");
  expect_absent(kOtherSegment);
}

TEST_F(S3FaultCliTest, ExpiredTokenAndSkewedClockSayWhatToFix) {
  struct Case {
    FaultKind kind;
    std::string start, end, hint;
  } cases[] = {
      {FaultKind::kExpiredToken400, "the session token has expired (400 ExpiredToken)", "",
       "HINT: Renew the temporary credentials (AWS_SESSION_TOKEN)."},
      {FaultKind::kExpiredToken403, "the session token has expired (403 ExpiredToken)", "",
       "HINT: Renew the temporary credentials (AWS_SESSION_TOKEN)."},
      // The proxy's Date is an hour ahead of this machine's.
      {FaultKind::kClockSkew403, "this machine's clock (",
       " GMT) differs too much from the server's (",
       "HINT: Synchronize this machine's clock (NTP)."},
  };
  for (const Case& c : cases) {
    proxy_->inject({c.kind, "PUT", kObject, 1});
    CommandResult pushed = push();
    EXPECT_EQ(pushed.exit_code, exit_code::kPushFailed) << pushed.err;
    const std::string line = first_line(pushed.err);
    const std::string start =
        "walpipe push: error: could not PUT \"" + location_of(kSegment) + "\": " + c.start;
    if (c.end.empty()) {
      EXPECT_EQ(line, start);
    } else {
      EXPECT_EQ(line.rfind(start, 0), 0u) << line;
      EXPECT_NE(line.find(c.end), std::string::npos) << line;
      EXPECT_TRUE(line.ends_with(" GMT) (403 RequestTimeTooSkewed)")) << line;
    }
    EXPECT_TRUE(pushed.err.ends_with("\n" + c.hint + "\n")) << pushed.err;
  }
  EXPECT_EQ(proxy_->count("PUT", kObject), 3);  // none retried: the next try would fail alike
  expect_absent();
}

// A PUT carries the whole object and S3 makes it visible only once all of it arrived: a sender
// killed mid-body leaves nothing under the name, there is no temporary object to clean up.
TEST_F(S3FaultCliTest, KilledPushLeavesNoObject) {
  proxy_->inject({FaultKind::kStallMidBody, "PUT", kObject, 1, false, 60'000});
  const std::string path = segment_file(kSegment);
  std::vector<std::string> argv = {WALPIPE_BINARY, "push",   "--batch=1",
                                   "--archive",    archive_, path};
  std::vector<char*> args;
  for (std::string& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid = -1;
  int spawned = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ASSERT_EQ(spawned, 0) << std::strerror(spawned);
  // Until half the PUT has gone on to RGW.
  auto begin = std::chrono::steady_clock::now();
  while (proxy_->faults_applied() == 0 && seconds_since(begin) < 30)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  ::kill(pid, SIGKILL);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_EQ(proxy_->faults_applied(), 1) << "the push never reached its PUT";
  EXPECT_TRUE(WIFSIGNALED(status));
  // RGW is left with a request cut off mid-body, then a reset.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  expect_absent();

  CommandResult pushed = push();
  EXPECT_EQ(pushed.exit_code, 0) << pushed.err;
  expect_archived();
}

// Keys in the configuration file, renewed while a push runs: the push that meets ExpiredToken
// reads the file again, once, and goes on with the new keys.
TEST_F(S3FaultCliTest, ExpiredKeysAreReadAgainFromTheConfigurationFile) {
  const s3::S3Settings& s = rgw_->settings();
  ScratchDir etc;
  const std::string conf = etc.file("walpipe.conf");
  auto write_conf = [&](const std::string& secret) {
    ScratchDir::write_file(conf, "aws-access-key-id = " + s.credentials.access_key_id +
                                     "\naws-secret-access-key = " + secret + "\n");
    ASSERT_EQ(::chmod(conf.c_str(), 0600), 0);
  };
  write_conf("expired-" + s.credentials.secret_access_key);
  ::unsetenv("AWS_ACCESS_KEY_ID");
  ::unsetenv("AWS_SECRET_ACCESS_KEY");
  // The first request waits at the proxy while the file is renewed; its retry meets ExpiredToken.
  proxy_->inject({FaultKind::kStall, "", "", 1, false, 1500});
  proxy_->inject({FaultKind::kExpiredToken400, "", "", 1});
  CommandResult pushed;
  std::thread pusher([&] { pushed = push(kSegment, {"--config", conf}); });
  auto begin = std::chrono::steady_clock::now();
  while (proxy_->faults_applied() == 0 && seconds_since(begin) < 30)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  write_conf(s.credentials.secret_access_key);
  pusher.join();
  EXPECT_EQ(pushed.exit_code, 0) << pushed.err;
  EXPECT_EQ(proxy_->faults_applied(), 2);
  expect_archived();

  // Keys from the environment cannot change in a running process: nothing is read again.
  ::setenv("AWS_ACCESS_KEY_ID", s.credentials.access_key_id.c_str(), 1);
  ::setenv("AWS_SECRET_ACCESS_KEY", s.credentials.secret_access_key.c_str(), 1);
  proxy_->inject({FaultKind::kExpiredToken400, "PUT", "000000010000000000000035.zst", 1});
  const int puts = proxy_->count("PUT");
  CommandResult refused = push(kOtherSegment);
  EXPECT_EQ(refused.exit_code, exit_code::kPushFailed) << refused.err;
  EXPECT_EQ(proxy_->count("PUT"), puts + 1);
  expect_absent(kOtherSegment);
}

// ---- requests ----

// What push and get cost in requests, counted at the proxy (walpipe.json GETs, all GETs, HEADs,
// PUTs, all). Every command reads the archive's identity once (walpipe.json: whether it is
// encrypted, which cluster it holds). Then a new segment: a HEAD and the conditional PUT. A
// segment archived already (PostgreSQL's call after a look-ahead stored it, or a retry): one
// HEAD, which answers both whether it is there and what it holds. get: the object by key.
TEST_F(S3FaultCliTest, RequestsPerPushAndGet) {
  seed();
  auto counts = [&] {
    return std::vector<int>{proxy_->count("GET", "walpipe.json"), proxy_->count("GET"),
                            proxy_->count("HEAD"), proxy_->count("PUT"), proxy_->count("")};
  };
  auto since = [&](const std::vector<int>& before) {
    std::vector<int> now = counts();
    for (size_t i = 0; i < now.size(); ++i) now[i] -= before[i];
    return now;
  };
  std::vector<int> before = counts();
  CommandResult pushed = push(kOtherSegment);
  ASSERT_EQ(pushed.exit_code, 0) << pushed.err;
  EXPECT_EQ(since(before), (std::vector<int>{1, 1, 1, 1, 3}));

  before = counts();
  CommandResult again = push(kOtherSegment);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(since(before), (std::vector<int>{1, 1, 1, 0, 2}));

  before = counts();
  const std::string dest = restored_.file("counted");
  CommandResult got = get(base_name(kOtherSegment), dest);
  ASSERT_EQ(got.exit_code, 0) << got.err;
  EXPECT_EQ(since(before), (std::vector<int>{1, 2, 0, 0, 2}));
  EXPECT_TRUE(file_bytes(dest) == corpus_bytes(kOtherSegment));
}

// A push waiting for the look-ahead worker asks the bucket whether the worker stored its
// segment yet: each question is a HEAD, so it asks at a gap that doubles up to 20 ms, not at
// every 200 µs poll. The worker's PUT of segment 35 stalls 1.5 s, all of it a wait of the call.
TEST_F(S3FaultCliTest, PushWaitingForTheLookAheadAsksTheBucketAtAGrowingGap) {
  seed();
  const std::string first = segment_file(kSegment);
  const std::string second = segment_file(kOtherSegment);
  ASSERT_EQ(::mkdir((wal_.path() + "/archive_status").c_str(), 0700), 0);
  for (const char* segment : {kSegment, kOtherSegment})
    ScratchDir::write_file(wal_.path() + "/archive_status/" + base_name(segment) + ".ready", "");
  const std::string waited = base_name(kOtherSegment);
  Fault stall{FaultKind::kStall, "PUT", waited + ".zst", 1};
  stall.stall_ms = 1500;
  proxy_->inject(stall);

  CommandResult pushed =
      walpipe({"push", "--batch=2", "--s3-deadline", kDeadline, "--archive", archive_, first});
  ASSERT_EQ(pushed.exit_code, 0) << pushed.err;
  // The worker holds the lock from here on, and its PUT is stalled.
  const int heads_before = proxy_->count("HEAD", waited);
  const auto begin = std::chrono::steady_clock::now();
  CommandResult waiting =
      walpipe({"push", "--batch=1", "--s3-deadline", kDeadline, "--archive", archive_, second});
  const double waited_seconds = seconds_since(begin);
  ASSERT_EQ(waiting.exit_code, 0) << waiting.err;
  EXPECT_EQ(waiting.err, "");
  const int heads = proxy_->count("HEAD", waited) - heads_before;
  std::fprintf(stderr, "waited %.3f s, %d HEADs of %s\n", waited_seconds, heads, waited.c_str());

  // The worker stored it (the stalled PUT, then its retry); the call only confirmed it.
  EXPECT_EQ(proxy_->faults_applied(), 1);
  EXPECT_EQ(proxy_->count("PUT", waited), 2);
  expect_archived(kOtherSegment);
  EXPECT_GT(waited_seconds, 0.5);
  // One HEAD per 20 ms at most once the gap has grown (about 25 ms), and the worker's own one.
  EXPECT_LE(heads, 12 + static_cast<int>(waited_seconds * 50));
}

// ---- get ----

TEST_F(S3FaultCliTest, GetOfAnAbsentSegmentIsOne) {
  seed();
  const std::string dest = restored_.file("absent");
  CommandResult got = get(base_name(kOtherSegment), dest);
  EXPECT_EQ(got.exit_code, exit_code::kGetNotFound) << got.err;
  EXPECT_EQ(got.err, "");
  EXPECT_FALSE(exists(dest));
}

TEST_F(S3FaultCliTest, GetThatCannotTellIsAbove125NeverOne) {
  seed();
  struct Case {
    FaultKind kind;
    std::string answer;
  } cases[] = {{FaultKind::kSlowDown503, "503 SlowDown"},
               {FaultKind::kInternalError500, "500 InternalError"}};
  for (const Case& c : cases) {
    // The segment that is there, and one that is not: neither may look absent.
    for (const char* segment : {kSegment, kOtherSegment}) {
      proxy_->inject({c.kind, "GET", base_name(segment) + ".zst", 1000});
      const std::string dest = restored_.file("unknown");
      auto begin = std::chrono::steady_clock::now();
      CommandResult got = get(base_name(segment), dest);
      EXPECT_EQ(got.exit_code, exit_code::kGetIoError) << got.err;
      EXPECT_LT(seconds_since(begin), 2 * kDeadlineSeconds + 2);
      EXPECT_EQ(first_line(got.err), "walpipe get: error: could not GET \"" + location_of(segment) +
                                         "\": the server answered " + c.answer);
      EXPECT_FALSE(exists(dest));
      proxy_->clear_faults();
    }
  }
}

TEST_F(S3FaultCliTest, GetRetriesACutOrResetAnswerAndNeverLeavesPartOfIt) {
  seed();
  for (FaultKind kind : {FaultKind::kTruncate, FaultKind::kReset}) {
    SCOPED_TRACE(kind == FaultKind::kTruncate ? "truncate" : "reset");
    proxy_->inject({kind, "GET", kObject, 1});
    int before = proxy_->count("GET", kObject);
    expect_restorable();
    EXPECT_EQ(proxy_->count("GET", kObject), before + 2);

    proxy_->inject({kind, "GET", kObject, 1000});
    const std::string dest = restored_.file("cut");
    CommandResult got = get(base_name(kSegment), dest);
    EXPECT_EQ(got.exit_code, exit_code::kGetIoError) << got.err;
    const std::string start =
        "walpipe get: error: could not GET \"" + location_of(kSegment) + "\"" + at();
    EXPECT_EQ(first_line(got.err).rfind(
                  start + (kind == FaultKind::kTruncate ? "the answer was cut short ("
                                                        : "the connection was reset ("),
                  0),
              0u)
        << got.err;
    EXPECT_FALSE(exists(dest));
    proxy_->clear_faults();
  }
}

TEST_F(S3FaultCliTest, GetStalledIsAbove125) {
  seed();
  proxy_->inject({FaultKind::kStall, "GET", kObject, 1000, false, 30'000});
  const std::string dest = restored_.file("stalled");
  auto begin = std::chrono::steady_clock::now();
  CommandResult got = get(base_name(kSegment), dest);
  EXPECT_EQ(got.exit_code, exit_code::kGetIoError) << got.err;
  EXPECT_LT(seconds_since(begin), 2 * kDeadlineSeconds + 2);
  EXPECT_EQ(
      first_line(got.err).rfind("walpipe get: error: could not GET \"" + location_of(kSegment) +
                                    "\"" + at() + "the server did not answer in time (",
                                0),
      0u)
      << got.err;
  EXPECT_FALSE(exists(dest));
}

TEST_F(S3FaultCliTest, GetOfAnErrorDocumentIn200IsDamage) {
  seed();
  proxy_->inject({FaultKind::kErrorIn200, "GET", kObject, 1000});
  const std::string dest = restored_.file("error-document");
  CommandResult got = get(base_name(kSegment), dest);
  EXPECT_EQ(got.exit_code, exit_code::kGetCorrupt) << got.err;
  EXPECT_EQ(got.err, "walpipe get: error: archive object \"" + location_of(kSegment) +
                         "\" is corrupt: it does not start with a walpipe metadata frame\n");
  EXPECT_FALSE(exists(dest));
}

TEST_F(S3FaultCliTest, GetNeverLists) {
  seed();
  seed(kOtherSegment);
  // With the prefetcher, as restore_command runs it.
  const std::string spool = restored_.file("spool");
  for (const char* name : {"000000010000000000000034", "000000010000000000000035",
                           "000000010000000000000036", "000000010000000000000034"}) {
    CommandResult got = walpipe({"get", "--s3-deadline", kDeadline, "--spool", spool, "--archive",
                                 archive_, name, restored_.file(name)});
    EXPECT_EQ(got.exit_code, std::string(name).ends_with("36") ? 1 : 0) << name << got.err;
  }
  CommandResult removed = walpipe({"get", "--remove-spool", spool});
  EXPECT_EQ(removed.exit_code, 0) << removed.err;
  EXPECT_GT(proxy_->count("GET", "000000010000000000000036.zst"), 0);
  EXPECT_EQ(proxy_->count("GET", "list-type=2"), 0);
}

// Most of recovery's calls are served from the prefetch spool, and the prefetcher left beside
// each file what the bucket said of it: such a call makes no request at all (it used to read
// walpipe.json and GET the object's first block). The lock held here keeps the next prefetcher
// from starting, so that every request counted would be the call's.
TEST_F(S3FaultCliTest, GetServedFromTheSpoolAsksTheBucketNothing) {
  seed();
  seed(kOtherSegment);
  const std::string spool = restored_.file("spool");
  const std::string first = base_name(kSegment), second = base_name(kOtherSegment);
  CommandResult got = walpipe({"get", "--s3-deadline", kDeadline, "--spool", spool, "--archive",
                               archive_, first, restored_.file(first)});
  ASSERT_EQ(got.exit_code, 0) << got.err;
  int lock = ::open((spool + "/prefetch.lock").c_str(), O_RDWR | O_CLOEXEC);
  ASSERT_GE(lock, 0);
  ASSERT_EQ(::flock(lock, LOCK_EX), 0);  // the prefetcher has stopped
  ASSERT_TRUE(exists(spool + "/" + second));

  const int before = proxy_->count("");
  got = walpipe({"get", "-v", "--s3-deadline", kDeadline, "--spool", spool, "--archive", archive_,
                 second, restored_.file(second)});
  EXPECT_EQ(got.exit_code, 0) << got.err;
  EXPECT_NE(got.err.find("restored \"" + second + "\" from the prefetch spool"),
            std::string::npos)
      << got.err;
  EXPECT_EQ(proxy_->count("") - before, 0);
  EXPECT_TRUE(file_bytes(restored_.file(second)) == corpus_bytes(kOtherSegment));
  ::close(lock);
  CommandResult removed = walpipe({"get", "--remove-spool", spool});
  EXPECT_EQ(removed.exit_code, 0) << removed.err;
}

TEST_F(S3FaultCliTest, FolderWithoutTheSegmentAndABucketThatCannotAnswerIsAbove125) {
  seed();
  ScratchDir folder;
  // The folder becomes an archive of this cluster that lacks segment 34.
  CommandResult pushed =
      walpipe({"push", "--batch=1", "--archive", folder.path(), segment_file(kOtherSegment)});
  ASSERT_EQ(pushed.exit_code, 0) << pushed.err;

  proxy_->inject({FaultKind::kSlowDown503, "GET", kObject, 1000});
  const std::string dest = restored_.file("mirrored");
  CommandResult got = walpipe({"get", "--prefetch=0", "--s3-deadline", kDeadline, "--archive",
                               folder.path(), "--archive", archive_, base_name(kSegment), dest});
  EXPECT_EQ(got.exit_code, exit_code::kGetIoError) << got.err;
  // The folder's "absent" is not the last word while the bucket could not tell.
  EXPECT_EQ(first_line(got.err), "walpipe get: error: could not GET \"" + location_of(kSegment) +
                                     "\": the server answered 503 SlowDown");
  EXPECT_FALSE(exists(dest));

  // Once the bucket answers, the segment comes from it.
  proxy_->clear_faults();
  got = walpipe({"get", "--prefetch=0", "--archive", folder.path(), "--archive", archive_,
                 base_name(kSegment), dest});
  EXPECT_EQ(got.exit_code, 0) << got.err;
  EXPECT_TRUE(file_bytes(dest) == corpus_bytes(kSegment));
}

}  // namespace
}  // namespace walpipe::testing
