// Plain file access for the engine: RAII descriptors, full reads, directory listing. The one
// place where errno becomes a Status with words ("could not open file \"X\": Permission denied").
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"

namespace walpipe::io {

// errno → Status: ENOSPC/EDQUOT → kNoSpace, ENOENT → kNotFound, others → kIoError.
Status errno_status(int err, const std::string& what, const std::string& path);

// The path of a status made by errno_status for EACCES or EPERM, else nothing: callers that know
// where the path lives (the archive) add who owns it and how to fix it.
std::optional<std::string> denied_path(const Status& status);

class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd();
  Fd(Fd&& other) noexcept : fd_(other.release()) {}
  Fd& operator=(Fd&& other) noexcept;
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_ = -1;
};

// A read-only view of a whole file, unmapped on destruction.
class MappedFile {
 public:
  MappedFile() = default;
  MappedFile(std::byte* data, size_t size) : data_(data), size_(size) {}
  ~MappedFile() { unmap(); }
  MappedFile(MappedFile&& other) noexcept
      : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}
  MappedFile& operator=(MappedFile&& other) noexcept {
    if (this != &other) {
      unmap();
      data_ = std::exchange(other.data_, nullptr);
      size_ = std::exchange(other.size_, 0);
    }
    return *this;
  }
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  Bytes bytes() const { return Bytes(data_, size_); }

 private:
  void unmap();
  std::byte* data_ = nullptr;
  size_t size_ = 0;
};

// Maps all `size` bytes of a file read-only; pages are mapped as they are first read. For files
// nobody truncates while they are read (PostgreSQL never truncates a WAL segment). Costs no copy
// and no fresh memory. A file of size 0 maps to an empty view.
Result<MappedFile> map_file(const Fd& fd, size_t size, const std::string& path);

Result<Fd> open_for_read(const std::string& path);
Result<uint64_t> file_size(const Fd& fd, const std::string& path);

// Reads exactly out.size() bytes at `offset`, retrying short reads and EINTR; a file that ends
// first is kCorruption ("unexpected end of file").
Status read_exact(const Fd& fd, uint64_t offset, std::span<std::byte> out, const std::string& path);

// Reads up to out.size() bytes at `offset`; returns how many (0 at end of file).
Result<size_t> read_some(const Fd& fd, uint64_t offset, std::span<std::byte> out,
                         const std::string& path);

enum class EntryType { kFile, kDirectory, kOther };

struct DirEntry {
  std::string name;
  EntryType type;
};

// Entries of a directory, "." and ".." left out, sorted by name. A symbolic link has the type of
// what it points to, except that a link to a directory is kOther: walks never follow one.
Result<std::vector<DirEntry>> list_directory(const std::string& path);

// The first `limit` entries of a directory whose names sort after `after` and that `keep`
// accepts (all when it is empty), in name order. Memory is bounded by `limit` however many
// entries the directory holds; a caller pages through a large directory by passing the last
// name it received as `after`.
Result<std::vector<DirEntry>> list_directory_window(
    const std::string& path, std::string_view after, size_t limit,
    const std::function<bool(std::string_view name)>& keep = {});

Result<EntryType> entry_type(const std::string& path);

// What stat says of a file or folder (of what a symbolic link points to).
struct EntryInfo {
  EntryType type = EntryType::kOther;
  uid_t uid = 0;
  gid_t gid = 0;
  mode_t mode = 0;  // permission bits
  dev_t device = 0;
  ino_t inode = 0;
  bool same_file(const EntryInfo& other) const {
    return device == other.device && inode == other.inode;
  }
};
Result<EntryInfo> entry_info(const std::string& path);
Result<EntryInfo> entry_info(const Fd& fd, const std::string& path);

// Gives a file or folder to `uid`:`gid` (the folder or link itself, never what a link points to).
Status set_owner(const Fd& fd, uid_t uid, gid_t gid, const std::string& path);
Status set_owner(const std::string& path, uid_t uid, gid_t gid);

// The user this process acts as, and a user's name ("uid N" when it has none).
uid_t effective_uid();
std::string user_name(uid_t uid);

// Waits for an exclusive flock(2) on the file; it is released when the descriptor is closed
// (also by the kernel when the process dies).
Status lock_exclusive(const Fd& fd, const std::string& path);

// Makes `to` a second name of the file `from` (a hard link); an existing `to` is kMismatch.
Status link_file(const std::string& from, const std::string& to);

// Moves `from` over `to`, replacing what `to` names atomically: at every instant, also across a
// crash, `to` names the old file or the new one. For the one step that may replace (supersede.h).
Status rename_over(const std::string& from, const std::string& to);

// Removes the empty directory `path`.
Status remove_directory(const std::string& path);

// The last component of `path`, and the folder before it ("." when there is none).
std::string base_name(const std::string& path);
std::string dir_name(const std::string& path);

// Seconds since the file at `path` was last modified (0 when its clock is in the future).
Result<int64_t> seconds_since_modified(const std::string& path);

}  // namespace walpipe::io
