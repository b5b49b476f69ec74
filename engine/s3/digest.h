// The hashes S3 requests carry, on OpenSSL: SHA-256 for SigV4 (payload hash, canonical request,
// HMAC key derivation) and MD5 for Content-MD5, which makes the server check the body it got.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

#include "base/bytes.h"

namespace walpipe::s3 {

using Sha256 = std::array<unsigned char, 32>;

Sha256 sha256(Bytes data);
Sha256 hmac_sha256(Bytes key, std::string_view message);

// Lowercase hex, as SigV4 wants every hash written.
std::string hex(std::span<const unsigned char> digest);
std::string sha256_hex(Bytes data);
inline std::string sha256_hex(std::string_view text) {
  return sha256_hex(std::as_bytes(std::span(text.data(), text.size())));
}

// Base64 of the MD5 of `data`: the Content-MD5 header's value.
std::string md5_base64(Bytes data);

}  // namespace walpipe::s3
