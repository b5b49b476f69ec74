// The AVX2 build of XXH3-128 (x86-64 only); see fingerprint_avx2.cc.
#pragma once

#include <stddef.h>
#include <xxhash.h>

namespace walpipe::detail {

XXH128_hash_t xxh3_128_avx2(const void* data, size_t size);
XXH_errorcode xxh3_128_update_avx2(XXH3_state_t* state, const void* data, size_t size);

}  // namespace walpipe::detail
