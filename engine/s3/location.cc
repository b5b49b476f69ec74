#include "s3/location.h"

namespace walpipe::s3 {
namespace {

bool bucket_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
}
bool letter_or_digit(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

Status refuse(std::string_view url, std::string why) {
  return Status(Code::kInvalidArgument, "invalid S3 archive \"" + std::string(url) + "\": " + why)
      .with_hint("Write it as s3://BUCKET/PREFIX.");
}

}  // namespace

Result<Location> parse_s3_url(std::string_view url) {
  constexpr std::string_view kScheme = "s3://";
  if (url.substr(0, kScheme.size()) != kScheme) return refuse(url, "it does not start with s3://");
  std::string_view rest = url.substr(kScheme.size());
  size_t slash = rest.find('/');
  std::string_view bucket = rest.substr(0, slash);
  std::string_view prefix = slash == std::string_view::npos ? "" : rest.substr(slash + 1);

  if (bucket.empty()) return refuse(url, "the bucket name is empty");
  if (bucket.size() < 3 || bucket.size() > 63)
    return refuse(url, "a bucket name has 3 to 63 characters");
  for (char c : bucket)
    if (!bucket_char(c))
      return refuse(url, "a bucket name has only lower-case letters, digits, '.' and '-'");
  if (!letter_or_digit(bucket.front()) || !letter_or_digit(bucket.back()))
    return refuse(url, "a bucket name starts and ends with a letter or a digit");

  if (!prefix.empty() && prefix.back() == '/') {
    prefix.remove_suffix(1);
    if (prefix.empty()) return refuse(url, "the prefix has an empty segment");
  }
  for (char c : prefix) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return refuse(url, "the prefix holds a control character");
    if (c == '\\') return refuse(url, "the prefix holds a backslash");
  }
  size_t start = 0;
  while (!prefix.empty() && start <= prefix.size()) {
    size_t end = prefix.find('/', start);
    if (end == std::string_view::npos) end = prefix.size();
    std::string_view segment = prefix.substr(start, end - start);
    if (segment.empty()) return refuse(url, "the prefix has an empty segment");
    if (segment == "." || segment == "..")
      return refuse(url, "the prefix has a \"" + std::string(segment) + "\" segment");
    start = end + 1;
  }
  return Location{std::string(bucket), std::string(prefix)};
}

}  // namespace walpipe::s3
