// walpipe verify over an archive checks each object against its own metadata (frames, sizes,
// XXH3-128, recorded name), not only the WAL inside it.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "exit_codes.h"
#include "support/corpus.h"
#include "support/run_command.h"
#include "support/scratch_archive.h"
#include "support/scratch_dir.h"

namespace walpipe::testing {
namespace {

namespace fs = std::filesystem;

class VerifyArchive : public ScratchArchiveTest {
 protected:
  void SetUp() override {
    ScratchArchiveTest::SetUp();
    if (IsSkipped()) return;
    for (const char* seg : {"34", "35", "36"})
      ASSERT_NO_FATAL_FAILURE(push_corpus(std::string("pg16/1mb/0000000100000000000000") + seg));
  }
  std::string object(const char* seg) {
    return dir_.file(std::string("archive/wal/0000000100000000/0000000100000000000000") + seg +
                     ".zst");
  }
  std::string folder() const { return dir_.file("archive/wal/0000000100000000"); }
  // Archives 39 too: 37 and 38 are then missing.
  void push_39() { push_corpus("pg16/1mb/000000010000000000000039"); }
};

constexpr const char* kGap =
    "missing WAL segments 000000010000000000000037 to 000000010000000000000038 between "
    "\"000000010000000000000036\" and \"000000010000000000000039\" (CHAIN_GAP)\n";

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
  EXPECT_EQ(r.exit_code, exit_code::kVerifyProblems) << r.out;
  EXPECT_NE(r.out.find("000000010000000000000035.zst: invalid"), std::string::npos) << r.out;
}

TEST_F(VerifyArchive, AnObjectUnderAnotherNameIsFound) {
  fs::copy_file(object("34"), object("37"));
  CommandResult r = run_walpipe({"verify", dir_.file("archive")});
  EXPECT_EQ(r.exit_code, exit_code::kVerifyProblems) << r.out;
  EXPECT_NE(r.out.find("OBJECT_NAME"), std::string::npos) << r.out;
}

TEST_F(VerifyArchive, PaddingCutOffIsFound) {
  fs::resize_file(object("36"), fs::file_size(object("36")) - 100);
  CommandResult r = run_walpipe({"verify", dir_.file("archive")});
  EXPECT_EQ(r.exit_code, exit_code::kVerifyProblems) << r.out;
  EXPECT_NE(r.out.find("000000010000000000000036.zst: invalid"), std::string::npos) << r.out;
}

// A hole in an archive is data a restore cannot pass: an error, reported once for the range,
// on no file (the files around it are intact), and counted apart in the summary.
TEST_F(VerifyArchive, AMissingRunOfSegmentsIsOneErrorAndNoFileIsInvalid) {
  push_39();
  CommandResult r = run_walpipe({"verify", dir_.file("archive")});
  EXPECT_EQ(r.exit_code, exit_code::kVerifyProblems) << r.out;
  EXPECT_NE(r.out.find(object("39") + ": ok: "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("across files:\n" + folder() + ":\n  error: " + kGap +
                       "verified 4 files: 4 valid, 0 invalid, 0 unreadable; 1 gap (2 missing "
                       "segments); 4612 records in 4 MiB of WAL\n"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(r.err, "");
}

TEST_F(VerifyArchive, AllowGapsMakesTheGapAWarning) {
  push_39();
  CommandResult r = run_walpipe({"verify", "--allow-gaps", "-q", dir_.file("archive")});
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(r.out, "across files:\n" + folder() + ":\n  warning: " + kGap +
                       "verified 4 files: 4 valid, 0 invalid, 0 unreadable; 1 gap (2 missing "
                       "segments); 4612 records in 4 MiB of WAL\n");
}

TEST_F(VerifyArchive, JsonListsTheGapApartFromTheFiles) {
  push_39();
  CommandResult r = run_walpipe({"verify", "--json", dir_.file("archive")});
  EXPECT_EQ(r.exit_code, exit_code::kVerifyProblems) << r.out;
  EXPECT_NE(r.out.find("\"gaps\":[{\"severity\":\"error\",\"code\":\"CHAIN_GAP\",\"timeline\":1,"
                       "\"first_missing\":\"000000010000000000000037\",\"last_missing\":"
                       "\"000000010000000000000038\",\"missing_segments\":2,\"lsn\":\"0/3700000\","
                       "\"preceding_path\":\"" +
                       object("36") + "\",\"following_path\":\"" + object("39") + "\","),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("\"summary\":{\"files\":4,\"valid\":4,\"invalid\":0,\"unreadable\":0,"
                       "\"recycled\":0,\"gaps\":1,\"missing_segments\":2,"),
            std::string::npos)
      << r.out;
}

// Outside an archive a gap stays a warning (a sample of segments) unless --contiguous asks.
TEST_F(VerifyArchive, InALooseFolderAGapIsAWarningUnlessContiguousIsGiven) {
  for (const char* seg : {"34", "39"}) {
    std::string name = std::string("0000000100000000000000") + seg;
    dir_.write("loose/" + name, corpus_bytes("pg16/1mb/" + name));
  }
  CommandResult r = run_walpipe({"verify", dir_.file("loose")});
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("  warning: missing WAL segments 000000010000000000000035 to "
                       "000000010000000000000038 between"),
            std::string::npos)
      << r.out;
  r = run_walpipe({"verify", "--contiguous", dir_.file("loose")});
  EXPECT_EQ(r.exit_code, exit_code::kVerifyProblems) << r.out;
  EXPECT_NE(r.out.find("  error: missing WAL segments 000000010000000000000035 to "
                       "000000010000000000000038 between"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("verified 2 files: 2 valid, 0 invalid, 0 unreadable; 1 gap (4 missing "
                       "segments);"),
            std::string::npos)
      << r.out;
}

TEST_F(VerifyArchive, ContiguousAndAllowGapsTogetherIsAUsageError) {
  CommandResult r = run_walpipe({"verify", "--contiguous", "--allow-gaps", dir_.file("archive")});
  EXPECT_EQ(r.exit_code, exit_code::kUsage) << r.out;
  EXPECT_EQ(r.err,
            "walpipe verify: error: options --contiguous and --allow-gaps cannot be used "
            "together\nwalpipe verify: hint: Try \"walpipe verify --help\" for more "
            "information.\n");
}

// The rule push and get follow: PostgreSQL runs archive_command in the data directory, where a
// relative archive lands. verify takes archives the same way, and names what was meant.
TEST_F(VerifyArchive, AnArchiveGivenByARelativePathIsRefused) {
  CommandResult r =
      run_command({"/usr/bin/env", "-C", dir_.path(), WALPIPE_BINARY, "verify", "archive"});
  EXPECT_EQ(r.exit_code, exit_code::kUsage) << r.out << r.err;
  EXPECT_EQ(r.err,
            "walpipe verify: error: archive directory \"archive\" is a relative path\n"
            "HINT: Use the absolute path \"" +
                dir_.file("archive") + "\".\n");
  EXPECT_EQ(r.out, "");
}

TEST_F(VerifyArchive, RelativePathsThatAreNoArchiveAreAccepted) {
  std::string name = "000000010000000000000034";
  dir_.write("loose/" + name, corpus_bytes("pg16/1mb/" + name));
  for (const std::string& path : {std::string("loose"), "loose/" + name}) {
    CommandResult r =
        run_command({"/usr/bin/env", "-C", dir_.path(), WALPIPE_BINARY, "verify", path});
    EXPECT_EQ(r.exit_code, 0) << path << ": " << r.out << r.err;
    EXPECT_NE(r.out.find("loose/" + name + ": ok: "), std::string::npos) << r.out;
  }
}

}  // namespace
}  // namespace walpipe::testing

namespace walpipe::testing {
namespace {

// A negative zstd level trades bytes for speed; what it writes is still a plain .zst that
// zstd, walpipe get and walpipe verify all read back to the original bytes.
TEST(PushLevel, NegativeLevelObjectsReadBackExactly) {
  WALPIPE_REQUIRE_CORPUS();
  ScratchDir dir;
  const std::string name = "000000010000000000000034";
  const std::string archive = dir.file("archive");
  std::string src = dir.write("src/" + name, corpus_bytes("pg16/1mb/" + name));
  fs::create_directories(archive);
  CommandResult pushed = run_walpipe({"push", "--archive", archive, "--level=-7", src});
  ASSERT_EQ(pushed.exit_code, 0) << pushed.err;
  std::string object = archive + "/wal/0000000100000000/" + name + ".zst";
  CommandResult unzstd =
      run_command({"/usr/bin/zstd", "-q", "-d", "-f", object, "-o", dir.file("unzstd")});
  ASSERT_EQ(unzstd.exit_code, 0) << unzstd.err;
  CommandResult got = run_walpipe({"get", "--archive", archive, name, dir.file("got")});
  ASSERT_EQ(got.exit_code, 0) << got.err;
  auto bytes = [](const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  EXPECT_EQ(bytes(dir.file("unzstd")), bytes(src));
  EXPECT_EQ(bytes(dir.file("got")), bytes(src));
  EXPECT_EQ(run_walpipe({"verify", archive}).exit_code, 0);
}

TEST(PushLevel, LevelOutsideTheRangeIsAUsageError) {
  ScratchDir dir;
  for (const char* level : {"-8", "20", "fast"}) {
    CommandResult r =
        run_walpipe({"push", "--archive", dir.file("archive"), std::string("--level=") + level,
                     dir.file("000000010000000000000034")});
    EXPECT_EQ(r.exit_code, exit_code::kPushUsage) << level;
    EXPECT_NE(r.err.find(std::string("invalid value \"") + level + "\" for option --level"),
              std::string::npos)
        << r.err;
  }
}

}  // namespace
}  // namespace walpipe::testing
