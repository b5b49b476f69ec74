// A file's independent zstd frames compressed in one call, for tests that need frames without an
// object around them (push compresses through pipeline::FrameCompression as it writes).
#pragma once

#include <cstdint>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"
#include "io/buffer.h"

namespace walpipe::testing {

// The frames of `data` compressed one after the other from offset 0 of the returned buffer.
struct FrameSet {
  io::AlignedBuffer buffer;
  std::vector<Bytes> frames;  // views into buffer
};
Result<FrameSet> compress_frames(Bytes data, uint32_t frame_input_size, int level,
                                 unsigned threads);

}  // namespace walpipe::testing
