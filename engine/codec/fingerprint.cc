#include "codec/fingerprint.h"

#include <xxhash.h>

#include <cstdio>

namespace walpipe {

std::string Fingerprint::hex() const {
  char buf[33];
  std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(high),
                static_cast<unsigned long long>(low));
  return buf;
}

Fingerprint fingerprint_of(Bytes data) {
  XXH128_hash_t h = XXH3_128bits(data.data(), data.size());
  return Fingerprint{h.low64, h.high64};
}

}  // namespace walpipe
