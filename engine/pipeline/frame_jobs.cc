#include "pipeline/frame_jobs.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

#include "codec/zstd_frames.h"

namespace walpipe::pipeline {

namespace {

// Runs job(i) for i in [0, count) on up to `threads` threads; returns the first error.
template <typename Job>
Status parallel_for(size_t count, unsigned threads, Job&& job,
                    const std::function<void()>& caller_first = nullptr) {
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
  // With a job of its own, the caller leaves a whole core to the pool while it works on it.
  unsigned spawned = caller_first ? std::max(1u, threads) : n;
  for (unsigned t = 1; t < spawned; ++t) pool.emplace_back(worker);
  if (caller_first) caller_first();
  if (count > 0) worker();
  for (auto& t : pool) t.join();
  return first_error;
}

}  // namespace

Result<FrameSet> compress_frames(Bytes data, uint32_t frame_input_size, int level, unsigned threads,
                                 size_t headroom, const std::function<void()>& caller_first,
                                 io::AlignedBuffer reuse) {
  WALPIPE_CHECK(frame_input_size > 0);
  // The room an object's padding frame may need past the last frame.
  constexpr size_t kTailRoom = 2 * io::kDirectAlignment;
  const size_t count = (data.size() + frame_input_size - 1) / frame_input_size;
  const size_t slot = zstd::Compressor::bound(frame_input_size);
  FrameSet set;
  set.buffer = std::move(reuse);
  set.buffer.resize(headroom + count * slot + kTailRoom);
  std::vector<size_t> sizes(count);
  struct Job {
    Bytes data;
    uint32_t frame_input_size;
    int level;
    std::byte* slots;
    size_t slot;
    std::vector<size_t>* sizes;
    std::unique_ptr<zstd::Compressor> make_context() const {
      return std::make_unique<zstd::Compressor>(level);
    }
    Status operator()(std::unique_ptr<zstd::Compressor>& compressor, size_t i) const {
      size_t offset = i * frame_input_size;
      Bytes in = data.subspan(offset, std::min<size_t>(frame_input_size, data.size() - offset));
      Result<size_t> n = compressor->compress_frame(in, std::span(slots + i * slot, slot));
      if (!n.is_ok()) return std::move(n).take_status();
      (*sizes)[i] = *n;
      return Status::ok();
    }
  };
  std::byte* slots = set.buffer.data() + headroom;
  WALPIPE_TRY(parallel_for(count, threads, Job{data, frame_input_size, level, slots, slot, &sizes},
                           caller_first));
  for (size_t i = 0; i < count; ++i) set.frames.emplace_back(slots + i * slot, sizes[i]);
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
    std::vector<std::byte> scratch;
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
