// walpipe.json: which cluster an archive belongs to, and whether its objects are encrypted.
// Written once by the first push of a WAL segment (durably, never replaced), checked by every
// later push, so that a second cluster pointed at the same directory is refused before it writes
// anything, and so that no push mixes plain and encrypted objects in one archive.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/status.h"

namespace walpipe::archive {

// An encrypted archive (format 2 of walpipe.json, which a walpipe that predates encryption
// refuses instead of pushing plain objects into it).
struct Encryption {
  // Which fingerprint key the pushes share (archive/sealing.h): a push with another key would
  // never find its own objects already archived.
  std::string fingerprint_key_id;
  bool operator==(const Encryption&) const = default;
};

struct Identity {
  uint64_t system_id = 0;
  uint16_t wal_magic = 0;
  uint32_t segment_size = 0;
  uint32_t page_size = 0;
  std::optional<Encryption> encryption;  // nullopt: the objects are plain .zst files
  bool operator==(const Identity&) const = default;
};

std::string encode_identity(const Identity& identity);
Result<Identity> decode_identity(const std::string& text, const std::string& path);

// Same cluster: a new major version changes only the magic (pg_upgrade keeps the system
// identifier), so the magic is not compared; nor is the encryption (check_encryption is).
bool same_cluster(const Identity& archive, const Identity& mine);

// The refusal of WAL of `mine`'s cluster by the archive at `location`, which has `archive`.
Status identity_mismatch(const Identity& archive, const Identity& mine,
                         const std::string& location);

// Whether the archive at `location`, whose walpipe.json holds `archive` (nullopt: none yet), takes
// objects sealed as `mine` says (nullopt: plain); kMismatch saying what differs, with a HINT.
Status check_encryption(const std::optional<Identity>& archive,
                        const std::optional<Encryption>& mine, const std::string& location);

}  // namespace walpipe::archive
