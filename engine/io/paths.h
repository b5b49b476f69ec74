// Where a path really leads: the current directory, lexical normalisation, and symbolic links
// resolved along the part of a path that exists. The commands use these to refuse an archive that
// would lie inside a PostgreSQL data directory (PostgreSQL runs archive_command and
// restore_command there, and pg_basebackup copies everything below it).
#pragma once

#include <string>

#include "base/status.h"

namespace walpipe::io {

// The current directory as the kernel knows it (absolute, symbolic links resolved).
Result<std::string> current_directory();

// `path` joined to `base` when it is relative, then normalised without touching the filesystem:
// empty and "." components dropped, ".." takes back the component before it (never above "/").
// `base` must be absolute when `path` is relative. The result is absolute and has no trailing
// slash except for "/" itself.
std::string absolute_normal(const std::string& base, const std::string& path);

// The absolute path `path` (see absolute_normal) with symbolic links resolved along its longest
// prefix that exists, and the rest (which does not exist yet, so holds no link) appended
// lexically. A prefix that cannot be resolved (no permission) counts as not existing. Never
// fails: "/" always resolves.
std::string resolve_existing_prefix(const std::string& path);

// Whether the normalised absolute path `path` is `dir` itself or lies below it, comparing whole
// components ("/data2" is not inside "/data").
bool is_within(const std::string& path, const std::string& dir);

}  // namespace walpipe::io
