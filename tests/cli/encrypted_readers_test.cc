// walpipe verify and restore-plan over an encrypted archive folder (issue 13): the corpus archive
// of the restore-plan tests, copied into an encrypted one with walpipe copy, is read through its
// store with --identity (or identity in a configuration file) and says what the plain archive
// says, its objects named as .zst.age and the plan's restore_command with the identity; without
// an identity both exit 2 naming the archive and the recipient that would open it, never
// "invalid" or "missing"; a bit-flipped object is named.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "exit_codes.h"
#include "support/age_tools.h"
#include "support/corpus_archive.h"
#include "support/prerequisite.h"
#include "support/run_command.h"
#include "support/scratch_dir.h"

namespace walpipe::testing {
namespace {

namespace fs = std::filesystem;

constexpr const char* kTarget = "2026-11-24 15:54:16.1 UTC";
constexpr const char* kSeg35 = "000000010000000000000035";

// Every occurrence of `from` in `text` replaced by `to`.
std::string replaced(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = 0; (at = text.find(from, at)) != std::string::npos; at += to.size())
    text.replace(at, from.size(), to);
  return text;
}

class EncryptedReaders : public CorpusArchiveTest {
 protected:
  static void SetUpTestSuite() { push_suite_archive({{kEarlyBackup, kEarlyBackupText}}); }

  void SetUp() override {
    CorpusArchiveTest::SetUp();
    if (!fs::exists(kAgeKeygen)) WALPIPE_SKIP() << "no age-keygen (scripts/setup.sh installs it)";
    CommandResult r = run_command({kAgeKeygen, "-o", identity_});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    r = run_command({kAgeKeygen, "-y", identity_});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    recipient_ = r.out.substr(0, r.out.find('\n'));
    const std::string key = dir_.write("fingerprint.key", std::string(64, 'e') + "\n");
    ASSERT_EQ(::chmod(key.c_str(), 0600), 0);
    fs::create_directories(sealed_);
    r = run_walpipe(
        {"copy", "--encrypt-to", recipient_, "--fingerprint-key", key, archive(), sealed_});
    ASSERT_EQ(r.exit_code, exit_code::kOk) << r.err;
  }

  std::string sealed_object(const std::string& name) const {
    return sealed_ + "/wal/" + name.substr(0, 16) + "/" + name + ".zst.age";
  }
  // What the plain archive's output says, of the encrypted one.
  std::string as_sealed(const std::string& text) const {
    return replaced(replaced(text, ".zst", ".zst.age"), archive(), sealed_);
  }
  std::string no_identity(const std::string& command) const {
    return "walpipe " + command + ": error: archive \"" + sealed_ +
           "\" is encrypted, and no identity was given\nDETAIL: It was encrypted to " + recipient_ +
           ".\nHINT: Give the identity file of one of those recipients with --identity FILE, or "
           "with identity in the configuration file.\n";
  }
  // walpipe with `args` (args[0] the command) and no identity cannot tell: it exits `code` with
  // no_identity()'s message and prints nothing, and its --help offers --identity.
  void expect_no_identity_cannot_tell(const std::vector<std::string>& args, int code) {
    CommandResult r = run_walpipe(args);
    EXPECT_EQ(r.exit_code, code);
    EXPECT_EQ(r.err, no_identity(args[0]));
    EXPECT_EQ(r.out, "");
    r = run_walpipe({args[0], "--help"});
    EXPECT_NE(r.out.find("      --identity=FILE\n"), std::string::npos) << r.out;
  }
  // Flips a byte `from_end` bytes before the end of `path`.
  void flip_byte(const std::string& path, uintmax_t from_end) {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(static_cast<std::streamoff>(fs::file_size(path) - from_end));
    const char byte = static_cast<char>(f.get() ^ 0x55);
    f.seekp(static_cast<std::streamoff>(fs::file_size(path) - from_end));
    f.put(byte);
    ASSERT_TRUE(f) << path;
  }

  std::string identity_ = dir_.file("restore.key");
  std::string sealed_ = dir_.file("sealed");
  std::string recipient_;
};

TEST_F(EncryptedReaders, RestorePlanWithAnIdentityPlansAsFromThePlainArchive) {
  CommandResult plain =
      run_walpipe({"restore-plan", "--archive", archive(), "--target-time", kTarget});
  ASSERT_EQ(plain.exit_code, exit_code::kOk) << plain.err;
  CommandResult r = run_walpipe(
      {"restore-plan", "--archive", sealed_, "--identity", identity_, "--target-time", kTarget});
  EXPECT_EQ(r.exit_code, exit_code::kOk) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_NE(r.out.find(", 3 segments (3072 kB), all verified\n"), std::string::npos) << r.out;
  // The server's restore_command decrypts with the same identity file.
  EXPECT_EQ(r.out, replaced(replaced(plain.out, archive(), sealed_), sealed_ + " %f %p",
                            sealed_ + " --identity " + identity_ + " %f %p"));
  EXPECT_NE(r.out.find("restore_command = 'walpipe get --archive " + sealed_ + " --identity " +
                       identity_ + " %f %p'\n"),
            std::string::npos)
      << r.out;
}

TEST_F(EncryptedReaders, RestorePlanWithoutAnIdentityCannotTell) {
  expect_no_identity_cannot_tell({"restore-plan", "--archive", sealed_, "--target-time", kTarget},
                                 exit_code::kPlanUsage);
}

// An identity that opens none of the objects: every object is unreadable, not absent, so the
// plan that falls short for want of them is "could not tell" (exit 2), never "unreachable".
TEST_F(EncryptedReaders, RestorePlanWithAWrongIdentityCannotTell) {
  const std::string other = dir_.file("other.key");
  CommandResult r = run_command({kAgeKeygen, "-o", other});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = run_walpipe(
      {"restore-plan", "--archive", sealed_, "--identity", other, "--target-time", kTarget});
  EXPECT_EQ(r.exit_code, exit_code::kPlanUsage) << r.err;
  EXPECT_NE(r.err.find("no identity given opens it"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(" objects of the archive could not be read, so whether it can reach the "
                       "target cannot be told\nHINT: Read the warnings above"),
            std::string::npos)
      << r.err;
}

// In the object's last age chunk: its metadata, at the start, still opens, and the listing
// takes it; the verification of the way reads it whole. (A damaged first chunk is named by the
// listing: the segment cannot be used.)
TEST_F(EncryptedReaders, RestorePlanNamesADamagedObjectOnTheWay) {
  // Longer than what the listing reads of it: a 16 kB header budget and one 64 kB chunk.
  ASSERT_GT(fs::file_size(sealed_object(kSeg35)), 16u * 1024 + 16 + 65552 + 100);
  ASSERT_NO_FATAL_FAILURE(flip_byte(sealed_object(kSeg35), 100));
  CommandResult r = run_walpipe(
      {"restore-plan", "--archive", sealed_, "--identity", identity_, "--target-time", kTarget});
  EXPECT_EQ(r.exit_code, exit_code::kPlanUnreachable) << r.err;
  EXPECT_TRUE(r.err.starts_with(
      "walpipe restore-plan: error: the archive cannot reach "
      "2026-11-24 15:54:16.100000 UTC from backup " +
      std::string(kEarlyBackup) + ": archive object \"" + sealed_object(kSeg35) + "\": "))
      << r.err;
  EXPECT_NE(r.out.find(", 3 segments (3072 kB), 1 verified\n"), std::string::npos) << r.out;
}

TEST_F(EncryptedReaders, VerifyWithAnIdentitySaysWhatItSaysOfThePlainArchive) {
  CommandResult plain = run_walpipe({"verify", "-j", "1", archive()});
  ASSERT_EQ(plain.exit_code, exit_code::kVerifyProblems) << plain.err;  // 37 and 38 are missing
  CommandResult r = run_walpipe({"verify", "-j", "1", "--identity", identity_, sealed_});
  EXPECT_EQ(r.exit_code, exit_code::kVerifyProblems) << r.err;
  EXPECT_EQ(r.err, plain.err);
  EXPECT_NE(r.out.find(sealed_object(kSeg35) + ": ok: PostgreSQL 16"), std::string::npos) << r.out;
  EXPECT_EQ(r.out, as_sealed(plain.out));

  // The identity from a configuration file, as get takes it.
  const std::string config = dir_.write("walpipe.conf", "identity = " + identity_ + "\n");
  ASSERT_EQ(::chmod(config.c_str(), 0600), 0);
  r = run_walpipe({"verify", "-j", "1", "--allow-gaps", "--config", config, sealed_});
  EXPECT_EQ(r.exit_code, exit_code::kOk) << r.err << r.out;
}

TEST_F(EncryptedReaders, VerifyWithoutAnIdentityCannotTell) {
  expect_no_identity_cannot_tell({"verify", sealed_}, exit_code::kUsage);
}

TEST_F(EncryptedReaders, VerifyNamesABitFlippedObject) {
  ASSERT_NO_FATAL_FAILURE(
      flip_byte(sealed_object(kSeg35), fs::file_size(sealed_object(kSeg35)) / 2));
  CommandResult r =
      run_walpipe({"verify", "-j", "1", "--allow-gaps", "--identity", identity_, sealed_});
  EXPECT_EQ(r.exit_code, exit_code::kVerifyProblems) << r.err;
  EXPECT_NE(r.out.find(sealed_object(kSeg35) + ": invalid: not WAL\n  error: archive object \"" +
                       sealed_object(kSeg35) + "\": "),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("1 invalid, 0 unreadable"), std::string::npos) << r.out;
}

// A folder above an encrypted archive: the walk cannot read its .zst.age objects, and says so
// once, naming the archive, instead of passing them over as if they held no WAL.
TEST_F(EncryptedReaders, VerifyOfAFolderAboveAnEncryptedArchiveNamesIt) {
  CommandResult r = run_walpipe({"verify", "--identity", identity_, dir_.path()});
  EXPECT_EQ(r.exit_code, exit_code::kUsage) << r.out;
  EXPECT_EQ(r.err, "walpipe verify: error: archive \"" + sealed_ +
                       "\" is encrypted: its objects are verified only through it, with an "
                       "identity\nHINT: Verify it by its own path: walpipe verify --identity "
                       "FILE \"" +
                       sealed_ + "\".\n");
  EXPECT_EQ(r.out, "");
}

}  // namespace
}  // namespace walpipe::testing
