// SigV4 against AWS's published test suite and the S3 documentation's GET Object example
// (tests/data/sigv4/README.md): every request is signed and its canonical request, string to
// sign and Authorization header compared with the published ones, byte for byte.
#include "s3/sigv4.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "s3/digest.h"

namespace walpipe::s3 {
namespace {

const std::string kDataDir = std::string(WALPIPE_SOURCE_DIR) + "/tests/data/sigv4";

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << path;
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string without_comma_spaces(std::string s) {
  for (size_t at; (at = s.find(", ")) != std::string::npos;) s.erase(at + 1, 1);
  return s;
}

struct ParsedRequest {
  std::string method, path;
  std::vector<QueryParam> query;
  std::vector<Header> headers;
  std::string body;
};

// "METHOD /path?a=b HTTP/1.1\nName:value\n...\n\nbody", as the suite's .req files are written.
ParsedRequest parse_req(const std::string& text) {
  ParsedRequest r;
  size_t eol = text.find('\n');
  std::string line = text.substr(0, eol);
  size_t sp1 = line.find(' '), sp2 = line.rfind(' ');
  r.method = line.substr(0, sp1);
  std::string target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  size_t q = target.find('?');
  r.path = target.substr(0, q);
  if (q != std::string::npos) {
    std::stringstream params(target.substr(q + 1));
    for (std::string p; std::getline(params, p, '&');) {
      size_t eq = p.find('=');
      r.query.push_back({p.substr(0, eq), eq == std::string::npos ? "" : p.substr(eq + 1)});
    }
  }
  size_t pos = eol == std::string::npos ? text.size() : eol + 1;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string h = text.substr(pos, end - pos);
    pos = end + 1;
    if (h.empty()) {
      r.body = pos < text.size() ? text.substr(pos) : "";
      break;
    }
    size_t colon = h.find(':');
    r.headers.push_back({h.substr(0, colon), h.substr(colon + 1)});
  }
  return r;
}

TEST(SigV4Test, PublishedCases) {
  int cases = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kDataDir)) {
    if (!entry.is_directory()) continue;
    std::string name = entry.path().filename();
    std::string base = entry.path().string() + "/" + name;
    SCOPED_TRACE(name);
    bool s3 = name.starts_with("s3-");
    Credentials credentials{s3 ? "AKIAIOSFODNN7EXAMPLE" : "AKIDEXAMPLE",
                            s3 ? "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
                               : "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                            ""};
    std::time_t now = s3 ? 1369353600 : 1440938160;  // 2013-05-24T00:00:00Z, 2015-08-30T12:36Z

    ParsedRequest req = parse_req(slurp(base + ".req"));
    std::string path = uri_encode(req.path, true);
    std::string query = canonical_query(req.query);
    std::string payload = sha256_hex(std::string_view(req.body));
    SigningInput in{
        req.method, path, query, &req.headers, payload, "us-east-1", s3 ? "s3" : "service", now};
    Signature sig = sign_v4(in, credentials);
    EXPECT_EQ(sig.canonical_request, slurp(base + ".creq"));
    EXPECT_EQ(sig.string_to_sign, slurp(base + ".sts"));
    EXPECT_EQ(without_comma_spaces(sig.authorization),
              without_comma_spaces(slurp(base + ".authz")));
    ++cases;
  }
  EXPECT_EQ(cases, 16);
}

TEST(SigV4Test, AmzDate) {
  EXPECT_EQ(amz_date(1440938160), "20150830T123600Z");
  EXPECT_EQ(amz_date(0), "19700101T000000Z");
}

TEST(SigV4Test, UriEncodeKeepsOnlyUnreserved) {
  EXPECT_EQ(uri_encode("wal/0000/a b+c=d", true), "wal/0000/a%20b%2Bc%3Dd");
  EXPECT_EQ(uri_encode("a/b", false), "a%2Fb");
  EXPECT_EQ(uri_encode("-._~Az09", false), "-._~Az09");
  EXPECT_EQ(uri_encode("\xff\x01", true), "%FF%01");
}

TEST(SigV4Test, QueryIsSortedByEncodedNameThenValue) {
  EXPECT_EQ(canonical_query({{"prefix", "wal/"}, {"list-type", "2"}, {"max-keys", "5"}}),
            "list-type=2&max-keys=5&prefix=wal%2F");
  EXPECT_EQ(canonical_query({{"a", "2"}, {"a", "1"}, {"B", ""}}), "B=&a=1&a=2");
}

TEST(SigV4Test, SessionTokenAmongTheHeadersIsSigned) {
  std::vector<Header> headers = {
      {"host", "h"}, {"x-amz-date", "20150830T123600Z"}, {"x-amz-security-token", "TOKEN"}};
  std::string empty_hash = sha256_hex(std::string_view());
  SigningInput in{"GET", "/", "", &headers, empty_hash, "us-east-1", "s3", 1440938160};
  Signature sig = sign_v4(in, {"AK", "SECRET", "TOKEN"});
  EXPECT_NE(sig.authorization.find("SignedHeaders=host;x-amz-date;x-amz-security-token,"),
            std::string::npos);
  EXPECT_EQ(sig.authorization.find("SECRET"), std::string::npos);
}

TEST(DigestTest, Md5Base64) {
  // RFC 1321's "abc" test vector, 900150983cd24fb0d6963f7d28e17f72, in base64.
  std::string_view abc = "abc";
  EXPECT_EQ(md5_base64(std::as_bytes(std::span(abc.data(), abc.size()))),
            "kAFQmDzST7DWlj99KOF/cg==");
}

}  // namespace
}  // namespace walpipe::s3
