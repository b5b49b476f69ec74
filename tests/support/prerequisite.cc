#include "support/prerequisite.h"

#include <cstdlib>
#include <cstring>

namespace walpipe::testing {

::testing::TestPartResult::Type missing_prerequisite_result() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && std::strcmp(ci, "true") == 0 ? ::testing::TestPartResult::kFatalFailure
                                                       : ::testing::TestPartResult::kSkip;
}

}  // namespace walpipe::testing
