// What `walpipe --version` prints: walpipe's own version, then one line per library it runs
// with, so that a bug report names the exact zstd, liburing, xxHash, ISA-L and libpq in use.
#pragma once

#include <string>

namespace walpipe::cli {

// The version text, one "NAME VERSION (SOURCE)" line per component, walpipe's first:
//   walpipe 0.1.0
//   libzstd 1.5.4 (run time)
// SOURCE is "run time" when the loaded library reported it, "compiled in" for a header-only
// library, and "built against" when the library has no way to report its version at run time
// (the version is then pkg-config's at build time; the soname still pins the major version).
// libpq is loaded only by the commands that talk to a server, so its line names them; when it
// cannot be loaded the line says "libpq not found" and how to install it.
std::string version_text();

}  // namespace walpipe::cli
