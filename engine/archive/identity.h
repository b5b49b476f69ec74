// walpipe.json: which cluster an archive belongs to. Written once by the first push of a WAL
// segment (durably, never replaced), checked by every later push, so that a second cluster
// pointed at the same directory is refused before it writes anything.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/status.h"

namespace walpipe::archive {

struct Identity {
  uint64_t system_id = 0;
  uint16_t wal_magic = 0;
  uint32_t segment_size = 0;
  uint32_t page_size = 0;
  bool operator==(const Identity&) const = default;
};

std::string encode_identity(const Identity& identity);
Result<Identity> decode_identity(const std::string& text, const std::string& path);

// Same cluster: a new major version changes only the magic (pg_upgrade keeps the system
// identifier), so the magic is not compared.
bool same_cluster(const Identity& archive, const Identity& mine);

// The refusal of WAL of `mine`'s cluster by the archive at `location`, which has `archive`.
Status identity_mismatch(const Identity& archive, const Identity& mine,
                         const std::string& location);

}  // namespace walpipe::archive
