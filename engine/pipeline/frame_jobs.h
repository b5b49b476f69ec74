// Compression and decompression of a segment's independent zstd frames on several threads:
// frames never depend on each other, so one 16 MiB segment uses every core.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"

namespace walpipe::pipeline {

inline constexpr uint32_t kDefaultFrameInputSize = 1 << 20;

// Compressed frames, in order. Each is compressed into its worker's scratch buffer and kept at
// its exact size, so a 16 MiB segment touches its compressed size in memory, not 16 MiB.
struct FrameSet {
  std::vector<std::vector<std::byte>> storage;
  std::vector<Bytes> frames;  // views into storage
};

// Frame i holds data[i*frame_input_size, …) compressed at `level`. The calling thread runs
// `caller_first` (other work on the same data) before it joins the compressors, so both cores
// stay busy.
Result<FrameSet> compress_frames(Bytes data, uint32_t frame_input_size, int level, unsigned threads,
                                 const std::function<void()>& caller_first = nullptr);

// Decompresses each frame into its worker's scratch buffer and hands it to `sink` with its index
// (from any worker thread); frame i must decompress to exactly its share of `total_size`.
Status decompress_frames_each(const std::vector<Bytes>& frames, uint32_t frame_input_size,
                              uint64_t total_size, unsigned threads,
                              const std::function<Status(size_t, Bytes)>& sink);

// Decompresses frame i into out[i*frame_input_size, …); every frame must fill its slice exactly.
Status decompress_frames(const std::vector<Bytes>& frames, uint32_t frame_input_size,
                         std::span<std::byte> out, unsigned threads);

}  // namespace walpipe::pipeline
