// An S3 client for one bucket and key prefix: conditional put, head, get (whole or a range),
// list (ListObjectsV2) and remove, over one kept-alive connection with SigV4 signing. Every try
// is signed afresh and retried with backoff within the settings' deadline (checked before each
// wait, so the last try may run its whole try_timeout_ms past it). Not thread-safe: one Client
// per thread.
//
// Keys are relative to the location's prefix ("wal/x.zst" under "s3://b/p" is "p/wal/x.zst").
// kNotFound means the store said the object is absent (404 NoSuchKey, or a HEAD's 404); a
// failure to tell is kIoError, so that `get` never reports "absent" when it does not know.
#pragma once

#include <cstdint>
#include <ctime>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"
#include "s3/endpoint.h"
#include "s3/http.h"
#include "s3/location.h"
#include "s3/xml_answer.h"

namespace walpipe::s3 {

// User metadata: names of a-z 0-9 '-' (sent as x-amz-meta-NAME), values of printable ASCII
// with no space at either end (the signature trims them).
using Metadata = std::vector<Header>;

struct ObjectInfo {
  uint64_t size = 0;
  std::string etag;
  Metadata metadata;  // names without "x-amz-meta-", in lower case
};

struct ByteRange {
  uint64_t first = 0;
  uint64_t last = 0;  // inclusive, as HTTP counts
};

enum class PutOutcome {
  kWritten,             // the object did not exist and now holds the bytes
  kPreconditionFailed,  // 412: an object already has that key; it was left untouched
};

struct ListQuery {
  std::string prefix;              // relative to the location's prefix
  std::string start_after;         // relative key; "" for the start
  std::string continuation_token;  // from the previous page
  int max_keys = 1000;
};

struct ListPage {
  std::vector<ListEntry> entries;  // keys relative to the location's prefix
  bool truncated = false;
  std::string continuation_token;  // for the next page, when truncated
};

class Client {
 public:
  // kInvalidArgument for a bad endpoint; kUnsupported when libcurl, expat or libcrypto is not
  // installed (libcurl.h); kIoError when libcurl cannot start.
  static Result<std::unique_ptr<Client>> create(const S3Settings& settings, const Location& where);

  // The bucket, when it does not exist yet (tests and set-up). Ok when it is already ours.
  Status create_bucket();

  // PUT with If-None-Match: *, Content-MD5 and the payload's SHA-256: the server stores the
  // bytes only when nothing has the key, and checks both hashes. A retry after an answer lost
  // on the way may meet the first try's own object, so kPreconditionFailed means "compare with
  // what is there" (HEAD), never "someone else's".
  Result<PutOutcome> put_if_absent(std::string_view key, Bytes bytes, const Metadata& metadata);

  Result<ObjectInfo> head(std::string_view key);

  // The object, or the range of it; kIoError when the body exceeds `limit` bytes.
  Result<std::vector<std::byte>> get(std::string_view key, std::optional<ByteRange> range,
                                     size_t limit);

  // Up to `length` bytes of the object from `offset`, in one ranged GET: fewer at its end, none
  // when `offset` is at or past it (416). kIoError unless the answer's Content-Range says it
  // holds exactly the bytes sent, from `offset` on.
  Result<std::vector<std::byte>> get_from(std::string_view key, uint64_t offset, uint64_t length);

  // One page of keys in order; call again with the page's continuation_token while truncated.
  Result<ListPage> list(const ListQuery& query);

  Status remove(std::string_view key);

  long connections_opened() const { return http_->connections_opened(); }

  // The clock used to sign; tests set one that is wrong on purpose.
  void set_clock(std::function<std::time_t()> clock) { clock_ = std::move(clock); }

 private:
  struct Call;
  Client(const S3Settings& settings, const Location& where, Endpoint endpoint,
         std::unique_ptr<HttpConnection> http);
  std::string full_key(std::string_view key) const;
  std::string display(std::string_view full_key) const;
  Result<HttpAnswer> exchange(const Call& call);

  S3Settings settings_;
  Location where_;
  Endpoint endpoint_;
  std::unique_ptr<HttpConnection> http_;
  std::function<std::time_t()> clock_;
  uint64_t seed_;
};

}  // namespace walpipe::s3
