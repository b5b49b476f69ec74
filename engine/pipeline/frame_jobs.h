// Compression of a segment's independent zstd frames on several threads: frames never depend on
// each other, so one 16 MiB segment uses every core (object_reader.h decompresses them the same
// way).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"
#include "codec/fingerprint.h"
#include "io/buffer.h"
#include "pipeline/compressor_pool.h"

namespace walpipe::pipeline {

// Compresses a file's independent frames on a CompressorPool, started at construction, while
// the caller goes on with other work. Frame i holds data[i*frame_input_size, …). Each frame is
// compressed into its own slot of one O_DIRECT-ready buffer (a slot holds the largest a frame
// can compress to, so workers never wait for each other), then moved down to follow the frame
// before it, from `first_offset` on, as soon as every earlier frame is in place: the bytes of
// the buffer before the placed end never change again and can be written out while later
// frames are still being compressed.
class FrameCompression {
 public:
  // `buffer` may come from an earlier compression: its pages are already in memory, which saves
  // a long run of segments a page fault per 4 KiB written. `data` must stay readable until
  // finish() has returned (or, without it, until this object is gone).
  FrameCompression(Bytes data, uint32_t frame_input_size, CompressorPool& pool, size_t first_offset,
                   io::AlignedBuffer buffer = {});
  ~FrameCompression();  // stops early and waits for the frames under way
  FrameCompression(const FrameCompression&) = delete;
  FrameCompression& operator=(const FrameCompression&) = delete;

  // Blocks until the buffer is final up to `wanted` or compression has ended; returns where the
  // final bytes end (the end of the frames in place).
  size_t wait_until_placed(size_t wanted);
  // Frames not started yet are not compressed: an error elsewhere made them useless.
  void cancel();
  // Waits for every frame; their compressed sizes in order, or the first error.
  Result<std::vector<uint32_t>> finish();
  // The frames lie in [first_offset, placed end); room for an object's padding frame follows.
  io::AlignedBuffer& buffer();
  // The fingerprint of `data`, taken as the frames fell into place; once finish() succeeded.
  Fingerprint fingerprint() const;

 private:
  struct State;
  std::shared_ptr<State> state_;  // shared with the queued frames
};

}  // namespace walpipe::pipeline
