// A test with a ScratchDir of its own holding an empty archive folder, "archive", into which it
// pushes files of the corpus with the walpipe command; skipped (failed under CI=true) without the
// corpus.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/scratch_dir.h"

namespace walpipe::testing {

class ScratchArchiveTest : public ::testing::Test {
 protected:
  void SetUp() override;

  std::string archive() const { return dir_.file("archive"); }
  // Writes corpus file `relative` to src/ under its own name and pushes it into archive(), with
  // `options` before --archive; asserts that push exits 0.
  void push_corpus(const std::string& relative, const std::vector<std::string>& options = {});

  ScratchDir dir_;
};

}  // namespace walpipe::testing
