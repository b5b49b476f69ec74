#include "io/uring_io.h"

#include <fcntl.h>
#include <liburing.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace walpipe::io {

namespace {
constexpr unsigned kQueueDepth = 32;
constexpr size_t kChunk = 1 << 20;  // bytes per write or read SQE
// Tag of the fdatasync CQE; write/read CQEs carry their chunk index.
constexpr uint64_t kSyncTag = UINT64_MAX;

// Submits the `count` SQEs prepared in `ring`, then waits for every one of their CQEs and hands
// its tag and result to `reap`, in the order they complete. A failed submit or wait sets *broken:
// SQEs or CQEs may be left in the ring, which is never trusted again.
template <typename Reap>
Status submit_and_reap(io_uring* ring, size_t count, const std::string& path, bool* broken,
                       Reap reap) {
  int submitted = io_uring_submit_and_wait(ring, static_cast<unsigned>(count));
  if (submitted < 0 || static_cast<size_t>(submitted) != count) {
    *broken = true;
    return errno_status(submitted < 0 ? -submitted : EIO, "submit I/O for", path);
  }
  for (size_t reaped = 0; reaped < count; ++reaped) {
    io_uring_cqe* cqe = nullptr;
    int ret = io_uring_wait_cqe(ring, &cqe);
    if (ret < 0) {
      *broken = true;
      return errno_status(-ret, "wait for I/O on", path);
    }
    uint64_t tag = io_uring_cqe_get_data64(cqe);
    int res = cqe->res;
    io_uring_cqe_seen(ring, cqe);
    reap(tag, res);
  }
  return Status::ok();
}
}  // namespace

struct UringIo::Ring {
  io_uring ring{};
  ~Ring() { io_uring_queue_exit(&ring); }
};

UringIo::UringIo(std::unique_ptr<Ring> ring) : ring_(std::move(ring)) {}
UringIo::~UringIo() = default;

std::unique_ptr<UringIo> UringIo::create(std::string* why) {
  auto ring = std::make_unique<Ring>();
  int ret = io_uring_queue_init(kQueueDepth, &ring->ring, 0);
  if (ret < 0) {
    *why = std::string("io_uring refused: ") + std::strerror(-ret);
    if (ret == -EPERM) *why += " (seccomp profile or kernel.io_uring_disabled?)";
    // The destructor must not tear down a ring that was never set up.
    ring.release();
    return nullptr;
  }
  *why = "io_uring";
  return std::unique_ptr<UringIo>(new UringIo(std::move(ring)));
}

Status UringIo::write_durably(const Fd& fd, uint64_t offset, Bytes data, const std::string& path) {
  if (broken_) return SyncIo::write_durably(fd, offset, data, path);
  return write_chain(fd, offset, data, path, true);
}

Status UringIo::write_at(const Fd& fd, uint64_t offset, Bytes data, const std::string& path) {
  int flags = ::fcntl(fd.get(), F_GETFL);
  if (broken_ || flags < 0 || (flags & O_DIRECT) == 0)
    return SyncIo::write_at(fd, offset, data, path);
  return write_chain(fd, offset, data, path, false);
}

Status UringIo::write_chain(const Fd& fd, uint64_t offset, Bytes data, const std::string& path,
                            bool then_sync) {
  io_uring* ring = &ring_->ring;
  size_t done = 0;  // bytes confirmed written, in order
  while (done < data.size()) {
    // One chain: up to kQueueDepth-1 linked writes from `done`, then a linked fdatasync when
    // the chain reaches the end of the data.
    size_t chunks = 0;
    size_t chain_end = done;
    while (chain_end < data.size() && chunks < kQueueDepth - 1) {
      size_t len = std::min(kChunk, data.size() - chain_end);
      io_uring_sqe* sqe = io_uring_get_sqe(ring);
      WALPIPE_CHECK(sqe != nullptr);
      io_uring_prep_write(sqe, fd.get(), data.data() + chain_end, static_cast<unsigned>(len),
                          offset + chain_end);
      sqe->flags |= IOSQE_IO_LINK;
      io_uring_sqe_set_data64(sqe, chunks);
      chain_end += len;
      ++chunks;
    }
    const bool with_sync = then_sync && chain_end == data.size();
    io_uring_sqe* sqe = io_uring_get_sqe(ring);
    WALPIPE_CHECK(sqe != nullptr);
    if (with_sync) {
      io_uring_prep_fsync(sqe, fd.get(), IORING_FSYNC_DATASYNC);
    } else {
      io_uring_prep_nop(sqe);  // ends the chain so the next batch starts unlinked
    }
    io_uring_sqe_set_data64(sqe, kSyncTag);

    // Reap every CQE of the chain before deciding: a short write ends the chain and cancels
    // the rest (-ECANCELED), including the fdatasync, which is then never taken as proof.
    size_t first_short = SIZE_MAX;
    int write_error = 0, sync_result = 0;
    Status reaped = submit_and_reap(ring, chunks + 1, path, &broken_, [&](uint64_t tag, int res) {
      if (tag == kSyncTag) {
        sync_result = res;
        return;
      }
      res = filtered(res);
      size_t start = done + tag * kChunk;
      size_t want = std::min(kChunk, data.size() - start);
      if (res == -ECANCELED) return;
      if (res < 0 && write_error == 0) write_error = -res;
      if (res >= 0 && static_cast<size_t>(res) < want)
        first_short = std::min(first_short, start + static_cast<size_t>(res));
    });
    if (!reaped.is_ok()) return reaped;
    if (write_error == EINVAL)  // O_DIRECT refused at write time: the caller may retry buffered
      return Status(Code::kUnsupported, "could not write file \"" + path + "\": Invalid argument");
    if (write_error != 0) return errno_status(write_error, "write file", path);
    if (first_short != SIZE_MAX) {
      if (first_short == done)
        return Status(Code::kIoError, "could not write file \"" + path + "\": no progress");
      done = first_short;  // resubmit from the first byte not written
      continue;
    }
    if (with_sync && sync_result < 0) return errno_status(-sync_result, "fdatasync file", path);
    done = chain_end;
  }
  if (data.empty() && then_sync) return SyncIo::write_durably(fd, offset, data, path);
  return Status::ok();
}

Status UringIo::read_exact(const Fd& fd, uint64_t offset, std::span<std::byte> out,
                           const std::string& path) {
  if (broken_) return SyncIo::read_exact(fd, offset, out, path);
  io_uring* ring = &ring_->ring;
  size_t done = 0;
  while (done < out.size()) {
    size_t chunks = 0;
    for (size_t pos = done; pos < out.size() && chunks < kQueueDepth; pos += kChunk, ++chunks) {
      size_t len = std::min(kChunk, out.size() - pos);
      io_uring_sqe* sqe = io_uring_get_sqe(ring);
      WALPIPE_CHECK(sqe != nullptr);
      io_uring_prep_read(sqe, fd.get(), out.data() + pos, static_cast<unsigned>(len), offset + pos);
      io_uring_sqe_set_data64(sqe, chunks);
    }
    size_t first_short = SIZE_MAX;
    int error = 0;
    bool at_eof = false;
    Status reaped = submit_and_reap(ring, chunks, path, &broken_, [&](uint64_t tag, int res) {
      res = filtered(res);
      size_t pos = done + tag * kChunk;
      size_t want = std::min(kChunk, out.size() - pos);
      if (res < 0 && error == 0) error = -res;
      if (res == 0) at_eof = true;
      if (res >= 0 && static_cast<size_t>(res) < want)
        first_short = std::min(first_short, pos + static_cast<size_t>(res));
    });
    if (!reaped.is_ok()) return reaped;
    if (error != 0) return errno_status(error, "read file", path);
    if (first_short != SIZE_MAX) {
      if (at_eof && first_short == done)
        return Status(Code::kCorruption, "could not read file \"" + path + "\": read " +
                                             std::to_string(done) + " of " +
                                             std::to_string(out.size()) + " bytes");
      done = first_short;
      continue;
    }
    done = std::min(out.size(), done + chunks * kChunk);
  }
  return Status::ok();
}

IoFactory default_io_factory(IoChoice choice) {
  return [choice] {
    std::string why;
    return make_default_io(choice, &why);
  };
}

std::unique_ptr<Io> make_default_io(IoChoice choice, std::string* why) {
  if (choice == IoChoice::kSync) {
    *why = "sync (asked for)";
    return std::make_unique<SyncIo>();
  }
  std::unique_ptr<UringIo> uring = UringIo::create(why);
  if (uring) return uring;
  *why += "; using synchronous I/O";
  return std::make_unique<SyncIo>();
}

}  // namespace walpipe::io
