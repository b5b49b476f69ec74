// S3's XML answers (engine/s3/xml_answer.h) over arbitrary bytes, as a hostile or broken server
// could send them. Beyond not crashing: both parsers are deterministic, a listing that parses
// keeps its promises (every entry has a key, a truncated page has a token to go on), an Error
// document is never also a listing, and a 200 whose body is an Error document is never judged a
// success.
#include <cstddef>
#include <cstdint>
#include <string>

#include "base/check.h"
#include "s3/verdict.h"
#include "s3/xml_answer.h"

using namespace walpipe;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Bytes body(reinterpret_cast<const std::byte*>(data), size);

  std::optional<s3::ErrorAnswer> error = s3::parse_error(body);
  std::optional<s3::ErrorAnswer> error_again = s3::parse_error(body);
  WALPIPE_CHECK(error.has_value() == error_again.has_value());
  if (error) WALPIPE_CHECK(error->code == error_again->code);

  Result<s3::ListAnswer> list = s3::parse_list(body);
  Result<s3::ListAnswer> list_again = s3::parse_list(body);
  WALPIPE_CHECK(list.is_ok() == list_again.is_ok());
  if (list.is_ok()) {
    WALPIPE_CHECK(!error.has_value());
    WALPIPE_CHECK(size <= s3::kMaxXmlAnswer);
    WALPIPE_CHECK(!list->truncated || !list->next_token.empty());
    WALPIPE_CHECK(list->entries.size() == list_again->entries.size());
    for (const s3::ListEntry& e : list->entries) WALPIPE_CHECK(!e.key.empty());
  } else {
    WALPIPE_CHECK(list.status().code() == Code::kIoError);
    WALPIPE_CHECK(list.status().message().starts_with("could not read the S3 listing: "));
    WALPIPE_CHECK(list.status().message() == list_again.status().message());
  }

  s3::HttpAnswer answer;
  answer.status = 200;
  answer.body.assign(body.begin(), body.end());
  s3::Judgement j = s3::judge("PUT", "s3://bucket/key", answer, false, 0);
  WALPIPE_CHECK((j.verdict == s3::Verdict::kSuccess) == !error.has_value());
  WALPIPE_CHECK(s3::judge("GET", "s3://bucket/key", answer, true, 0).verdict ==
                s3::Verdict::kSuccess);
  return 0;
}
