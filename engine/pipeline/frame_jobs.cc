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

Result<std::vector<std::vector<std::byte>>> compress_frames(Bytes data, uint32_t frame_input_size,
                                                            int level, unsigned threads) {
  WALPIPE_CHECK(frame_input_size > 0);
  size_t count = (data.size() + frame_input_size - 1) / frame_input_size;
  std::vector<std::vector<std::byte>> frames(count);
  struct Job {
    Bytes data;
    uint32_t frame_input_size;
    int level;
    std::vector<std::vector<std::byte>>* frames;
    std::unique_ptr<zstd::Compressor> make_context() const {
      return std::make_unique<zstd::Compressor>(level);
    }
    Status operator()(std::unique_ptr<zstd::Compressor>& c, size_t i) const {
      Bytes in =
          data.subspan(i * frame_input_size,
                       std::min<size_t>(frame_input_size, data.size() - i * frame_input_size));
      auto& out = (*frames)[i];
      out.resize(zstd::Compressor::bound(in.size()));
      Result<size_t> n = c->compress_frame(in, out);
      if (!n.is_ok()) return std::move(n).take_status();
      out.resize(*n);
      return Status::ok();
    }
  };
  WALPIPE_TRY(parallel_for(count, threads, Job{data, frame_input_size, level, &frames}));
  return frames;
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
