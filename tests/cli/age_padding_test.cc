// Sealed objects padded to whole pages (crypt/age_file.h, begin_encrypt_aligned): every size
// ends on a 4096-byte boundary and opens again, with the shortest padding stanza and with the
// longest (a gap under the stanza's own size takes a whole page more), and Debian 12's age 1.1.1
// reads past the padding stanza: `age -d` gives the plaintext back byte for byte.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "archive/sealed_object.h"
#include "archive/sealing.h"
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
using walpipe::testing::pattern;
using walpipe::testing::run_command;
using walpipe::testing::ScratchDir;

constexpr size_t kPage = 4096;

class AgePadding : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<Identity> id = generate_identity(dir_.file("one.key"));
    ASSERT_TRUE(id.is_ok()) << id.status().to_string();
    identity_ = std::move(*id);
    recipients_ = {*recipient_of(*identity_)};
  }

  // The age file of `plain` padded to pages, and the length of its padding stanza's argument
  // (nullopt when it has none).
  std::vector<std::byte> seal(Bytes plain, std::optional<size_t>* padding) {
    Result<Sealing> sealing = begin_encrypt_aligned(recipients_, {}, plain.size(), kPage);
    EXPECT_TRUE(sealing.is_ok()) << sealing.status().to_string();
    if (!sealing.is_ok()) return {};
    std::vector<std::byte> file = sealing->prefix;
    const size_t prefix = file.size();
    file.resize(prefix + sealed_size(plain.size()));
    EXPECT_TRUE(seal_chunks(sealing->key, plain, std::span(file).subspan(prefix), 0,
                            chunk_count(plain.size()))
                    .is_ok());
    Result<Header> header = parse_header(file);
    EXPECT_TRUE(header.is_ok()) << header.status().to_string();
    *padding = std::nullopt;
    if (header.is_ok())
      for (const Stanza& stanza : header->stanzas)
        if (stanza.args[0] == kPaddingStanzaType) {
          EXPECT_EQ(stanza.args.size(), 2u);
          EXPECT_TRUE(stanza.body.empty());
          *padding = stanza.args.back().size();
        }
    return file;
  }

  // A plaintext size whose unpadded file ends `gap` bytes before a page boundary.
  size_t size_with_gap(size_t gap) {
    Result<Sealing> plain = begin_encrypt(recipients_);
    EXPECT_TRUE(plain.is_ok());
    if (!plain.is_ok()) return 0;
    for (size_t size = 1; size < 64 * kChunkSize; ++size)
      if ((plain->prefix.size() + sealed_size(size) + gap) % kPage == 0) return size;
    ADD_FAILURE() << "no size leaves a gap of " << gap;
    return 0;
  }

  void expect_age_opens(const std::vector<std::byte>& file, const std::vector<std::byte>& plain) {
    if (!std::filesystem::exists(kAge)) {
      WALPIPE_SKIP() << "no " << kAge << " (scripts/setup.sh installs the age package)";
    }
    const std::string key = dir_.write("one.key", format_identity(*identity_) + "\n");
    std::filesystem::permissions(
        key, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    const std::string path = dir_.write(
        "padded.age", std::string(reinterpret_cast<const char*>(file.data()), file.size()));
    auto opened = run_command({kAge, "-d", "-i", key, "-o", dir_.file("opened"), path});
    ASSERT_EQ(opened.exit_code, 0) << opened.err;
    EXPECT_EQ(file_bytes(dir_.file("opened")), plain);
  }

  ScratchDir dir_;
  std::optional<Identity> identity_;
  std::vector<Recipient> recipients_;
};

TEST_F(AgePadding, EverySizeEndsOnAPageAndOpens) {
  for (size_t size : {size_t{0}, size_t{1}, kPage, kChunkSize - 1, kChunkSize, kChunkSize + 1,
                      7 * kChunkSize + 3 * kPage, 29 * kChunkSize + 12 * kPage}) {
    const std::vector<std::byte> plain = pattern(size);
    std::optional<size_t> padding;
    const std::vector<std::byte> file = seal(plain, &padding);
    EXPECT_EQ(file.size() % kPage, 0u) << size;
    EXPECT_GE(padding.value_or(1), 1u) << size;
    EXPECT_LE(padding.value_or(1), kPage) << size;
    Result<std::vector<std::byte>> back = decrypt(file, {&*identity_, 1});
    ASSERT_TRUE(back.is_ok()) << size << ": " << back.status().to_string();
    EXPECT_EQ(*back, plain) << size;
  }
}

TEST_F(AgePadding, TheShortestPaddingStanza) {
  const std::vector<std::byte> plain = pattern(size_with_gap(kPaddingStanzaOverhead + 1));
  std::optional<size_t> padding;
  const std::vector<std::byte> file = seal(plain, &padding);
  EXPECT_EQ(file.size() % kPage, 0u);
  EXPECT_EQ(padding, std::optional<size_t>(1));
  expect_age_opens(file, plain);
}

TEST_F(AgePadding, AGapUnderTheStanzaTakesAWholePageMore) {
  const std::vector<std::byte> plain = pattern(size_with_gap(kPaddingStanzaOverhead));
  std::optional<size_t> padding;
  const std::vector<std::byte> file = seal(plain, &padding);
  EXPECT_EQ(file.size() % kPage, 0u);
  EXPECT_EQ(padding, std::optional<size_t>(kPage));
  expect_age_opens(file, plain);
}

TEST_F(AgePadding, AnAlignedFileHasNoPaddingStanza) {
  const std::vector<std::byte> plain = pattern(size_with_gap(0));
  std::optional<size_t> padding;
  const std::vector<std::byte> file = seal(plain, &padding);
  EXPECT_EQ(file.size() % kPage, 0u);
  EXPECT_EQ(padding, std::nullopt);
}

TEST_F(AgePadding, ASealedObjectIsWholePagesAndOpens) {
  Result<archive::FingerprintKey> key = archive::parse_fingerprint_key(
      std::as_bytes(std::span(
          std::string_view("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n"))),
      "fp.key");
  ASSERT_TRUE(key.is_ok());
  archive::SealingKeys keys;
  keys.recipients = recipients_;
  keys.fingerprint_key = *key;
  keys.identities = {*identity_};
  keys.identity_files = {"one.key"};
  const std::vector<std::byte> object = pattern(29 * kChunkSize + 12 * kPage);
  Result<io::LargeBuffer> sealed = archive::seal_object(object, Fingerprint{1, 2}, keys, 2);
  ASSERT_TRUE(sealed.is_ok()) << sealed.status().to_string();
  EXPECT_EQ(sealed->size() % kPage, 0u);
  EXPECT_LE(sealed->size(), archive::sealed_object_limit(object.size()));
  Result<io::LargeBuffer> opened = archive::open_object(sealed->span(), keys, "X.zst.age", 2);
  ASSERT_TRUE(opened.is_ok()) << opened.status().to_string();
  EXPECT_TRUE(
      std::equal(object.begin(), object.end(), opened->span().begin(), opened->span().end()));
}

}  // namespace
}  // namespace walpipe::crypt
