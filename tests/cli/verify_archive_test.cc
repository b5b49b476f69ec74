// walpipe verify over an archive checks each object against its own metadata (frames, sizes,
// XXH3-128, recorded name), not only the WAL inside it.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "support/corpus.h"
#include "support/run_command.h"
#include "support/scratch_dir.h"

namespace walpipe::testing {
namespace {

namespace fs = std::filesystem;

class VerifyArchive : public ::testing::Test {
 protected:
  void SetUp() override {
    WALPIPE_REQUIRE_CORPUS();
    fs::create_directories(dir_.file("archive"));
    for (const char* seg : {"34", "35", "36"}) {
      std::string name = std::string("0000000100000000000000") + seg;
      std::string src = dir_.write("src/" + name, corpus_bytes("pg16/1mb/" + name));
      ASSERT_EQ(run_walpipe({"push", "--archive", dir_.file("archive"), src}).exit_code, 0);
    }
  }
  std::string object(const char* seg) {
    return dir_.file(std::string("archive/wal/0000000100000000/0000000100000000000000") + seg +
                     ".zst");
  }
  ScratchDir dir_;
};

TEST_F(VerifyArchive, AnIntactArchiveIsValidAndContiguous) {
  CommandResult r = run_walpipe({"verify", "--contiguous", dir_.file("archive")});
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("verified 3 files: 3 valid"), std::string::npos) << r.out;
}

TEST_F(VerifyArchive, ADamagedDataFrameIsFound) {
  {
    std::fstream f(object("35"), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(fs::file_size(object("35")) / 2));
    f.put('\x55');
  }
  CommandResult r = run_walpipe({"verify", dir_.file("archive")});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("000000010000000000000035.zst: invalid"), std::string::npos) << r.out;
}

TEST_F(VerifyArchive, AnObjectUnderAnotherNameIsFound) {
  fs::copy_file(object("34"), object("37"));
  CommandResult r = run_walpipe({"verify", dir_.file("archive")});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("OBJECT_NAME"), std::string::npos) << r.out;
}

TEST_F(VerifyArchive, PaddingCutOffIsFound) {
  fs::resize_file(object("36"), fs::file_size(object("36")) - 100);
  CommandResult r = run_walpipe({"verify", dir_.file("archive")});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("000000010000000000000036.zst: invalid"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace walpipe::testing
