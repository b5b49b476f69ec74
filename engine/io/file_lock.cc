#include "io/file_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>

namespace walpipe::io {

Result<LockFile> LockFile::open(const std::string& path, Access access) {
  const int flags = (access == Access::kRead ? O_RDONLY : O_RDWR) | O_CLOEXEC;
  int fd = ::open(path.c_str(), flags);
  if (fd < 0) return errno_status(errno, "open", path);
  return LockFile(Fd(fd), path);
}

Result<LockFile> LockFile::create(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return errno_status(errno, "open", path);
  return LockFile(Fd(fd), path);
}

bool LockFile::try_lock_exclusive() { return ::flock(fd_.get(), LOCK_EX | LOCK_NB) == 0; }

bool LockFile::try_lock_shared() { return ::flock(fd_.get(), LOCK_SH | LOCK_NB) == 0; }

Status LockFile::truncate() {
  if (::ftruncate(fd_.get(), 0) != 0) return errno_status(errno, "truncate", path_);
  return Status::ok();
}

Status LockFile::write_at_start(std::string_view text) {
  ssize_t n = ::pwrite(fd_.get(), text.data(), text.size(), 0);
  if (n < 0) return errno_status(errno, "write", path_);
  if (static_cast<size_t>(n) != text.size())
    return Status(Code::kIoError, "could not write \"" + path_ + "\": short write");
  return Status::ok();
}

Result<size_t> LockFile::read_at_start(std::span<char> out) {
  ssize_t n = ::pread(fd_.get(), out.data(), out.size(), 0);
  if (n < 0) return errno_status(errno, "read", path_);
  return static_cast<size_t>(n);
}

}  // namespace walpipe::io
