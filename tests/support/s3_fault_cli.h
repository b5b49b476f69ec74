// The fixture of the tests that run walpipe push and get against the Ceph RADOS Gateway through a
// proxy that breaks requests on purpose (support/s3_fault_proxy.h): a proxy, a bucket and a prefix
// for each test, the commands with a short S3 deadline, and what the bucket really holds, asked
// straight at RGW.
#pragma once

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <memory>
#include <string>
#include <vector>

#include "codec/fingerprint.h"
#include "s3/client.h"
#include "support/corpus.h"
#include "support/files.h"
#include "support/prerequisite.h"
#include "support/rgw_test.h"
#include "support/run_command.h"
#include "support/s3_fault_proxy.h"
#include "support/scratch_dir.h"

namespace walpipe::testing {

inline constexpr char kSegment[] = "pg16/1mb/000000010000000000000034";
inline constexpr char kOtherSegment[] = "pg16/1mb/000000010000000000000035";
inline constexpr char kObject[] = "000000010000000000000034.zst";  // what faults match in a target
inline constexpr char kWalDir[] = "wal/0000000100000000/";
// Short enough that retries run out within seconds; the try timeout follows it down.
inline constexpr char kDeadline[] = "3";
inline constexpr double kDeadlineSeconds = 3;

inline bool exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

// The first line of stderr: the error itself, without DETAIL and HINT.
inline std::string first_line(const std::string& err) { return err.substr(0, err.find('\n')); }

// One RGW for the whole program (it takes about 20 s to start); a proxy, a bucket and a prefix
// for each test.
class S3FaultCliTest : public S3CommandTest {
 protected:
  static void SetUpTestSuite() { start_rgw(true); }

  void SetUp() override {
    S3CommandTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    WALPIPE_REQUIRE_CORPUS();
    std::string why;
    proxy_ = S3FaultProxy::start(rgw_->settings().endpoint, &why);
    ASSERT_NE(proxy_, nullptr) << why;
    // The walpipe processes inherit what every S3 tool reads, the endpoint being the proxy.
    const s3::S3Settings& s = rgw_->settings();
    use_environment(proxy_->endpoint(), s.credentials.access_key_id,
                    s.credentials.secret_access_key);
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
  // With `fault` injected, a push succeeds without a word after `puts` PUTs, and the segment is
  // archived and restorable.
  void expect_push_retried(const Fault& fault, int puts) {
    proxy_->inject(fault);
    CommandResult pushed = push();
    EXPECT_EQ(pushed.exit_code, 0) << pushed.err;
    EXPECT_EQ(pushed.err, "");
    EXPECT_EQ(proxy_->count("PUT", kObject), puts);
    expect_archived();
    expect_restorable();
  }
  std::string at() const { return " at \"" + proxy_->endpoint().substr(7) + "\": "; }

  static inline int buckets_ = 0;
  std::unique_ptr<S3FaultProxy> proxy_;
  std::unique_ptr<s3::Client> direct_;
  std::string prefix_, archive_;
  ScratchDir wal_, restored_;
  int checks_ = 0;
};

}  // namespace walpipe::testing
