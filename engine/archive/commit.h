// The commit protocol (design.md; faults.md findings 2–4, 7): an object becomes visible under
// its final name only complete and durable, never replacing anything, and identical content
// already present is success without rewriting.
#pragma once

#include <string>

#include "archive/layout.h"
#include "archive/object.h"
#include "base/status.h"
#include "codec/fingerprint.h"
#include "io/io.h"
#include "wal/names.h"

namespace walpipe::archive {

enum class CommitOutcome { kWritten, kAlreadyPresent };

// Creates ARCHIVE/wal, ARCHIVE/.tmp and the object's folder (0700) as needed, fsyncing the parent
// of each new folder. The archive root itself must exist.
Status prepare_directories(io::Io& io, const Layout& layout, const wal::WalFileName& name);

// One object written into .tmp/<name>.<unique> piece by piece while it is still being produced
// (O_DIRECT when the filesystem allows), then committed: the last piece with fdatasync, a rename
// into place that never replaces (RENAME_NOREPLACE, else link), the folder fsync. Pieces go to
// their final offsets, in any order, each 4096-aligned in address, offset and size. Destroyed
// before a successful commit, it removes its temporary file.
class ObjectWriter {
 public:
  static Result<ObjectWriter> begin(io::Io& io, const Layout& layout, const wal::WalFileName& name);
  ObjectWriter(ObjectWriter&& other) noexcept;
  ObjectWriter& operator=(ObjectWriter&&) = delete;
  ~ObjectWriter();

  Status write(uint64_t offset, Bytes piece);
  // kWritten, or — another pusher linked the name first — what confirm_existing says of its
  // object: kAlreadyPresent when it holds `fingerprint`, kMismatch when it does not.
  Result<CommitOutcome> commit(uint64_t offset, Bytes last_piece, const Fingerprint& fingerprint);

 private:
  ObjectWriter(io::Io& io, const Layout& layout, const wal::WalFileName& name, std::string tmp,
               io::Fd fd, bool direct);
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
};

// Stores `object` (4096-aligned in address and size) as `name`:
//   1. an existing object with the same fingerprint → fsync it and its folder → kAlreadyPresent;
//      a different one → kMismatch naming both fingerprints, nothing touched;
//   2. write .tmp/<name>.<unique> (O_DIRECT when the filesystem allows) and fdatasync it;
//   3. rename it into place without replacing (RENAME_NOREPLACE, else link);
//      losing that race to another pusher → back to 1 against the winner's object;
//   4. fsync the folder; only then kWritten.
// Any failure removes the temporary file; the final name never shows a partial object.
Result<CommitOutcome> commit_object(io::Io& io, const Layout& layout, const wal::WalFileName& name,
                                    Bytes object, const Fingerprint& fingerprint);

// Reads only the metadata frame of the object at `path` (kNotFound when there is none).
Result<ObjectMetadata> read_object_metadata(io::Io& io, const std::string& path);

// Removes files in .tmp/ untouched for `max_age_seconds`: leftovers of pushers that were killed.
// A live pusher rewrites its file within seconds, so an old one has no owner. Best effort:
// returns how many were removed.
size_t sweep_stale_temporaries(io::Io& io, const Layout& layout, int64_t max_age_seconds);

// Whether anything is stored under `name`, whatever it holds; a folder not created yet is no.
Result<bool> object_present(io::Io& io, const Layout& layout, const wal::WalFileName& name);

// Step 1 alone: kAlreadyPresent (made durable) when `name` is stored with this fingerprint,
// kNotFound when nothing is stored under it, kMismatch when different content is.
Result<CommitOutcome> confirm_existing(io::Io& io, const Layout& layout,
                                       const wal::WalFileName& name, const Fingerprint& mine);

}  // namespace walpipe::archive
