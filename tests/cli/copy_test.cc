// walpipe copy FROM TO between folder archives (the bucket side is in s3_archive_test): every
// object arrives byte for byte; a second run copies nothing; a copy stopped part way is finished
// by running it again; a damaged object is named and left behind, never carried over; an object
// TO holds with other content is named and left untouched; another cluster's archive is refused.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "exit_codes.h"
#include "support/corpus_archive.h"
#include "support/files.h"
#include "support/run_command.h"

namespace walpipe::testing {
namespace {

namespace fs = std::filesystem;

// Flips the bits of one byte in the middle of the file, as rot in the archive would.
void rot(const std::string& path) {
  fs::permissions(path, fs::perms::owner_write, fs::perm_options::add);
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  const std::streamoff middle = static_cast<std::streamoff>(fs::file_size(path) / 2);
  f.seekg(middle);
  char c = 0;
  f.get(c);
  f.seekp(middle);
  f.put(static_cast<char>(c ^ 0x10));
}

// Every object file below `root`/wal, by its path relative to `root`.
std::vector<std::string> objects_in(const std::string& root) {
  std::vector<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(root + "/wal"))
    if (e.is_regular_file()) out.push_back(fs::relative(e.path(), root).string());
  std::sort(out.begin(), out.end());
  return out;
}

class Copy : public CorpusArchiveTest {
 protected:
  CommandResult copy(const std::string& to, std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"copy"};
    args.insert(args.end(), extra.begin(), extra.end());
    args.insert(args.end(), {archive(), to});
    return run_walpipe(args);
  }
  std::string to_ = dir_.file("copy");
};

TEST_F(Copy, EveryObjectArrivesByteForByteAndASecondRunCopiesNothing) {
  fs::create_directory(to_);
  const std::vector<std::string> objects = objects_in(archive());
  ASSERT_GE(objects.size(), 8u);
  CommandResult r = copy(to_);
  ASSERT_EQ(r.exit_code, exit_code::kOk) << r.err;
  EXPECT_EQ(r.out, "copied " + std::to_string(objects.size()) + " objects (" + std::to_string([&] {
                     uintmax_t n = 0;
                     for (const auto& o : objects) n += fs::file_size(archive() + "/" + o);
                     return n;
                   }()) +
                       " bytes) from \"" + archive() + "\" to \"" + to_ +
                       "\"; 0 already there, 0 not copied\n");
  EXPECT_EQ(objects_in(to_), objects);
  for (const std::string& o : objects)
    EXPECT_EQ(file_text(to_ + "/" + o), file_text(archive() + "/" + o)) << o;
  EXPECT_EQ(file_text(to_ + "/walpipe.json"), file_text(archive() + "/walpipe.json"));

  r = copy(to_, {"--json"});
  EXPECT_EQ(r.exit_code, exit_code::kOk) << r.err;
  EXPECT_NE(r.out.find("\"copied\":0,\"already_there\":" + std::to_string(objects.size()) +
                       ",\"not_copied\":0"),
            std::string::npos)
      << r.out;
}

TEST_F(Copy, AStoppedCopyIsFinishedByRunningItAgain) {
  fs::create_directory(to_);
  ASSERT_EQ(copy(to_).exit_code, exit_code::kOk);
  // As a copy killed half way leaves it: the later objects not there yet.
  const std::vector<std::string> objects = objects_in(archive());
  for (size_t i = objects.size() / 2; i < objects.size(); ++i) fs::remove(to_ + "/" + objects[i]);
  CommandResult r = copy(to_, {"-v"});
  ASSERT_EQ(r.exit_code, exit_code::kOk) << r.err;
  const size_t copied = objects.size() - objects.size() / 2;
  EXPECT_NE(r.out.find("copied " + std::to_string(copied) + " objects"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find(std::to_string(objects.size() / 2) + " already there"), std::string::npos)
      << r.out;
  EXPECT_EQ(objects_in(to_), objects);
}

TEST_F(Copy, ADamagedObjectIsNamedAndLeftBehind) {
  fs::create_directory(to_);
  const std::string damaged = object("000000010000000000000035");
  rot(damaged);
  CommandResult r = copy(to_);
  EXPECT_EQ(r.exit_code, exit_code::kCopyIncomplete) << r.err;
  EXPECT_NE(r.err.find("walpipe copy: warning: \"000000010000000000000035\" not copied: "),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find(damaged), std::string::npos) << r.err;
  EXPECT_NE(r.out.find(", 1 not copied\n"), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(to_ + "/wal/0000000100000000/000000010000000000000035.zst"));
  EXPECT_TRUE(fs::exists(to_ + "/wal/0000000100000000/000000010000000000000036.zst"));
}

TEST_F(Copy, OtherContentInToIsLeftUntouched) {
  fs::create_directory(to_);
  ASSERT_EQ(copy(to_).exit_code, exit_code::kOk);
  // TO holds segment 36's object under 35's name: not the same content.
  const std::string in_to = to_ + "/wal/0000000100000000/000000010000000000000035.zst";
  fs::remove(in_to);
  fs::copy_file(object("000000010000000000000036"), in_to);
  const std::string before = file_text(in_to);
  CommandResult r = copy(to_);
  EXPECT_EQ(r.exit_code, exit_code::kCopyIncomplete) << r.err;
  EXPECT_NE(r.err.find("\"000000010000000000000035\" not copied"), std::string::npos) << r.err;
  EXPECT_EQ(file_text(in_to), before);
}

TEST_F(Copy, AnotherClustersArchiveIsRefused) {
  fs::create_directory(to_);
  const std::string other = other_cluster_object();
  const std::string other_root = fs::path(other).parent_path().parent_path().parent_path().string();
  std::vector<std::string> args{"copy", archive(), other_root};
  CommandResult r = run_walpipe(args);
  EXPECT_EQ(r.exit_code, exit_code::kCopyUsage) << r.err;
  EXPECT_NE(r.err.find("different"), std::string::npos) << r.err;

  r = run_walpipe({"copy", archive(), archive()});
  EXPECT_EQ(r.exit_code, exit_code::kCopyUsage) << r.err;
  r = run_walpipe({"copy", "relative", to_});
  EXPECT_EQ(r.exit_code, exit_code::kCopyUsage) << r.err;
  r = run_walpipe({"copy", dir_.file("empty"), to_});
  EXPECT_EQ(r.exit_code, exit_code::kCopyUsage) << r.err;
}

}  // namespace
}  // namespace walpipe::testing
