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

// What main() of a program that takes no arguments of its own does first: Google Benchmark takes
// its flags, then anything left on the command line is refused (2) and so is a build whose figures
// must not be reported (1). 0 when the program goes on to register its benchmarks.
inline int start_without_arguments(int* argc, char** argv) {
  benchmark::Initialize(argc, argv);
  if (benchmark::ReportUnrecognizedArguments(*argc, argv)) return 2;
  if (!build_is_reportable()) return 1;
  return 0;
}

}  // namespace walpipe::bench
