// Sizes the operator commands report: one file's size by path, and a filesystem's capacity.
#pragma once

#include <cstdint>
#include <string>

#include "base/status.h"

namespace walpipe::io {

// The size of the file at `path` (one stat, no open: a listing of 10,000 objects asks 10,000).
Result<uint64_t> size_at(const std::string& path);

struct FilesystemSpace {
  uint64_t total_bytes = 0;
  uint64_t free_bytes = 0;  // available to an unprivileged user, as df shows it
  // Used share of what an unprivileged user can have, in percent, as df computes it.
  double used_percent() const;
};
Result<FilesystemSpace> filesystem_space(const std::string& path);

}  // namespace walpipe::io
