#include "s3/libcrypto.h"

#include <string>

#include "s3/shared_library.h"

namespace walpipe::s3 {

namespace {

constexpr const char* kSoname = "libcrypto.so.3";  // the ABI of OpenSSL 3

struct Loaded {
  LibCrypto api{};
  std::string error;  // empty when every function resolved
};

Loaded load() {
  Loaded loaded;
  SharedLibrary lib(kSoname);
  LibCrypto& a = loaded.api;
  lib.resolve("EVP_Digest", &a.evp_digest);
  lib.resolve("EVP_sha256", &a.evp_sha256);
  lib.resolve("EVP_md5", &a.evp_md5);
  lib.resolve("HMAC", &a.hmac);
  lib.resolve("EVP_EncodeBlock", &a.evp_encode_block);
  loaded.error = lib.error();
  return loaded;
}

}  // namespace

Result<const LibCrypto*> libcrypto() {
  static const Loaded loaded = load();  // C++ makes this initialisation thread-safe
  if (!loaded.error.empty())
    return Status(Code::kUnsupported, "could not load libcrypto: " + loaded.error)
        .with_hint("install it: apt-get install libssl3");
  return &loaded.api;
}

}  // namespace walpipe::s3
