#include "io/space.h"

#include <sys/stat.h>
#include <sys/statvfs.h>

#include <cerrno>

#include "io/fs.h"

namespace walpipe::io {

Result<uint64_t> size_at(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return errno_status(errno, "stat", path);
  return static_cast<uint64_t>(st.st_size);
}

double FilesystemSpace::used_percent() const {
  // df: used / (used + available), where used excludes the blocks reserved for root.
  return total_bytes == 0 ? 0.0 : 100.0 * static_cast<double>(total_bytes - free_bytes) /
                                      static_cast<double>(total_bytes);
}

Result<FilesystemSpace> filesystem_space(const std::string& path) {
  struct statvfs st;
  if (::statvfs(path.c_str(), &st) != 0) return errno_status(errno, "statvfs", path);
  FilesystemSpace space;
  const uint64_t unit = st.f_frsize;
  const uint64_t used = (st.f_blocks - st.f_bfree) * unit;
  space.free_bytes = st.f_bavail * unit;
  space.total_bytes = used + space.free_bytes;
  return space;
}

}  // namespace walpipe::io
