#include "crypt/libcrypto.h"

#include "base/shared_library.h"

namespace walpipe::crypt {

namespace {

constexpr const char* kSoname = "libcrypto.so.3";  // the ABI of OpenSSL 3

void resolve_all(SharedLibrary& lib, LibCrypto* a) {
  lib.resolve("ERR_clear_error", &a->err_clear_error);
  lib.resolve("RAND_bytes", &a->rand_bytes);
  lib.resolve("CRYPTO_memcmp", &a->crypto_memcmp);
  lib.resolve("EVP_PKEY_new_raw_private_key", &a->pkey_new_raw_private_key);
  lib.resolve("EVP_PKEY_new_raw_public_key", &a->pkey_new_raw_public_key);
  lib.resolve("EVP_PKEY_get_raw_public_key", &a->pkey_get_raw_public_key);
  lib.resolve("EVP_PKEY_free", &a->pkey_free);
  lib.resolve("EVP_PKEY_CTX_new", &a->pkey_ctx_new);
  lib.resolve("EVP_PKEY_CTX_free", &a->pkey_ctx_free);
  lib.resolve("EVP_PKEY_derive_init", &a->pkey_derive_init);
  lib.resolve("EVP_PKEY_derive_set_peer", &a->pkey_derive_set_peer);
  lib.resolve("EVP_PKEY_derive", &a->pkey_derive);
  lib.resolve("EVP_KDF_fetch", &a->kdf_fetch);
  lib.resolve("EVP_KDF_free", &a->kdf_free);
  lib.resolve("EVP_KDF_CTX_new", &a->kdf_ctx_new);
  lib.resolve("EVP_KDF_CTX_free", &a->kdf_ctx_free);
  lib.resolve("EVP_KDF_derive", &a->kdf_derive);
  lib.resolve("OSSL_PARAM_construct_utf8_string", &a->param_utf8_string);
  lib.resolve("OSSL_PARAM_construct_octet_string", &a->param_octet_string);
  lib.resolve("OSSL_PARAM_construct_end", &a->param_end);
  lib.resolve("HMAC", &a->hmac);
  lib.resolve("EVP_Digest", &a->digest);
  lib.resolve("EVP_sha256", &a->sha256);
  lib.resolve("EVP_md5", &a->md5);
  lib.resolve("EVP_EncodeBlock", &a->encode_block);
  lib.resolve("EVP_chacha20_poly1305", &a->chacha20_poly1305);
  lib.resolve("EVP_CIPHER_CTX_new", &a->cipher_ctx_new);
  lib.resolve("EVP_CIPHER_CTX_free", &a->cipher_ctx_free);
  lib.resolve("EVP_CIPHER_CTX_ctrl", &a->cipher_ctx_ctrl);
  lib.resolve("EVP_CipherInit_ex", &a->cipher_init);
  lib.resolve("EVP_CipherUpdate", &a->cipher_update);
  lib.resolve("EVP_CipherFinal_ex", &a->cipher_final);
}

}  // namespace

Result<const LibCrypto*> libcrypto() {
  // C++ makes this initialisation thread-safe.
  static const LoadedApi<LibCrypto> loaded = load_api(kSoname, "libcrypto", "libssl3", resolve_all);
  return loaded.get();
}

}  // namespace walpipe::crypt
