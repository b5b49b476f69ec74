// The S3 client against a real Ceph RADOS Gateway through a proxy that breaks requests on purpose
// (support/s3_fault_proxy.h): each failure a store or the wire can produce must end as success
// only when the store did the work, as kNotFound only when the store said "absent", otherwise as
// kIoError whose message names the object and the reason in words, and never quotes a secret.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <random>
#include <thread>

#include "s3/client.h"
#include "support/rgw_test.h"
#include "support/s3_fault_proxy.h"

namespace walpipe::s3 {
namespace {

using testing::Fault;
using testing::FaultKind;
using testing::S3FaultProxy;
using testing::seconds_since;

constexpr char kToken[] = "session-token-7c1e55d0";

std::vector<std::byte> random_bytes(size_t n, uint64_t seed) {
  std::mt19937_64 random(seed);
  std::vector<std::byte> out(n);
  for (auto& b : out) b = static_cast<std::byte>(random());
  return out;
}

// One RGW for the whole program: starting one takes about 20 s.
class S3FaultTest : public testing::RgwTest {
 protected:
  static void SetUpTestSuite() { start_rgw(true); }

  void SetUp() override {
    RgwTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    std::string why;
    proxy_ = S3FaultProxy::start(rgw_->settings().endpoint, &why);
    ASSERT_NE(proxy_, nullptr) << why;
  }

  // Short limits, so that retries run out within seconds.
  S3Settings through_proxy() const {
    S3Settings s = rgw_->settings();
    s.endpoint = proxy_->endpoint();
    s.connect_timeout_ms = 1000;
    s.try_timeout_ms = 1500;
    s.deadline_ms = 6000;
    s.first_backoff_ms = 20;
    s.max_backoff_ms = 200;
    return s;
  }
  std::unique_ptr<Client> client(const std::string& bucket, const S3Settings& settings) {
    Result<std::unique_ptr<Client>> c = Client::create(settings, {bucket, "archive/db1"});
    EXPECT_TRUE(c.is_ok()) << c.status().to_string();
    return c.is_ok() ? std::move(c.value()) : nullptr;
  }
  // The bucket, created straight at RGW; the client returned goes through the proxy.
  std::unique_ptr<Client> bucket(const std::string& name) {
    direct_ = client(name, rgw_->settings());
    if (direct_ == nullptr) return nullptr;
    Status made = direct_->create_bucket();
    EXPECT_TRUE(made.is_ok()) << made.to_string();
    return client(name, through_proxy());
  }
  void expect_no_secret(const Status& status) const {
    std::string all = status.to_string();
    EXPECT_EQ(all.find(rgw_->settings().credentials.secret_access_key), std::string::npos) << all;
    EXPECT_EQ(all.find(kToken), std::string::npos) << all;
  }
  // A put of `bytes` at wal/x.zst through the proxy ends in `outcome` after `tries` PUTs, and
  // the store then holds `bytes` there.
  void expect_put(Client& s3, const std::vector<std::byte>& bytes, PutOutcome outcome, int tries) {
    Result<PutOutcome> put = s3.put_if_absent("wal/x.zst", bytes, {});
    ASSERT_TRUE(put.is_ok()) << put.status().to_string();
    EXPECT_EQ(*put, outcome);
    EXPECT_EQ(proxy_->count("PUT", "wal/x.zst"), tries);
    Result<std::vector<std::byte>> held = stored("wal/x.zst");
    ASSERT_TRUE(held.is_ok()) << held.status().to_string();
    EXPECT_TRUE(*held == bytes);
  }
  // With `bytes` stored at wal/x.zst and its first GET broken by `kind`, a get is retried once
  // and returns the whole object.
  void expect_get_retried(Client& s3, const std::vector<std::byte>& bytes, FaultKind kind) {
    ASSERT_TRUE(s3.put_if_absent("wal/x.zst", bytes, {}).is_ok());
    proxy_->inject({kind, "GET", "wal/x.zst", 1});
    Result<std::vector<std::byte>> got = s3.get("wal/x.zst", std::nullopt, 1 << 20);
    ASSERT_TRUE(got.is_ok()) << got.status().to_string();
    EXPECT_TRUE(*got == bytes);
    EXPECT_EQ(proxy_->count("GET", "wal/x.zst"), 2);
  }
  // What the store holds under `key`, asked without the proxy.
  Result<std::vector<std::byte>> stored(const std::string& key) {
    return direct_->get(key, std::nullopt, 1 << 24);
  }
  std::string at() const { return " at \"" + proxy_->endpoint().substr(7) + "\": "; }

  std::unique_ptr<S3FaultProxy> proxy_;
  std::unique_ptr<Client> direct_;
};

TEST_F(S3FaultTest, ForwardsUntouchedOverOneConnection) {
  auto s3 = bucket("forward");
  ASSERT_NE(s3, nullptr);
  std::vector<std::byte> bytes = random_bytes(300'000, 1);
  for (const char* key : {"wal/1.zst", "wal/2.zst", "wal/3.zst"}) {
    Result<PutOutcome> put = s3->put_if_absent(key, bytes, {{"size", "300000"}});
    ASSERT_TRUE(put.is_ok()) << put.status().to_string();
    EXPECT_EQ(*put, PutOutcome::kWritten);
  }
  Result<ObjectInfo> info = s3->head("wal/2.zst");
  ASSERT_TRUE(info.is_ok()) << info.status().to_string();
  EXPECT_EQ(info->size, bytes.size());
  Result<std::vector<std::byte>> got = s3->get("wal/3.zst", std::nullopt, 1 << 20);
  ASSERT_TRUE(got.is_ok()) << got.status().to_string();
  EXPECT_TRUE(*got == bytes);
  ListQuery query{"wal/", "", "", 2};
  for (;;) {
    Result<ListPage> page = s3->list(query);
    ASSERT_TRUE(page.is_ok()) << page.status().to_string();
    if (!page->truncated) break;
    query.continuation_token = page->continuation_token;
  }
  ASSERT_TRUE(s3->remove("wal/1.zst").is_ok());
  EXPECT_EQ(s3->head("wal/1.zst").status().code(), Code::kNotFound);

  EXPECT_EQ(s3->connections_opened(), 1);
  EXPECT_EQ(proxy_->count("PUT"), 3);
  EXPECT_EQ(proxy_->count("HEAD"), 2);
  EXPECT_EQ(proxy_->count("GET", "list-type=2"), 2);
  EXPECT_EQ(proxy_->count("GET"), 3);
  EXPECT_EQ(proxy_->count("DELETE", "wal/1.zst"), 1);
  EXPECT_EQ(proxy_->faults_applied(), 0);
}

TEST_F(S3FaultTest, SlowDownIsRetried) {
  auto s3 = bucket("slow-down");
  ASSERT_NE(s3, nullptr);
  proxy_->inject({FaultKind::kSlowDown503, "PUT", "wal/x.zst", 2});
  std::vector<std::byte> bytes = random_bytes(1000, 2);
  expect_put(*s3, bytes, PutOutcome::kWritten, 3);
}

TEST_F(S3FaultTest, SlowDownPastTheDeadlineIsAnIoError) {
  auto s3 = bucket("slow-down-deadline");
  ASSERT_NE(s3, nullptr);
  ASSERT_TRUE(s3->put_if_absent("wal/x.zst", random_bytes(10, 3), {}).is_ok());
  proxy_->inject({FaultKind::kSlowDown503, "GET", "wal/x.zst", 1000});
  auto begin = std::chrono::steady_clock::now();
  Result<std::vector<std::byte>> got = s3->get("wal/x.zst", std::nullopt, 1 << 20);
  double seconds = seconds_since(begin);
  ASSERT_FALSE(got.is_ok());
  EXPECT_EQ(got.status().code(), Code::kIoError);
  EXPECT_EQ(got.status().message(),
            "could not GET \"s3://slow-down-deadline/archive/db1/wal/x.zst\": the server answered "
            "503 SlowDown");
  const std::string& detail = got.status().detail();
  EXPECT_EQ(detail.rfind("Please reduce your request rate.; request ID fault-proxy-", 0), 0u)
      << detail;
  int tries = proxy_->count("GET", "wal/x.zst");
  EXPECT_NE(detail.find("; gave up after " + std::to_string(tries) + " tries in "),
            std::string::npos)
      << detail;
  EXPECT_GE(tries, 5);  // backoffs of at most 200 ms within a 6 s deadline
  EXPECT_LT(seconds, 6.5);
  expect_no_secret(got.status());
}

TEST_F(S3FaultTest, InternalErrorOnHeadIsRetried) {
  auto s3 = bucket("internal-error");
  ASSERT_NE(s3, nullptr);
  ASSERT_TRUE(s3->put_if_absent("wal/x.zst", random_bytes(123, 4), {}).is_ok());
  proxy_->inject({FaultKind::kInternalError500, "HEAD", "", 1});
  Result<ObjectInfo> info = s3->head("wal/x.zst");
  ASSERT_TRUE(info.is_ok()) << info.status().to_string();
  EXPECT_EQ(info->size, 123u);
  EXPECT_EQ(proxy_->count("HEAD"), 2);
}

TEST_F(S3FaultTest, ErrorDocumentIn200IsNeverTakenForAWrite) {
  auto s3 = bucket("error-in-200");
  ASSERT_NE(s3, nullptr);
  proxy_->inject({FaultKind::kErrorIn200, "PUT", "wal/x.zst", 1000});
  Result<PutOutcome> put = s3->put_if_absent("wal/x.zst", random_bytes(100, 5), {});
  ASSERT_FALSE(put.is_ok());
  EXPECT_EQ(put.status().code(), Code::kIoError);
  EXPECT_EQ(put.status().message(),
            "could not PUT \"s3://error-in-200/archive/db1/wal/x.zst\": the server answered 200 "
            "with an error document (InternalError)");
  EXPECT_GT(proxy_->count("PUT", "wal/x.zst"), 2);
  expect_no_secret(put.status());
  // The proxy answered in the store's place: the store holds nothing.
  EXPECT_EQ(stored("wal/x.zst").status().code(), Code::kNotFound);
}

TEST_F(S3FaultTest, ErrorDocumentIn200AfterTheStoreWroteEndsInACompare) {
  auto s3 = bucket("error-in-200-stored");
  ASSERT_NE(s3, nullptr);
  Fault fault{FaultKind::kErrorIn200, "PUT", "wal/x.zst", 1};
  fault.after_store = true;
  proxy_->inject(fault);
  std::vector<std::byte> bytes = random_bytes(100, 6);
  // The retry meets the first try's object: "compare", never "written".
  expect_put(*s3, bytes, PutOutcome::kPreconditionFailed, 2);
}

TEST_F(S3FaultTest, ErrorDocumentIn200ToAListIsRetried) {
  auto s3 = bucket("error-in-200-list");
  ASSERT_NE(s3, nullptr);
  ASSERT_TRUE(s3->put_if_absent("wal/x.zst", random_bytes(10, 7), {}).is_ok());
  proxy_->inject({FaultKind::kErrorIn200, "GET", "list-type=2", 1});
  Result<ListPage> page = s3->list({"wal/", "", "", 1000});
  ASSERT_TRUE(page.is_ok()) << page.status().to_string();
  ASSERT_EQ(page->entries.size(), 1u);
  EXPECT_EQ(page->entries[0].key, "wal/x.zst");
  EXPECT_EQ(proxy_->count("GET", "list-type=2"), 2);
}

TEST_F(S3FaultTest, ResetMidBodyIsRetried) {
  auto s3 = bucket("reset-once");
  ASSERT_NE(s3, nullptr);
  ASSERT_NO_FATAL_FAILURE(expect_get_retried(*s3, random_bytes(500'000, 8), FaultKind::kReset));
  EXPECT_EQ(s3->connections_opened(), 2);
}

TEST_F(S3FaultTest, ResetEveryTimeIsAnIoError) {
  auto s3 = bucket("reset-always");
  ASSERT_NE(s3, nullptr);
  ASSERT_TRUE(s3->put_if_absent("wal/x.zst", random_bytes(500'000, 9), {}).is_ok());
  proxy_->inject({FaultKind::kReset, "GET", "wal/x.zst", 1000});
  Result<std::vector<std::byte>> got = s3->get("wal/x.zst", std::nullopt, 1 << 20);
  ASSERT_FALSE(got.is_ok());
  EXPECT_EQ(got.status().code(), Code::kIoError);
  EXPECT_EQ(got.status().message(),
            "could not GET \"s3://reset-always/archive/db1/wal/x.zst\"" + at() +
                "the connection was reset (Recv failure: Connection reset by peer)");
  EXPECT_GT(proxy_->count("GET", "wal/x.zst"), 2);
  EXPECT_NE(got.status().detail().find("gave up after "), std::string::npos);
  expect_no_secret(got.status());
}

TEST_F(S3FaultTest, ResetAnswerToAStoredPutEndsInACompare) {
  auto s3 = bucket("reset-put");
  ASSERT_NE(s3, nullptr);
  proxy_->inject({FaultKind::kReset, "PUT", "wal/x.zst", 1});
  std::vector<std::byte> bytes = random_bytes(200'000, 10);
  expect_put(*s3, bytes, PutOutcome::kPreconditionFailed, 2);
}

TEST_F(S3FaultTest, DeleteWhoseAnswerIsLostIsRetried) {
  auto s3 = bucket("reset-delete");
  ASSERT_NE(s3, nullptr);
  ASSERT_TRUE(s3->put_if_absent("wal/x.zst", random_bytes(10, 17), {}).is_ok());
  proxy_->inject({FaultKind::kReset, "DELETE", "wal/x.zst", 1});
  // The first try removed the object; the retry finds nothing to remove, which S3 answers 204.
  Status removed = s3->remove("wal/x.zst");
  EXPECT_TRUE(removed.is_ok()) << removed.to_string();
  EXPECT_EQ(proxy_->count("DELETE", "wal/x.zst"), 2);
  EXPECT_EQ(stored("wal/x.zst").status().code(), Code::kNotFound);
}

TEST_F(S3FaultTest, TruncatedBodyIsNeverReturned) {
  auto s3 = bucket("truncate");
  ASSERT_NE(s3, nullptr);
  ASSERT_NO_FATAL_FAILURE(expect_get_retried(*s3, random_bytes(300'000, 11), FaultKind::kTruncate));

  proxy_->inject({FaultKind::kTruncate, "GET", "wal/x.zst", 1000});
  Result<std::vector<std::byte>> got = s3->get("wal/x.zst", std::nullopt, 1 << 20);
  ASSERT_FALSE(got.is_ok());
  EXPECT_EQ(got.status().code(), Code::kIoError);
  EXPECT_EQ(got.status().message(), "could not GET \"s3://truncate/archive/db1/wal/x.zst\"" + at() +
                                        "the answer was cut short (transfer closed with 150000 "
                                        "bytes remaining to read)");
  expect_no_secret(got.status());
}

TEST_F(S3FaultTest, TruncatedListIsRetried) {
  auto s3 = bucket("truncate-list");
  ASSERT_NE(s3, nullptr);
  ASSERT_TRUE(s3->put_if_absent("wal/x.zst", random_bytes(10, 12), {}).is_ok());
  proxy_->inject({FaultKind::kTruncate, "GET", "list-type=2", 1});
  Result<ListPage> page = s3->list({"wal/", "", "", 1000});
  ASSERT_TRUE(page.is_ok()) << page.status().to_string();
  EXPECT_EQ(page->entries.size(), 1u);
  EXPECT_EQ(proxy_->count("GET", "list-type=2"), 2);
}

TEST_F(S3FaultTest, HeadAnswerCutShortIsNeverAbsence) {
  auto s3 = bucket("head-cut");
  ASSERT_NE(s3, nullptr);
  // A HEAD's answer has no body: the proxy cuts its headers in half. The store's 404 status line
  // arrives whole; what follows it does not, so nothing about the object can be told.
  std::string head = "could not HEAD \"s3://head-cut/archive/db1/wal/x.zst\"" + at();
  for (FaultKind kind : {FaultKind::kTruncate, FaultKind::kReset}) {
    proxy_->inject({kind, "HEAD", "wal/x.zst", 1000});
    Result<ObjectInfo> info = s3->head("wal/x.zst");
    ASSERT_FALSE(info.is_ok());
    EXPECT_EQ(info.status().code(), Code::kIoError);
    EXPECT_EQ(info.status().message(),
              head + (kind == FaultKind::kTruncate
                          ? "the answer was cut short in its headers"
                          : "the connection was reset (Recv failure: Connection reset by peer)"));
    EXPECT_GT(proxy_->count("HEAD"), 2);
    proxy_->clear_faults();
  }
  // The same cut on an object that exists: its metadata must not come back halved.
  ASSERT_TRUE(s3->put_if_absent("wal/y.zst", random_bytes(10, 16), {{"a", "1"}}).is_ok());
  proxy_->inject({FaultKind::kTruncate, "HEAD", "wal/y.zst", 1});
  Result<ObjectInfo> info = s3->head("wal/y.zst");
  ASSERT_TRUE(info.is_ok()) << info.status().to_string();
  ASSERT_EQ(info->metadata.size(), 1u);
  EXPECT_EQ(proxy_->count("HEAD", "wal/y.zst"), 2);
}

TEST_F(S3FaultTest, StallOutlastingTheTryIsRetriedThenTimesOut) {
  auto s3 = bucket("stall");
  ASSERT_NE(s3, nullptr);
  std::vector<std::byte> bytes = random_bytes(1000, 13);
  ASSERT_TRUE(s3->put_if_absent("wal/x.zst", bytes, {}).is_ok());
  proxy_->inject({FaultKind::kStall, "GET", "wal/x.zst", 1, false, 3000});
  auto begin = std::chrono::steady_clock::now();
  Result<std::vector<std::byte>> got = s3->get("wal/x.zst", std::nullopt, 1 << 20);
  ASSERT_TRUE(got.is_ok()) << got.status().to_string();
  EXPECT_TRUE(*got == bytes);
  EXPECT_GE(seconds_since(begin), 1.5);
  EXPECT_EQ(proxy_->count("GET", "wal/x.zst"), 2);

  proxy_->inject({FaultKind::kStall, "GET", "wal/x.zst", 1000, false, 3000});
  begin = std::chrono::steady_clock::now();
  got = s3->get("wal/x.zst", std::nullopt, 1 << 20);
  double seconds = seconds_since(begin);
  ASSERT_FALSE(got.is_ok());
  EXPECT_EQ(got.status().code(), Code::kIoError);
  const std::string& m = got.status().message();
  std::string start = "could not GET \"s3://stall/archive/db1/wal/x.zst\"" + at() +
                      "the server did not answer in time (Operation timed out after ";
  EXPECT_EQ(m.rfind(start, 0), 0u) << m;
  EXPECT_GE(proxy_->count("GET", "wal/x.zst"), 2 + 3);
  EXPECT_LT(seconds, 6.0 + 1.5 + 0.5);  // the last try may run its whole timeout past the deadline
  expect_no_secret(got.status());
}

TEST_F(S3FaultTest, PreconditionFailedFromAnythingButTheStoreIsCaughtByTheCompare) {
  auto s3 = bucket("precondition");
  ASSERT_NE(s3, nullptr);
  proxy_->inject({FaultKind::kPrecondition412, "PUT", "wal/x.zst", 1});
  Result<PutOutcome> put = s3->put_if_absent("wal/x.zst", random_bytes(10, 14), {});
  ASSERT_TRUE(put.is_ok()) << put.status().to_string();
  EXPECT_EQ(*put, PutOutcome::kPreconditionFailed);
  EXPECT_EQ(proxy_->count("PUT"), 1);
  // What the caller's compare then finds: nothing, so it must not count the PUT as done.
  Result<ObjectInfo> info = s3->head("wal/x.zst");
  ASSERT_FALSE(info.is_ok());
  EXPECT_EQ(info.status().code(), Code::kNotFound);
}

TEST_F(S3FaultTest, SkewedClockSaysSoEvenForAHead) {
  auto s3 = bucket("skew");
  ASSERT_NE(s3, nullptr);
  proxy_->inject({FaultKind::kClockSkew403, "GET", "wal/x.zst", 1});
  Result<std::vector<std::byte>> got = s3->get("wal/x.zst", std::nullopt, 1 << 20);
  ASSERT_FALSE(got.is_ok());
  EXPECT_EQ(got.status().code(), Code::kIoError);
  const std::string& m = got.status().message();
  EXPECT_EQ(m.rfind("could not GET \"s3://skew/archive/db1/wal/x.zst\": this machine's clock (", 0),
            0u)
      << m;
  EXPECT_NE(m.find(") differs too much from the server's ("), std::string::npos) << m;
  EXPECT_TRUE(m.ends_with(" GMT) (403 RequestTimeTooSkewed)")) << m;
  EXPECT_EQ(got.status().hint(), "Synchronize this machine's clock (NTP).");
  EXPECT_EQ(proxy_->count("GET"), 1);  // not retried: the next try would be as far off
  expect_no_secret(got.status());

  // A HEAD's 403 has no body to carry the code: the answer's Date tells the skew.
  proxy_->inject({FaultKind::kClockSkew403, "HEAD", "wal/x.zst", 1});
  Result<ObjectInfo> info = s3->head("wal/x.zst");
  ASSERT_FALSE(info.is_ok());
  EXPECT_EQ(info.status().code(), Code::kIoError);
  const std::string& h = info.status().message();
  EXPECT_EQ(
      h.rfind("could not HEAD \"s3://skew/archive/db1/wal/x.zst\": this machine's clock (", 0), 0u)
      << h;
  EXPECT_TRUE(h.ends_with(" GMT) (403)")) << h;
  EXPECT_EQ(info.status().hint(), "Synchronize this machine's clock (NTP).");
}

TEST_F(S3FaultTest, HeadRefusedWithoutAReasonSaysWhatToCheck) {
  ASSERT_NE(bucket("head-refused"), nullptr);
  S3Settings settings = through_proxy();
  settings.credentials.secret_access_key = "not-the-secret-4fd2a9";
  auto s3 = client("head-refused", settings);
  ASSERT_NE(s3, nullptr);
  Result<ObjectInfo> info = s3->head("wal/x.zst");
  ASSERT_FALSE(info.is_ok());
  EXPECT_EQ(info.status().code(), Code::kIoError);
  EXPECT_EQ(info.status().message(),
            "could not HEAD \"s3://head-refused/archive/db1/wal/x.zst\": the server refused the "
            "request without saying why (403)");
  EXPECT_EQ(info.status().hint(),
            "Check the credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), "
            "their rights on the bucket, and this machine's clock.");
  EXPECT_EQ(info.status().to_string().find("not-the-secret"), std::string::npos);
  expect_no_secret(info.status());
}

TEST_F(S3FaultTest, ExpiredTokenSaysSoWithoutTheToken) {
  ASSERT_NE(bucket("expired"), nullptr);
  S3Settings settings = through_proxy();
  settings.credentials.session_token = kToken;
  auto s3 = client("expired", settings);
  ASSERT_NE(s3, nullptr);
  for (FaultKind kind : {FaultKind::kExpiredToken400, FaultKind::kExpiredToken403}) {
    std::string status = kind == FaultKind::kExpiredToken400 ? "400" : "403";
    proxy_->inject({kind, "PUT", "wal/x.zst", 1});
    Result<PutOutcome> put = s3->put_if_absent("wal/x.zst", random_bytes(10, 15), {});
    ASSERT_FALSE(put.is_ok());
    EXPECT_EQ(put.status().code(), Code::kIoError);
    EXPECT_EQ(
        put.status().message(),
        "could not PUT \"s3://expired/archive/db1/wal/x.zst\": the session token has expired (" +
            status + " ExpiredToken)");
    EXPECT_EQ(put.status().hint(), "Renew the temporary credentials (AWS_SESSION_TOKEN).");
    expect_no_secret(put.status());
  }
  EXPECT_EQ(proxy_->count("PUT"), 2);  // neither retried
  EXPECT_EQ(stored("wal/x.zst").status().code(), Code::kNotFound);
}

// A part of an object is one ranged GET, never a HEAD first: the answer's Content-Range (or its
// 416) says where the object ends.
TEST_F(S3FaultTest, APartOfAnObjectIsOneRangedGet) {
  auto s3 = bucket("ranges");
  ASSERT_NE(s3, nullptr);
  std::vector<std::byte> bytes = random_bytes(300'000, 21);
  ASSERT_TRUE(s3->put_if_absent("wal/x.zst", bytes, {}).is_ok());
  Result<std::vector<std::byte>> middle = s3->get_from("wal/x.zst", 1000, 5000);
  ASSERT_TRUE(middle.is_ok()) << middle.status().to_string();
  EXPECT_TRUE(*middle == std::vector<std::byte>(bytes.begin() + 1000, bytes.begin() + 6000));
  Result<std::vector<std::byte>> tail = s3->get_from("wal/x.zst", 299'990, 100);
  ASSERT_TRUE(tail.is_ok()) << tail.status().to_string();
  EXPECT_TRUE(*tail == std::vector<std::byte>(bytes.end() - 10, bytes.end()));
  Result<std::vector<std::byte>> past = s3->get_from("wal/x.zst", 300'000, 100);
  ASSERT_TRUE(past.is_ok()) << past.status().to_string();
  EXPECT_TRUE(past->empty());
  EXPECT_EQ(s3->get_from("wal/absent.zst", 0, 100).status().code(), Code::kNotFound);
  EXPECT_EQ(proxy_->count("GET", "wal/x.zst"), 3);
  EXPECT_EQ(proxy_->count("HEAD"), 0);

  // A part cut short on the way is never returned as the part.
  proxy_->inject({FaultKind::kTruncate, "GET", "wal/x.zst", 1});
  Result<std::vector<std::byte>> cut = s3->get_from("wal/x.zst", 0, 200'000);
  ASSERT_TRUE(cut.is_ok()) << cut.status().to_string();
  EXPECT_TRUE(*cut == std::vector<std::byte>(bytes.begin(), bytes.begin() + 200'000));
  EXPECT_EQ(proxy_->count("GET", "wal/x.zst"), 5);
}

// Keys refused by the store (expired, or replaced by a rotation) are asked again from where they
// came, once per request: the request goes on with new keys, and fails as before with the same.
TEST_F(S3FaultTest, RefusedKeysAreReadAgainOnce) {
  ASSERT_NE(bucket("reread"), nullptr);
  const Credentials renewed = through_proxy().credentials;
  int rereads = 0;
  auto reread = [&]() -> Result<Credentials> {
    ++rereads;
    return renewed;
  };
  // A session token that expired; its source holds renewed keys by now.
  S3Settings settings = through_proxy();
  settings.credentials.session_token = kToken;
  settings.reread_credentials = reread;
  auto s3 = client("reread", settings);
  ASSERT_NE(s3, nullptr);
  proxy_->inject({FaultKind::kExpiredToken400, "PUT", "wal/x.zst", 1});
  Result<PutOutcome> put = s3->put_if_absent("wal/x.zst", random_bytes(10, 31), {});
  ASSERT_TRUE(put.is_ok()) << put.status().to_string();
  EXPECT_EQ(*put, PutOutcome::kWritten);
  EXPECT_EQ(rereads, 1);
  EXPECT_EQ(proxy_->count("PUT"), 2);
  ASSERT_TRUE(s3->head("wal/x.zst").is_ok());  // the renewed keys are kept
  EXPECT_EQ(rereads, 1);

  // A rotated secret, refused by RGW itself (SignatureDoesNotMatch).
  settings.credentials = renewed;
  settings.credentials.secret_access_key = "rotated-away";
  auto rotated = client("reread", settings);
  ASSERT_NE(rotated, nullptr);
  Result<std::vector<std::byte>> got = rotated->get("wal/x.zst", std::nullopt, 1 << 20);
  ASSERT_TRUE(got.is_ok()) << got.status().to_string();
  EXPECT_EQ(rereads, 2);
  EXPECT_EQ(proxy_->count("GET", "wal/x.zst"), 2);

  // The source holds what was refused: no second try.
  proxy_->inject({FaultKind::kExpiredToken400, "GET", "wal/x.zst", 1});
  got = s3->get("wal/x.zst", std::nullopt, 1 << 20);
  ASSERT_FALSE(got.is_ok());
  EXPECT_EQ(got.status().message(),
            "could not GET \"s3://reread/archive/db1/wal/x.zst\": the session token has expired "
            "(400 ExpiredToken)");
  EXPECT_EQ(rereads, 3);
  EXPECT_EQ(proxy_->count("GET", "wal/x.zst"), 3);
  expect_no_secret(got.status());
}

TEST_F(S3FaultTest, ServesConnectionsAtOnce) {
  ASSERT_NE(bucket("at-once"), nullptr);
  constexpr int kThreads = 6;
  std::vector<std::thread> threads;
  std::vector<std::string> failures(kThreads);
  S3Settings settings = through_proxy();
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Result<std::unique_ptr<Client>> s3 = Client::create(settings, {"at-once", "archive/db1"});
      if (!s3.is_ok()) {
        failures[t] = s3.status().to_string();
        return;
      }
      for (int i = 0; i < 5 && failures[t].empty(); ++i) {
        std::string key = "wal/" + std::to_string(t) + "-" + std::to_string(i);
        std::vector<std::byte> bytes = random_bytes(50'000, 100 * t + i);
        Result<PutOutcome> put = (*s3)->put_if_absent(key, bytes, {});
        Result<std::vector<std::byte>> got = (*s3)->get(key, std::nullopt, 1 << 20);
        if (!put.is_ok()) {
          failures[t] = put.status().to_string();
        } else if (!got.is_ok()) {
          failures[t] = got.status().to_string();
        } else if (*got != bytes) {
          failures[t] = key + " came back different";
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  for (const std::string& f : failures) EXPECT_EQ(f, "");
  EXPECT_EQ(proxy_->count("PUT", "wal/"), kThreads * 5);
  EXPECT_EQ(proxy_->count("GET", "wal/"), kThreads * 5);
}

}  // namespace
}  // namespace walpipe::s3
