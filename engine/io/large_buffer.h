// One large buffer that a command fills once and reads (an archive object sealed or opened in
// memory): anonymous memory from a 2 MiB boundary, advised for transparent huge pages, so that
// faulting it in takes a fault per 2 MiB instead of one per 4 KiB page. Where page faults are
// dear (a VM whose faults exit to the hypervisor), that is most of the cost of making a second
// copy of an object: 2.8 MiB first touched cost 8.5 ms of CPU in 4 KiB pages here, 0.4 ms in
// huge pages. Without huge pages to give (or with THP off) the kernel uses ordinary pages.
#pragma once

#include <cstddef>
#include <span>
#include <utility>

#include "base/bytes.h"
#include "io/fs.h"

namespace walpipe::io {

class LargeBuffer {
 public:
  LargeBuffer() = default;
  explicit LargeBuffer(size_t size) { resize(size); }
  ~LargeBuffer() { release(); }
  LargeBuffer(LargeBuffer&& other) noexcept
      : map_(std::exchange(other.map_, nullptr)),
        mapped_(std::exchange(other.mapped_, 0)),
        size_(std::exchange(other.size_, 0)) {}
  LargeBuffer& operator=(LargeBuffer&& other) noexcept {
    if (this != &other) {
      release();
      map_ = std::exchange(other.map_, nullptr);
      mapped_ = std::exchange(other.mapped_, 0);
      size_ = std::exchange(other.size_, 0);
    }
    return *this;
  }
  LargeBuffer(const LargeBuffer&) = delete;
  LargeBuffer& operator=(const LargeBuffer&) = delete;

  // Grows (never shrinks) so that one buffer serves many objects; contents are not kept. New
  // memory reads as zeros. Throws std::bad_alloc when it cannot be mapped, as new does.
  void resize(size_t size);
  std::byte* data() { return map_; }
  const std::byte* data() const { return map_; }
  size_t size() const { return size_; }
  std::span<std::byte> span() { return {map_, size_}; }
  Bytes span() const { return {map_, size_}; }

  // The first size() bytes as a MappedFile (what a StoredObject can hold), the rest given back;
  // the buffer is empty afterwards.
  MappedFile into_mapped();

 private:
  void release();

  std::byte* map_ = nullptr;
  size_t mapped_ = 0;
  size_t size_ = 0;
};

}  // namespace walpipe::io
