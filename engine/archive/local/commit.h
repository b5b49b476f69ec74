// The commit protocol (docs/design.md, "Commit protocol"; docs/faults.md, findings 2–4, 7): an
// object becomes visible under its final name only complete and durable, never replacing anything,
// and identical content already present is success without rewriting. The one exception, an object
// stored with --no-verify that a verified copy supersedes, keeps the old object (supersede.h).
#pragma once

#include <string>

#include "archive/local/layout.h"
#include "archive/object.h"
#include "archive/store.h"
#include "base/status.h"
#include "codec/fingerprint.h"
#include "io/io.h"
#include "wal/names.h"

namespace walpipe::archive {

// Creates ARCHIVE/wal, ARCHIVE/.tmp and the object's folder (0700) as needed, fsyncing the parent
// of each new folder. The archive root itself must exist. Run as root in an archive whose root
// belongs to another user, the folders are that user's (owner.h).
Status prepare_directories(io::Io& io, const Layout& layout, const wal::WalFileName& name);

// One object written into .tmp/<name>.<unique> piece by piece while it is still being produced
// (O_DIRECT when the filesystem allows), then committed: the last piece with fdatasync, a rename
// into place that never replaces (RENAME_NOREPLACE, else link), the folder fsync. Pieces go to
// their final offsets, in any order, each 4096-aligned in address, offset and size. Destroyed
// before a successful commit, it removes its temporary file. Run as root in another user's
// archive, the file is that user's before it gets its final name.
class ObjectWriter {
 public:
  static Result<ObjectWriter> begin(io::Io& io, const Layout& layout, const wal::WalFileName& name);
  ObjectWriter(ObjectWriter&& other) noexcept;
  ObjectWriter& operator=(ObjectWriter&&) = delete;
  ~ObjectWriter();

  Status write(uint64_t offset, Bytes piece);
  // kWritten, or, the name being taken (another pusher linked it first, or an earlier push):
  // kSuperseded when it held an object stored with --no-verify that failed validation and
  // `meta` (what the object records) passed it (supersede.h; superseded_path() then says where
  // the old object went), else what confirm_existing says: kAlreadyPresent when it holds
  // meta.fingerprint, kMismatch when it does not.
  Result<CommitOutcome> commit(uint64_t offset, Bytes last_piece, const ObjectMetadata& meta);
  // Where a commit that superseded an object put the old one; empty otherwise.
  const std::string& superseded_path() const { return superseded_path_; }

 private:
  ObjectWriter(io::Io& io, const Layout& layout, const wal::WalFileName& name, std::string tmp,
               io::Fd fd, bool direct);
  static Result<io::Fd> open_temporary(const std::string& tmp, io::Io& io, const Layout& layout,
                                       int flags);
  Status reopen_buffered();
  // One write, with fdatasync after it when `then_sync`; the first write refused for O_DIRECT
  // (EINVAL) is tried again on a buffered file.
  Status write_piece(uint64_t offset, Bytes piece, bool then_sync);
  void abandon();

  io::Io* io_;
  const Layout* layout_;
  wal::WalFileName name_;
  std::string tmp_;
  io::Fd fd_;
  bool direct_;
  bool written_ = false;  // some piece reached the file
  bool done_ = false;     // committed, or the temporary file is gone
  std::string superseded_path_;
};

// Reads only the metadata frame of the object at `path` (kNotFound when there is none).
Result<ObjectMetadata> read_object_metadata(io::Io& io, const std::string& path);

// Removes files in .tmp/ untouched for `max_age_seconds`: leftovers of pushers that were killed.
// A live pusher rewrites its file within seconds, so an old one has no owner. Best effort:
// returns how many were removed.
size_t sweep_stale_temporaries(io::Io& io, const Layout& layout, int64_t max_age_seconds);

// Whether anything is stored under `name`, whatever it holds; a folder not created yet is no.
Result<bool> object_present(io::Io& io, const Layout& layout, const wal::WalFileName& name);

// Step 1 alone: kAlreadyPresent (made durable) when `name` is stored with this fingerprint,
// kNotFound when nothing is stored under it, kMismatch when different content is (saying so
// when that content was stored with --no-verify, and why it failed validation).
Result<CommitOutcome> confirm_existing(io::Io& io, const Layout& layout,
                                       const wal::WalFileName& name, const Fingerprint& mine);

}  // namespace walpipe::archive
