// Symbolic links: walpipe drill reads where a plain backup's pg_tblspc/OID links point, to copy
// each tablespace into its scratch folder instead of recovering into it where it is.
#pragma once

#include <string>

#include "base/status.h"

namespace walpipe::io {

// The text of the symbolic link `path`, as readlink gives it (a relative target stays relative);
// kInvalidArgument when `path` is not a symbolic link, kNotFound when it does not exist.
Result<std::string> read_link(const std::string& path);

}  // namespace walpipe::io
