// Fault injection for tests, as a decorator over a real backend (EnvWrapper-style): the N-th
// operation of a kind fails with an errno, writes only part of its data, or the process is
// killed right before it. io_uring is invisible to strace and LD_PRELOAD, so this is how its
// paths and every step of the commit protocol are proven. Test code only: it is linked into the
// tests and into walpipe-fault, never into the engine or the shipped walpipe.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "io/io.h"

namespace walpipe::io {

struct Fault {
  enum class Action { kError, kShortWrite, kKill };
  // open, write, read, fsync, close, rename, unlink, mkdir, chmod, allocate, link, or "step"
  // (any); "rename" counts both renames, the one that never replaces and the one that does
  std::string op;
  int nth = 1;  // 1-based count of that op
  Action action = Action::kError;
  int err = 5;  // errno for kError (EIO by default)
};

// Parses "OP:N:ACTION[,…]" where ACTION is an errno name (EIO, ENOSPC, EDQUOT, EACCES, EROFS,
// EPERM, EINVAL — on a write, EINVAL is an O_DIRECT refusal),
// "short" or "kill"; e.g. "fsync:1:EIO" or "step:4:kill".
Result<std::vector<Fault>> parse_faults(const std::string& spec);

class FaultIo : public Io {
 public:
  FaultIo(std::unique_ptr<Io> inner, std::vector<Fault> faults);

  std::string describe() const override { return inner_->describe() + " with fault injection"; }
  Result<Fd> open(const std::string& path, int flags, mode_t mode) override;
  Status write_durably(const Fd& fd, uint64_t offset, Bytes data, const std::string& path) override;
  Status write_at(const Fd& fd, uint64_t offset, Bytes data, const std::string& path) override;
  Status set_mode(const Fd& fd, mode_t mode, const std::string& path) override;
  Status reserve(const Fd& fd, uint64_t size, const std::string& path) override;
  Result<MappedFile> map_read(const Fd& fd, size_t size, const std::string& path) override;
  Status read_exact(const Fd& fd, uint64_t offset, std::span<std::byte> out,
                    const std::string& path) override;
  Status fsync(const Fd& fd, const std::string& path) override;
  Status close(Fd& fd, const std::string& path) override;
  Status rename_noreplace(const std::string& from, const std::string& to) override;
  Status unlink(const std::string& path) override;
  Status mkdir(const std::string& path, mode_t mode, bool* created) override;
  Status link(const std::string& from, const std::string& to) override;
  Status rename_over(const std::string& from, const std::string& to) override;

 private:
  // Counts the op and returns the fault planned for this occurrence, killing the process
  // first when that is the plan.
  std::optional<Fault> hit(const char* op);
  Status injected(const Fault& fault, const char* what, const std::string& path) const;
  // `data` written through `write`, the inner backend's write_durably or write_at, as a "write"
  // fault has it: refused as O_DIRECT is, failed, or half of it written first for the backend
  // to finish.
  Status faulted_write(Status (Io::*write)(const Fd&, uint64_t, Bytes, const std::string&),
                       const Fd& fd, uint64_t offset, Bytes data, const std::string& path);

  std::unique_ptr<Io> inner_;
  std::vector<Fault> faults_;
  std::vector<std::pair<std::string, int>> counts_;
  int steps_ = 0;
  std::mutex mu_;  // get writes frames from several threads
};

}  // namespace walpipe::io
