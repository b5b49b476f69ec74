// A whole object committed in one call, the way the commit tests drive the local store's commit
// protocol (push streams its objects through archive::ObjectWriter instead).
#pragma once

#include "archive/local/commit.h"
#include "archive/local/layout.h"
#include "archive/store.h"
#include "base/bytes.h"
#include "base/status.h"
#include "io/io.h"
#include "wal/names.h"

namespace walpipe::testing {

// Stores `object` (4096-aligned in address and size, its metadata frame first) as `name`:
//   1. an existing object with the same fingerprint → fsync it and its folder → kAlreadyPresent;
//      a different one → kMismatch naming both fingerprints, nothing touched, unless it was
//      stored with --no-verify and failed validation while `object` passed it: then steps 2, 3
//      and ObjectWriter::commit supersede it;
//   2. write .tmp/<name>.<unique> (O_DIRECT when the filesystem allows) and fdatasync it;
//   3. rename it into place without replacing (RENAME_NOREPLACE, else link);
//      losing that race to another pusher → back to 1 against the winner's object;
//   4. fsync the folder; only then kWritten.
// Any failure removes the temporary file; the final name never shows a partial object.
Result<archive::CommitOutcome> commit_object(io::Io& io, const archive::Layout& layout,
                                             const wal::WalFileName& name, Bytes object);

}  // namespace walpipe::testing
