#include "codec/fingerprint.h"

#include <xxhash.h>

#include <cstdio>

#include "codec/fingerprint_avx2.h"

namespace walpipe {

std::string Fingerprint::hex() const {
  char buf[33];
  std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(high),
                static_cast<unsigned long long>(low));
  return buf;
}

Fingerprint fingerprint_of(Bytes data) {
#if defined(WALPIPE_HAVE_AVX2_XXH3)
  // The baseline x86-64 build (SSE2) hashes at a sixth of the AVX2 speed.
  static const bool have_avx2 = __builtin_cpu_supports("avx2");
  if (have_avx2) {
    XXH128_hash_t h = detail::xxh3_128_avx2(data.data(), data.size());
    return Fingerprint{h.low64, h.high64};
  }
#endif
  XXH128_hash_t h = XXH3_128bits(data.data(), data.size());
  return Fingerprint{h.low64, h.high64};
}

}  // namespace walpipe
