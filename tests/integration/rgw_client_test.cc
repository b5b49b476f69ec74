// The S3 client against a real Ceph RADOS Gateway started for this program (scripts/rgw.sh):
// conditional put, head, get whole and ranged, paged listing, remove, and the failures that must
// never read as "absent": a refused connection, a missing bucket, a wrong key, a skewed clock.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <random>

#include "s3/client.h"
#include "support/prerequisite.h"
#include "support/rgw.h"

namespace walpipe::s3 {
namespace {

using testing::Rgw;

std::vector<std::byte> random_bytes(size_t n, uint64_t seed) {
  std::mt19937_64 random(seed);
  std::vector<std::byte> out(n);
  for (auto& b : out) b = static_cast<std::byte>(random());
  return out;
}

class RgwClientTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    missing_ = testing::ceph_missing();
    if (!missing_.empty()) return;
    rgw_ = Rgw::start(&start_failure_).release();
    if (rgw_ != nullptr)
      std::printf("rgw: S3 answered %.1f s after start; mon+osd+radosgw RSS %.0f MiB\n",
                  rgw_->start_seconds(), rgw_->rss_mib());
  }
  static void TearDownTestSuite() {
    if (rgw_ != nullptr) std::printf("rgw: RSS at the end %.0f MiB\n", rgw_->rss_mib());
    delete rgw_;
    rgw_ = nullptr;
  }

  void SetUp() override {
    if (!missing_.empty()) WALPIPE_SKIP() << missing_;
    ASSERT_NE(rgw_, nullptr) << start_failure_;
  }

  // A client for a new bucket named after the test, under prefix "archive/db1".
  std::unique_ptr<Client> client_for(const std::string& bucket, S3Settings settings) {
    Result<std::unique_ptr<Client>> c = Client::create(settings, {bucket, "archive/db1"});
    EXPECT_TRUE(c.is_ok()) << c.status().to_string();
    return c.is_ok() ? std::move(c.value()) : nullptr;
  }
  std::unique_ptr<Client> bucket(const std::string& name) {
    std::unique_ptr<Client> c = client_for(name, rgw_->settings());
    if (c) {
      Status made = c->create_bucket();
      EXPECT_TRUE(made.is_ok()) << made.to_string();
    }
    return c;
  }

  static inline Rgw* rgw_ = nullptr;
  static inline std::string missing_, start_failure_;
};

TEST_F(RgwClientTest, PutIfAbsentHeadGetRemove) {
  auto s3 = bucket("put-head-get");
  ASSERT_NE(s3, nullptr);
  std::vector<std::byte> bytes = random_bytes(100'000, 1);
  Metadata meta = {{"walpipe-fingerprint", "0123456789abcdef0123456789abcdef"}, {"size", "100000"}};

  Result<PutOutcome> put = s3->put_if_absent("wal/x.zst", bytes, meta);
  ASSERT_TRUE(put.is_ok()) << put.status().to_string();
  EXPECT_EQ(*put, PutOutcome::kWritten);
  // A second PUT, even of other bytes, leaves the first untouched: RGW answers 412.
  put = s3->put_if_absent("wal/x.zst", random_bytes(10, 2), {});
  ASSERT_TRUE(put.is_ok()) << put.status().to_string();
  EXPECT_EQ(*put, PutOutcome::kPreconditionFailed);

  Result<ObjectInfo> info = s3->head("wal/x.zst");
  ASSERT_TRUE(info.is_ok()) << info.status().to_string();
  EXPECT_EQ(info->size, bytes.size());
  EXPECT_EQ(info->metadata.size(), 2u);
  for (const Header& h : meta) {
    auto found = std::find_if(info->metadata.begin(), info->metadata.end(),
                              [&](const Header& m) { return m.name == h.name; });
    ASSERT_NE(found, info->metadata.end()) << h.name;
    EXPECT_EQ(found->value, h.value);
  }
  EXPECT_EQ(info->etag.size(), 34u) << info->etag;  // a quoted MD5 for a single PUT

  Result<std::vector<std::byte>> got = s3->get("wal/x.zst", std::nullopt, 1 << 20);
  ASSERT_TRUE(got.is_ok()) << got.status().to_string();
  EXPECT_TRUE(*got == bytes);
  got = s3->get("wal/x.zst", ByteRange{4096, 8191}, 1 << 20);
  ASSERT_TRUE(got.is_ok()) << got.status().to_string();
  EXPECT_TRUE(std::equal(got->begin(), got->end(), bytes.begin() + 4096, bytes.begin() + 8192));
  EXPECT_EQ(got->size(), 4096u);

  got = s3->get("wal/x.zst", std::nullopt, 1000);
  ASSERT_FALSE(got.is_ok());
  EXPECT_EQ(got.status().code(), Code::kIoError);
  std::string endpoint = rgw_->settings().endpoint;
  std::string at = " at \"" + endpoint.substr(endpoint.find("//") + 2) + "\": ";
  EXPECT_EQ(got.status().message(), "could not GET \"s3://put-head-get/archive/db1/wal/x.zst\"" +
                                        at + "the answer is larger than the 1000 bytes expected");

  ASSERT_TRUE(s3->remove("wal/x.zst").is_ok());
  got = s3->get("wal/x.zst", std::nullopt, 1 << 20);
  ASSERT_FALSE(got.is_ok());
  EXPECT_EQ(got.status().code(), Code::kNotFound);
  EXPECT_EQ(got.status().message(),
            "object \"s3://put-head-get/archive/db1/wal/x.zst\" does not exist");
  info = s3->head("wal/x.zst");
  ASSERT_FALSE(info.is_ok());
  EXPECT_EQ(info.status().code(), Code::kNotFound);
}

TEST_F(RgwClientTest, ListPagesThroughEverything) {
  auto s3 = bucket("list-pages");
  ASSERT_NE(s3, nullptr);
  std::vector<std::string> keys;
  for (int i = 0; i < 7; ++i) keys.push_back("wal/0000000" + std::to_string(i) + ".zst");
  // The last key of the first page: RGW's continuation token is that key, which must survive
  // the query string's encoding.
  keys[2] = "wal/00000002 &x=y+z.zst";
  for (const std::string& k : keys)
    ASSERT_TRUE(s3->put_if_absent(k, random_bytes(10 + keys.size(), 3), {}).is_ok());
  ASSERT_TRUE(s3->put_if_absent("walpipe.json", random_bytes(5, 4), {}).is_ok());

  std::vector<std::string> seen;
  int pages = 0;
  ListQuery query{"wal/", "", "", 3};
  for (;;) {
    Result<ListPage> page = s3->list(query);
    ASSERT_TRUE(page.is_ok()) << page.status().to_string();
    ++pages;
    for (const ListEntry& e : page->entries) {
      seen.push_back(e.key);
      EXPECT_EQ(e.size, 17u);
    }
    if (!page->truncated) break;
    query.continuation_token = page->continuation_token;
  }
  EXPECT_EQ(seen, keys);
  EXPECT_EQ(pages, 3);

  Result<ListPage> after = s3->list({"wal/", "wal/00000004.zst", "", 1000});
  ASSERT_TRUE(after.is_ok());
  ASSERT_EQ(after->entries.size(), 2u);
  EXPECT_EQ(after->entries[0].key, "wal/00000005.zst");
  Result<ListPage> all = s3->list({"", "", "", 1000});
  ASSERT_TRUE(all.is_ok());
  EXPECT_EQ(all->entries.size(), 8u);
}

TEST_F(RgwClientTest, MissingBucketIsNotAbsentObject) {
  auto s3 = client_for("never-created", rgw_->settings());
  ASSERT_NE(s3, nullptr);
  Result<std::vector<std::byte>> got = s3->get("wal/x.zst", std::nullopt, 1 << 20);
  ASSERT_FALSE(got.is_ok());
  EXPECT_EQ(got.status().code(), Code::kIoError);
  EXPECT_EQ(got.status().message(),
            "could not GET \"s3://never-created/archive/db1/wal/x.zst\": the server answered 404 "
            "NoSuchBucket");
}

TEST_F(RgwClientTest, RefusedConnectionIsAnIoError) {
  S3Settings settings = rgw_->settings();
  int port = testing::unused_loopback_port();
  settings.endpoint = "http://127.0.0.1:" + std::to_string(port);
  settings.deadline_ms = 1500;
  settings.first_backoff_ms = 50;
  settings.max_backoff_ms = 200;
  auto s3 = client_for("anything", settings);
  ASSERT_NE(s3, nullptr);
  auto begin = std::chrono::steady_clock::now();
  Result<std::vector<std::byte>> got = s3->get("wal/x.zst", std::nullopt, 1 << 20);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  ASSERT_FALSE(got.is_ok());
  EXPECT_EQ(got.status().code(), Code::kIoError);
  std::string host = "127.0.0.1:" + std::to_string(port);
  std::string refused = "could not GET \"s3://anything/archive/db1/wal/x.zst\" at \"" + host +
                        "\": Couldn't connect to server";
  EXPECT_EQ(got.status().message().rfind(refused, 0), 0u) << got.status().message();
  EXPECT_NE(got.status().detail().find("gave up after "), std::string::npos);
  EXPECT_LT(seconds, 3.0);  // within the deadline, retries included
}

TEST_F(RgwClientTest, WrongSecretIsSaidInWordsWithoutTheSecret) {
  ASSERT_NE(bucket("wrong-secret"), nullptr);
  S3Settings settings = rgw_->settings();
  settings.credentials.secret_access_key = "not-the-secret-4fd2a9";
  auto s3 = client_for("wrong-secret", settings);
  ASSERT_NE(s3, nullptr);
  Result<PutOutcome> put = s3->put_if_absent("wal/x.zst", random_bytes(10, 5), {});
  ASSERT_FALSE(put.is_ok());
  EXPECT_EQ(put.status().code(), Code::kIoError);
  EXPECT_EQ(put.status().message(),
            "could not PUT \"s3://wrong-secret/archive/db1/wal/x.zst\": the secret access key is "
            "not the one the server holds for this access key ID (403 SignatureDoesNotMatch)");
  EXPECT_EQ(put.status().hint(), "Check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.");
  std::string all = put.status().to_string();
  EXPECT_EQ(all.find("not-the-secret"), std::string::npos) << all;
  EXPECT_EQ(all.find(rgw_->settings().credentials.secret_access_key), std::string::npos) << all;
}

TEST_F(RgwClientTest, SkewedClockNamesBothClocks) {
  auto s3 = bucket("skewed-clock");
  ASSERT_NE(s3, nullptr);
  std::time_t wrong = std::time(nullptr) - 3600;
  s3->set_clock([wrong] { return wrong; });
  Result<ObjectInfo> info = s3->head("wal/x.zst");
  ASSERT_FALSE(info.is_ok());
  EXPECT_EQ(info.status().code(), Code::kIoError);
  const std::string& m = info.status().message();
  EXPECT_EQ(m.rfind("could not HEAD \"s3://skewed-clock/archive/db1/wal/x.zst\": ", 0), 0u) << m;
  // A HEAD answer has no body to carry RGW's code: the answer's Date tells the skew.
  EXPECT_NE(m.find("this machine's clock ("), std::string::npos) << m;
  EXPECT_NE(m.find("(403)"), std::string::npos) << m;

  Result<std::vector<std::byte>> got = s3->get("wal/x.zst", std::nullopt, 1 << 20);
  ASSERT_FALSE(got.is_ok());
  EXPECT_NE(got.status().message().find("this machine's clock ("), std::string::npos)
      << got.status().message();
  EXPECT_NE(got.status().message().find("(403 RequestTimeTooSkewed)"), std::string::npos);
  EXPECT_EQ(got.status().hint(), "Synchronize this machine's clock (NTP).");
}

TEST_F(RgwClientTest, TwoMebibyteRoundTrip) {
  auto s3 = bucket("round-trip");
  ASSERT_NE(s3, nullptr);
  std::vector<std::byte> bytes = random_bytes(2 << 20, 6);
  std::vector<double> put_ms, get_ms;
  for (int i = 0; i < 5; ++i) {
    std::string key = "wal/" + std::to_string(i) + ".zst";
    auto t0 = std::chrono::steady_clock::now();
    Result<PutOutcome> put = s3->put_if_absent(key, bytes, {});
    auto t1 = std::chrono::steady_clock::now();
    Result<std::vector<std::byte>> got = s3->get(key, std::nullopt, 4 << 20);
    auto t2 = std::chrono::steady_clock::now();
    ASSERT_TRUE(put.is_ok()) << put.status().to_string();
    ASSERT_EQ(*put, PutOutcome::kWritten);
    ASSERT_TRUE(got.is_ok()) << got.status().to_string();
    ASSERT_TRUE(*got == bytes);
    put_ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    get_ms.push_back(std::chrono::duration<double, std::milli>(t2 - t1).count());
  }
  // Ten requests, one connection: keep-alive works with RGW's beast frontend.
  EXPECT_EQ(s3->connections_opened(), 1);
  std::sort(put_ms.begin(), put_ms.end());
  std::sort(get_ms.begin(), get_ms.end());
  std::printf("rgw: 2 MiB PUT median %.1f ms (%.1f-%.1f), GET median %.1f ms (%.1f-%.1f)\n",
              put_ms[2], put_ms[0], put_ms[4], get_ms[2], get_ms[0], get_ms[4]);
}

}  // namespace
}  // namespace walpipe::s3
