// Where things live in a local-directory archive (docs/design.md, "Archive layout"):
//   ARCHIVE/walpipe.json                      identity
//   ARCHIVE/wal/<first 16 hex of name>/<name>.zst   segments, .partial and .backup files
//   ARCHIVE/wal/<name>.zst                    .history files
//   ARCHIVE/.tmp/                             in-progress writes, never read as content
//   ARCHIVE/superseded/<name>.<XXH3-128>.zst  objects stored with --no-verify that a verified
//                                             copy replaced (supersede.h), never read as content
#pragma once

#include <string>

#include "archive/keys.h"
#include "wal/names.h"

namespace walpipe::archive {

class Layout {
 public:
  // `sealing`: whether object files are .zst or .zst.age (keys.h).
  explicit Layout(std::string root, Sealing sealing = Sealing::kPlain);

  const std::string& root() const { return root_; }
  Sealing sealing() const { return sealing_; }
  std::string identity_path() const { return root_ + "/walpipe.json"; }
  std::string wal_dir() const { return root_ + "/wal"; }
  std::string tmp_dir() const { return root_ + "/.tmp"; }
  std::string superseded_dir() const { return root_ + "/superseded"; }
  // The folder an object lives in and its full path.
  std::string object_dir(const wal::WalFileName& name) const;
  std::string object_path(const wal::WalFileName& name) const;
  // Where the object for `name` whose content has the XXH3-128 `fingerprint_hex` is kept once a
  // verified copy superseded it. The name is not a WAL file name followed by ".zst", so walks
  // over the archive (verify) pass it by, and it is the same on every try for one object.
  std::string superseded_path(const wal::WalFileName& name,
                              const std::string& fingerprint_hex) const;
  // A fresh temporary path in tmp_dir() for a file named `base`, unique across processes and calls.
  std::string temp_path(const std::string& base) const;

 private:
  std::string root_;
  Sealing sealing_;
};

}  // namespace walpipe::archive
