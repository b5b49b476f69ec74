// The keys of an archive's contents relative to its root, the same in every store
// (docs/object-format.md): a folder's paths below it and a bucket's keys below its prefix, so
// that objects copy between the two unchanged.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "wal/names.h"

namespace walpipe::archive {

inline constexpr std::string_view kIdentityKey = "walpipe.json";
inline constexpr std::string_view kObjectsPrefix = "wal/";
inline constexpr std::string_view kObjectSuffix = ".zst";

// "wal/<first 16 hex of the segment>/<name>.zst", or "wal/<name>.zst" for a .history file.
std::string object_key(const wal::WalFileName& name);

// The WAL file whose object `key` is, when `key` is exactly object_key() of one; anything else
// found under the archive (a stray file, another tool's key) is nullopt.
std::optional<wal::WalFileName> name_of_key(std::string_view key);

}  // namespace walpipe::archive
