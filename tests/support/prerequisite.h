// What a test does when something it needs is missing: data, a server, a package, a kernel
// feature, root. Run by hand it skips; under CI=true (how .ci/run runs) it fails with the same
// reason, since scripts/setup.sh installs every prerequisite there and a skip would hide a broken
// set-up behind a green run. scripts/skipped_tests.sh names every test that skipped.
#pragma once

#include <gtest/gtest.h>

namespace walpipe::testing {

// The result a missing prerequisite gives: kSkip by hand, kFatalFailure when CI is "true".
::testing::TestPartResult::Type missing_prerequisite_result();

}  // namespace walpipe::testing

// Use as GTEST_SKIP(): `WALPIPE_SKIP() << "why";`. Like GTEST_SKIP it returns from the function.
#define WALPIPE_SKIP()                                                                  \
  return GTEST_MESSAGE_AT_(__FILE__, __LINE__,                                          \
                           ::walpipe::testing::missing_prerequisite_result() ==        \
                                   ::testing::TestPartResult::kSkip                     \
                               ? ""                                                     \
                               : "missing prerequisite (a skip fails when CI=true)",   \
                           ::walpipe::testing::missing_prerequisite_result())
