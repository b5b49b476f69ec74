// Bech32 and age key files (engine/crypt/bech32.h, keys.h): BIP 173's own vectors, the age
// specification's example key pair, and the files operators write by hand, with the exact
// messages for a bad line, a secret key in a recipients file and an unprotected identity file.
// No message may hold a key.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "crypt/bech32.h"
#include "crypt/keys.h"

namespace walpipe::crypt {
namespace {

// The age specification's X25519 example.
constexpr std::string_view kSpecIdentity =
    "AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX";
constexpr std::string_view kSpecRecipient =
    "age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj";

Bytes bytes_of(std::string_view s) {
  return Bytes(reinterpret_cast<const std::byte*>(s.data()), s.size());
}

TEST(Bech32Test, Bip173ValidStringsDecodeAndEncodeBack) {
  for (std::string_view valid :
       {"a12uel5l", "A12UEL5L", "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
        "split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w"}) {
    Result<Bech32> decoded = bech32_decode(valid);
    ASSERT_TRUE(decoded.is_ok()) << valid << ": " << decoded.status().message();
    const bool upper = valid[0] == 'A';
    std::string again = bech32_encode(decoded->hrp, decoded->data, upper);
    if (valid.starts_with("abcdef")) continue;  // 5-bit data that is not whole bytes
    EXPECT_EQ(again, valid);
  }
}

TEST(Bech32Test, Bip173InvalidStringsAreRefusedWithTheReason) {
  struct Case {
    std::string_view text, why;
  };
  for (const Case& c :
       {Case{"pzry9x0s0muk", "no \"1\" separator"},
        Case{"1pzry9x0s0muk", "empty human-readable part"},
        Case{"x1b4n0q5v", "character outside the Bech32 alphabet"},
        Case{"li1dgmt3", "too short for a checksum"}, Case{"A1G7SGD8", "checksum does not match"},
        Case{"a12UEL5L", "mixed upper and lower case"}, Case{"", "empty"}}) {
    Result<Bech32> decoded = bech32_decode(c.text);
    ASSERT_FALSE(decoded.is_ok()) << c.text;
    EXPECT_EQ(decoded.status().code(), Code::kInvalidArgument);
    EXPECT_EQ(decoded.status().message(), "invalid Bech32 string: " + std::string(c.why));
  }
  EXPECT_EQ(bech32_decode(std::string(4097, 'a')).status().message(),
            "invalid Bech32 string: longer than 4096 characters");
}

TEST(KeysTest, SpecificationExampleDerivesItsRecipient) {
  Result<Identity> identity = parse_identity(kSpecIdentity, "spec");
  ASSERT_TRUE(identity.is_ok()) << identity.status().message();
  EXPECT_EQ(format_recipient(*recipient_of(*identity)), kSpecRecipient);
  EXPECT_EQ(format_identity(*identity), kSpecIdentity);
  Result<Recipient> recipient = parse_recipient(kSpecRecipient);
  ASSERT_TRUE(recipient.is_ok());
  EXPECT_EQ(*recipient, *recipient_of(*identity));
}

TEST(KeysTest, KeysOfTheWrongKindOrLengthAreRefused) {
  EXPECT_EQ(parse_recipient(kSpecIdentity).status().message(),
            "not an X25519 recipient: it does not start \"age1\"");
  EXPECT_EQ(parse_identity(kSpecRecipient, "x").status().message(),
            "not an X25519 identity: it does not start \"AGE-SECRET-KEY-1\"");
  const std::string short_key = bech32_encode("age", bytes_of("sixteen bytes!!!"), false);
  EXPECT_EQ(parse_recipient(short_key).status().message(),
            "not an X25519 recipient: it holds 16 bytes, not 32");
}

TEST(KeysTest, RecipientsFileReadsKeysSkippingCommentsAndBlankLines) {
  Result<Identity> a = generate_identity("a");
  Result<Identity> b = generate_identity("b");
  ASSERT_TRUE(a.is_ok() && b.is_ok());
  const std::string text = "# backup hosts\n\n" + format_recipient(*recipient_of(*a)) + "\r\n" +
                           "# escrow\n" + format_recipient(*recipient_of(*b));
  Result<std::vector<Recipient>> parsed = parse_recipients_file(bytes_of(text), "/etc/r.txt");
  ASSERT_TRUE(parsed.is_ok()) << parsed.status().to_string();
  ASSERT_EQ(parsed->size(), 2u);
  EXPECT_EQ((*parsed)[0], *recipient_of(*a));
  EXPECT_EQ((*parsed)[1], *recipient_of(*b));
}

TEST(KeysTest, RecipientsFileBadLineNamesFileAndLineNotItsText) {
  const std::string text = std::string("# ok\n") + std::string(kSpecRecipient) + "\n" + " " +
                           std::string(kSpecRecipient) + "\n";
  Status status = parse_recipients_file(bytes_of(text), "/etc/r.txt").status();
  EXPECT_EQ(status.code(), Code::kInvalidArgument);
  EXPECT_EQ(status.to_string(),
            "invalid line 3 in recipients file \"/etc/r.txt\": not an X25519 recipient\n"
            "HINT: Each line holds one age1… public key as age-keygen prints it; \"#\" starts "
            "a comment.");
}

TEST(KeysTest, SecretKeyInRecipientsFileIsRefusedWithoutPrintingIt) {
  const std::string text = std::string(kSpecIdentity) + "\n";
  Status status = parse_recipients_file(bytes_of(text), "r.txt").status();
  EXPECT_EQ(status.message(),
            "invalid line 1 in recipients file \"r.txt\": a secret key, not a recipient");
  EXPECT_EQ(status.to_string().find(kSpecIdentity.substr(16)), std::string::npos);
  EXPECT_EQ(parse_recipients_file(bytes_of("# nothing\n"), "r.txt").status().message(),
            "recipients file \"r.txt\" holds no recipient");
}

TEST(KeysTest, IdentityFileAsAgeKeygenWritesIt) {
  const std::string text =
      "# created: 2024-05-01T10:00:00Z\n# public key: " + std::string(kSpecRecipient) + "\n" +
      std::string(kSpecIdentity) + "\n";
  Result<std::vector<Identity>> parsed = parse_identity_file(bytes_of(text), "/k/key.txt");
  ASSERT_TRUE(parsed.is_ok()) << parsed.status().to_string();
  ASSERT_EQ(parsed->size(), 1u);
  EXPECT_EQ((*parsed)[0].source, "/k/key.txt");
  EXPECT_EQ(format_recipient(*recipient_of((*parsed)[0])), kSpecRecipient);
}

TEST(KeysTest, IdentityFileBadLineNeverQuotesTheKey) {
  std::string damaged(kSpecIdentity);
  damaged[30] = damaged[30] == 'Q' ? 'P' : 'Q';  // checksum no longer matches
  const std::string text = "# key\n" + damaged + "\n";
  Status status = parse_identity_file(bytes_of(text), "/k/key.txt").status();
  EXPECT_EQ(status.message(),
            "invalid line 2 in identity file \"/k/key.txt\": not an X25519 identity");
  EXPECT_EQ(status.to_string().find("GFPYYSJZ"), std::string::npos);
  EXPECT_EQ(parse_identity_file(bytes_of(""), "/k/key.txt").status().message(),
            "identity file \"/k/key.txt\" holds no identity");
}

TEST(KeysTest, IdentityFileModeMustKeepOthersOut) {
  EXPECT_TRUE(check_identity_file_mode(0100600, "/k/key.txt").is_ok());
  EXPECT_TRUE(check_identity_file_mode(0400, "/k/key.txt").is_ok());
  Status status = check_identity_file_mode(0100644, "/k/key.txt");
  EXPECT_EQ(status.code(), Code::kInvalidArgument);
  EXPECT_EQ(status.to_string(),
            "identity file \"/k/key.txt\" is accessible by other users (mode 0644)\n"
            "HINT: An identity is a secret key: chmod 600 \"/k/key.txt\".");
  EXPECT_FALSE(check_identity_file_mode(0640, "k").is_ok());
  EXPECT_FALSE(check_identity_file_mode(0602, "k").is_ok());
}

}  // namespace
}  // namespace walpipe::crypt
