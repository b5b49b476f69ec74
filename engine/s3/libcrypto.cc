#include "s3/libcrypto.h"

#include "base/shared_library.h"

namespace walpipe::s3 {

namespace {

constexpr const char* kSoname = "libcrypto.so.3";  // the ABI of OpenSSL 3

void resolve_all(SharedLibrary& lib, LibCrypto* a) {
  lib.resolve("EVP_Digest", &a->evp_digest);
  lib.resolve("EVP_sha256", &a->evp_sha256);
  lib.resolve("EVP_md5", &a->evp_md5);
  lib.resolve("HMAC", &a->hmac);
  lib.resolve("EVP_EncodeBlock", &a->evp_encode_block);
}

}  // namespace

Result<const LibCrypto*> libcrypto() {
  // C++ makes this initialisation thread-safe.
  static const LoadedApi<LibCrypto> loaded = load_api(kSoname, "libcrypto", "libssl3", resolve_all);
  return loaded.get();
}

}  // namespace walpipe::s3
