// CRC-32C (Castagnoli) as PostgreSQL computes it for WAL records (docs/wal-format.md §6).
// The running register is explicit so a record split across pages is checked piece by piece
// without being copied together.
#pragma once

#include <cstdint>

#include "base/bytes.h"

namespace walpipe::crc32c {

inline constexpr uint32_t kInit = 0xFFFFFFFFu;

// Feeds `data` into an un-finalised register (start from kInit). Uses ISA-L.
uint32_t extend(uint32_t reg, Bytes data);

// The finished CRC of a register: what PostgreSQL stores in xl_crc.
inline uint32_t finish(uint32_t reg) { return reg ^ 0xFFFFFFFFu; }

inline uint32_t of(Bytes data) { return finish(extend(kInit, data)); }

// Bit-at-a-time reference implementation, independent of ISA-L, for cross-checks in tests.
uint32_t reference_extend(uint32_t reg, Bytes data);

}  // namespace walpipe::crc32c
