// global/pg_control, the file that says which database system a data directory belongs to.
// Only what walpipe needs is read: the system identifier (the same number every WAL page header
// of the cluster carries) and the format version, and only after the file passed PostgreSQL's
// own checks: its size, a pg_control_version walpipe knows, and the CRC-32C that ends the
// ControlFileData struct.
//
// Layout (src/include/catalog/pg_control.h; little-endian x86-64/aarch64 servers):
//   0  uint64 system_identifier
//   8  uint32 pg_control_version   1300 (PostgreSQL 13–16), 1700 (17), 1800 (18)
//  12  uint32 catalog_version_no
//   …  the rest of ControlFileData
//   C  uint32 crc                   CRC-32C of bytes [0, C): C = 288 for 1300 and 1700 (17's
//                                   CheckPoint gained wal_level inside existing padding), 292 for
//                                   1800 (default_char_signedness shifts the nonce and the crc)
// The file is PG_CONTROL_FILE_SIZE = 8192 bytes, zero beyond the struct.
#pragma once

#include <cstdint>
#include <string>

#include "base/bytes.h"
#include "base/status.h"

namespace walpipe::wal {

inline constexpr size_t kPgControlFileSize = 8192;

struct PgControl {
  uint64_t system_id = 0;
  uint32_t control_version = 0;
  uint32_t catalog_version = 0;
};

// Parses the bytes of a pg_control file; `path` only names it in messages. Pure: no I/O, no
// allocation beyond the messages. Checks, in this order: size (kCorruption), pg_control_version
// is one walpipe knows (kUnsupported; a big-endian file shows here too), CRC-32C (kCorruption).
// Nothing is returned from a file that failed any of them.
Result<PgControl> parse_pg_control(Bytes bytes, const std::string& path);

}  // namespace walpipe::wal
