#include "io/replace_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "io/fs.h"

namespace walpipe::io {

namespace {

Status write_all(int fd, std::string_view text, const std::string& path) {
  while (!text.empty()) {
    ssize_t n = ::write(fd, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno_status(errno, "write file", path);
    text.remove_prefix(static_cast<size_t>(n));
  }
  return Status::ok();
}

Status write_synced(const std::string& temp, std::string_view text) {
  Fd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
  if (!fd.valid()) return errno_status(errno, "create file", temp);
  WALPIPE_TRY(write_all(fd.get(), text, temp));
  if (::fsync(fd.get()) != 0) return errno_status(errno, "fsync", temp);
  if (::close(fd.release()) != 0) return errno_status(errno, "close file", temp);
  return Status::ok();
}

}  // namespace

Status replace_file(const std::string& path, std::string_view text) {
  // A leading dot: the textfile collector reads only names ending in .prom, and ls hides it.
  const std::string dir = dir_name(path);
  const std::string temp = dir + "/." + base_name(path) + "." + std::to_string(::getpid());
  Status written = write_synced(temp, text);
  if (written.is_ok() && ::rename(temp.c_str(), path.c_str()) != 0)
    written = errno_status(errno, "rename file to", path);
  if (!written.is_ok()) {
    ::unlink(temp.c_str());
    return written;
  }
  Fd folder(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!folder.valid()) return errno_status(errno, "open folder", dir);
  if (::fsync(folder.get()) != 0) return errno_status(errno, "fsync", dir);
  return Status::ok();
}

}  // namespace walpipe::io
