// Where the time of one push and one get goes, stage by stage, on a real 16 MiB pgbench segment
// (full-page-image heavy, the common case on a busy cluster): fingerprint, inspection, zstd
// levels -2, -1, 1 and 3 on one core or all (and, given WALPIPE_BENCH_BATCH, a whole folder of
// segments at the default level), decompression, the durable write of the compressed
// object (io_uring O_DIRECT + linked fdatasync, against buffered write + fdatasync), and whole
// push_file/get_file calls. Bytes/s are of original WAL.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include "archive/local/local_store.h"
#include "archive/object.h"
#include "bench_build.h"
#include "codec/fingerprint.h"
#include "io/buffer.h"
#include "io/uring_io.h"
#include "pipeline/file_loader.h"
#include "pipeline/frame_jobs.h"
#include "pipeline/get.h"
#include "pipeline/object_reader.h"
#include "pipeline/push.h"
#include "support/frames.h"
#include "wal/inspect.h"

namespace walpipe {
namespace {

constexpr const char* kSegment = "pg15/pgbench/00000001000000000000002C";
std::vector<std::byte> g_segment;
std::string g_work;  // scratch folder on the disk under test

unsigned cores() { return std::max(1u, std::thread::hardware_concurrency()); }

void set_bytes(benchmark::State& state) {
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * g_segment.size()));
}

void bm_fingerprint(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(fingerprint_of(g_segment));
  set_bytes(state);
}

void bm_inspect(benchmark::State& state) {
  for (auto _ : state)
    benchmark::DoNotOptimize(wal::inspect_segment(g_segment, "00000001000000000000002C"));
  set_bytes(state);
}

// Compression as a push runs it: on the pool, frames laid out in place and their input
// fingerprinted as they fall into place (so fingerprint/xxh3_128 above is part of this too).
void bm_compress(benchmark::State& state) {
  int level = static_cast<int>(state.range(0));
  unsigned threads = state.range(1) ? cores() : 1;
  size_t compressed = 0;
  // As a run of pushes does: one pool, each segment compressed into the buffer of the one before.
  pipeline::CompressorPool pool(threads, level);
  io::AlignedBuffer reuse;
  for (auto _ : state) {
    pipeline::FrameCompression compression(g_segment, 1 << 20, pool, 0, std::move(reuse));
    auto sizes = compression.finish();
    compressed = 0;
    for (uint32_t size : *sizes) compressed += size;
    reuse = std::move(compression.buffer());
  }
  set_bytes(state);
  state.counters["ratio"] = static_cast<double>(g_segment.size()) / static_cast<double>(compressed);
}

// The reference of the look-ahead target (bench_push.sh): every segment of a batch compressed at
// the default level on all cores, as a run of pushes does (the fingerprint taken as the frames
// fall into place included, as in bm_compress), with nothing else; time per segment.
std::vector<std::vector<std::byte>> g_batch;

void bm_compress_batch(benchmark::State& state) {
  pipeline::CompressorPool pool(0, pipeline::PushOptions{}.level);
  io::AlignedBuffer reuse;
  const auto start = std::chrono::steady_clock::now();
  for (auto _ : state) {
    for (const std::vector<std::byte>& segment : g_batch) {
      pipeline::FrameCompression compression(segment, pipeline::PushOptions{}.frame_input_size,
                                             pool, 0, std::move(reuse));
      auto sizes = compression.finish();
      if (!sizes.is_ok()) {
        state.SkipWithError(sizes.status().message().c_str());
        return;
      }
      reuse = std::move(compression.buffer());
    }
  }
  const std::chrono::duration<double, std::milli> elapsed =
      std::chrono::steady_clock::now() - start;
  state.counters["segments"] = static_cast<double>(g_batch.size());
  state.counters["ms_per_segment"] =
      elapsed.count() / static_cast<double>(state.iterations() * g_batch.size());
}

void bm_decompress(benchmark::State& state) {
  unsigned threads = state.range(0) ? cores() : 1;
  // Frames as push writes them by default.
  auto frames =
      testing::compress_frames(g_segment, 1 << 20, pipeline::PushOptions{}.level, cores());
  std::vector<std::byte> out(g_segment.size());
  for (auto _ : state) {
    Status s = pipeline::decompress_frames(frames->frames, 1 << 20, out, threads);
    if (!s.is_ok()) state.SkipWithError(s.message().c_str());
  }
  set_bytes(state);
}

// The durable write of one whole compressed object in one call.
void bm_write_durably(benchmark::State& state) {
  const bool uring = state.range(0) != 0;
  const bool direct = state.range(1) != 0;
  auto frames =
      testing::compress_frames(g_segment, 1 << 20, pipeline::PushOptions{}.level, cores());
  size_t size = 0;
  for (Bytes f : frames->frames) size += f.size();
  io::AlignedBuffer object((size + 4095) / 4096 * 4096);
  std::memset(object.data(), 0x5A, object.size());
  std::string why;
  std::unique_ptr<io::Io> io;
  if (uring) io = io::UringIo::create(&why);
  if (!io) io = std::make_unique<io::SyncIo>();
  const std::string path = g_work + "/object";
  for (auto _ : state) {
    Result<io::Fd> fd =
        io->open(path, O_WRONLY | O_CREAT | O_TRUNC | (direct ? O_DIRECT : 0), 0600);
    if (!fd.is_ok()) {
      state.SkipWithError(fd.status().message().c_str());
      break;
    }
    Status s = io->write_durably(*fd, 0, object.span(), path);
    if (!s.is_ok()) state.SkipWithError(s.message().c_str());
    Status closed = io->close(*fd, path);
    (void)closed;
  }
  set_bytes(state);
}

void bm_push_file(benchmark::State& state) {
  const std::string source = g_work + "/00000001000000000000002C";
  std::filesystem::create_directories(g_work + "/archive");
  std::string why;
  std::unique_ptr<io::Io> io = io::make_default_io(io::IoChoice::kAuto, &why);
  archive::LocalStore store(*io, g_work + "/archive");
  auto name = *wal::parse_file_name("00000001000000000000002C");
  for (auto _ : state) {
    state.PauseTiming();
    std::filesystem::remove(store.object_location(name));
    state.ResumeTiming();
    auto pushed = pipeline::push_file(*io, store, source, pipeline::PushOptions{});
    if (!pushed.is_ok()) state.SkipWithError(pushed.status().message().c_str());
  }
  set_bytes(state);
}

void bm_get_file(benchmark::State& state) {
  std::string why;
  std::unique_ptr<io::Io> io = io::make_default_io(io::IoChoice::kAuto, &why);
  archive::LocalStore store(*io, g_work + "/archive");
  for (auto _ : state) {
    auto got = pipeline::get_file(*io, store, "00000001000000000000002C", g_work + "/RECOVERYXLOG",
                                  pipeline::GetOptions{});
    if (!got.is_ok()) state.SkipWithError(got.status().message().c_str());
  }
  set_bytes(state);
}

}  // namespace
}  // namespace walpipe

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (!walpipe::bench::build_is_reportable()) return 1;
  const char* corpus = std::getenv("WALPIPE_CORPUS");
  std::string path =
      std::string(corpus ? corpus : WALPIPE_CORPUS_DIR) + "/" + walpipe::kSegment + ".zst";
  walpipe::pipeline::FileLoader loader;
  auto loaded = loader.load(path, false);
  if (!loaded.is_ok()) {
    std::fprintf(stderr, "stage_bench: %s; nothing to measure\n",
                 loaded.status().message().c_str());
    return 0;
  }
  walpipe::g_segment.assign(loader.data().begin(), loader.data().end());
  // On the disk under test, not tmpfs: O_DIRECT and fdatasync must mean what they mean.
  const char* base = std::getenv("WALPIPE_BENCH_DIR");
  walpipe::g_work = std::string(base ? base : "/var/tmp") + "/walpipe-stage-bench";
  std::filesystem::remove_all(walpipe::g_work);
  std::filesystem::create_directories(walpipe::g_work);
  {
    std::FILE* f = std::fopen((walpipe::g_work + "/00000001000000000000002C").c_str(), "wb");
    std::fwrite(walpipe::g_segment.data(), 1, walpipe::g_segment.size(), f);
    std::fclose(f);
  }
  using walpipe::bm_compress;
  benchmark::RegisterBenchmark("fingerprint/xxh3_128", walpipe::bm_fingerprint);
  benchmark::RegisterBenchmark("inspect/segment", walpipe::bm_inspect);
  benchmark::RegisterBenchmark("compress/zstd", bm_compress)
      ->ArgNames({"level", "all_cores"})
      ->Args({-2, 1})
      ->Args({-1, 0})
      ->Args({-1, 1})
      ->Args({1, 0})
      ->Args({1, 1})
      ->Args({3, 0})
      ->Args({3, 1})
      ->UseRealTime();
  benchmark::RegisterBenchmark("decompress/zstd", walpipe::bm_decompress)
      ->ArgName("all_cores")
      ->Arg(0)
      ->Arg(1)
      ->UseRealTime();
  benchmark::RegisterBenchmark("write_durably", walpipe::bm_write_durably)
      ->ArgNames({"io_uring", "o_direct"})
      ->Args({1, 1})
      ->Args({0, 1})
      ->Args({0, 0})
      ->UseRealTime();
  benchmark::RegisterBenchmark("push_file", walpipe::bm_push_file)->UseRealTime();
  // WALPIPE_BENCH_BATCH: a folder of segments (bench_push.sh's batch) to compress as a whole.
  if (const char* batch = std::getenv("WALPIPE_BENCH_BATCH")) {
    for (const auto& entry : std::filesystem::directory_iterator(batch)) {
      if (!entry.is_regular_file()) continue;
      if (!loader.load(entry.path().string(), false).is_ok()) continue;
      walpipe::g_batch.emplace_back(loader.data().begin(), loader.data().end());
    }
    if (!walpipe::g_batch.empty())
      benchmark::RegisterBenchmark("compress/batch", walpipe::bm_compress_batch)->UseRealTime();
  }
  benchmark::RegisterBenchmark("get_file", walpipe::bm_get_file)->UseRealTime();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  std::filesystem::remove_all(walpipe::g_work);
  return 0;
}
