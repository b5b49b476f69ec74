#include "support/rgw_test.h"

#include <cstdlib>
#include <span>

#include "support/prerequisite.h"

namespace walpipe::testing {

void RgwTest::start_rgw(bool warm_up) {
  missing_ = ceph_missing();
  if (missing_.empty()) rgw_ = Rgw::start(&start_failure_).release();
  if (rgw_ == nullptr || !warm_up) return;
  Result<std::unique_ptr<s3::Client>> warm = s3::Client::create(rgw_->settings(), {"warm", ""});
  const std::string text = "warm";
  if (warm.is_ok() && (*warm)->create_bucket().is_ok())
    (void)(*warm)->put_if_absent("warm", std::as_bytes(std::span(text)), {});
}

void RgwTest::TearDownTestSuite() {
  delete rgw_;
  rgw_ = nullptr;
}

void RgwTest::SetUp() {
  if (!missing_.empty()) WALPIPE_SKIP() << missing_;
  ASSERT_NE(rgw_, nullptr) << start_failure_;
}

void S3CommandTest::TearDown() {
  for (const char* variable : kAwsVariables) ::unsetenv(variable);
}

void S3CommandTest::use_environment(const std::string& endpoint, const std::string& key_id,
                                    const std::string& secret) {
  ::setenv("AWS_ENDPOINT_URL", endpoint.c_str(), 1);
  ::setenv("AWS_ACCESS_KEY_ID", key_id.c_str(), 1);
  ::setenv("AWS_SECRET_ACCESS_KEY", secret.c_str(), 1);
  ::setenv("AWS_REGION", rgw_->settings().region.c_str(), 1);
}

double seconds_since(std::chrono::steady_clock::time_point begin) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
}

}  // namespace walpipe::testing
