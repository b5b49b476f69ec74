#include "wal/format.h"

#include <array>

namespace walpipe::wal {

namespace {
// bimg_info "compressed" bits: IS_COMPRESSED 0x02 up to 14, COMPRESS_{PGLZ,LZ4,ZSTD} 15+.
constexpr uint8_t kCompressedUpTo14 = 0x02;
constexpr uint8_t kCompressedFrom15 = 0x04 | 0x08 | 0x10;

// The overwrite-contrecord bit was back-patched without a magic change (Nov 2021 minors), so
// every version accepts 0x000F (docs/wal-format.md §3.3).
constexpr std::array<VersionInfo, 11> kVersions{{
    {0xD087, 95, 0x000F, 19, false, false, false, kCompressedUpTo14},
    {0xD093, 96, 0x000F, 21, false, false, false, kCompressedUpTo14},
    {0xD097, 10, 0x000F, 21, false, false, false, kCompressedUpTo14},
    {0xD098, 11, 0x000F, 21, false, true, false, kCompressedUpTo14},
    {0xD101, 12, 0x000F, 21, false, true, false, kCompressedUpTo14},
    {0xD106, 13, 0x000F, 21, false, true, false, kCompressedUpTo14},
    {0xD10D, 14, 0x000F, 21, false, true, true, kCompressedUpTo14},
    {0xD110, 15, 0x000F, 21, true, true, true, kCompressedFrom15},
    {0xD113, 16, 0x000F, 21, true, true, true, kCompressedFrom15},
    {0xD116, 17, 0x000F, 21, true, true, true, kCompressedFrom15},
    {0xD118, 18, 0x000F, 21, true, true, true, kCompressedFrom15},
}};
}  // namespace

std::optional<VersionInfo> version_for_magic(uint16_t magic) {
  for (const auto& v : kVersions)
    if (v.magic == magic) return v;
  return std::nullopt;
}

const char* version_name(const VersionInfo& version) {
  switch (version.major) {
    case 95:
      return "9.5";
    case 96:
      return "9.6";
    case 10:
      return "10";
    case 11:
      return "11";
    case 12:
      return "12";
    case 13:
      return "13";
    case 14:
      return "14";
    case 15:
      return "15";
    case 16:
      return "16";
    case 17:
      return "17";
    case 18:
      return "18";
  }
  return "unknown";
}

}  // namespace walpipe::wal
