#include "support/frames.h"

#include "pipeline/compressor_pool.h"
#include "pipeline/frame_jobs.h"

namespace walpipe::testing {

Result<FrameSet> compress_frames(Bytes data, uint32_t frame_input_size, int level,
                                 unsigned threads) {
  pipeline::CompressorPool pool(threads, level);
  pipeline::FrameCompression compression(data, frame_input_size, pool, 0);
  Result<std::vector<uint32_t>> sizes = compression.finish();
  if (!sizes.is_ok()) return std::move(sizes).take_status();
  FrameSet set;
  set.buffer = std::move(compression.buffer());
  size_t pos = 0;
  for (uint32_t size : *sizes) {
    set.frames.emplace_back(set.buffer.data() + pos, size);
    pos += size;
  }
  return set;
}

}  // namespace walpipe::testing
