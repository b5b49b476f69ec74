#include "wal/pg_control.h"

#include <optional>

#include "base/check.h"
#include "codec/crc32c.h"

namespace walpipe::wal {

namespace {

// offsetof(ControlFileData, crc) per pg_control_version on the 64-bit little-endian servers
// walpipe supports. 1300 is checked against PostgreSQL 15's initdb (tests/unit/pg_control_test.cc);
// 1700 and 1800 come from laying out those releases' structs field by field.
std::optional<size_t> crc_offset(uint32_t control_version) {
  switch (control_version) {
    case 1300:
    case 1700:
      return 288;
    case 1800:
      return 292;
    default:
      return std::nullopt;
  }
}

}  // namespace

Result<PgControl> parse_pg_control(Bytes bytes, const std::string& path) {
  if (bytes.size() != kPgControlFileSize)
    return Status(Code::kCorruption, "control file \"" + path + "\" has " +
                                         std::to_string(bytes.size()) + " bytes, not " +
                                         std::to_string(kPgControlFileSize));
  PgControl out;
  ByteReader reader(bytes);
  // The size was checked: the three leading fields and any known crc offset are inside.
  const bool read = reader.read(&out.system_id) && reader.read(&out.control_version) &&
                    reader.read(&out.catalog_version);
  WALPIPE_CHECK(read);
  std::optional<size_t> crc_at = crc_offset(out.control_version);
  if (!crc_at)
    return Status(Code::kUnsupported, "control file \"" + path + "\" has pg_control_version " +
                                          std::to_string(out.control_version) +
                                          ", which this walpipe does not know");
  WALPIPE_CHECK(*crc_at + sizeof(uint32_t) <= bytes.size());
  const uint32_t stored = load_le<uint32_t>(bytes.data() + *crc_at);
  const uint32_t computed = crc32c::of(bytes.first(*crc_at));
  if (stored != computed)
    return Status(Code::kCorruption, "control file \"" + path +
                                         "\" fails its CRC check (pg_control_version " +
                                         std::to_string(out.control_version) + ")");
  return out;
}

}  // namespace walpipe::wal
