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
// An encrypted archive's objects are age files of the .zst objects, named "<key>.age" as age
// names what it writes, so that `age -d` then `zstd -d` opens one by hand.
inline constexpr std::string_view kSealedSuffix = ".age";

// Whether an archive's objects are the .zst objects themselves or their age encryptions
// (walpipe.json says which; archive/encrypted_store.h reads and writes the latter).
enum class Sealing { kPlain, kAge };

// "wal/<first 16 hex of the segment>/<name>.zst", or "wal/<name>.zst" for a .history file;
// each followed by ".age" when sealed.
std::string object_key(const wal::WalFileName& name, Sealing sealing = Sealing::kPlain);

// The end of an object file's name: ".zst" or ".zst.age".
std::string object_suffix(Sealing sealing);

// The WAL file whose object `key` is, when `key` is exactly object_key() of one; anything else
// found under the archive (a stray file, another tool's key, an object of the other sealing) is
// nullopt.
std::optional<wal::WalFileName> name_of_key(std::string_view key,
                                            Sealing sealing = Sealing::kPlain);

}  // namespace walpipe::archive
