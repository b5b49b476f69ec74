// The one zstd decoder, for untrusted input (docs/faults.md, finding 8): an archive object's data
// frames, each into exactly the bytes it must fill, and whole .zst streams (as the corpus and
// operators keep WAL) into as many bytes as the caller says it accepts. Anything beyond that, a
// damaged frame, or bytes left over after the last frame is an error, never an allocation.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>

#include "base/bytes.h"
#include "base/status.h"

namespace walpipe::zstd {

// One decompression context; not thread-safe, one per worker.
class Decoder {
 public:
  Decoder();
  ~Decoder();
  Decoder(const Decoder&) = delete;
  Decoder& operator=(const Decoder&) = delete;

  // Decompresses exactly one frame, which must fill `out` exactly: a frame that is damaged,
  // longer, shorter, or followed by other bytes is kCorruption.
  Status decode_frame(Bytes frame, std::span<std::byte> out);

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

}  // namespace walpipe::zstd
