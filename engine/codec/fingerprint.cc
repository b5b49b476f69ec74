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

namespace {

#if defined(WALPIPE_HAVE_AVX2_XXH3)
// The baseline x86-64 build (SSE2) hashes at a sixth of the AVX2 speed.
bool have_avx2() {
  static const bool supported = __builtin_cpu_supports("avx2");
  return supported;
}
#endif

}  // namespace

Fingerprint fingerprint_of(Bytes data) {
#if defined(WALPIPE_HAVE_AVX2_XXH3)
  if (have_avx2()) {
    XXH128_hash_t h = detail::xxh3_128_avx2(data.data(), data.size());
    return Fingerprint{h.low64, h.high64};
  }
#endif
  XXH128_hash_t h = XXH3_128bits(data.data(), data.size());
  return Fingerprint{h.low64, h.high64};
}

struct FingerprintStream::State {
  XXH3_state_t xxh3;
};

FingerprintStream::FingerprintStream() : state_(std::make_unique<State>()) {
  XXH3_128bits_reset(&state_->xxh3);
}

FingerprintStream::~FingerprintStream() = default;
FingerprintStream::FingerprintStream(FingerprintStream&&) noexcept = default;
FingerprintStream& FingerprintStream::operator=(FingerprintStream&&) noexcept = default;

void FingerprintStream::update(Bytes piece) {
  // Only a null pointer with a nonzero length fails, which a span cannot hold.
#if defined(WALPIPE_HAVE_AVX2_XXH3)
  if (have_avx2()) {
    detail::xxh3_128_update_avx2(&state_->xxh3, piece.data(), piece.size());
    return;
  }
#endif
  XXH3_128bits_update(&state_->xxh3, piece.data(), piece.size());
}

Fingerprint FingerprintStream::digest() const {
  XXH128_hash_t h = XXH3_128bits_digest(&state_->xxh3);
  return Fingerprint{h.low64, h.high64};
}

}  // namespace walpipe
