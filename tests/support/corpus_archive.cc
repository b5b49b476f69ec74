#include "support/corpus_archive.h"

#include <filesystem>

#include "support/corpus.h"
#include "support/run_command.h"

namespace walpipe::testing {

namespace fs = std::filesystem;

ScratchDir* CorpusArchiveTest::pushed_ = nullptr;

void push_file(const std::string& to, const std::string& src, bool verify) {
  std::vector<std::string> args{"push", "--archive", to, src};
  if (!verify) args.push_back("--no-verify");
  CommandResult r = run_walpipe(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
}

void CorpusArchiveTest::push_suite_archive(const std::vector<Extra>& extra) {
  if (corpus_files().empty()) return;  // SetUp says so, test by test
  pushed_ = new ScratchDir;
  const std::string archive = pushed_->file("archive");
  fs::create_directories(archive);
  for (const char* f :
       {"000000010000000000000034", "000000010000000000000035", "000000010000000000000036",
        "000000010000000000000039", "00000001000000000000003A.000000D8.backup",
        "000000010000000000000055.partial", "00000002.history", "000000020000000000000055",
        "000000020000000000000056"})
    push_file(archive,
              pushed_->write(std::string("src/") + f, corpus_bytes("pg16/1mb/" + std::string(f))));
  for (const auto& [name, content] : extra)
    push_file(archive, pushed_->write("src/" + name, content));
}

CommandResult CorpusArchiveTest::on_archive(const std::string& command,
                                            const std::vector<std::string>& extra) const {
  std::vector<std::string> args{command, "--archive", archive()};
  args.insert(args.end(), extra.begin(), extra.end());
  return run_walpipe(args);
}

void CorpusArchiveTest::TearDownTestSuite() {
  delete pushed_;
  pushed_ = nullptr;
}

void CorpusArchiveTest::SetUp() {
  WALPIPE_REQUIRE_CORPUS();
  fs::copy(pushed_->file("archive"), archive(), fs::copy_options::recursive);
}

std::string CorpusArchiveTest::object(const std::string& name) const {
  // The layout's path, written out: a test that agrees with the code by calling it proves nothing.
  return archive() + "/wal/" + name.substr(0, 16) + "/" + name + ".zst";
}

std::string CorpusArchiveTest::other_cluster_object() const {
  const std::string other = dir_.file("other");
  fs::create_directories(other);
  push_file(other, dir_.write("src/000000010000000000000026",
                              corpus_bytes("pg13/1mb/000000010000000000000026")));
  return other + "/wal/0000000100000000/000000010000000000000026.zst";
}

}  // namespace walpipe::testing
