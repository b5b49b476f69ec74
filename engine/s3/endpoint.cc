#include "s3/endpoint.h"

#include "s3/sigv4.h"

namespace walpipe::s3 {

Result<Endpoint> parse_endpoint(std::string_view endpoint, std::string_view region) {
  if (endpoint.empty()) return Endpoint{"https", "s3." + std::string(region) + ".amazonaws.com"};
  Endpoint out;
  std::string_view rest;
  if (endpoint.substr(0, 8) == "https://") {
    out.scheme = "https";
    rest = endpoint.substr(8);
  } else if (endpoint.substr(0, 7) == "http://") {
    out.scheme = "http";
    rest = endpoint.substr(7);
  } else {
    return Status(Code::kInvalidArgument, "invalid S3 endpoint \"" + std::string(endpoint) +
                                              "\": it does not start with https:// or http://");
  }
  if (rest.find('@') != std::string_view::npos)
    return Status(Code::kInvalidArgument,
                  "invalid S3 endpoint: it holds user information (\"...@\")")
        .with_hint("Give the keys as AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY instead.");
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (rest.empty() || rest.find_first_of("/?#") != std::string_view::npos)
    return Status(Code::kInvalidArgument, "invalid S3 endpoint \"" + std::string(endpoint) +
                                              "\": give a scheme, a host and a port only");
  out.authority = rest;
  return out;
}

Target target_for(const Endpoint& endpoint, bool virtual_host, std::string_view bucket,
                  std::string_view key, std::string_view query) {
  Target t;
  if (virtual_host) {
    t.host = std::string(bucket) + "." + endpoint.authority;
    t.encoded_path = "/" + uri_encode(key, true);
  } else {
    t.host = endpoint.authority;
    t.encoded_path = "/" + std::string(bucket);
    if (!key.empty()) t.encoded_path += "/" + uri_encode(key, true);
  }
  t.url = endpoint.scheme + "://" + t.host + t.encoded_path;
  if (!query.empty()) t.url += "?" + std::string(query);
  return t;
}

}  // namespace walpipe::s3
