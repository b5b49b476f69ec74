#include "codec/crc32c.h"

#include <isa-l/crc.h>

#include <climits>
#include <cstring>

namespace walpipe::crc32c {

namespace {

// ISA-L's fixed cost per call dominates below a few hundred bytes, and every record pays a
// 20-byte header feed; the SSE4.2 crc32 instruction computes the same CRC with no set-up.
constexpr size_t kSmallInput = 256;

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) uint32_t extend_sse42(uint32_t reg, const unsigned char* p,
                                                        size_t n) {
  uint64_t r = reg;
  for (; n >= 8; n -= 8, p += 8) {
    uint64_t word;
    std::memcpy(&word, p, sizeof word);
    r = __builtin_ia32_crc32di(r, word);
  }
  uint32_t r32 = static_cast<uint32_t>(r);
  for (; n > 0; --n, ++p) r32 = __builtin_ia32_crc32qi(r32, *p);
  return r32;
}

const bool kHaveSse42 = __builtin_cpu_supports("sse4.2");
#endif

}  // namespace

uint32_t extend(uint32_t reg, Bytes data) {
#if defined(__x86_64__)
  if (data.size() < kSmallInput && kHaveSse42)
    return extend_sse42(reg, as_uchar(data), data.size());
#endif
  // ISA-L takes an int length and a non-const pointer it never writes through.
  auto* p = const_cast<unsigned char*>(as_uchar(data));
  size_t left = data.size();
  while (left > 0) {
    int chunk = left > static_cast<size_t>(INT_MAX) ? (INT_MAX & ~0xFFF) : static_cast<int>(left);
    reg = crc32_iscsi(p, chunk, reg);
    p += chunk;
    left -= static_cast<size_t>(chunk);
  }
  return reg;
}

uint32_t reference_extend(uint32_t reg, Bytes data) {
  for (std::byte b : data) {
    reg ^= static_cast<uint32_t>(b);
    for (int bit = 0; bit < 8; ++bit) reg = (reg >> 1) ^ (0x82F63B78u & (0u - (reg & 1u)));
  }
  return reg;
}

}  // namespace walpipe::crc32c
