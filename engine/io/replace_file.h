// Replaces a small file whole, so a reader sees the old content or the new, never a part: what
// node_exporter's textfile collector needs of a metrics file written by cron.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace walpipe::io {

// Writes `text` to a temporary file beside `path` (mode 0644), syncs it, renames it over `path`
// and syncs the folder. On failure the temporary is removed and `path` is untouched.
Status replace_file(const std::string& path, std::string_view text);

}  // namespace walpipe::io
