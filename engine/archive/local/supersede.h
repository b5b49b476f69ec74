// Superseding an object stored with --no-verify. Such an object records that its content failed
// validation: typically the segment PostgreSQL was still writing, pushed by hand. Refusing the
// finished segment when PostgreSQL archives it ("different content") would wedge archiving for
// good, so a verified copy takes the name; the old object is kept aside, never deleted, and a
// verified object is never replaced (docs/object-format.md, "Superseded objects").
#pragma once

#include <string>

#include "archive/local/commit.h"
#include "archive/local/layout.h"
#include "base/status.h"
#include "codec/fingerprint.h"
#include "io/io.h"
#include "wal/names.h"

namespace walpipe::archive {

struct Supersession {
  CommitOutcome outcome = CommitOutcome::kSuperseded;
  std::string aside;  // where the old object is kept, for kSuperseded
};

// `tmp` is a complete, durable object for `name` whose content passed validation and has the
// XXH3-128 `mine`, and `name` is taken. Holding an exclusive lock on the object under `name`:
//   - it holds `mine` → made durable → kAlreadyPresent, `tmp` left to the caller;
//   - it passed validation, or failed it and `mine` is not its replacement → kMismatch as
//     confirm_existing words it, `tmp` left to the caller;
//   - it was stored with --no-verify and failed validation →
//       1. a hard link to it as layout.superseded_path(name, its fingerprint), the superseded/
//          folder fsynced (a link left by an earlier try that stopped after this step is
//          taken as it is);
//       2. `tmp` renamed over `name`, the folders fsynced → kSuperseded with that path.
// A crash anywhere leaves the old object or the new one under `name`, and from the moment the
// new one is there, the old one durably under the kept name. Superseders of one name take
// turns on the lock; one that finds the name no longer holds the object it locked decides
// again against what it holds now.
Result<Supersession> supersede(io::Io& io, const Layout& layout, const wal::WalFileName& name,
                               const std::string& tmp, const Fingerprint& mine);

}  // namespace walpipe::archive
