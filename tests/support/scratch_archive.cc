#include "support/scratch_archive.h"

#include <filesystem>

#include "support/corpus.h"
#include "support/prerequisite.h"
#include "support/run_command.h"

namespace walpipe::testing {

void ScratchArchiveTest::SetUp() {
  WALPIPE_REQUIRE_CORPUS();
  std::filesystem::create_directories(archive());
}

void ScratchArchiveTest::push_corpus(const std::string& relative,
                                     const std::vector<std::string>& options) {
  const std::string src = dir_.write("src/" + base_name(relative), corpus_bytes(relative));
  std::vector<std::string> args{"push"};
  args.insert(args.end(), options.begin(), options.end());
  args.insert(args.end(), {"--archive", archive(), src});
  CommandResult r = run_walpipe(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
}

}  // namespace walpipe::testing
