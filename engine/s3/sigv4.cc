#include "s3/sigv4.h"

#include <algorithm>
#include <cctype>

#include "base/check.h"
#include "s3/digest.h"

namespace walpipe::s3 {
namespace {

bool unreserved(unsigned char c) {
  return std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Leading and trailing blanks dropped, inner runs of blanks folded to one space (SigV4's Trimall).
std::string trim_all(std::string_view v) {
  std::string out;
  bool blank = false;
  for (char c : v) {
    if (c == ' ' || c == '\t') {
      blank = !out.empty();
      continue;
    }
    if (blank) out.push_back(' ');
    blank = false;
    out.push_back(c);
  }
  return out;
}

Bytes as_bytes(std::string_view s) { return std::as_bytes(std::span(s.data(), s.size())); }
Bytes as_bytes(const Sha256& d) { return std::as_bytes(std::span(d)); }

std::string date_part(std::time_t now) {
  std::string d = amz_date(now);
  return d.substr(0, 8);
}

}  // namespace

std::string uri_encode(std::string_view raw, bool keep_slash) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(raw.size());
  for (char ch : raw) {
    auto c = static_cast<unsigned char>(ch);
    if (unreserved(c) || (keep_slash && c == '/')) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kDigits[c >> 4]);
      out.push_back(kDigits[c & 15]);
    }
  }
  return out;
}

std::string canonical_query(const std::vector<QueryParam>& params) {
  std::vector<std::pair<std::string, std::string>> encoded;
  encoded.reserve(params.size());
  for (const QueryParam& p : params)
    encoded.emplace_back(uri_encode(p.name, false), uri_encode(p.value, false));
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [name, value] : encoded) {
    if (!out.empty()) out.push_back('&');
    out += name;
    out.push_back('=');
    out += value;
  }
  return out;
}

std::string amz_date(std::time_t now) {
  std::tm tm{};
  WALPIPE_CHECK(gmtime_r(&now, &tm) != nullptr);
  char text[17];
  size_t n = std::strftime(text, sizeof text, "%Y%m%dT%H%M%SZ", &tm);
  WALPIPE_CHECK(n == 16);
  return std::string(text, n);
}

Signature sign_v4(const SigningInput& in, const Credentials& credentials) {
  WALPIPE_CHECK(in.headers != nullptr);
  WALPIPE_CHECK(!in.region.empty() && !in.service.empty());

  // Stable sort keeps the values of a repeated name in the order given, as SigV4 joins them.
  std::vector<Header> headers;
  for (const Header& h : *in.headers) headers.push_back({lower(h.name), trim_all(h.value)});
  std::stable_sort(headers.begin(), headers.end(),
                   [](const Header& a, const Header& b) { return a.name < b.name; });
  std::string canonical_headers, signed_headers;
  for (size_t i = 0; i < headers.size(); ++i) {
    if (i > 0 && headers[i].name == headers[i - 1].name) {
      canonical_headers.back() = ',';
      canonical_headers += headers[i].value + "\n";
      continue;
    }
    canonical_headers += headers[i].name + ":" + headers[i].value + "\n";
    if (!signed_headers.empty()) signed_headers.push_back(';');
    signed_headers += headers[i].name;
  }

  Signature sig;
  sig.canonical_request = std::string(in.method) + "\n" + std::string(in.encoded_path) + "\n" +
                          std::string(in.canonical_query) + "\n" + canonical_headers + "\n" +
                          signed_headers + "\n" + std::string(in.payload_hash);

  std::string date = date_part(in.now);
  std::string scope =
      date + "/" + std::string(in.region) + "/" + std::string(in.service) + "/aws4_request";
  sig.string_to_sign = "AWS4-HMAC-SHA256\n" + amz_date(in.now) + "\n" + scope + "\n" +
                       sha256_hex(sig.canonical_request);

  std::string secret = "AWS4" + credentials.secret_access_key;
  Sha256 key = hmac_sha256(as_bytes(secret), date);
  key = hmac_sha256(as_bytes(key), in.region);
  key = hmac_sha256(as_bytes(key), in.service);
  key = hmac_sha256(as_bytes(key), "aws4_request");
  std::string signature = hex(hmac_sha256(as_bytes(key), sig.string_to_sign));

  sig.authorization = "AWS4-HMAC-SHA256 Credential=" + credentials.access_key_id + "/" + scope +
                      ", SignedHeaders=" + signed_headers + ", Signature=" + signature;
  return sig;
}

}  // namespace walpipe::s3
