// Plain file access for the engine: RAII descriptors, full reads, directory listing. The one
// place where errno becomes a Status with words ("could not open file \"X\": Permission denied").
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/status.h"

namespace walpipe::io {

// errno → Status: ENOSPC/EDQUOT → kNoSpace, ENOENT → kNotFound, others → kIoError.
Status errno_status(int err, const std::string& what, const std::string& path);

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

// Entries of a directory, "." and ".." left out, sorted by name.
Result<std::vector<DirEntry>> list_directory(const std::string& path);

Result<EntryType> entry_type(const std::string& path);

// Seconds since the file at `path` was last modified (0 when its clock is in the future).
Result<int64_t> seconds_since_modified(const std::string& path);

}  // namespace walpipe::io
