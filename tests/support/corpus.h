// Access to the real WAL in tests/corpus, decompressed once per process and cached.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "support/prerequisite.h"

namespace walpipe::testing {

std::string corpus_dir();

// The PostgreSQL 16 segments most tests use: 34 to 36 follow one another; the corpus has no 37
// or 38 before 39.
inline constexpr const char* kSeg34 = "pg16/1mb/000000010000000000000034";
inline constexpr const char* kSeg35 = "pg16/1mb/000000010000000000000035";
inline constexpr const char* kSeg36 = "pg16/1mb/000000010000000000000036";
inline constexpr const char* kSeg39 = "pg16/1mb/000000010000000000000039";

// Paths (relative to corpus_dir(), without ".zst") of every corpus file, in name order.
std::vector<std::string> corpus_files();

// The decompressed bytes of corpus file `relative` ("pg16/1mb/000000010000000000000034").
const std::vector<std::byte>& corpus_bytes(const std::string& relative);

// The bare file name of a corpus path.
std::string base_name(const std::string& relative);

// Skips (fails under CI=true) the current test when the corpus is missing from the checkout.
#define WALPIPE_REQUIRE_CORPUS()                                             \
  do {                                                                       \
    if (::walpipe::testing::corpus_files().empty())                          \
      WALPIPE_SKIP() << "no corpus at " << ::walpipe::testing::corpus_dir(); \
  } while (0)

}  // namespace walpipe::testing
