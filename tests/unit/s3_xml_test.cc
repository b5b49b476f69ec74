// S3's XML answers (Error, ListBucketResult v2) as RGW and AWS write them, and the ways a body
// can lie: truncated, oversized, an error inside a 200; the verdict on an answer; the s3://
// location, the endpoint and the retry backoff.
#include <gtest/gtest.h>

#include "s3/backoff.h"
#include "s3/endpoint.h"
#include "s3/location.h"
#include "s3/verdict.h"
#include "s3/xml_answer.h"

namespace walpipe::s3 {
namespace {

Bytes b(std::string_view s) { return std::as_bytes(std::span(s.data(), s.size())); }

// As RGW 16.2 answers a GET of an absent key (measured).
constexpr std::string_view kNoSuchKey =
    R"(<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code><Message></Message>)"
    R"(<BucketName>b1</BucketName><RequestId>tx00000df48b3d7bf0ef9f5-006b12ee45-1008-default)"
    R"(</RequestId><HostId>1008-default-default</HostId></Error>)";

constexpr std::string_view kListing =
    R"(<?xml version="1.0" encoding="UTF-8"?>)"
    R"(<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">)"
    R"(<Name>b1</Name><Prefix>p/</Prefix><MaxKeys>2</MaxKeys><IsTruncated>true</IsTruncated>)"
    R"(<Contents><Key>p/a&amp;b</Key><LastModified>2026-12-04T16:45:57.000Z</LastModified>)"
    R"(<ETag>&quot;900150983cd24fb0d6963f7d28e17f72&quot;</ETag><Size>3</Size>)"
    R"(<StorageClass>STANDARD</StorageClass></Contents>)"
    R"(<Contents><Key>p/c</Key><ETag>"e"</ETag><Size>16777216</Size></Contents>)"
    R"(<KeyCount>2</KeyCount><NextContinuationToken>1ueGcxLPRx1Tr</NextContinuationToken>)"
    R"(</ListBucketResult>)";

TEST(S3XmlTest, ErrorDocument) {
  auto error = parse_error(b(kNoSuchKey));
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->code, "NoSuchKey");
  EXPECT_EQ(error->message, "");
  EXPECT_EQ(error->request_id, "tx00000df48b3d7bf0ef9f5-006b12ee45-1008-default");
}

TEST(S3XmlTest, AwsErrorWithMessage) {
  auto error =
      parse_error(b("<Error><Code>SlowDown</Code><Message>Please reduce your request "
                    "rate.</Message><RequestId>4442587FB7D0A2F9</RequestId></Error>"));
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->code, "SlowDown");
  EXPECT_EQ(error->message, "Please reduce your request rate.");
}

TEST(S3XmlTest, NotAnErrorDocument) {
  EXPECT_FALSE(parse_error(b("")).has_value());
  EXPECT_FALSE(parse_error(b("WAL bytes")).has_value());
  EXPECT_FALSE(parse_error(b(kListing)).has_value());
  EXPECT_FALSE(parse_error(b(kNoSuchKey.substr(0, 60))).has_value());
}

TEST(S3XmlTest, Listing) {
  Result<ListAnswer> list = parse_list(b(kListing));
  ASSERT_TRUE(list.is_ok()) << list.status().message();
  ASSERT_EQ(list->entries.size(), 2u);
  EXPECT_EQ(list->entries[0].key, "p/a&b");
  EXPECT_EQ(list->entries[0].size, 3u);
  EXPECT_EQ(list->entries[0].etag, "\"900150983cd24fb0d6963f7d28e17f72\"");
  EXPECT_EQ(list->entries[1].size, 16777216u);
  EXPECT_TRUE(list->truncated);
  EXPECT_EQ(list->next_token, "1ueGcxLPRx1Tr");
  EXPECT_EQ(list->key_count, 2u);
}

// RGW 16.2's own answer to list-type=2&max-keys=2&prefix=p/wal/ (captured): its continuation
// token is the last key, spaces and all.
constexpr std::string_view kRgwListing =
    R"(<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazo)"
    R"(naws.com/doc/2006-03-01/"><Name>capture</Name><Prefix>p/wal/</Prefix><MaxKeys>)"
    R"(2</MaxKeys><IsTruncated>true</IsTruncated><Contents><Key>p/wal/a&amp;b.zst</Ke)"
    R"(y><LastModified>2026-12-04T17:24:06.962Z</LastModified><ETag>&quot;9dd4e461268)"
    R"(c8034f5c8564e155c67a6&quot;</ETag><Size>1</Size><StorageClass>STANDARD</Storag)"
    R"(eClass><Type>Normal</Type></Contents><Contents><Key>p/wal/c d.zst</Key><LastMo)"
    R"(dified>2026-12-04T17:24:06.975Z</LastModified><ETag>&quot;9dd4e461268c8034f5c8)"
    R"(564e155c67a6&quot;</ETag><Size>1</Size><StorageClass>STANDARD</StorageClass><T)"
    R"(ype>Normal</Type></Contents><NextContinuationToken>p/wal/c d.zst</NextContinua)"
    R"(tionToken><KeyCount>2</KeyCount></ListBucketResult>)";

TEST(S3XmlTest, RgwListing) {
  Result<ListAnswer> list = parse_list(b(kRgwListing));
  ASSERT_TRUE(list.is_ok()) << list.status().message();
  ASSERT_EQ(list->entries.size(), 2u);
  EXPECT_EQ(list->entries[0].key, "p/wal/a&b.zst");
  EXPECT_EQ(list->entries[1].key, "p/wal/c d.zst");
  EXPECT_EQ(list->entries[1].size, 1u);
  EXPECT_EQ(list->entries[1].etag, "\"9dd4e461268c8034f5c8564e155c67a6\"");
  EXPECT_TRUE(list->truncated);
  EXPECT_EQ(list->next_token, "p/wal/c d.zst");
}

TEST(S3XmlTest, EmptyListing) {
  Result<ListAnswer> list =
      parse_list(b("<ListBucketResult><IsTruncated>false</IsTruncated><KeyCount>0</KeyCount>"
                   "</ListBucketResult>"));
  ASSERT_TRUE(list.is_ok());
  EXPECT_TRUE(list->entries.empty());
  EXPECT_FALSE(list->truncated);
}

void expect_refused(std::string_view body, const std::string& message) {
  Result<ListAnswer> list = parse_list(b(body));
  ASSERT_FALSE(list.is_ok());
  EXPECT_EQ(list.status().code(), Code::kIoError);
  EXPECT_EQ(list.status().message(), message);
}

TEST(S3XmlTest, ListingRefusals) {
  expect_refused(kListing.substr(0, kListing.size() - 10),
                 "could not read the S3 listing: malformed XML at line 1: unclosed token");
  expect_refused(kNoSuchKey, "could not read the S3 listing: the server answered NoSuchKey");
  expect_refused("<Other/>",
                 "could not read the S3 listing: the answer is a <Other> document, not "
                 "<ListBucketResult>");
  expect_refused(
      "<ListBucketResult><Contents><Key>k</Key><Size>-1</Size></Contents>"
      "</ListBucketResult>",
      "could not read the S3 listing: it has Size \"-1\"");
  expect_refused("<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>",
                 "could not read the S3 listing: it is truncated but has no "
                 "NextContinuationToken");
  expect_refused(
      "<ListBucketResult><KeyCount>3</KeyCount><Contents><Key>k</Key><Size>1</Size>"
      "</Contents></ListBucketResult>",
      "could not read the S3 listing: KeyCount says 3 but it lists 1");
  expect_refused("<!DOCTYPE x [<!ENTITY a \"aaaa\">]><ListBucketResult/>",
                 "could not read the S3 listing: the answer has a DOCTYPE, which S3 never sends");
}

TEST(S3XmlTest, OversizedAnswerIsRefusedUnread) {
  std::string big = "<ListBucketResult>";
  while (big.size() <= kMaxXmlAnswer) big += "<Contents><Key>k</Key><Size>1</Size></Contents>";
  big += "</ListBucketResult>";
  expect_refused(big, "could not read the S3 listing: the answer has " +
                          std::to_string(big.size()) + " bytes, more than the 1048576 read");
  EXPECT_FALSE(parse_error(b(big)).has_value());
}

TEST(S3XmlTest, DeepNestingIsRefused) {
  std::string deep;
  for (int i = 0; i < 20; ++i) deep += "<a>";
  expect_refused(deep, "could not read the S3 listing: XML nested deeper than S3 answers are");
}

TEST(S3UrlTest, Accepted) {
  Result<Location> l = parse_s3_url("s3://backups/wal_archive/db1/");
  ASSERT_TRUE(l.is_ok());
  EXPECT_EQ(l->bucket, "backups");
  EXPECT_EQ(l->prefix, "wal_archive/db1");
  l = parse_s3_url("s3://my.bucket-1");
  ASSERT_TRUE(l.is_ok());
  EXPECT_EQ(l->bucket, "my.bucket-1");
  EXPECT_EQ(l->prefix, "");
}

void expect_bad_url(std::string_view url, const std::string& why) {
  Result<Location> l = parse_s3_url(url);
  ASSERT_FALSE(l.is_ok()) << url;
  EXPECT_EQ(l.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(l.status().message(), "invalid S3 archive \"" + std::string(url) + "\": " + why);
  EXPECT_EQ(l.status().hint(), "Write it as s3://BUCKET/PREFIX.");
}

TEST(S3UrlTest, Refused) {
  expect_bad_url("/var/archive", "it does not start with s3://");
  expect_bad_url("s3:///prefix", "the bucket name is empty");
  expect_bad_url("s3://", "the bucket name is empty");
  expect_bad_url("s3://ab", "a bucket name has 3 to 63 characters");
  expect_bad_url("s3://Backups", "a bucket name has only lower-case letters, digits, '.' and '-'");
  expect_bad_url("s3://b_ckups", "a bucket name has only lower-case letters, digits, '.' and '-'");
  expect_bad_url("s3://-backups", "a bucket name starts and ends with a letter or a digit");
  expect_bad_url("s3://backups/a/../b", "the prefix has a \"..\" segment");
  expect_bad_url("s3://backups/..", "the prefix has a \"..\" segment");
  expect_bad_url("s3://backups/./a", "the prefix has a \".\" segment");
  expect_bad_url("s3://backups/a//b", "the prefix has an empty segment");
  expect_bad_url("s3://backups//", "the prefix has an empty segment");
  expect_bad_url("s3://backups/a\nb", "the prefix holds a control character");
  expect_bad_url("s3://backups/a\\b", "the prefix holds a backslash");
}

TEST(S3EndpointTest, PathAndVirtualHostStyle) {
  Result<Endpoint> e = parse_endpoint("http://127.0.0.1:7480/", "us-east-1");
  ASSERT_TRUE(e.is_ok());
  Target t = target_for(*e, false, "b1", "p/wal/0000000100000000/x y.zst", "");
  EXPECT_EQ(t.url, "http://127.0.0.1:7480/b1/p/wal/0000000100000000/x%20y.zst");
  EXPECT_EQ(t.host, "127.0.0.1:7480");
  EXPECT_EQ(t.encoded_path, "/b1/p/wal/0000000100000000/x%20y.zst");
  t = target_for(*e, true, "b1", "k", "list-type=2");
  EXPECT_EQ(t.url, "http://b1.127.0.0.1:7480/k?list-type=2");
  EXPECT_EQ(t.host, "b1.127.0.0.1:7480");
  EXPECT_EQ(t.encoded_path, "/k");
  e = parse_endpoint("", "eu-west-1");
  ASSERT_TRUE(e.is_ok());
  EXPECT_EQ(target_for(*e, false, "b1", "", "").url, "https://s3.eu-west-1.amazonaws.com/b1");
}

TEST(S3EndpointTest, Refused) {
  Result<Endpoint> e = parse_endpoint("https://AKID:secret@host", "us-east-1");
  ASSERT_FALSE(e.is_ok());
  EXPECT_EQ(e.status().message(), "invalid S3 endpoint: it holds user information (\"...@\")");
  EXPECT_EQ(parse_endpoint("ftp://host", "r").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(parse_endpoint("https://host/path", "r").status().code(), Code::kInvalidArgument);
}

HttpAnswer answer(long status, std::string_view body, std::vector<Header> headers = {}) {
  HttpAnswer a;
  a.status = status;
  a.headers = std::move(headers);
  for (char c : body) a.body.push_back(static_cast<std::byte>(c));
  return a;
}

TEST(S3VerdictTest, TwoHundredWithAnErrorBodyIsNotASuccess) {
  Judgement j =
      judge("PUT", "s3://b/k", answer(200, "<Error><Code>AccessDenied</Code></Error>"), false, 0);
  EXPECT_EQ(j.verdict, Verdict::kFail);
  EXPECT_EQ(j.status.code(), Code::kIoError);
  EXPECT_EQ(j.status.message(),
            "could not PUT \"s3://b/k\": the server answered 200 with an error document "
            "(AccessDenied)");
  j = judge("PUT", "s3://b/k", answer(200, "<Error><Code>InternalError</Code></Error>"), false, 0);
  EXPECT_EQ(j.verdict, Verdict::kRetry);
  // The same bytes as an object's content are the object.
  j = judge("GET", "s3://b/k", answer(200, "<Error><Code>AccessDenied</Code></Error>"), true, 0);
  EXPECT_EQ(j.verdict, Verdict::kSuccess);
}

TEST(S3VerdictTest, WhatIsRetried) {
  for (long status : {500L, 502L, 503L, 504L, 408L, 429L})
    EXPECT_EQ(judge("GET", "s3://b/k", answer(status, ""), true, 0).verdict, Verdict::kRetry)
        << status;
  EXPECT_EQ(
      judge("GET", "s3://b/k", answer(400, "<Error><Code>RequestTimeout</Code></Error>"), true, 0)
          .verdict,
      Verdict::kRetry);
  for (long status : {400L, 401L, 403L, 409L}) {
    Judgement j = judge("GET", "s3://b/k", answer(status, ""), true, 0);
    EXPECT_EQ(j.verdict, Verdict::kFail) << status;
    EXPECT_EQ(j.status.code(), Code::kIoError);
  }
  Judgement j =
      judge("GET", "s3://b/k", answer(501, "<Error><Code>NotImplemented</Code></Error>"), true, 0);
  EXPECT_EQ(j.verdict, Verdict::kFail);
  EXPECT_EQ(j.status.code(), Code::kUnsupported);
}

TEST(S3VerdictTest, ClockSkewNamesBothClocks) {
  Judgement j = judge("PUT", "s3://b/k",
                      answer(403, "<Error><Code>RequestTimeTooSkewed</Code></Error>",
                             {{"date", "Fri, 04 Dec 2026 16:45:57 GMT"}}),
                      false, 1440938160);
  EXPECT_EQ(j.verdict, Verdict::kFail);
  EXPECT_EQ(j.status.message(),
            "could not PUT \"s3://b/k\": this machine's clock (Sun, 30 Aug 2015 12:36:00 GMT) "
            "differs too much from the server's (Fri, 04 Dec 2026 16:45:57 GMT) "
            "(403 RequestTimeTooSkewed)");
  EXPECT_EQ(j.status.hint(), "Synchronize this machine's clock (NTP).");
}

TEST(S3BackoffTest, FullJitterUnderADoublingCap) {
  Backoff backoff(100, 1000, 42);
  long longest[6] = {};
  for (int round = 0; round < 2000; ++round)
    for (int tries = 1; tries <= 5; ++tries) {
      long wait = backoff.next_wait_ms(tries);
      ASSERT_GE(wait, 0);
      ASSERT_LE(wait, std::min(100L << (tries - 1), 1000L)) << tries;
      longest[tries] = std::max(longest[tries], wait);
    }
  // Over 2000 draws each cap is nearly reached: the waits spread over the whole range.
  EXPECT_GT(longest[1], 90);
  EXPECT_GT(longest[4], 720);
  EXPECT_GT(longest[5], 900);
}

}  // namespace
}  // namespace walpipe::s3
