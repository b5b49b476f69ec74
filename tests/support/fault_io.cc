#include "support/fault_io.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <iterator>
#include <mutex>
#include <string_view>

namespace walpipe::io {

namespace {

// The operations FaultIo counts (hit() is called with these), and "step" for any of them.
constexpr std::string_view kOps[] = {"open",   "write", "read",  "fsync",    "close", "rename",
                                     "unlink", "mkdir", "chmod", "allocate", "link",  "step"};

std::optional<int> errno_by_name(const std::string& name) {
  if (name == "EIO") return EIO;
  if (name == "ENOSPC") return ENOSPC;
  if (name == "EDQUOT") return EDQUOT;
  if (name == "EACCES") return EACCES;
  if (name == "EROFS") return EROFS;
  if (name == "EPERM") return EPERM;
  if (name == "EINVAL") return EINVAL;
  return std::nullopt;
}

}  // namespace

Result<std::vector<Fault>> parse_faults(const std::string& spec) {
  std::vector<Fault> faults;
  size_t start = 0;
  while (start <= spec.size()) {
    size_t end = spec.find(',', start);
    std::string item =
        spec.substr(start, end == std::string::npos ? std::string::npos : end - start);
    size_t c1 = item.find(':'), c2 = item.find(':', c1 == std::string::npos ? c1 : c1 + 1);
    if (c1 == std::string::npos || c2 == std::string::npos)
      return Status(Code::kInvalidArgument, "invalid fault \"" + item + "\": expected OP:N:ACTION");
    Fault f;
    f.op = item.substr(0, c1);
    // A misspelt operation would inject nothing, and a fault test would pass without its fault.
    if (std::find(std::begin(kOps), std::end(kOps), f.op) == std::end(kOps))
      return Status(Code::kInvalidArgument,
                    "unknown fault operation \"" + f.op + "\" in \"" + item + "\"");
    const std::string count = item.substr(c1 + 1, c2 - c1 - 1);
    auto [count_end, count_error] =
        std::from_chars(count.data(), count.data() + count.size(), f.nth);
    if (count_error != std::errc() || count_end != count.data() + count.size() || f.nth < 1)
      return Status(Code::kInvalidArgument, "invalid fault count in \"" + item + "\"");
    std::string action = item.substr(c2 + 1);
    if (action == "kill")
      f.action = Fault::Action::kKill;
    else if (action == "short")
      f.action = Fault::Action::kShortWrite;
    else if (auto e = errno_by_name(action))
      f.err = *e;
    else
      return Status(Code::kInvalidArgument, "invalid fault action \"" + action + "\"");
    faults.push_back(f);
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return faults;
}

FaultIo::FaultIo(std::unique_ptr<Io> inner, std::vector<Fault> faults)
    : inner_(std::move(inner)), faults_(std::move(faults)) {}

std::optional<Fault> FaultIo::hit(const char* op) {
  std::lock_guard<std::mutex> lock(mu_);
  ++steps_;
  int count = 0;
  for (auto& [name, n] : counts_)
    if (name == op) count = ++n;
  if (count == 0) {
    counts_.emplace_back(op, 1);
    count = 1;
  }
  for (const Fault& f : faults_) {
    bool match = (f.op == op && f.nth == count) || (f.op == "step" && f.nth == steps_);
    if (!match) continue;
    if (f.action == Fault::Action::kKill) ::kill(::getpid(), SIGKILL);
    return f;
  }
  return std::nullopt;
}

Status FaultIo::injected(const Fault& fault, const char* what, const std::string& path) const {
  return errno_status(fault.err, what, path);
}

namespace {

// As the real backends report an O_DIRECT write refused by the filesystem.
Status direct_refused(const std::string& path) {
  return Status(Code::kUnsupported, "could not write file \"" + path + "\": Invalid argument");
}

}  // namespace

Result<Fd> FaultIo::open(const std::string& path, int flags, mode_t mode) {
  if (auto f = hit("open")) return injected(*f, "open file", path);
  return inner_->open(path, flags, mode);
}

Status FaultIo::faulted_write(Status (Io::*write)(const Fd&, uint64_t, Bytes, const std::string&),
                              const Fd& fd, uint64_t offset, Bytes data, const std::string& path) {
  if (auto f = hit("write")) {
    if (f->action == Fault::Action::kError && f->err == EINVAL) return direct_refused(path);
    if (f->action != Fault::Action::kShortWrite) return injected(*f, "write file", path);
    // Half the data reaches the file and the call "succeeds" short: the backend must finish it.
    // Whole 4096-byte blocks, so that an O_DIRECT descriptor takes it too.
    WALPIPE_TRY(
        (inner_.get()->*write)(fd, offset, data.first(data.size() / 2 / 4096 * 4096), path));
  }
  return (inner_.get()->*write)(fd, offset, data, path);
}

Status FaultIo::write_durably(const Fd& fd, uint64_t offset, Bytes data, const std::string& path) {
  return faulted_write(&Io::write_durably, fd, offset, data, path);
}

Status FaultIo::write_at(const Fd& fd, uint64_t offset, Bytes data, const std::string& path) {
  return faulted_write(&Io::write_at, fd, offset, data, path);
}

Result<MappedFile> FaultIo::map_read(const Fd& fd, size_t size, const std::string& path) {
  if (auto f = hit("read")) return injected(*f, "map file", path);
  return inner_->map_read(fd, size, path);
}

Status FaultIo::set_mode(const Fd& fd, mode_t mode, const std::string& path) {
  if (auto f = hit("chmod")) return injected(*f, "change the mode of", path);
  return inner_->set_mode(fd, mode, path);
}

Status FaultIo::reserve(const Fd& fd, uint64_t size, const std::string& path) {
  if (auto f = hit("allocate")) return injected(*f, "allocate space for", path);
  return inner_->reserve(fd, size, path);
}

Status FaultIo::read_exact(const Fd& fd, uint64_t offset, std::span<std::byte> out,
                           const std::string& path) {
  if (auto f = hit("read")) return injected(*f, "read file", path);
  return inner_->read_exact(fd, offset, out, path);
}

Status FaultIo::fsync(const Fd& fd, const std::string& path) {
  if (auto f = hit("fsync")) return injected(*f, "fsync", path);
  return inner_->fsync(fd, path);
}

Status FaultIo::close(Fd& fd, const std::string& path) {
  if (auto f = hit("close")) {
    Status ignored = inner_->close(fd, path);
    (void)ignored;
    return injected(*f, "close file", path);
  }
  return inner_->close(fd, path);
}

Status FaultIo::rename_noreplace(const std::string& from, const std::string& to) {
  if (auto f = hit("rename")) return injected(*f, "rename file to", to);
  return inner_->rename_noreplace(from, to);
}

Status FaultIo::unlink(const std::string& path) {
  if (auto f = hit("unlink")) return injected(*f, "remove file", path);
  return inner_->unlink(path);
}

Status FaultIo::mkdir(const std::string& path, mode_t mode, bool* created) {
  if (auto f = hit("mkdir")) return injected(*f, "create directory", path);
  return inner_->mkdir(path, mode, created);
}

Status FaultIo::link(const std::string& from, const std::string& to) {
  if (auto f = hit("link")) return injected(*f, "link file to", to);
  return inner_->link(from, to);
}

Status FaultIo::rename_over(const std::string& from, const std::string& to) {
  if (auto f = hit("rename")) return injected(*f, "rename file to", to);
  return inner_->rename_over(from, to);
}

}  // namespace walpipe::io
