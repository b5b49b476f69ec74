// walpipe.json in a local archive's root: read, and written once by the first push of a WAL
// segment (durably, never replaced), so that a second cluster pointed at the same folder is
// refused before it writes anything.
#pragma once

#include <optional>

#include "archive/identity.h"
#include "archive/local/layout.h"
#include "base/status.h"
#include "io/io.h"

namespace walpipe::archive {

// The archive's identity, or nullopt when none has been written yet.
Result<std::optional<Identity>> load_identity_file(io::Io& io, const Layout& layout);

// Compares `mine` with walpipe.json, and creates it when there is none (needs ARCHIVE/.tmp).
Status check_or_create_identity_file(io::Io& io, const Layout& layout, const Identity& mine);

}  // namespace walpipe::archive
