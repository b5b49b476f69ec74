// The seam between the engine and the kernel for archive objects. Every filesystem step of the
// commit protocol goes through one Io, so tests can swap the backend (io_uring or plain
// syscalls) and inject faults at any step (tests/support/fault_io.h), which strace and LD_PRELOAD
// cannot do for io_uring. Implementations are used by one thread at a time.
#pragma once

#include <sys/types.h>

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <utility>

#include "base/bytes.h"
#include "base/status.h"
#include "io/fs.h"

namespace walpipe::io {

class Io {
 public:
  virtual ~Io() = default;

  // "io_uring" or "sync", and why a fallback was chosen, for --verbose output.
  virtual std::string describe() const = 0;

  virtual Result<Fd> open(const std::string& path, int flags, mode_t mode) = 0;
  // Writes all of `data` at `offset`, then fdatasync: success means everything written to the
  // file so far is durable. With O_DIRECT, `data` and `offset` must be 4096-aligned.
  virtual Status write_durably(const Fd& fd, uint64_t offset, Bytes data,
                               const std::string& path) = 0;
  // Writes all of `data` at `offset` with no sync (an object's pieces before its last, files
  // that can be fetched again). With O_DIRECT, `data` and `offset` must be 4096-aligned.
  virtual Status write_at(const Fd& fd, uint64_t offset, Bytes data, const std::string& path) = 0;
  virtual Status read_exact(const Fd& fd, uint64_t offset, std::span<std::byte> out,
                            const std::string& path) = 0;
  // Maps all `size` bytes of a file read-only. For files nobody truncates while they are read
  // (PostgreSQL never truncates a WAL segment): reading them costs no copy and no fresh memory.
  // A file of size 0 maps to an empty view.
  virtual Result<MappedFile> map_read(const Fd& fd, size_t size, const std::string& path) = 0;
  // Sets the mode whatever the umask made of it.
  virtual Status set_mode(const Fd& fd, mode_t mode, const std::string& path) = 0;
  // Allocates the first `size` bytes of a file about to be written in full: a full disk shows
  // before any data is written, and the writes skip reserving space page by page. A filesystem
  // that cannot preallocate is success; the writes then reserve as they go.
  virtual Status reserve(const Fd& fd, uint64_t size, const std::string& path) = 0;
  // fsync of a file or a directory. An error is final for that descriptor (never retried).
  virtual Status fsync(const Fd& fd, const std::string& path) = 0;
  // Closes and reports the error close() returns (NFS and quotas report write errors there).
  virtual Status close(Fd& fd, const std::string& path) = 0;
  // Moves `from` to `to` only if `to` does not exist: kMismatch-free EEXIST becomes
  // Code::kMismatch so the caller can compare contents.
  virtual Status rename_noreplace(const std::string& from, const std::string& to) = 0;
  virtual Status unlink(const std::string& path) = 0;
  // Creates a directory; an existing one is success (created = false).
  virtual Status mkdir(const std::string& path, mode_t mode, bool* created) = 0;
  // The two steps of superseding an object (archive/supersede.h), rare enough for plain
  // syscalls on every backend: a second name for a file (an existing `to` is kMismatch), and
  // the one rename that replaces.
  virtual Status link(const std::string& from, const std::string& to) {
    return link_file(from, to);
  }
  virtual Status rename_over(const std::string& from, const std::string& to) {
    return io::rename_over(from, to);
  }
};

// Makes one Io per thread: a backend's state (a ring) belongs to the thread that uses it.
using IoFactory = std::function<std::unique_ptr<Io>()>;

// Plain blocking syscalls; the fallback when io_uring or O_DIRECT is refused.
class SyncIo : public Io {
 public:
  std::string describe() const override { return "sync"; }
  Result<Fd> open(const std::string& path, int flags, mode_t mode) override;
  Status write_durably(const Fd& fd, uint64_t offset, Bytes data, const std::string& path) override;
  Status write_at(const Fd& fd, uint64_t offset, Bytes data, const std::string& path) override;
  Status read_exact(const Fd& fd, uint64_t offset, std::span<std::byte> out,
                    const std::string& path) override;
  Result<MappedFile> map_read(const Fd& fd, size_t size, const std::string& path) override;
  Status set_mode(const Fd& fd, mode_t mode, const std::string& path) override;
  Status reserve(const Fd& fd, uint64_t size, const std::string& path) override;
  Status fsync(const Fd& fd, const std::string& path) override;
  Status close(Fd& fd, const std::string& path) override;
  Status rename_noreplace(const std::string& from, const std::string& to) override;
  Status unlink(const std::string& path) override;
  Status mkdir(const std::string& path, mode_t mode, bool* created) override;
};

}  // namespace walpipe::io
