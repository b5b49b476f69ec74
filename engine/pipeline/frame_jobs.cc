#include "pipeline/frame_jobs.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>

#include "codec/zstd_frames.h"

namespace walpipe::pipeline {

namespace {

// Runs job(i) for i in [0, count) on up to `threads` threads; returns the first error.
template <typename Job>
Status parallel_for(size_t count, unsigned threads, Job&& job) {
  std::atomic<size_t> next{0};
  std::mutex mu;
  Status first_error;
  auto worker = [&] {
    auto ctx = job.make_context();
    for (size_t i = next++; i < count; i = next++) {
      Status s = job(ctx, i);
      if (!s.is_ok()) {
        std::lock_guard<std::mutex> lock(mu);
        if (first_error.is_ok()) first_error = std::move(s);
        next = count;
      }
    }
  };
  unsigned n = static_cast<unsigned>(std::min<size_t>(std::max(1u, threads), count));
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < n; ++t) pool.emplace_back(worker);
  if (count > 0) worker();
  for (auto& t : pool) t.join();
  return first_error;
}

}  // namespace

struct FrameCompression::State {
  static constexpr size_t kPending = SIZE_MAX;

  Bytes data;
  uint32_t frame_input_size;
  size_t count;
  size_t slot;  // the largest a frame can compress to
  size_t first_offset;
  io::AlignedBuffer buffer;
  std::atomic<bool> cancelled{false};

  std::mutex mu;
  std::condition_variable changed;
  std::vector<size_t> sizes;  // kPending until compressed
  size_t placed = 0;          // frames moved into place
  size_t placed_end;          // where the frames in place end
  size_t unfinished;          // frames queued or under way
  Status error;
  FingerprintStream fingerprint;  // of the input of the frames in place

  std::byte* slot_of(size_t i) { return buffer.data() + first_offset + i * slot; }

  Bytes input_of(size_t i) const {
    size_t offset = i * frame_input_size;
    return data.subspan(offset, std::min<size_t>(frame_input_size, data.size() - offset));
  }

  void compress(zstd::Compressor& compressor, size_t i) {
    Result<size_t> n = Status(Code::kIoError, "compression was stopped before its end");
    if (!cancelled) n = compressor.compress_frame(input_of(i), std::span(slot_of(i), slot));
    std::lock_guard<std::mutex> lock(mu);
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
  st.sizes.assign(st.count, State::kPending);
  st.placed_end = first_offset;
  st.unfinished = st.count;
  for (size_t i = 0; i < st.count; ++i)
    pool.run([state = state_, i](zstd::Compressor& c) { state->compress(c, i); });
}

FrameCompression::~FrameCompression() {
  cancel();
  State& st = *state_;
  std::unique_lock<std::mutex> lock(st.mu);
  st.changed.wait(lock, [&] { return st.unfinished == 0; });
}

size_t FrameCompression::wait_until_placed(size_t wanted) {
  State& st = *state_;
  std::unique_lock<std::mutex> lock(st.mu);
  st.changed.wait(lock, [&] { return st.placed_end >= wanted || st.unfinished == 0; });
  return st.placed_end;
}

void FrameCompression::cancel() { state_->cancelled = true; }

Result<std::vector<uint32_t>> FrameCompression::finish() {
  State& st = *state_;
  std::unique_lock<std::mutex> lock(st.mu);
  st.changed.wait(lock, [&] { return st.unfinished == 0; });
  if (!st.error.is_ok()) return st.error;
  return std::vector<uint32_t>(st.sizes.begin(), st.sizes.end());
}

io::AlignedBuffer& FrameCompression::buffer() { return state_->buffer; }

Fingerprint FrameCompression::fingerprint() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  WALPIPE_CHECK(state_->placed == state_->count);
  return state_->fingerprint.digest();
}

Result<FrameSet> compress_frames(Bytes data, uint32_t frame_input_size, int level,
                                 unsigned threads) {
  CompressorPool pool(threads, level);
  FrameCompression compression(data, frame_input_size, pool, 0);
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

Status decompress_frames(const std::vector<Bytes>& frames, uint32_t frame_input_size,
                         std::span<std::byte> out, unsigned threads) {
  WALPIPE_CHECK(frame_input_size > 0);
  struct Job {
    const std::vector<Bytes>* frames;
    uint32_t frame_input_size;
    std::span<std::byte> out;
    std::unique_ptr<zstd::Decompressor> make_context() const {
      return std::make_unique<zstd::Decompressor>();
    }
    Status operator()(std::unique_ptr<zstd::Decompressor>& d, size_t i) const {
      size_t offset = i * frame_input_size;
      if (offset > out.size())
        return Status(Code::kCorruption, "more data frames than the original size allows");
      size_t len = std::min<size_t>(frame_input_size, out.size() - offset);
      return d->decompress_frame((*frames)[i], out.subspan(offset, len));
    }
  };
  return parallel_for(frames.size(), threads, Job{&frames, frame_input_size, out});
}

}  // namespace walpipe::pipeline

namespace walpipe::pipeline {

Status decompress_frames_each(const std::vector<Bytes>& frames, uint32_t frame_input_size,
                              uint64_t total_size, unsigned threads,
                              const std::function<Status(size_t, Bytes)>& sink) {
  WALPIPE_CHECK(frame_input_size > 0);
  struct Context {
    zstd::Decompressor decompressor;
    io::AlignedBuffer scratch;  // not zero-filled: every byte is decompressed into first
  };
  struct Job {
    const std::vector<Bytes>* frames;
    uint32_t frame_input_size;
    uint64_t total_size;
    const std::function<Status(size_t, Bytes)>* sink;
    std::unique_ptr<Context> make_context() const {
      auto ctx = std::make_unique<Context>();
      ctx->scratch.resize(static_cast<size_t>(std::min<uint64_t>(frame_input_size, total_size)));
      return ctx;
    }
    Status operator()(std::unique_ptr<Context>& ctx, size_t i) const {
      uint64_t offset = static_cast<uint64_t>(i) * frame_input_size;
      if (offset >= total_size)
        return Status(Code::kCorruption, "more data frames than the original size allows");
      size_t len = static_cast<size_t>(std::min<uint64_t>(frame_input_size, total_size - offset));
      std::span<std::byte> out(ctx->scratch.data(), len);
      WALPIPE_TRY(ctx->decompressor.decompress_frame((*frames)[i], out));
      return (*sink)(i, out);
    }
  };
  return parallel_for(frames.size(), threads, Job{&frames, frame_input_size, total_size, &sink});
}

}  // namespace walpipe::pipeline
