// walpipe's age files against Debian 12's age 1.1.1, both ways: what walpipe encrypts to keys
// made by age-keygen, `age -d -i` gives back byte for byte; what `age -r` encrypts, walpipe
// decrypts. Sizes around the 64 KiB chunk and a 16 MiB segment; two recipients at once. The key
// files are read as the io layer will: the text parsed, the mode judged.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "crypt/age_file.h"
#include "crypt/keys.h"
#include "support/age_tools.h"
#include "support/files.h"
#include "support/pattern.h"
#include "support/prerequisite.h"
#include "support/run_command.h"
#include "support/scratch_dir.h"

namespace walpipe::crypt {
namespace {

using walpipe::testing::file_bytes;
using walpipe::testing::kAge;
using walpipe::testing::kAgeKeygen;
using walpipe::testing::pattern;
using walpipe::testing::run_command;
using walpipe::testing::ScratchDir;

class AgeInteropTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // A skip (or, under CI, a fatal failure) in SetUp keeps the test body from running.
    if (!std::filesystem::exists(kAge) || !std::filesystem::exists(kAgeKeygen)) {
      WALPIPE_SKIP() << "no " << kAge << " (scripts/setup.sh installs the age package)";
    }
    for (const char* name : {"one.key", "two.key"}) {
      const std::string path = dir_.file(name);
      auto made = run_command({kAgeKeygen, "-o", path});
      ASSERT_EQ(made.exit_code, 0) << made.err;
      struct stat st;
      ASSERT_EQ(stat(path.c_str(), &st), 0);
      ASSERT_TRUE(check_identity_file_mode(st.st_mode, path).is_ok());
      Result<std::vector<Identity>> parsed = parse_identity_file(file_bytes(path), path);
      ASSERT_TRUE(parsed.is_ok()) << parsed.status().to_string();
      ASSERT_EQ(parsed->size(), 1u);
      // age-keygen -y prints the recipient age derives: walpipe must derive the same.
      auto public_key = run_command({kAgeKeygen, "-y", path});
      ASSERT_EQ(public_key.exit_code, 0);
      EXPECT_EQ(format_recipient(*recipient_of((*parsed)[0])) + "\n", public_key.out);
      key_files_.push_back(path);
      identities_.push_back(std::move((*parsed)[0]));
    }
  }

  ScratchDir dir_;
  std::vector<std::string> key_files_;
  std::vector<Identity> identities_;
};

TEST_F(AgeInteropTest, AgeDecryptsWhatWalpipeEncrypts) {
  const std::vector<Recipient> to = {*recipient_of(identities_[0]), *recipient_of(identities_[1])};
  for (size_t size :
       {size_t{0}, size_t{1}, size_t{65535}, size_t{65536}, size_t{65537}, size_t{16} << 20}) {
    SCOPED_TRACE(size);
    const std::vector<std::byte> plain = pattern(size);
    Result<std::vector<std::byte>> file = encrypt(plain, to);
    ASSERT_TRUE(file.is_ok());
    const std::string encrypted = dir_.write("x.age", *file);
    for (const std::string& key : key_files_) {
      const std::string out = dir_.file("x.out");
      auto decrypted = run_command({kAge, "-d", "-i", key, "-o", out, encrypted});
      ASSERT_EQ(decrypted.exit_code, 0) << decrypted.err;
      EXPECT_EQ(decrypted.err, "");
      EXPECT_TRUE(file_bytes(out) == plain);
      std::filesystem::remove(out);
    }
  }
}

TEST_F(AgeInteropTest, WalpipeDecryptsWhatAgeEncrypts) {
  const std::string one = format_recipient(*recipient_of(identities_[0]));
  const std::string two = format_recipient(*recipient_of(identities_[1]));
  for (size_t size :
       {size_t{0}, size_t{1}, size_t{65535}, size_t{65536}, size_t{65537}, size_t{16} << 20}) {
    SCOPED_TRACE(size);
    const std::vector<std::byte> plain = pattern(size);
    const std::string in = dir_.write("plain", plain), out = dir_.file("plain.age");
    auto encrypted = run_command({kAge, "-r", one, "-r", two, "-o", out, in});
    ASSERT_EQ(encrypted.exit_code, 0) << encrypted.err;
    const std::vector<std::byte> file = file_bytes(out);
    for (size_t who : {0, 1}) {
      Result<std::vector<std::byte>> back = decrypt(file, {&identities_[who], 1});
      ASSERT_TRUE(back.is_ok()) << back.status().to_string();
      EXPECT_TRUE(*back == plain);
    }
    std::filesystem::remove(out);
  }
}

TEST_F(AgeInteropTest, AgeReadsTheRecipientsFileWalpipeReads) {
  const std::string text = "# archive readers\n" + format_recipient(*recipient_of(identities_[0])) +
                           "\n\n" + format_recipient(*recipient_of(identities_[1])) + "\n";
  const std::string recipients = dir_.write("recipients.txt", text);
  Result<std::vector<Recipient>> parsed = parse_recipients_file(file_bytes(recipients), recipients);
  ASSERT_TRUE(parsed.is_ok()) << parsed.status().to_string();
  EXPECT_EQ(parsed->size(), 2u);
  const std::string in = dir_.write("plain", pattern(1000)), out = dir_.file("plain.age");
  ASSERT_EQ(run_command({kAge, "-R", recipients, "-o", out, in}).exit_code, 0);
  EXPECT_TRUE(decrypt(file_bytes(out), {&identities_[1], 1}).is_ok());
}

TEST_F(AgeInteropTest, IdentityFileReadableByOthersIsRefused) {
  ASSERT_EQ(chmod(key_files_[0].c_str(), 0644), 0);
  struct stat st;
  ASSERT_EQ(stat(key_files_[0].c_str(), &st), 0);
  Status status = check_identity_file_mode(st.st_mode, key_files_[0]);
  EXPECT_EQ(status.message(),
            "identity file \"" + key_files_[0] + "\" is accessible by other users (mode 0644)");
}

}  // namespace
}  // namespace walpipe::crypt
