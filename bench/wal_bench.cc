// wal::inspect_segment throughput per core on real PostgreSQL WAL from tests/corpus, one
// segment per shape of workload: full-page-image heavy (few, large records: the cost should be
// CRC and memory), many small records (per-record header, decode and CRC set-up costs), and a
// switched segment (a short head and a zero tail). Next to each, CRC-32C over the same bytes:
// the floor inspect cannot beat, since it checks the CRC of every record byte.
//
// Segments are decompressed once, before timing. Without the corpus the program says so and
// runs nothing. WALPIPE_CORPUS overrides where the corpus is looked for.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "bench_build.h"
#include "codec/crc32c.h"
#include "pipeline/file_loader.h"
#include "wal/inspect.h"

namespace walpipe {
namespace {

struct Sample {
  const char* label;
  const char* relative;  // under the corpus, without ".zst"
};

// Chosen by content, not by name (records per MiB from `walpipe verify --json` over the corpus):
// pgbench/2C follows a checkpoint, so ~80% of its bytes are full-page images; bulk/B7 is COPY and
// CREATE INDEX images; pg15-tl 1mb/22 is steady pgbench UPDATE/INSERT/COMMIT traffic, with the
// most records per MiB of any PostgreSQL 15 file (~15k, ~70 bytes each); walcompression/90 has
// the most per MiB of the 16 MiB segments (~7.6k: wal_compression shrinks its images);
// switched/64 is a pg_switch_wal() segment.
constexpr Sample kSamples[] = {
    {"fpi_heavy/pg15_pgbench_2C", "pg15/pgbench/00000001000000000000002C"},
    {"fpi_heavy/pg15_bulk_B7", "pg15/bulk/0000000100000000000000B7"},
    {"small_records/pg15_1mb_22", "pg15-tl/1mb/000000010000000000000022"},
    {"small_records/pg15_walcompression_90", "pg15/walcompression/000000010000000100000090"},
    {"switched/pg15_64", "pg15/switched/000000010000000000000064"},
};

struct Segment {
  std::string label;
  std::string name;  // bare file name: it sets the LSN range inspect expects
  std::vector<std::byte> bytes;
  uint64_t records = 0;
};

std::string corpus_dir() {
  const char* env = std::getenv("WALPIPE_CORPUS");
  return env != nullptr ? env : WALPIPE_CORPUS_DIR;
}

// Loads and pre-inspects every sample present. A sample that is missing or does not inspect
// cleanly is reported and left out: timing a walk that stops early would overstate throughput.
std::vector<Segment> load_samples(const std::string& dir) {
  std::vector<Segment> out;
  pipeline::FileLoader loader;
  for (const Sample& sample : kSamples) {
    std::string path = dir + "/" + sample.relative + ".zst";
    Result<pipeline::LoadedFile> loaded = loader.load(path, false);
    if (!loaded.is_ok()) {
      std::fprintf(stderr, "wal_bench: skipping %s: %s\n", sample.label,
                   loaded.status().to_string().c_str());
      continue;
    }
    Segment seg;
    seg.label = sample.label;
    std::string relative = sample.relative;
    seg.name = relative.substr(relative.find_last_of('/') + 1);
    seg.bytes.assign(loader.data().begin(), loader.data().end());
    wal::SegmentReport report = wal::inspect_segment(seg.bytes, seg.name);
    if (!report.valid()) {
      std::fprintf(stderr, "wal_bench: skipping %s: it does not inspect cleanly\n", sample.label);
      continue;
    }
    seg.records = report.record_count;
    double mib = static_cast<double>(seg.bytes.size()) / (1 << 20);
    std::fprintf(stderr, "wal_bench: %-40s %8zu KiB %7llu records %6.0f records/MiB\n",
                 sample.label, seg.bytes.size() >> 10, static_cast<unsigned long long>(seg.records),
                 static_cast<double>(seg.records) / mib);
    out.push_back(std::move(seg));
  }
  return out;
}

void bm_inspect(benchmark::State& state, const Segment* seg) {
  for (auto _ : state) {
    wal::SegmentReport report = wal::inspect_segment(seg->bytes, seg->name);
    benchmark::DoNotOptimize(report);
  }
  auto iterations = static_cast<double>(state.iterations());
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * seg->bytes.size()));
  state.counters["records/s"] = benchmark::Counter(iterations * static_cast<double>(seg->records),
                                                   benchmark::Counter::kIsRate);
}

void bm_crc_floor(benchmark::State& state, const Segment* seg) {
  for (auto _ : state) {
    uint32_t reg = crc32c::extend(crc32c::kInit, seg->bytes);
    benchmark::DoNotOptimize(reg);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * seg->bytes.size()));
}

}  // namespace
}  // namespace walpipe

int main(int argc, char** argv) {
  if (int refused = walpipe::bench::start_without_arguments(&argc, argv)) return refused;
  std::string dir = walpipe::corpus_dir();
  // Registered benchmarks keep pointers into this vector; it is not resized after this line.
  const std::vector<walpipe::Segment> segments = walpipe::load_samples(dir);
  if (segments.empty()) {
    std::fprintf(stderr, "wal_bench: no corpus segments under %s; nothing to measure\n",
                 dir.c_str());
    return 0;
  }
  for (const walpipe::Segment& seg : segments) {
    benchmark::RegisterBenchmark(("inspect/" + seg.label).c_str(), walpipe::bm_inspect, &seg);
    benchmark::RegisterBenchmark(("crc32c_floor/" + seg.label).c_str(), walpipe::bm_crc_floor,
                                 &seg);
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
