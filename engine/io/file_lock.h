// Lock files for the one detached worker of an archive or a spool (pipeline/worker_lock.h): a
// file whose flock(2) says whether a worker is at work, and whose first bytes hold what it is at
// work on. Locks are only tried, never waited for: a caller that waits polls, and asks other
// questions between two tries (is the file there yet?). errno becomes a Status here.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "base/status.h"
#include "io/fs.h"

namespace walpipe::io {

class LockFile {
 public:
  enum class Access { kRead, kReadWrite };

  // Opens the existing lock file at `path`; kNotFound when there is none ("could not open").
  static Result<LockFile> open(const std::string& path, Access access);
  // Opens the lock file at `path` for reading and writing, created (mode 0600) when absent.
  static Result<LockFile> create(const std::string& path);

  // flock(2) without waiting; true when taken. A lock belongs to the open file description: a
  // forked child shares it, and it is released once every descriptor of it is closed (also by
  // the kernel when the processes holding them die), whatever one of them closes.
  bool try_lock_exclusive();
  bool try_lock_shared();

  // Empties the file.
  Status truncate();
  // Writes `text` at offset 0 in one write(2), not synced: what a lock file holds is lost with
  // the worker that wrote it anyway.
  Status write_at_start(std::string_view text);
  // Reads from offset 0 into `out` in one read(2); the number of bytes read.
  Result<size_t> read_at_start(std::span<char> out);

  const std::string& path() const { return path_; }

 private:
  LockFile(Fd fd, std::string path) : fd_(std::move(fd)), path_(std::move(path)) {}

  Fd fd_;
  std::string path_;
};

}  // namespace walpipe::io
