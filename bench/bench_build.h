// Shared by the benchmark programs: figures from an unoptimised build or one with debug
// assertions mislead anyone who reads them, so such a build refuses to run (as leveldb's
// db_bench warns when assertions are on), unless WALPIPE_BENCH_ALLOW_DEBUG=1 asks to smoke-test
// the benchmark code itself.
#pragma once

#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace walpipe::bench {

// Returns false, after a loud warning, when the numbers of this build must not be reported.
inline bool build_is_reportable() {
  const char* problem = nullptr;
#if !defined(__OPTIMIZE__)
  problem = "compiled without optimisation";
#elif !defined(NDEBUG)
  problem = "compiled with debug assertions (NDEBUG unset)";
#endif
  if (problem == nullptr) {
    benchmark::AddCustomContext("walpipe_build", "optimised, NDEBUG");
    return true;
  }
  std::fprintf(stderr,
               "**********************************************************************\n"
               "WARNING: this benchmark was %s.\n"
               "Its figures say nothing about walpipe. Configure with\n"
               "  -DCMAKE_BUILD_TYPE=Release\n"
               "**********************************************************************\n",
               problem);
  const char* allow = std::getenv("WALPIPE_BENCH_ALLOW_DEBUG");
  if (allow != nullptr && std::strcmp(allow, "1") == 0) {
    benchmark::AddCustomContext("walpipe_build", problem);
    return true;
  }
  std::fprintf(stderr, "refusing to run (set WALPIPE_BENCH_ALLOW_DEBUG=1 to run anyway)\n");
  return false;
}

}  // namespace walpipe::bench
