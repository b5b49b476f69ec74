// Compression and decompression of a segment's independent zstd frames on several threads:
// frames never depend on each other, so one 16 MiB segment uses every core.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"
#include "io/buffer.h"

namespace walpipe::pipeline {

// Compressed frames, in order, each in its own slot of one O_DIRECT-ready buffer: slots are
// as large as a frame can compress to, so workers never wait for each other, and only the
// bytes written are ever touched in memory. `headroom` bytes before the first slot and a few
// KiB after the last leave room to lay an archive object out in the same buffer
// (archive::assemble_object), without copying the frames anywhere else.
struct FrameSet {
  io::AlignedBuffer buffer;
  std::vector<Bytes> frames;  // views into buffer
};

// Frame i holds data[i*frame_input_size, …) compressed at `level`. The calling thread runs
// `caller_first` (other work on the same data) before it joins the compressors, so both cores
// stay busy. `reuse` is a buffer from an earlier set: its pages are already in memory, which
// saves a long run of segments a page fault per 4 KiB written.
Result<FrameSet> compress_frames(Bytes data, uint32_t frame_input_size, int level, unsigned threads,
                                 size_t headroom = 0,
                                 const std::function<void()>& caller_first = nullptr,
                                 io::AlignedBuffer reuse = {});

// Decompresses each frame into its worker's scratch buffer and hands it to `sink` with its index
// (from any worker thread); frame i must decompress to exactly its share of `total_size`.
Status decompress_frames_each(const std::vector<Bytes>& frames, uint32_t frame_input_size,
                              uint64_t total_size, unsigned threads,
                              const std::function<Status(size_t, Bytes)>& sink);

// Decompresses frame i into out[i*frame_input_size, …); every frame must fill its slice exactly.
Status decompress_frames(const std::vector<Bytes>& frames, uint32_t frame_input_size,
                         std::span<std::byte> out, unsigned threads);

}  // namespace walpipe::pipeline
