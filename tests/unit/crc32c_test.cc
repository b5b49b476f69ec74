#include "codec/crc32c.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace walpipe {
namespace {

Bytes as_bytes(const std::string& s) {
  return Bytes(reinterpret_cast<const std::byte*>(s.data()), s.size());
}

TEST(Crc32c, CheckValue) {
  EXPECT_EQ(crc32c::of(as_bytes("123456789")), 0xE3069283u);
  EXPECT_EQ(crc32c::finish(crc32c::reference_extend(crc32c::kInit, as_bytes("123456789"))),
            0xE3069283u);
}

TEST(Crc32c, IsaLAgreesWithReferenceOnRandomBuffersAndSplits) {
  std::mt19937 rng(42);
  std::vector<std::byte> buf(70000);
  for (auto& b : buf) b = static_cast<std::byte>(rng());
  for (size_t len : {0u, 1u, 7u, 8u, 63u, 64u, 4095u, 8192u, 70000u}) {
    Bytes data(buf.data(), len);
    uint32_t reference = crc32c::reference_extend(crc32c::kInit, data);
    EXPECT_EQ(crc32c::extend(crc32c::kInit, data), reference) << len;
    // Resumable: any split gives the same register, which is how page-crossing records are fed.
    size_t split = len / 3;
    uint32_t reg = crc32c::extend(crc32c::kInit, data.subspan(0, split));
    EXPECT_EQ(crc32c::extend(reg, data.subspan(split)), reference) << len;
  }
}

// docs/wal-format.md §6.3: the record at 0/2000028, body first, then the header up to xl_crc.
TEST(Crc32c, WorkedExampleRecordFromTheFormatSpec) {
  const uint8_t record[] = {0x41, 0x00, 0x00, 0x00, 0xdf, 0x02, 0x00, 0x00, 0xe0, 0x75, 0x86,
                            0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x00, 0xcc, 0xd2,
                            0x5e, 0x97, 0x00, 0x20, 0x10, 0x00, 0x7f, 0x06, 0x00, 0x00, 0x05,
                            0x00, 0x00, 0x00, 0x04, 0x40, 0x00, 0x00, 0x58, 0x01, 0x00, 0x00,
                            0xff, 0x03, 0x02, 0x00, 0x02, 0x08, 0x18, 0x00, 0x01, 0x00, 0x00,
                            0x00, 0x0d, 0x68, 0x65, 0x6c, 0x6c, 0x6f, 0x31, 0x00, 0x00};
  static_assert(sizeof record == 65);
  Bytes bytes(reinterpret_cast<const std::byte*>(record), sizeof record);
  uint32_t reg = crc32c::extend(crc32c::kInit, bytes.subspan(24));
  EXPECT_EQ(reg, 0xA2469E64u);
  reg = crc32c::extend(reg, bytes.subspan(0, 20));
  EXPECT_EQ(reg, 0x68A12D33u);
  EXPECT_EQ(crc32c::finish(reg), 0x975ED2CCu);
}

}  // namespace
}  // namespace walpipe
