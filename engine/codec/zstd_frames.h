// zstd frames as walpipe's archive objects use them: independent data frames (so one segment
// compresses and decompresses on every core) and skippable frames for metadata and padding.
// Every size read from a frame is checked against what the caller expects; frames are decoded
// by zstd::Decoder (zstd_decoder.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"

namespace walpipe::zstd {

inline constexpr uint32_t kSkippableHeaderSize = 8;

// One compression context; not thread-safe, one per worker.
class Compressor {
 public:
  explicit Compressor(int level);
  ~Compressor();
  Compressor(const Compressor&) = delete;
  Compressor& operator=(const Compressor&) = delete;

  // Compresses `in` as one frame (content size recorded) into `out`, which must hold
  // bound(in.size()) bytes. Returns the frame size.
  Result<size_t> compress_frame(Bytes in, std::span<std::byte> out);
  static size_t bound(size_t input_size);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Size of the zstd frame (data or skippable) at the start of `bytes`; kCorruption when the bytes
// do not hold a whole frame.
Result<size_t> frame_size(Bytes bytes);

// Appends a skippable frame with `magic_nibble` (0–15) carrying `payload`.
void append_skippable(std::vector<std::byte>* out, uint32_t magic_nibble, Bytes payload);

struct Skippable {
  uint32_t magic_nibble;
  Bytes payload;
};
// Reads a skippable frame at the start of `bytes`; nullopt-like error when it is not one.
Result<Skippable> read_skippable(Bytes bytes);

}  // namespace walpipe::zstd
