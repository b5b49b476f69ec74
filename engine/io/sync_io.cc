#include <fcntl.h>
#include <linux/fs.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include "io/io.h"

namespace walpipe::io {

Result<Fd> SyncIo::open(const std::string& path, int flags, mode_t mode) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
  if (fd < 0 && errno == EINVAL && (flags & O_DIRECT))
    return Status(Code::kUnsupported,
                  "could not open file \"" + path + "\": the filesystem does not support O_DIRECT");
  if (fd < 0) return errno_status(errno, "open file", path);
  return Fd(fd);
}

Status SyncIo::write_durably(const Fd& fd, uint64_t offset, Bytes data, const std::string& path) {
  WALPIPE_TRY(write_at(fd, offset, data, path));
  if (::fdatasync(fd.get()) != 0) return errno_status(errno, "fdatasync file", path);
  return Status::ok();
}

Status SyncIo::write_at(const Fd& fd, uint64_t offset, Bytes data, const std::string& path) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::pwrite(fd.get(), data.data() + done, data.size() - done,
                         static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EINVAL)  // O_DIRECT refused at write time (FUSE, NFS): the caller may retry
        return Status(Code::kUnsupported,
                      "could not write file \"" + path + "\": Invalid argument");
      return errno_status(errno, "write file", path);
    }
    if (n == 0) return Status(Code::kIoError, "could not write file \"" + path + "\": no progress");
    done += static_cast<size_t>(n);  // a short write is resumed, never taken as complete
  }
  return Status::ok();
}

Result<MappedFile> SyncIo::map_read(const Fd& fd, size_t size, const std::string& path) {
  return map_file(fd, size, path);
}

Status SyncIo::set_mode(const Fd& fd, mode_t mode, const std::string& path) {
  if (::fchmod(fd.get(), mode) != 0) return errno_status(errno, "change the mode of", path);
  return Status::ok();
}

Status SyncIo::reserve(const Fd& fd, uint64_t size, const std::string& path) {
  for (;;) {
    if (::fallocate(fd.get(), 0, 0, static_cast<off_t>(size)) == 0) return Status::ok();
    if (errno == EINTR) continue;
    if (errno == EOPNOTSUPP || errno == ENOSYS) return Status::ok();
    return errno_status(errno, "allocate space for", path);
  }
}

Status SyncIo::read_exact(const Fd& fd, uint64_t offset, std::span<std::byte> out,
                          const std::string& path) {
  return io::read_exact(fd, offset, out, path);
}

Status SyncIo::fsync(const Fd& fd, const std::string& path) {
  if (::fsync(fd.get()) != 0) return errno_status(errno, "fsync", path);
  return Status::ok();
}

Status SyncIo::close(Fd& fd, const std::string& path) {
  int raw = fd.release();
  // Linux releases the descriptor even when close() fails, so it is never retried.
  if (raw >= 0 && ::close(raw) != 0) return errno_status(errno, "close file", path);
  return Status::ok();
}

Status SyncIo::rename_noreplace(const std::string& from, const std::string& to) {
  if (::syscall(SYS_renameat2, AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0)
    return Status::ok();
  int err = errno;
  if (err == EEXIST) return Status(Code::kMismatch, "\"" + to + "\" already exists");
  if (err != EINVAL && err != ENOSYS) return errno_status(err, "rename file to", to);
  // Filesystems without RENAME_NOREPLACE: link() refuses to replace as well.
  if (::link(from.c_str(), to.c_str()) != 0) {
    err = errno;
    if (err == EEXIST) return Status(Code::kMismatch, "\"" + to + "\" already exists");
    return errno_status(err, "link file to", to);
  }
  if (::unlink(from.c_str()) != 0) return errno_status(errno, "remove file", from);
  return Status::ok();
}

Status SyncIo::unlink(const std::string& path) {
  if (::unlink(path.c_str()) != 0) return errno_status(errno, "remove file", path);
  return Status::ok();
}

Status SyncIo::mkdir(const std::string& path, mode_t mode, bool* created) {
  *created = false;
  if (::mkdir(path.c_str(), mode) == 0) {
    *created = true;
    return Status::ok();
  }
  if (errno == EEXIST) {
    struct stat st;
    if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) return Status::ok();
    return Status(Code::kIoError,
                  "could not create directory \"" + path + "\": a file is in the way");
  }
  return errno_status(errno, "create directory", path);
}

}  // namespace walpipe::io
