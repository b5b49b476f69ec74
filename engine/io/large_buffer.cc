#include "io/large_buffer.h"

#include <sys/mman.h>

#include <cstdint>
#include <new>

namespace walpipe::io {

namespace {

constexpr size_t kHugePage = size_t{2} << 20;
constexpr size_t kPage = 4096;

size_t round_up(size_t n, size_t unit) { return (n + unit - 1) / unit * unit; }

}  // namespace

void LargeBuffer::resize(size_t size) {
  if (size <= mapped_) {
    size_ = size;
    return;
  }
  release();
  const size_t length = round_up(size, kHugePage);
  // One huge page more than needed, so that the buffer can start at a 2 MiB boundary; the ends
  // before and after it are given back at once.
  void* p = ::mmap(nullptr, length + kHugePage, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  auto* raw = static_cast<std::byte*>(p);
  const uintptr_t at = reinterpret_cast<uintptr_t>(raw);
  std::byte* start = raw + (round_up(at, kHugePage) - at);
  if (start > raw) ::munmap(raw, start - raw);
  if (start + length < raw + length + kHugePage)
    ::munmap(start + length, raw + length + kHugePage - (start + length));
  // Advice only: refused (no THP in this kernel), the memory is ordinary pages.
  (void)::madvise(start, length, MADV_HUGEPAGE);
  map_ = start;
  mapped_ = length;
  size_ = size;
}

MappedFile LargeBuffer::into_mapped() {
  if (size_ == 0) {
    release();
    return MappedFile();
  }
  // A MappedFile unmaps its size rounded up to a page: exactly what is kept here.
  const size_t keep = round_up(size_, kPage);
  if (keep < mapped_) ::munmap(map_ + keep, mapped_ - keep);
  MappedFile out(map_, size_);
  map_ = nullptr;
  mapped_ = size_ = 0;
  return out;
}

void LargeBuffer::release() {
  if (map_ != nullptr) ::munmap(map_, mapped_);
  map_ = nullptr;
  mapped_ = size_ = 0;
}

}  // namespace walpipe::io
