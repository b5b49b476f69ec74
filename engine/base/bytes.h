// Little-endian field access over untrusted bytes. ByteReader refuses to read past its span,
// so a parser can never trust a length it has not checked. PostgreSQL writes WAL in the
// server's native order; walpipe supports little-endian servers only (docs/wal-format.md §13).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

namespace walpipe {

using Bytes = std::span<const std::byte>;

inline const unsigned char* as_uchar(Bytes b) {
  return reinterpret_cast<const unsigned char*>(b.data());
}

template <typename T>
inline T load_le(const std::byte* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

// Index of the first non-zero byte, or bytes.size() when all are zero. Word at a time: the zero
// tail of a switched segment is most of its 16 MiB.
inline size_t first_nonzero(Bytes bytes) {
  const std::byte* p = bytes.data();
  size_t n = bytes.size(), i = 0;
  for (; i + 32 <= n; i += 32) {
    uint64_t w[4];
    std::memcpy(w, p + i, sizeof w);
    if ((w[0] | w[1] | w[2] | w[3]) != 0) break;
  }
  for (; i < n; ++i)
    if (p[i] != std::byte{0}) return i;
  return n;
}

class ByteReader {
 public:
  explicit ByteReader(Bytes bytes) : bytes_(bytes) {}

  size_t remaining() const { return bytes_.size() - pos_; }
  size_t position() const { return pos_; }
  bool has(size_t n) const { return remaining() >= n; }

  // Each read returns false, consuming nothing, when fewer bytes remain than the field needs.
  template <typename T>
  bool read(T* out) {
    if (!has(sizeof(T))) return false;
    *out = load_le<T>(bytes_.data() + pos_);
    pos_ += sizeof(T);
    return true;
  }
  bool skip(size_t n) {
    if (!has(n)) return false;
    pos_ += n;
    return true;
  }

 private:
  Bytes bytes_;
  size_t pos_ = 0;
};

}  // namespace walpipe
