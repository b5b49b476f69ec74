#include "archive/local/supersede.h"

#include <fcntl.h>

#include "archive/local/durable.h"
#include "archive/local/owner.h"
#include "archive/object.h"

namespace walpipe::archive {

namespace {

// What the name holds now, when it is not an object to supersede.
Result<Supersession> decided_by_existing(io::Io& io, const Layout& layout,
                                         const wal::WalFileName& name, const Fingerprint& mine) {
  WALPIPE_ASSIGN_OR_RETURN(CommitOutcome existing, confirm_existing(io, layout, name, mine));
  return Supersession{existing, ""};
}

// A link that an earlier try made before it stopped is the same file, or (restored from a
// backup, say) a copy of it; anything else under that name is not ours to replace.
Status check_kept(io::Io& io, const std::string& aside, const io::EntryInfo& old_object,
                  const Fingerprint& old_fingerprint) {
  WALPIPE_ASSIGN_OR_RETURN(io::EntryInfo kept, io::entry_info(aside));
  if (kept.same_file(old_object)) return Status::ok();
  WALPIPE_ASSIGN_OR_RETURN(ObjectMetadata kept_meta, read_object_metadata(io, aside));
  if (kept_meta.fingerprint == old_fingerprint) return Status::ok();
  return Status(Code::kMismatch,
                "\"" + aside + "\" already exists with other content than the object it keeps")
      .with_hint("Move it out of the archive's superseded/ folder, then retry.");
}

}  // namespace

Result<Supersession> supersede(io::Io& io, const Layout& layout, const wal::WalFileName& name,
                               const std::string& tmp, const Fingerprint& mine) {
  const std::string path = layout.object_path(name);
  Result<io::Fd> fd = io.open(path, O_RDONLY, 0);
  if (!fd.is_ok()) {
    if (fd.status().code() != Code::kNotFound) return std::move(fd).take_status();
    return Status(Code::kIoError, "archive object \"" + path + "\" went away while it was read");
  }
  // Only superseders replace a name, and each holds the lock on the object it replaces: the
  // name cannot change between the checks below and the rename.
  WALPIPE_TRY(io::lock_exclusive(*fd, path));
  WALPIPE_ASSIGN_OR_RETURN(io::EntryInfo locked, io::entry_info(*fd, path));
  Result<io::EntryInfo> named = io::entry_info(path);
  if (!named.is_ok() || !named->same_file(locked))
    return decided_by_existing(io, layout, name, mine);  // superseded while this one waited
  WALPIPE_ASSIGN_OR_RETURN(ObjectMetadata theirs, read_object_metadata(io, path));
  if (theirs.fingerprint == mine || !(theirs.flags & kFlagFailedVerification))
    return decided_by_existing(io, layout, name, mine);

  const std::string aside = layout.superseded_path(name, theirs.fingerprint.hex());
  WALPIPE_ASSIGN_OR_RETURN(std::optional<Owner> owner, foreign_owner(layout));
  WALPIPE_TRY(make_dir(io, layout.superseded_dir(), layout.root(), owner));
  Status linked = io.link(path, aside);
  if (linked.code() == Code::kMismatch) linked = check_kept(io, aside, locked, theirs.fingerprint);
  WALPIPE_TRY(linked);
  // The kept name is durable before the name the old object had goes to the new one.
  WALPIPE_TRY(fsync_path(io, layout.superseded_dir(), O_RDONLY | O_DIRECTORY));
  WALPIPE_TRY(io.rename_over(tmp, path));
  WALPIPE_TRY(sync_folders(io, layout, name));
  return Supersession{CommitOutcome::kSuperseded, aside};
}

}  // namespace walpipe::archive
