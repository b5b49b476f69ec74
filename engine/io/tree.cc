#include "io/tree.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <system_error>
#include <vector>

namespace walpipe::io {

Result<std::string> make_temp_dir(const std::string& parent, const std::string& prefix) {
  // mkdtemp replaces the six trailing X with characters of its choosing.
  std::string pattern = parent + "/" + prefix + std::string(6, 'X');
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  if (::mkdtemp(buffer.data()) == nullptr) return errno_status(errno, "create a folder in", parent);
  return std::string(buffer.data());
}

Status write_new_file(const std::string& path, std::string_view text, mode_t mode) {
  Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode));
  if (!fd.valid()) return errno_status(errno, "create file", path);
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd.get(), text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno_status(errno, "write file", path);
    done += static_cast<size_t>(n);
  }
  // The umask may have taken bits away; the caller asked for these.
  if (::fchmod(fd.get(), mode) != 0) return errno_status(errno, "set the mode of file", path);
  return Status::ok();
}

Result<Fd> open_for_append(const std::string& path) {
  Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600));
  if (!fd.valid()) return errno_status(errno, "open file", path);
  return fd;
}

Status remove_tree(const std::string& path) {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
  if (ec) return errno_status(ec.value(), "remove folder", path);
  return Status::ok();
}

}  // namespace walpipe::io
