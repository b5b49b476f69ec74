// Compression and decompression of a segment's independent zstd frames on several threads:
// frames never depend on each other, so one 16 MiB segment uses every core.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"

namespace walpipe::pipeline {

inline constexpr uint32_t kDefaultFrameInputSize = 1 << 20;

// Frame i holds data[i*frame_input_size, …) compressed at `level`.
Result<std::vector<std::vector<std::byte>>> compress_frames(Bytes data, uint32_t frame_input_size,
                                                            int level, unsigned threads);

// Decompresses frame i into out[i*frame_input_size, …); every frame must fill its slice exactly.
Status decompress_frames(const std::vector<Bytes>& frames, uint32_t frame_input_size,
                         std::span<std::byte> out, unsigned threads);

}  // namespace walpipe::pipeline
