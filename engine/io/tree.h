// Whole folders for a command that works in a scratch directory of its own (drill): make one
// under a parent, write its small files, and remove it with everything in it.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"
#include "io/fs.h"

namespace walpipe::io {

// Creates a new folder in `parent` (mode 0700) named `prefix` and six characters that make the
// name one no one else has; returns its path.
Result<std::string> make_temp_dir(const std::string& parent, const std::string& prefix);

// Creates the file `path`, which must not exist, holding `text`, with permission bits `mode`.
// Not synced: for scratch files that do not outlive the command.
Status write_new_file(const std::string& path, std::string_view text, mode_t mode);

// Opens (creating it, mode 0600) a file to append to, for a child process's output.
Result<Fd> open_for_append(const std::string& path);

// Removes `path` and everything below it, without following symbolic links out of it. A path
// that does not exist is no error.
Status remove_tree(const std::string& path);

}  // namespace walpipe::io
