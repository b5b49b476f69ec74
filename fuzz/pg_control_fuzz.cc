// global/pg_control: parse_pg_control over arbitrary bytes never reads out of bounds, returns the
// file's own leading fields only when its size, version and CRC-32C (recomputed here with the
// bit-at-a-time reference, not ISA-L) all hold, and answers the same twice. Random bytes almost
// never carry a valid CRC, so each input is also tried "repaired": cut or zero-padded to 8192
// bytes and, when its version is one walpipe knows, its CRC set; that copy must then parse, and
// one flipped bit inside the checked range must make it fail.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <vector>

#include "base/check.h"
#include "codec/crc32c.h"
#include "wal/pg_control.h"

namespace {

using namespace walpipe;
using namespace walpipe::wal;

std::optional<size_t> known_crc_offset(uint32_t version) {
  if (version == 1300 || version == 1700) return 288;
  if (version == 1800) return 292;
  return std::nullopt;
}

uint32_t reference_crc(Bytes bytes) {
  return crc32c::finish(crc32c::reference_extend(crc32c::kInit, bytes));
}

void check_one(Bytes bytes) {
  Result<PgControl> parsed = parse_pg_control(bytes, "pg_control");
  Result<PgControl> again = parse_pg_control(bytes, "pg_control");
  WALPIPE_CHECK(parsed.is_ok() == again.is_ok());
  if (!parsed.is_ok()) {
    WALPIPE_CHECK(parsed.status().code() == again.status().code());
    WALPIPE_CHECK(parsed.status().message() == again.status().message());
    WALPIPE_CHECK(!parsed.status().message().empty());
    return;
  }
  WALPIPE_CHECK(bytes.size() == kPgControlFileSize);
  WALPIPE_CHECK(parsed->system_id == load_le<uint64_t>(bytes.data()));
  WALPIPE_CHECK(parsed->control_version == load_le<uint32_t>(bytes.data() + 8));
  WALPIPE_CHECK(parsed->catalog_version == load_le<uint32_t>(bytes.data() + 12));
  WALPIPE_CHECK(again->system_id == parsed->system_id);
  std::optional<size_t> crc_at = known_crc_offset(parsed->control_version);
  WALPIPE_CHECK(crc_at.has_value());
  WALPIPE_CHECK(load_le<uint32_t>(bytes.data() + *crc_at) == reference_crc(bytes.first(*crc_at)));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Bytes input(reinterpret_cast<const std::byte*>(data), size);
  check_one(input);

  std::vector<std::byte> repaired(kPgControlFileSize, std::byte{0});
  std::memcpy(repaired.data(), data, std::min(size, repaired.size()));
  const uint32_t version = load_le<uint32_t>(repaired.data() + 8);
  std::optional<size_t> crc_at = known_crc_offset(version);
  if (!crc_at) {
    Result<PgControl> refused = parse_pg_control(repaired, "pg_control");
    WALPIPE_CHECK(!refused.is_ok() && refused.status().code() == Code::kUnsupported);
    return 0;
  }
  const uint32_t crc = reference_crc(Bytes(repaired).first(*crc_at));
  std::memcpy(repaired.data() + *crc_at, &crc, sizeof crc);
  check_one(repaired);
  Result<PgControl> fixed = parse_pg_control(repaired, "pg_control");
  WALPIPE_CHECK(fixed.is_ok() && fixed->control_version == version);

  // One bit flipped where the CRC covers (chosen by the input, past the version field so the
  // layout stays the same) is always caught: a CRC detects every single-bit error.
  const size_t at = 16 + (size > 0 ? data[0] : 0) % (*crc_at - 16);
  repaired[at] ^= std::byte{0x01};
  Result<PgControl> damaged = parse_pg_control(repaired, "pg_control");
  WALPIPE_CHECK(!damaged.is_ok() && damaged.status().code() == Code::kCorruption);
  return 0;
}
