// XXH3-128 content fingerprints: what dedup compares and what get checks before it exits 0.
// Inlined (XXH_INLINE_ALL): the shared-library build of xxHash is several times slower.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "base/bytes.h"

namespace walpipe {

struct Fingerprint {
  uint64_t low = 0;
  uint64_t high = 0;
  bool operator==(const Fingerprint&) const = default;
  // 32 lower-case hex digits, high half first (XXH3's canonical order).
  std::string hex() const;
};

Fingerprint fingerprint_of(Bytes data);

// The fingerprint of data handed over piece by piece, in order: equal to fingerprint_of() of the
// pieces joined. A piece can then be hashed while it is still in the CPU's cache.
class FingerprintStream {
 public:
  FingerprintStream();
  ~FingerprintStream();
  FingerprintStream(FingerprintStream&&) noexcept;
  FingerprintStream& operator=(FingerprintStream&&) noexcept;

  void update(Bytes piece);
  Fingerprint digest() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace walpipe
