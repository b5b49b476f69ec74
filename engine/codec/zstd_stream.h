// Bounded zstd decompression of untrusted input (docs/faults.md, finding 8): the caller says how
// many bytes it is prepared to accept, and anything beyond that, a damaged frame, or bytes left
// over after the last frame is an error, never an allocation.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "base/bytes.h"
#include "base/status.h"

namespace walpipe {

class ZstdDecoder {
 public:
  ZstdDecoder();
  ~ZstdDecoder();
  ZstdDecoder(const ZstdDecoder&) = delete;
  ZstdDecoder& operator=(const ZstdDecoder&) = delete;

  // Starts a new stream. `what` names the input in error messages.
  void reset(std::string what);

  // Decompresses from `in` (advancing `*consumed`) into `out` until `out` is full or the input
  // is used up. Returns the bytes written; a corrupt stream is kCorruption.
  Result<size_t> decode(Bytes in, size_t* consumed, std::span<std::byte> out);

  // True once the last frame fed so far is complete (no partial frame pending).
  bool at_frame_boundary() const { return frame_done_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string what_;
  bool frame_done_ = true;
};

// True when `bytes` begins with a zstd frame magic number (data or skippable).
bool looks_like_zstd(Bytes bytes);

}  // namespace walpipe
