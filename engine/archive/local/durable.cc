#include "archive/local/durable.h"

#include <fcntl.h>

namespace walpipe::archive {

Status fsync_path(io::Io& io, const std::string& path, int flags) {
  WALPIPE_ASSIGN_OR_RETURN(io::Fd fd, io.open(path, flags, 0));
  WALPIPE_TRY(io.fsync(fd, path));
  return io.close(fd, path);
}

Status sync_folders(io::Io& io, const Layout& layout, const wal::WalFileName& name) {
  WALPIPE_TRY(fsync_path(io, layout.object_dir(name), O_RDONLY | O_DIRECTORY));
  if (layout.object_dir(name) != layout.wal_dir())
    WALPIPE_TRY(fsync_path(io, layout.wal_dir(), O_RDONLY | O_DIRECTORY));
  return fsync_path(io, layout.root(), O_RDONLY | O_DIRECTORY);
}

Status make_dir(io::Io& io, const std::string& dir, const std::string& parent,
                const std::optional<Owner>& owner) {
  bool created = false;
  WALPIPE_TRY(io.mkdir(dir, 0700, &created));
  if (owner) {
    // Only what walpipe made, or what a run as root left to root: a folder its owner gave to
    // someone on purpose stays theirs.
    WALPIPE_ASSIGN_OR_RETURN(io::EntryInfo info, io::entry_info(dir));
    if (created || info.uid == 0) WALPIPE_TRY(give_to(owner, dir));
  }
  // A new folder's entry is durable only once its parent is synced.
  if (created) return fsync_path(io, parent, O_RDONLY | O_DIRECTORY);
  return Status::ok();
}

}  // namespace walpipe::archive
