#include "codec/crc32c.h"

#include <isa-l/crc.h>

#include <climits>

namespace walpipe::crc32c {

uint32_t extend(uint32_t reg, Bytes data) {
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
