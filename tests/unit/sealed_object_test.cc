// The sealed object of an encrypted archive, byte by byte (archive/sealed_object.h, sealing.h):
// what seal_object() writes opens whole and from its first chunks alone (head() reads only
// those, a longer header on a second try); the header names the keyed fingerprint and the
// recipients; the keyed fingerprint depends on the key; fingerprint key files are judged.
#include "archive/sealed_object.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "archive/sealing.h"
#include "crypt/age_stream.h"
#include "crypt/keys.h"
#include "support/pattern.h"

namespace walpipe::archive {
namespace {

using walpipe::testing::pattern;

constexpr char kKeyText[] = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n";

Bytes text_bytes(std::string_view text) { return std::as_bytes(std::span(text)); }

class SealedObject : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int i = 0; i < 2; ++i) {
      Result<crypt::Identity> id = crypt::generate_identity("id" + std::to_string(i) + ".key");
      ASSERT_TRUE(id.is_ok()) << id.status().to_string();
      identities_.push_back(std::move(*id));
    }
    Result<FingerprintKey> key = parse_fingerprint_key(text_bytes(kKeyText), "fp.key");
    ASSERT_TRUE(key.is_ok()) << key.status().to_string();
    writer_.recipients = {*crypt::recipient_of(identities_[0])};
    writer_.fingerprint_key = *key;
    reader_.identities = {identities_[0]};
    reader_.identity_files = {"id0.key"};
  }

  std::vector<crypt::Identity> identities_;
  SealingKeys writer_, reader_;
  Fingerprint keyed_{0x0123456789abcdefull, 0xfedcba9876543210ull};
};

TEST_F(SealedObject, OpensWholeOnSeveralThreadsAndFromItsFirstChunks) {
  const std::vector<std::byte> object = pattern(5 * crypt::kChunkSize + 4096);
  Result<io::LargeBuffer> sealed = seal_object(object, keyed_, writer_, 4);
  ASSERT_TRUE(sealed.is_ok()) << sealed.status().to_string();
  EXPECT_LE(sealed->size(), sealed_object_limit(object.size()));
  Result<io::LargeBuffer> opened = open_object(sealed->span(), reader_, "X.zst.age", 3);
  ASSERT_TRUE(opened.is_ok()) << opened.status().to_string();
  EXPECT_TRUE(std::ranges::equal(opened->span(), object));

  const size_t start = 16 * 1024 + crypt::kPayloadNonceSize + crypt::kSealedChunkSize + 1;
  Result<std::vector<std::byte>> first =
      open_object_start(sealed->span().first(start), false, reader_, "X.zst.age");
  ASSERT_TRUE(first.is_ok()) << first.status().to_string();
  ASSERT_GE(first->size(), crypt::kChunkSize);
  EXPECT_TRUE(std::equal(first->begin(), first->end(), object.begin()));
}

TEST_F(SealedObject, ALongHeaderNeedsTheLongerRead) {
  // Two hundred recipients make a header of about 40 KiB: the short first read of head() does
  // not hold it, the longer one does.
  for (int i = 0; i < 199; ++i) writer_.recipients.push_back(*crypt::recipient_of(identities_[1]));
  const std::vector<std::byte> object = pattern(3 * crypt::kChunkSize);
  Result<io::LargeBuffer> sealed = seal_object(object, keyed_, writer_, 1);
  ASSERT_TRUE(sealed.is_ok());
  const Bytes all = sealed->span();
  Result<std::vector<std::byte>> short_read =
      open_object_start(all.first(16 * 1024), false, reader_, "X.zst.age");
  EXPECT_EQ(short_read.status().code(), Code::kCorruption);
  const size_t longer =
      kMaxSealedHeaderSize + crypt::kPayloadNonceSize + 2 * crypt::kSealedChunkSize;
  ASSERT_GT(all.size(), longer);
  Result<std::vector<std::byte>> long_read =
      open_object_start(all.first(longer), false, reader_, "X.zst.age");
  ASSERT_TRUE(long_read.is_ok()) << long_read.status().to_string();
  EXPECT_TRUE(std::equal(long_read->begin(), long_read->end(), object.begin()));
}

TEST_F(SealedObject, TheHeaderNamesTheKeyedFingerprintAndTheRecipients) {
  writer_.recipients.push_back(*crypt::recipient_of(identities_[1]));
  Result<io::LargeBuffer> sealed = seal_object(pattern(100), keyed_, writer_, 1);
  ASSERT_TRUE(sealed.is_ok());
  Result<SealedHeader> header = sealed_header(sealed->span());
  ASSERT_TRUE(header.is_ok()) << header.status().to_string();
  ASSERT_TRUE(header->keyed.has_value());
  EXPECT_EQ(*header->keyed, keyed_);
  EXPECT_EQ(header->x25519_stanzas, 2u);
  EXPECT_EQ(recipients_text(*header),
            crypt::format_recipient(*crypt::recipient_of(identities_[0])) + ", " +
                crypt::format_recipient(*crypt::recipient_of(identities_[1])));
}

TEST_F(SealedObject, NoIdentityOrAWrongOneSaysWhoCanOpenIt) {
  Result<io::LargeBuffer> sealed = seal_object(pattern(100), keyed_, writer_, 1);
  ASSERT_TRUE(sealed.is_ok());
  const std::string recipient = crypt::format_recipient(*crypt::recipient_of(identities_[0]));
  Result<io::LargeBuffer> none = open_object(sealed->span(), SealingKeys(), "X.zst.age", 1);
  EXPECT_EQ(none.status().code(), Code::kIoError);
  EXPECT_EQ(none.status().message(),
            "archive object \"X.zst.age\" is encrypted, and no identity was given");
  EXPECT_EQ(none.status().detail(), "It was encrypted to " + recipient + ".");
  SealingKeys wrong;
  wrong.identities = {identities_[1]};
  wrong.identity_files = {"id1.key"};
  Result<io::LargeBuffer> other = open_object(sealed->span(), wrong, "X.zst.age", 1);
  EXPECT_EQ(other.status().code(), Code::kIoError);
  EXPECT_EQ(other.status().detail(),
            "It was encrypted to " + recipient + "; identity files tried: \"id1.key\".");
}

TEST(Sealing, TheKeyedFingerprintDependsOnTheKeyAndTheKeyFileIsJudged) {
  Result<FingerprintKey> one = parse_fingerprint_key(text_bytes(kKeyText), "a");
  Result<FingerprintKey> two =
      parse_fingerprint_key(text_bytes(std::string(64, 'F') + "\r\n"), "b");
  ASSERT_TRUE(one.is_ok() && two.is_ok());
  Result<std::string> id_one = key_id(*one), id_two = key_id(*two);
  ASSERT_TRUE(id_one.is_ok() && id_two.is_ok());
  EXPECT_EQ(id_one->size(), 16u);
  EXPECT_NE(*id_one, *id_two);
  EXPECT_EQ(std::string(kKeyText).find(*id_one), std::string::npos);
  const Fingerprint plain{1, 2};
  Result<Fingerprint> a = keyed_fingerprint(*one, plain), b = keyed_fingerprint(*two, plain),
                      again = keyed_fingerprint(*one, plain);
  ASSERT_TRUE(a.is_ok() && b.is_ok() && again.is_ok());
  EXPECT_EQ(*a, *again);
  EXPECT_NE(*a, *b);
  EXPECT_NE(*a, plain);

  for (std::string bad : {std::string(63, 'a'), std::string(65, 'a'), std::string(64, 'g'),
                          std::string("AGE-SECRET-KEY-1")}) {
    Result<FingerprintKey> key = parse_fingerprint_key(text_bytes(bad), "fp.key");
    ASSERT_FALSE(key.is_ok()) << bad;
    EXPECT_EQ(key.status().to_string(),
              "fingerprint key file \"fp.key\" does not hold 64 hex digits\nHINT: Make one with: "
              "openssl rand -hex 32 > FILE; chmod 600 FILE");
  }
}

}  // namespace
}  // namespace walpipe::archive
