// XXH3-128 built for AVX2, reached only through fingerprint_of() after a CPU check. This file is
// compiled with -mavx2 and includes nothing but xxhash.h (C headers): no C++ inline function can
// leak AVX2 code into the rest of the program.
#include "codec/fingerprint_avx2.h"

#include <xxhash.h>

namespace walpipe::detail {

XXH128_hash_t xxh3_128_avx2(const void* data, size_t size) { return XXH3_128bits(data, size); }

XXH_errorcode xxh3_128_update_avx2(XXH3_state_t* state, const void* data, size_t size) {
  return XXH3_128bits_update(state, data, size);
}

}  // namespace walpipe::detail
