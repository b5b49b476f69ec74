// OpenSSL's libcrypto, for the age primitives (primitives.cc) and the hashes S3 requests carry
// (s3/digest.cc), loaded on the first use in a process instead of being linked: linked, the
// loader relocated it at every start of walpipe, 2.4 to 3.9 ms measured here for a program that
// never calls it, paid by every archive_command and restore_command of a plain folder archive.
#pragma once

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "base/status.h"

namespace walpipe::crypt {

// The libcrypto functions walpipe uses, resolved from libcrypto.so.3.
struct LibCrypto {
  decltype(&::ERR_clear_error) err_clear_error;
  decltype(&::RAND_bytes) rand_bytes;
  decltype(&::CRYPTO_memcmp) crypto_memcmp;
  decltype(&::EVP_PKEY_new_raw_private_key) pkey_new_raw_private_key;
  decltype(&::EVP_PKEY_new_raw_public_key) pkey_new_raw_public_key;
  decltype(&::EVP_PKEY_get_raw_public_key) pkey_get_raw_public_key;
  decltype(&::EVP_PKEY_free) pkey_free;
  decltype(&::EVP_PKEY_CTX_new) pkey_ctx_new;
  decltype(&::EVP_PKEY_CTX_free) pkey_ctx_free;
  decltype(&::EVP_PKEY_derive_init) pkey_derive_init;
  decltype(&::EVP_PKEY_derive_set_peer) pkey_derive_set_peer;
  decltype(&::EVP_PKEY_derive) pkey_derive;
  decltype(&::EVP_KDF_fetch) kdf_fetch;
  decltype(&::EVP_KDF_free) kdf_free;
  decltype(&::EVP_KDF_CTX_new) kdf_ctx_new;
  decltype(&::EVP_KDF_CTX_free) kdf_ctx_free;
  decltype(&::EVP_KDF_derive) kdf_derive;
  decltype(&::OSSL_PARAM_construct_utf8_string) param_utf8_string;
  decltype(&::OSSL_PARAM_construct_octet_string) param_octet_string;
  decltype(&::OSSL_PARAM_construct_end) param_end;
  decltype(&::HMAC) hmac;
  decltype(&::EVP_Digest) digest;
  decltype(&::EVP_sha256) sha256;
  decltype(&::EVP_md5) md5;
  decltype(&::EVP_EncodeBlock) encode_block;
  decltype(&::EVP_chacha20_poly1305) chacha20_poly1305;
  decltype(&::EVP_CIPHER_CTX_new) cipher_ctx_new;
  decltype(&::EVP_CIPHER_CTX_free) cipher_ctx_free;
  decltype(&::EVP_CIPHER_CTX_ctrl) cipher_ctx_ctrl;
  decltype(&::EVP_CipherInit_ex) cipher_init;
  decltype(&::EVP_CipherUpdate) cipher_update;
  decltype(&::EVP_CipherFinal_ex) cipher_final;
};

// Loads libcrypto once per process (thread-safe) and returns its functions; kUnsupported with a
// HINT naming the package when it is not installed. The pointer lives as long as the process.
Result<const LibCrypto*> libcrypto();

}  // namespace walpipe::crypt
