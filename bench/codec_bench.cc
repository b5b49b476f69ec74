// CRC-32C throughput per core: walpipe's ISA-L path against the alternatives a WAL reader could
// use. Every WAL byte walpipe verifies passes through crc32c::extend once, so this is the
// ceiling for verify throughput.
//
//   isal       walpipe::crc32c::extend (ISA-L crc32_iscsi: folding with carry-less multiply)
//   sse42      8 bytes per crc32 instruction, one stream: the shape of PostgreSQL's own
//              pg_comp_crc32c_sse42, which PostgreSQL picks at run time on x86-64
//   table      one 256-entry table lookup per byte: the portable software loop
//   reference  walpipe::crc32c::reference_extend, bit at a time (the tests' cross-check)
#include <benchmark/benchmark.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

#include "bench_build.h"
#include "codec/crc32c.h"

namespace walpipe {
namespace {

using ExtendFn = uint32_t (*)(uint32_t, Bytes);

constexpr std::array<uint32_t, 256> make_table() {
  std::array<uint32_t, 256> table{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t reg = i;
    for (int bit = 0; bit < 8; ++bit) reg = (reg >> 1) ^ (0x82F63B78u & (0u - (reg & 1u)));
    table[i] = reg;
  }
  return table;
}
constexpr std::array<uint32_t, 256> kTable = make_table();

uint32_t table_extend(uint32_t reg, Bytes data) {
  for (std::byte b : data) reg = kTable[(reg ^ static_cast<uint32_t>(b)) & 0xFF] ^ (reg >> 8);
  return reg;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) uint32_t sse42_extend(uint32_t reg, Bytes data) {
  const unsigned char* p = as_uchar(data);
  size_t n = data.size();
  uint64_t reg64 = reg;
  for (; n >= 8; p += 8, n -= 8) {
    uint64_t word;
    std::memcpy(&word, p, sizeof word);
    reg64 = _mm_crc32_u64(reg64, word);
  }
  reg = static_cast<uint32_t>(reg64);
  for (; n > 0; ++p, --n) reg = _mm_crc32_u8(reg, *p);
  return reg;
}
#endif

struct Impl {
  const char* name;
  ExtendFn extend;
};

std::vector<Impl> available_impls() {
  std::vector<Impl> impls = {{"isal", crc32c::extend}};
#if defined(__x86_64__)
  if (__builtin_cpu_supports("sse4.2")) impls.push_back({"sse42", sse42_extend});
#endif
  impls.push_back({"table", table_extend});
  impls.push_back({"reference", crc32c::reference_extend});
  return impls;
}

// Random rather than zero bytes: no implementation can take a data-dependent shortcut.
const std::vector<std::byte>& input() {
  static const std::vector<std::byte> bytes = [] {
    std::vector<std::byte> v((16 << 20) + 64);
    std::mt19937_64 rng(20240601);
    for (auto& b : v) b = static_cast<std::byte>(rng());
    return v;
  }();
  return bytes;
}

// A fast CRC that computes the wrong value measures nothing, so every implementation must
// match the standard check value and the bitwise reference, unaligned and across lengths.
bool implementations_agree(const std::vector<Impl>& impls) {
  const char check[] = "123456789";
  Bytes check_bytes(reinterpret_cast<const std::byte*>(check), 9);
  Bytes data(input());
  for (const Impl& impl : impls) {
    if (crc32c::finish(impl.extend(crc32c::kInit, check_bytes)) != 0xE3069283u) {
      std::fprintf(stderr, "codec_bench: %s gives the wrong CRC-32C of \"123456789\"\n", impl.name);
      return false;
    }
    for (size_t len : {size_t{0}, size_t{1}, size_t{7}, size_t{63}, size_t{8191}, size_t{65541}}) {
      Bytes piece = data.subspan(3, len);
      if (impl.extend(crc32c::kInit, piece) != crc32c::reference_extend(crc32c::kInit, piece)) {
        std::fprintf(stderr, "codec_bench: %s disagrees with the reference at %zu bytes\n",
                     impl.name, len);
        return false;
      }
    }
  }
  return true;
}

void bm_crc32c(benchmark::State& state, ExtendFn extend) {
  Bytes data = Bytes(input()).first(static_cast<size_t>(state.range(0)));
  for (auto _ : state) {
    uint32_t reg = extend(crc32c::kInit, data);
    benchmark::DoNotOptimize(reg);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}

}  // namespace
}  // namespace walpipe

int main(int argc, char** argv) {
  if (int refused = walpipe::bench::start_without_arguments(&argc, argv)) return refused;
  std::vector<walpipe::Impl> impls = walpipe::available_impls();
  if (!walpipe::implementations_agree(impls)) return 1;
  // 64 B: a small WAL record; 8 KiB: a full-page image; 16 MiB: a whole default segment.
  for (const walpipe::Impl& impl : impls) {
    benchmark::RegisterBenchmark((std::string("crc32c/") + impl.name).c_str(), walpipe::bm_crc32c,
                                 impl.extend)
        ->Arg(64)
        ->Arg(8 << 10)
        ->Arg(16 << 20);
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
