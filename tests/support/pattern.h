// Bytes that look random and are the same in every run (xorshift64 from a fixed seed): payloads
// for the age and sealing tests, which must not compress away nor differ between runs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace walpipe::testing {

inline std::vector<std::byte> pattern(size_t size) {
  std::vector<std::byte> out(size);
  uint64_t x = 88172645463325252ull;
  for (std::byte& b : out) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    b = static_cast<std::byte>(x >> 32);
  }
  return out;
}

}  // namespace walpipe::testing
