// AWS Signature Version 4 (AWS4-HMAC-SHA256), as S3 checks it. Pure: the caller passes the time
// and every header to sign, so the same function serves requests, tests against AWS's published
// test suite, and a later retry that must be signed afresh.
#pragma once

#include <ctime>
#include <string>
#include <string_view>
#include <vector>

namespace walpipe::s3 {

struct Header {
  std::string name;
  std::string value;
};

struct QueryParam {
  std::string name;  // as the caller means it, not yet encoded
  std::string value;
};

// Secrets: never put in a message, a log line or an exception.
struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty unless the keys are temporary (STS)
};

// Encodes every byte except A-Z a-z 0-9 - . _ ~ as %XX (upper-case hex); '/' too unless
// `keep_slash` (object keys in a path keep their slashes).
std::string uri_encode(std::string_view raw, bool keep_slash);

// "a=1&b=" from unencoded parameters: each name and value encoded, then sorted by name and value.
std::string canonical_query(const std::vector<QueryParam>& params);

// "20150830T123600Z", the x-amz-date header's value for `now`.
std::string amz_date(std::time_t now);

struct SigningInput {
  std::string_view method;           // "GET", "PUT"...
  std::string_view encoded_path;     // as sent on the wire: uri_encode(path, true)
  std::string_view canonical_query;  // canonical_query(params); the URL must carry the same
  const std::vector<Header>* headers = nullptr;  // all to sign: host and x-amz-date at least
  std::string_view payload_hash;                 // hex SHA-256 of the body, or "UNSIGNED-PAYLOAD"
  std::string_view region;
  std::string_view service;  // "s3"
  std::time_t now = 0;       // must be the time written in x-amz-date
};

struct Signature {
  std::string canonical_request;
  std::string string_to_sign;
  std::string authorization;  // the Authorization header's value
};

// Signs `in` with `credentials`. Header names are compared without case, values are trimmed and
// inner runs of spaces folded, and a name given twice is signed as "v1,v2" in the given order.
// The session token, when there is one, must already be among the headers
// (x-amz-security-token): S3 wants it signed.
Signature sign_v4(const SigningInput& in, const Credentials& credentials);

}  // namespace walpipe::s3
