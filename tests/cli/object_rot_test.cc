// Bit rot that leaves the WAL inside an object unchanged is still seen: a flipped low bit of a
// data frame's window descriptor, or of the padding, decompresses to the same bytes (zstd -t and
// the original bytes' XXH3-128 pass), but the stored bytes' XXH3-128 that push records does not.
// get restores the intact WAL and warns; verify reports the object.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

#include "exit_codes.h"
#include "support/corpus.h"
#include "support/files.h"
#include "support/run_command.h"
#include "support/scratch_archive.h"
#include "support/scratch_dir.h"

namespace walpipe::testing {
namespace {

namespace fs = std::filesystem;

constexpr char kName[] = "000000010000000000000035";
constexpr size_t kDataStart = 4096;  // a 1 MiB segment's data frame starts after one block

class ObjectRot : public ScratchArchiveTest {
 protected:
  void SetUp() override {
    ScratchArchiveTest::SetUp();
    if (IsSkipped()) return;
    push_corpus(source());
  }
  static std::string source() { return std::string("pg16/1mb/") + kName; }
  std::string object() const {
    return dir_.file(std::string("archive/wal/0000000100000000/") + kName + ".zst");
  }
  unsigned char byte_at(size_t offset) const {
    std::ifstream f(object(), std::ios::binary);
    f.seekg(static_cast<std::streamoff>(offset));
    return static_cast<unsigned char>(f.get());
  }
  void flip_low_bit(size_t offset) const {
    const unsigned char old = byte_at(offset);
    std::fstream f(object(), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(offset));
    f.put(static_cast<char>(old ^ 1));
  }
  // Restores the object and checks the WAL is intact and the damage is said, not hidden.
  void expect_restored_with_warning() const {
    const std::string dest = dir_.file("RECOVERYXLOG");
    CommandResult got = run_walpipe({"get", "--archive", dir_.file("archive"), kName, dest});
    EXPECT_EQ(got.exit_code, exit_code::kOk) << got.err;
    EXPECT_TRUE(file_bytes(dest) == corpus_bytes(source()));
    EXPECT_NE(got.err.find("walpipe get: warning: archive object \"" + object() +
                           "\" is damaged: its stored bytes have changed since it was written"),
              std::string::npos)
        << got.err;
    EXPECT_NE(got.err.find("DETAIL: The WAL it holds passed every check and was restored."),
              std::string::npos)
        << got.err;

    CommandResult verified = run_walpipe({"verify", dir_.file("archive")});
    EXPECT_EQ(verified.exit_code, exit_code::kVerifyProblems) << verified.out;
    EXPECT_NE(verified.out.find("(OBJECT_BYTES"), std::string::npos) << verified.out;
  }
};

TEST_F(ObjectRot, AnUntouchedObjectIsRestoredWithoutAWord) {
  CommandResult got =
      run_walpipe({"get", "--archive", dir_.file("archive"), kName, dir_.file("RECOVERYXLOG")});
  EXPECT_EQ(got.exit_code, exit_code::kOk);
  EXPECT_EQ(got.err, "");
  EXPECT_EQ(run_walpipe({"verify", dir_.file("archive")}).exit_code, exit_code::kOk);
}

TEST_F(ObjectRot, AFlippedBitOfTheWindowDescriptorIsSeen) {
  // Magic (4 bytes), then the frame header descriptor; without the single-segment flag (0x20)
  // the window descriptor follows it.
  const unsigned char descriptor = byte_at(kDataStart + 4);
  ASSERT_EQ(descriptor & 0x20, 0) << "walpipe's frames carry a window descriptor";
  flip_low_bit(kDataStart + 5);
  CommandResult test = run_command({"/usr/bin/zstd", "-t", "-q", object()});
  EXPECT_EQ(test.exit_code, 0) << "zstd alone does not see it: " << test.err;
  expect_restored_with_warning();
}

TEST_F(ObjectRot, AFlippedBitOfThePaddingIsSeen) {
  flip_low_bit(fs::file_size(object()) - 1);
  expect_restored_with_warning();
}

}  // namespace
}  // namespace walpipe::testing
