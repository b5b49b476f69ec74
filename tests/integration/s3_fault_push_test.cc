// walpipe push, the real command, against a real Ceph RADOS Gateway through a proxy that breaks
// requests on purpose (support/s3_fault_proxy.h): push says 0 only when the bucket holds the
// segment under its fingerprint, whatever the store or the wire does (slow down, errors, error
// documents in a 200, lies, resets, stalls, expired keys, a kill), and every message names what
// failed and never the secret; and how many requests a push and a get make.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "exit_codes.h"
#include "support/s3_fault_cli.h"

extern char** environ;

namespace walpipe::testing {
namespace {

TEST_F(S3FaultCliTest, PushRetriesSlowDown) {
  expect_push_retried({FaultKind::kSlowDown503, "PUT", kObject, 2}, 3);
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
  expect_push_retried({FaultKind::kReset, "PUT", kObject, 1}, 2);
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
// segment archived already (a retry; PostgreSQL's call after a look-ahead stored it costs none,
// s3_receipts_test): one HEAD, which answers both whether it is there and what it holds. get:
// the object by key.
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

// A push waiting for the look-ahead worker asks the bucket nothing: it waits for the receipt
// the worker leaves beside its lock once the segment is stored (pipeline/receipts.h). The
// worker's PUT of segment 35 stalls 1.5 s, all of it a wait of the call.
TEST_F(S3FaultCliTest, PushWaitingForTheLookAheadAsksTheBucketNothing) {
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
  // The worker's own: before its PUT, and after a 412 to its retry if the stalled PUT was stored.
  EXPECT_LE(heads, 2);
}

}  // namespace
}  // namespace walpipe::testing
