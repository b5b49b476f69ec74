// walpipe.json: which cluster an archive belongs to. Written once by the first push of a WAL
// segment (durably, never replaced), checked by every later push, so that a second cluster
// pointed at the same directory is refused before it writes anything.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "archive/layout.h"
#include "base/status.h"
#include "io/io.h"

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

// The archive's identity, or nullopt when none has been written yet.
Result<std::optional<Identity>> load_identity(io::Io& io, const Layout& layout);

// Checks `mine` against the archive without writing anything: true when the archive has this
// identity, false when it has none yet; a different identity is kMismatch naming both.
Result<bool> check_identity(io::Io& io, const Layout& layout, const Identity& mine);

// As check_identity, then creates walpipe.json when there is none (needs ARCHIVE/.tmp).
Status check_or_create_identity(io::Io& io, const Layout& layout, const Identity& mine);

}  // namespace walpipe::archive
