// pipeline::verify_files collected into a vector, for tests over small sets of files (the
// command streams its results through a VerifySink instead).
#pragma once

#include <string>
#include <vector>

#include "pipeline/verify.h"
#include "wal/chain.h"

namespace walpipe::testing {

// Each file with the set's findings appended to its own, and the gaps in `gaps` when given.
std::vector<pipeline::VerifiedFile> verify_files(const std::vector<std::string>& paths,
                                                 const pipeline::VerifyOptions& options,
                                                 std::vector<wal::Gap>* gaps = nullptr);

}  // namespace walpipe::testing
