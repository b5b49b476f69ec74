#include "io/links.h"

#include <unistd.h>

#include <cerrno>
#include <vector>

#include "io/fs.h"

namespace walpipe::io {

Result<std::string> read_link(const std::string& path) {
  std::vector<char> buffer(256);
  for (;;) {
    ssize_t n = ::readlink(path.c_str(), buffer.data(), buffer.size());
    if (n < 0 && errno == EINVAL)
      return Status(Code::kInvalidArgument, "\"" + path + "\" is not a symbolic link");
    if (n < 0) return errno_status(errno, "read symbolic link", path);
    // readlink cuts a target that does not fit without saying so: try again with more room.
    if (static_cast<size_t>(n) < buffer.size()) return std::string(buffer.data(), n);
    buffer.resize(buffer.size() * 2);
  }
}

}  // namespace walpipe::io
