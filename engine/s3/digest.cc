#include "s3/digest.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "base/check.h"

namespace walpipe::s3 {

Sha256 sha256(Bytes data) {
  Sha256 out{};
  unsigned int n = 0;
  WALPIPE_CHECK(EVP_Digest(data.data(), data.size(), out.data(), &n, EVP_sha256(), nullptr) == 1);
  WALPIPE_CHECK(n == out.size());
  return out;
}

Sha256 hmac_sha256(Bytes key, std::string_view message) {
  Sha256 out{};
  unsigned int n = 0;
  const unsigned char* done =
      HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(message.data()), message.size(), out.data(), &n);
  WALPIPE_CHECK(done != nullptr && n == out.size());
  return out;
}

std::string hex(std::span<const unsigned char> digest) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(digest.size() * 2);
  for (unsigned char c : digest) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

std::string sha256_hex(Bytes data) { return hex(sha256(data)); }

std::string md5_base64(Bytes data) {
  unsigned char md5[16];
  unsigned int n = 0;
  WALPIPE_CHECK(EVP_Digest(data.data(), data.size(), md5, &n, EVP_md5(), nullptr) == 1);
  WALPIPE_CHECK(n == sizeof md5);
  char text[32];  // 4 * ceil(16 / 3) = 24 characters and a terminating zero
  int len = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(text), md5, sizeof md5);
  WALPIPE_CHECK(len == 24);
  return std::string(text, len);
}

}  // namespace walpipe::s3
