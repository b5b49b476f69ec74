// Turning a bucket and a key into the URL, Host header and canonical path of a request, in
// path style (https://host/bucket/key) or virtual-host style (https://bucket.host/key).
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace walpipe::s3 {

struct Endpoint {
  std::string scheme;     // "http" or "https"
  std::string authority;  // "host[:port]"
};

// Parses "http[s]://host[:port][/]". Empty means AWS's endpoint for `region`. kInvalidArgument
// for another scheme, a path, a query, or user information (a password does not belong in a
// URL; the message then does not quote it).
Result<Endpoint> parse_endpoint(std::string_view endpoint, std::string_view region);

struct Target {
  std::string url;           // with the query string, which must be canonical_query()'s
  std::string host;          // the Host header, signed
  std::string encoded_path;  // the canonical URI, signed
};

// The target for `key` (raw, "" for the bucket itself) in `bucket`; `query` is appended as is.
Target target_for(const Endpoint& endpoint, bool virtual_host, std::string_view bucket,
                  std::string_view key, std::string_view query);

}  // namespace walpipe::s3
