// OpenSSL's libcrypto for the hashes S3 requests carry (digest.cc), loaded when the first S3
// client is made: linked, every start of walpipe would relocate it (libcurl.h says why that
// matters). engine/crypt links it instead: it encrypts, which is not done for every WAL file.
#pragma once

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "base/status.h"

namespace walpipe::s3 {

// The libcrypto functions digest.cc uses, resolved from libcrypto.so.3.
struct LibCrypto {
  decltype(&::EVP_Digest) evp_digest;
  decltype(&::EVP_sha256) evp_sha256;
  decltype(&::EVP_md5) evp_md5;
  decltype(&::HMAC) hmac;
  decltype(&::EVP_EncodeBlock) evp_encode_block;
};

// Loads libcrypto once per process (thread-safe) and returns its functions; kUnsupported with a
// HINT naming the package when it is not installed. The pointer lives as long as the process.
Result<const LibCrypto*> libcrypto();

}  // namespace walpipe::s3
