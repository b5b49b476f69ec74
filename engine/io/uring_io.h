// io_uring backend: O_DIRECT writes go out as a chain of linked write SQEs, for an object's
// last piece ending in a linked fdatasync, so the sync is ordered after every write
// (io_uring_enter(2): an unlinked fsync does not apply to earlier writes) and a failed write
// cancels it. Every CQE is checked; short reads and writes are resubmitted for the remainder.
// Metadata operations stay plain syscalls, and so do buffered writes without a sync (get's
// DEST): the ring would only hand those to a worker thread when the page cache needs memory.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "io/io.h"

namespace walpipe::io {

class UringIo : public SyncIo {
 public:
  // nullptr with *why filled when the kernel or a seccomp profile refuses io_uring.
  static std::unique_ptr<UringIo> create(std::string* why);
  ~UringIo() override;

  std::string describe() const override { return "io_uring"; }
  Status write_durably(const Fd& fd, uint64_t offset, Bytes data, const std::string& path) override;
  Status write_at(const Fd& fd, uint64_t offset, Bytes data, const std::string& path) override;
  Status read_exact(const Fd& fd, uint64_t offset, std::span<std::byte> out,
                    const std::string& path) override;

  // Failpoint for tests: rewrites the result of each read or write completion before it is
  // checked (a short count, -EIO), as a kernel could report it. No effect when unset.
  using CompletionFilter = std::function<int(int result)>;
  void set_completion_filter(CompletionFilter filter) { filter_ = std::move(filter); }

 private:
  int filtered(int result) const { return filter_ ? filter_(result) : result; }
  // Linked writes of `data` from `offset`, ending in a linked fdatasync when `then_sync`.
  Status write_chain(const Fd& fd, uint64_t offset, Bytes data, const std::string& path,
                     bool then_sync);
  struct Ring;
  explicit UringIo(std::unique_ptr<Ring> ring);
  std::unique_ptr<Ring> ring_;
  CompletionFilter filter_;
  // After a failed submit or wait the ring's state is unknown: later calls use plain syscalls.
  bool broken_ = false;
};

// What the caller asks for. The engine reads no environment: the command decides (from
// WALPIPE_IO) and passes the choice down.
enum class IoChoice { kAuto, kSync };

// The backend to use on this host: SyncIo when `choice` is kSync, else io_uring when it works and
// SyncIo when not; `why` says which and why.
std::unique_ptr<Io> make_default_io(IoChoice choice, std::string* why);

// make_default_io for code that needs one backend per thread; which backend and why is not
// kept (the command reports it once, for its own backend).
IoFactory default_io_factory(IoChoice choice);

}  // namespace walpipe::io
