// Where an archive lives in S3 and how to reach it. The engine never reads the environment:
// the tools fill S3Settings from AWS_* variables or the config file.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "s3/sigv4.h"

namespace walpipe::s3 {

// A bucket and a key prefix inside it ("" or "a/b", never with a leading or trailing slash).
struct Location {
  std::string bucket;
  std::string prefix;
};

// Parses "s3://BUCKET" or "s3://BUCKET/PREFIX[/]". Refuses (kInvalidArgument) an empty or
// malformed bucket name (S3's rules: 3-63 of a-z 0-9 . -, a letter or digit at each end), and
// a prefix with an empty, "." or ".." segment, a backslash or a control character.
Result<Location> parse_s3_url(std::string_view url);

struct S3Settings {
  // "https://host[:port]" or "http://..." (plain http only when written so). Empty means AWS:
  // https://s3.REGION.amazonaws.com.
  std::string endpoint;
  std::string region = "us-east-1";
  Credentials credentials;
  // The credentials as their source gives them now, asked once per request when the store
  // refuses the ones in use (expired, or replaced by a rotation): the request is tried again at
  // once when they changed. Empty when they cannot change while the process runs (the
  // environment of a running process is its own).
  std::function<Result<Credentials>()> reread_credentials;
  // Path style (https://host/bucket/key) is the default: it works with any endpoint and needs no
  // DNS name per bucket. Virtual-host style (https://bucket.host/key) when set.
  bool virtual_host_style = false;
  std::string ca_file;  // a CA bundle for a private endpoint; empty: the system's CAs

  long connect_timeout_ms = 10'000;
  long try_timeout_ms = 60'000;  // one HTTP exchange, body included
  long deadline_ms = 120'000;    // all tries of one operation, backoff sleeps included
  long first_backoff_ms = 100;   // the first retry waits up to this long, doubling up to...
  long max_backoff_ms = 10'000;
};

}  // namespace walpipe::s3
