// Whole age files (engine/crypt/age_file.h): round trips at the chunk boundaries, several
// recipients, chunks split between threads, and every kind of damage the issue names with the
// code and message the reader gives: truncated, reordered, bit-flipped header/MAC/payload,
// re-headered, wrong identity, unknown stanza.
#include "crypt/age_file.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <thread>
#include <vector>

#include "crypt/x25519_stanza.h"

namespace walpipe::crypt {
namespace {

std::vector<std::byte> pattern(size_t size) {
  std::vector<std::byte> out(size);
  uint32_t x = 2463534242u;
  for (std::byte& b : out) {
    x ^= x << 13, x ^= x >> 17, x ^= x << 5;
    b = static_cast<std::byte>(x);
  }
  return out;
}

class AgeFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : {"one.txt", "two.txt", "wrong.txt"}) {
      Result<Identity> identity = generate_identity(name);
      ASSERT_TRUE(identity.is_ok());
      identities_.push_back(std::move(*identity));
    }
  }
  std::vector<Recipient> recipients(std::initializer_list<size_t> which) const {
    std::vector<Recipient> out;
    for (size_t i : which) out.push_back(*recipient_of(identities_[i]));
    return out;
  }
  std::span<const Identity> identity(size_t i) const { return {&identities_[i], 1}; }

  std::vector<std::byte> encrypt_ok(Bytes plain, const std::vector<Recipient>& to) const {
    Result<std::vector<std::byte>> file = encrypt(plain, to);
    EXPECT_TRUE(file.is_ok());
    return file.is_ok() ? *file : std::vector<std::byte>{};
  }

  std::vector<Identity> identities_;
};

TEST_F(AgeFileTest, RoundTripAtChunkBoundariesForEveryRecipient) {
  for (size_t size :
       {size_t{0}, size_t{1}, kChunkSize - 1, kChunkSize, kChunkSize + 1, 3 * kChunkSize + 7}) {
    const std::vector<std::byte> plain = pattern(size);
    const std::vector<std::byte> file = encrypt_ok(plain, recipients({0, 1}));
    Result<Header> header = parse_header(file);
    ASSERT_TRUE(header.is_ok());
    EXPECT_EQ(file.size(), header->size + kPayloadNonceSize + sealed_size(size));
    for (size_t who : {0, 1}) {
      Result<std::vector<std::byte>> back = decrypt(file, identity(who));
      ASSERT_TRUE(back.is_ok()) << size << ": " << back.status().to_string();
      EXPECT_EQ(*back, plain) << size;
    }
  }
}

TEST_F(AgeFileTest, ChunkRangesSplitBetweenThreadsGiveTheSameFile) {
  const std::vector<std::byte> plain = pattern(10 * kChunkSize + 123);
  Result<Sealing> sealing = begin_encrypt(recipients({0}));
  ASSERT_TRUE(sealing.is_ok());
  std::vector<std::byte> file = sealing->prefix;
  const size_t prefix = file.size(), chunks = chunk_count(plain.size());
  file.resize(prefix + sealed_size(plain.size()));
  const std::span<std::byte> sealed = std::span(file).subspan(prefix);
  Status first_half, second_half;
  std::thread worker([&] { first_half = seal_chunks(sealing->key, plain, sealed, 0, 5); });
  second_half = seal_chunks(sealing->key, plain, sealed, 5, chunks);
  worker.join();
  ASSERT_TRUE(first_half.is_ok() && second_half.is_ok());

  Result<Opening> opening = open_header(file, identity(0));
  ASSERT_TRUE(opening.is_ok());
  EXPECT_EQ(opening->sealed_offset, prefix);
  std::vector<std::byte> back(opening->plain_size);
  const Bytes in = Bytes(file).subspan(prefix);
  std::thread reader([&] { first_half = open_chunks(opening->key, in, back, 0, 6); });
  second_half = open_chunks(opening->key, in, back, 6, chunks);
  reader.join();
  ASSERT_TRUE(first_half.is_ok() && second_half.is_ok());
  EXPECT_EQ(back, plain);
}

TEST_F(AgeFileTest, WrongIdentitySaysHowManyStanzasAndWhichFilesWereTried) {
  const std::vector<std::byte> file = encrypt_ok(pattern(100), recipients({0, 1}));
  Status status = decrypt(file, identity(2)).status();
  EXPECT_EQ(status.code(), Code::kMismatch);
  EXPECT_EQ(status.message(),
            "none of the 2 X25519 stanzas opens with identity file \"wrong.txt\"");
  EXPECT_EQ(status.hint(),
            "The file was encrypted to other recipients: give the identity whose age1… "
            "recipient was configured when it was written.");
  // With the right identity among others, it opens.
  EXPECT_TRUE(decrypt(file, identities_).is_ok());
}

TEST_F(AgeFileTest, TruncationIsCorruptionWhereverItCuts) {
  const std::vector<std::byte> file = encrypt_ok(pattern(2 * kChunkSize + 10), recipients({0}));
  const size_t header_size = parse_header(file)->size;
  struct Cut {
    size_t keep;
    std::string message;
  };
  for (const Cut& cut : {
           Cut{10, "not an age file: it does not start with \"age-encryption.org/v1\""},
           Cut{40, "age header is truncated after line 1"},
           Cut{header_size + 5, "age file is truncated: it ends inside the payload nonce"},
           Cut{header_size + 16, "age payload is truncated: it has no chunk"},
           Cut{header_size + 16 + kSealedChunkSize + 3,
               "age payload ends inside a chunk: 3 bytes follow the last whole chunk"},
           Cut{header_size + 16 + 2 * kSealedChunkSize,
               "age payload is truncated: chunk 2 of 2 is not the final one"},
           Cut{header_size + 16 + 2 * kSealedChunkSize + 20,
               "age payload chunk 3 of 3 fails authentication: it is damaged or out of order"},
       }) {
    Status status = decrypt(Bytes(file).first(cut.keep), identity(0)).status();
    EXPECT_EQ(status.code(), Code::kCorruption) << cut.keep;
    EXPECT_EQ(status.message(), cut.message) << cut.keep;
  }
}

TEST_F(AgeFileTest, ReorderedChunksFailAuthentication) {
  std::vector<std::byte> file = encrypt_ok(pattern(3 * kChunkSize + 10), recipients({0}));
  const size_t chunks_at = parse_header(file)->size + kPayloadNonceSize;
  std::swap_ranges(file.begin() + chunks_at, file.begin() + chunks_at + kSealedChunkSize,
                   file.begin() + chunks_at + kSealedChunkSize);
  Status status = decrypt(file, identity(0)).status();
  EXPECT_EQ(status.code(), Code::kCorruption);
  EXPECT_EQ(status.message(),
            "age payload chunk 1 of 4 fails authentication: it is damaged or out of order");
}

TEST_F(AgeFileTest, DroppedFinalChunkAndAppendedChunkAreNamed) {
  const std::vector<std::byte> plain = pattern(2 * kChunkSize);
  const std::vector<std::byte> file = encrypt_ok(plain, recipients({0}));
  // A final chunk followed by a copy of itself: data after the end.
  std::vector<std::byte> longer = file;
  longer.insert(longer.end(), file.end() - kSealedChunkSize, file.end());
  EXPECT_EQ(decrypt(longer, identity(0)).status().message(),
            "age payload chunk 2 of 3 is final, yet data follows it");
}

TEST_F(AgeFileTest, BitFlipsInHeaderMacAndPayload) {
  const std::vector<std::byte> file = encrypt_ok(pattern(kChunkSize + 5), recipients({0}));
  const Header header = *parse_header(file);
  // A bit flipped in the payload; in the header, one base64 character changed to another (a
  // flip there would mostly give a character outside base64, a form error caught earlier).
  auto flipped = [&](size_t at) {
    std::vector<std::byte> copy = file;
    if (at < header.size)
      copy[at] = copy[at] == std::byte{'A'} ? std::byte{'B'} : std::byte{'A'};
    else
      copy[at] ^= std::byte{0x01};
    return decrypt(copy, identity(0)).status();
  };
  EXPECT_EQ(flipped(0).message(),
            "not an age file: it does not start with \"age-encryption.org/v1\"");
  // In the stanza's body (line 3): the wrapped key no longer opens; age cannot tell that from a
  // stanza made for someone else.
  const size_t body_at =
      std::string_view(reinterpret_cast<const char*>(file.data()), header.size).find('\n', 30) + 2;
  EXPECT_EQ(flipped(body_at).code(), Code::kMismatch);
  // In the MAC line, after "--- ".
  EXPECT_EQ(flipped(header.mac_input_size + 5).message(),
            "age header MAC does not match: the header was altered");
  EXPECT_EQ(flipped(header.size + 3).message(),
            "age payload chunk 1 of 2 fails authentication: it is damaged or out of order");
  EXPECT_EQ(flipped(file.size() - 1).message(),
            "age payload chunk 2 of 2 fails authentication: it is damaged or out of order");
}

TEST_F(AgeFileTest, ReheaderedFileFailsOnThePayload) {
  const std::vector<std::byte> a = encrypt_ok(pattern(1000), recipients({0}));
  const std::vector<std::byte> b = encrypt_ok(pattern(1000), recipients({0}));
  const size_t a_header = parse_header(a)->size, b_header = parse_header(b)->size;
  std::vector<std::byte> mixed(a.begin(), a.begin() + a_header);
  mixed.insert(mixed.end(), b.begin() + b_header, b.end());
  Status status = decrypt(mixed, identity(0)).status();
  EXPECT_EQ(status.code(), Code::kCorruption);
  EXPECT_EQ(status.message(),
            "age payload chunk 1 of 1 fails authentication: it is damaged or out of order");
}

TEST_F(AgeFileTest, UnknownStanzasAreSkipped) {
  // A header as a newer age writes it: a stanza of an unknown type before the X25519 one.
  FileKey file_key;
  ASSERT_TRUE(random_bytes(file_key.bytes).is_ok());
  Stanza grease{{"example.com/grease", "arg"}, std::vector<std::byte>(70, std::byte{7})};
  Result<Stanza> x25519 = wrap_x25519(file_key, *recipient_of(identities_[0]));
  ASSERT_TRUE(x25519.is_ok());
  PayloadNonce nonce{};
  const std::vector<std::byte> plain = pattern(99);
  auto file_with = [&](std::vector<Stanza> stanzas) {
    std::vector<std::byte> file = *encode_header(stanzas, file_key);
    file.insert(file.end(), nonce.begin(), nonce.end());
    std::vector<std::byte> sealed(sealed_size(plain.size()));
    EXPECT_TRUE(seal_chunks(*derive_payload_key(file_key, nonce), plain, sealed, 0, 1).is_ok());
    file.insert(file.end(), sealed.begin(), sealed.end());
    return file;
  };
  Result<std::vector<std::byte>> back = decrypt(file_with({grease, *x25519}), identity(0));
  ASSERT_TRUE(back.is_ok()) << back.status().to_string();
  EXPECT_EQ(*back, plain);

  Status status = decrypt(file_with({grease}), identity(0)).status();
  EXPECT_EQ(status.code(), Code::kMismatch);
  EXPECT_EQ(status.message(),
            "no X25519 stanza in the age header: it holds only example.com/grease stanzas");
}

TEST_F(AgeFileTest, HeaderIsBounded) {
  std::string text = "age-encryption.org/v1\n-> a\n";
  text.append(kMaxHeaderBytes, 'A');
  const Bytes bytes(reinterpret_cast<const std::byte*>(text.data()), text.size());
  EXPECT_EQ(parse_header(bytes).status().message(), "age header is larger than 1 MiB");
}

TEST_F(AgeFileTest, EncryptNeedsARecipient) {
  EXPECT_EQ(encrypt(pattern(1), {}).status().message(), "cannot encrypt without a recipient");
}

}  // namespace
}  // namespace walpipe::crypt
