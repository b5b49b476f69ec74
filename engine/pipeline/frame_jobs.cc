#include "pipeline/frame_jobs.h"

#include <algorithm>
#include <atomic>
#include <cstring>

#include "base/mutex.h"
#include "codec/zstd_frames.h"

namespace walpipe::pipeline {

struct FrameCompression::State {
  static constexpr size_t kPending = SIZE_MAX;

  Bytes data;
  uint32_t frame_input_size;
  size_t count;
  size_t slot;  // the largest a frame can compress to
  size_t first_offset;
  io::AlignedBuffer buffer;
  std::atomic<bool> cancelled{false};

  Mutex mu;
  CondVar changed;
  std::vector<size_t> sizes GUARDED_BY(mu);  // kPending until compressed
  size_t placed GUARDED_BY(mu) = 0;          // frames moved into place
  size_t placed_end GUARDED_BY(mu);          // where the frames in place end
  size_t unfinished GUARDED_BY(mu);          // frames queued or under way
  Status error GUARDED_BY(mu);
  FingerprintStream fingerprint GUARDED_BY(mu);  // of the input of the frames in place

  std::byte* slot_of(size_t i) { return buffer.data() + first_offset + i * slot; }

  Bytes input_of(size_t i) const {
    size_t offset = i * frame_input_size;
    return data.subspan(offset, std::min<size_t>(frame_input_size, data.size() - offset));
  }

  void wait_for_all() EXCLUDES(mu) {
    MutexLock lock(mu);
    while (unfinished != 0) changed.wait(mu);
  }

  void compress(zstd::Compressor& compressor, size_t i) EXCLUDES(mu) {
    Result<size_t> n = Status(Code::kIoError, "compression was stopped before its end");
    if (!cancelled) n = compressor.compress_frame(input_of(i), std::span(slot_of(i), slot));
    MutexLock lock(mu);
    --unfinished;
    if (!n.is_ok()) {
      if (error.is_ok()) error = std::move(n).take_status();
      cancelled = true;
      changed.notify_all();
      return;
    }
    sizes[i] = *n;
    // Frame j's place ends no later than its slot does, so a move never reaches a frame still
    // being compressed; moves are serialized here, in order. The input is hashed here too, in
    // order, while much of it is still in cache from its compression: a pass of its own would
    // read the whole file from memory again.
    for (; placed < count && sizes[placed] != kPending; ++placed) {
      std::memmove(buffer.data() + placed_end, slot_of(placed), sizes[placed]);
      placed_end += sizes[placed];
      fingerprint.update(input_of(placed));
    }
    changed.notify_all();
  }
};

FrameCompression::FrameCompression(Bytes data, uint32_t frame_input_size, CompressorPool& pool,
                                   size_t first_offset, io::AlignedBuffer buffer)
    : state_(std::make_shared<State>()) {
  WALPIPE_CHECK(frame_input_size > 0);
  // The room an object's padding frame may need past the last frame.
  constexpr size_t kTailRoom = 2 * io::kDirectAlignment;
  State& st = *state_;
  st.data = data;
  st.frame_input_size = frame_input_size;
  st.count = (data.size() + frame_input_size - 1) / frame_input_size;
  st.slot = zstd::Compressor::bound(frame_input_size);
  st.first_offset = first_offset;
  st.buffer = std::move(buffer);
  st.buffer.resize(first_offset + st.count * st.slot + kTailRoom);
  {
    MutexLock lock(st.mu);
    st.sizes.assign(st.count, State::kPending);
    st.placed_end = first_offset;
    st.unfinished = st.count;
  }
  for (size_t i = 0; i < st.count; ++i)
    pool.run([state = state_, i](zstd::Compressor& c) { state->compress(c, i); });
}

FrameCompression::~FrameCompression() {
  cancel();
  state_->wait_for_all();
}

size_t FrameCompression::wait_until_placed(size_t wanted) {
  State& st = *state_;
  MutexLock lock(st.mu);
  while (st.placed_end < wanted && st.unfinished != 0) st.changed.wait(st.mu);
  return st.placed_end;
}

void FrameCompression::cancel() { state_->cancelled = true; }

Result<std::vector<uint32_t>> FrameCompression::finish() {
  State& st = *state_;
  st.wait_for_all();
  MutexLock lock(st.mu);
  if (!st.error.is_ok()) return st.error;
  return std::vector<uint32_t>(st.sizes.begin(), st.sizes.end());
}

io::AlignedBuffer& FrameCompression::buffer() { return state_->buffer; }

Fingerprint FrameCompression::fingerprint() const {
  MutexLock lock(state_->mu);
  WALPIPE_CHECK(state_->placed == state_->count);
  return state_->fingerprint.digest();
}

}  // namespace walpipe::pipeline
