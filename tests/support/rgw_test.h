// The fixtures of the test programs that talk S3 to the Ceph RADOS Gateway of their run
// (support/rgw.h): one gateway per suite, joined or started once, skipped (failed under CI=true)
// without Ceph; and, for the ones that run the walpipe command, the AWS_* variables every S3 tool
// reads, set for the processes a test starts and cleared after it.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "s3/client.h"
#include "support/rgw.h"

namespace walpipe::testing {

// Every variable an S3 tool reads for its endpoint, region and keys.
inline constexpr const char* kAwsVariables[] = {"AWS_ENDPOINT_URL",      "AWS_REGION",
                                                "AWS_DEFAULT_REGION",    "AWS_ACCESS_KEY_ID",
                                                "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"};

class RgwTest : public ::testing::Test {
 protected:
  // Joins or starts the gateway unless Ceph is missing. With `warm_up`, writes one object first:
  // RGW's first write creates its data pools, which takes longer than a short deadline allows.
  static void start_rgw(bool warm_up);
  static void SetUpTestSuite() { start_rgw(false); }
  static void TearDownTestSuite();
  // Skips without Ceph; fails when the gateway did not start.
  void SetUp() override;

  static inline Rgw* rgw_ = nullptr;
  static inline std::string missing_, start_failure_;
};

// An RgwTest whose walpipe processes find the gateway through the AWS_* variables.
class S3CommandTest : public RgwTest {
 protected:
  void TearDown() override;

  // Sets the endpoint, the keys and the gateway's region for the processes started from now on.
  static void use_environment(const std::string& endpoint, const std::string& key_id,
                              const std::string& secret);
};

double seconds_since(std::chrono::steady_clock::time_point begin);

}  // namespace walpipe::testing
