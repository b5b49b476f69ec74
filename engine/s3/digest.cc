#include "s3/digest.h"

#include "base/check.h"
#include "crypt/libcrypto.h"

namespace walpipe::s3 {
namespace {

using crypt::LibCrypto;

// Client::create has loaded libcrypto before anything is signed; a program that hashes without
// a client (a test) loads it here, where failing is a broken install.
const LibCrypto& crypto() {
  Result<const LibCrypto*> loaded = crypt::libcrypto();
  WALPIPE_CHECK(loaded.is_ok());
  return **loaded;
}

}  // namespace

Sha256 sha256(Bytes data) {
  const LibCrypto& c = crypto();
  Sha256 out{};
  unsigned int n = 0;
  int done = c.digest(data.data(), data.size(), out.data(), &n, c.sha256(), nullptr);
  WALPIPE_CHECK(done == 1);
  WALPIPE_CHECK(n == out.size());
  return out;
}

Sha256 hmac_sha256(Bytes key, std::string_view message) {
  const LibCrypto& c = crypto();
  Sha256 out{};
  unsigned int n = 0;
  const unsigned char* done = c.hmac(c.sha256(), key.data(), static_cast<int>(key.size()),
                                     reinterpret_cast<const unsigned char*>(message.data()),
                                     message.size(), out.data(), &n);
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
  const LibCrypto& c = crypto();
  unsigned char md5[16];
  unsigned int n = 0;
  WALPIPE_CHECK(c.digest(data.data(), data.size(), md5, &n, c.md5(), nullptr) == 1);
  WALPIPE_CHECK(n == sizeof md5);
  char text[32];  // 4 * ceil(16 / 3) = 24 characters and a terminating zero
  int len = c.encode_block(reinterpret_cast<unsigned char*>(text), md5, sizeof md5);
  WALPIPE_CHECK(len == 24);
  return std::string(text, len);
}

}  // namespace walpipe::s3
