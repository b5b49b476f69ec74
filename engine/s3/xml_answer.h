// The XML documents an S3 server answers with, read through expat. Input is bounded: a document
// larger than the limit is refused before parsing, a DOCTYPE (entity definitions) is refused,
// nesting is bounded. Parsers are pure functions over the body's bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"

namespace walpipe::s3 {

// The largest answer document read: a 1000-key listing with long keys is about 300 KiB.
inline constexpr size_t kMaxXmlAnswer = size_t{1} << 20;

// <Error><Code>NoSuchKey</Code><Message>...</Message><RequestId>...</RequestId></Error>
struct ErrorAnswer {
  std::string code;
  std::string message;
  std::string request_id;
};

// The body as an S3 Error document, or nullopt when it is not one (empty, another document, not
// XML, larger than kMaxXmlAnswer) or expat cannot be loaded, which Client::create rules out
// before the first answer. A 200 carrying an Error document is a failure: pgBackRest lost WAL by
// taking such an answer for a success.
std::optional<ErrorAnswer> parse_error(Bytes body);

struct ListEntry {
  std::string key;
  uint64_t size = 0;
  std::string etag;  // as the server wrote it, quotes included
};

// ListObjectsV2's answer (<ListBucketResult>).
struct ListAnswer {
  std::vector<ListEntry> entries;
  bool truncated = false;
  std::string next_token;  // NextContinuationToken, set when truncated
  uint64_t key_count = 0;
};

// Reads a ListObjectsV2 answer. kIoError, saying why, when the body is an Error document, another
// document, malformed or truncated XML, larger than kMaxXmlAnswer, has a non-numeric Size or
// KeyCount, a KeyCount that disagrees with its entries, or says it is truncated without a token
// to go on: in each case what the bucket holds could not be told.
Result<ListAnswer> parse_list(Bytes body);

}  // namespace walpipe::s3
