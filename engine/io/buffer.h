// Heap buffers aligned for O_DIRECT: 4096 bytes in address and rounded up to 4096 in size.
#pragma once

#include <cstddef>
#include <cstdlib>
#include <memory>
#include <new>
#include <span>
#include <utility>

#include "base/check.h"

namespace walpipe::io {

inline constexpr size_t kDirectAlignment = 4096;

class AlignedBuffer {
 public:
  AlignedBuffer() = default;
  explicit AlignedBuffer(size_t size) { resize(size); }
  // A moved-from buffer is empty, and safe to grow again.
  AlignedBuffer(AlignedBuffer&& other) noexcept
      : data_(std::move(other.data_)),
        capacity_(std::exchange(other.capacity_, 0)),
        size_(std::exchange(other.size_, 0)) {}
  AlignedBuffer& operator=(AlignedBuffer&& other) noexcept {
    data_ = std::move(other.data_);
    capacity_ = std::exchange(other.capacity_, 0);
    size_ = std::exchange(other.size_, 0);
    return *this;
  }

  // Grows (never shrinks) so one buffer serves many segments; contents are not kept.
  void resize(size_t size) {
    size_t rounded = (size + kDirectAlignment - 1) / kDirectAlignment * kDirectAlignment;
    if (rounded > capacity_) {
      void* p = std::aligned_alloc(kDirectAlignment, rounded);
      if (p == nullptr) throw std::bad_alloc();
      data_.reset(static_cast<std::byte*>(p));
      capacity_ = rounded;
    }
    size_ = size;
  }
  std::byte* data() { return data_.get(); }
  const std::byte* data() const { return data_.get(); }
  size_t size() const { return size_; }
  std::span<std::byte> span() { return {data_.get(), size_}; }
  std::span<const std::byte> span() const { return {data_.get(), size_}; }

 private:
  struct Free {
    void operator()(std::byte* p) const { std::free(p); }
  };
  std::unique_ptr<std::byte, Free> data_;
  size_t capacity_ = 0;
  size_t size_ = 0;
};

}  // namespace walpipe::io
