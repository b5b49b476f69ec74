#include "archive/identity.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace walpipe::archive {
namespace {

constexpr char kPath[] = "/archive/walpipe.json";
constexpr char kMalformed[] = "archive identity file \"/archive/walpipe.json\" is malformed";
constexpr char kOutOfRange[] =
    "archive identity file \"/archive/walpipe.json\" has a value out of range";

// An identity file as an operator might have edited it: every value is spliced in verbatim.
std::string identity_text(const std::string& format, const std::string& sysid,
                          const std::string& magic, const std::string& seg,
                          const std::string& page) {
  return "{\"format\": " + format + ", \"system_identifier\": " + sysid +
         ", \"wal_page_magic\": " + magic + ", \"segment_size\": " + seg +
         ", \"page_size\": " + page + "}\n";
}

void expect_decodes_to(const std::string& text, const Identity& want) {
  Result<Identity> got = decode_identity(text, kPath);
  ASSERT_TRUE(got.is_ok()) << got.status().message() << "\ntext: " << text;
  EXPECT_EQ(got->system_id, want.system_id) << text;
  EXPECT_EQ(got->wal_magic, want.wal_magic) << text;
  EXPECT_EQ(got->segment_size, want.segment_size) << text;
  EXPECT_EQ(got->page_size, want.page_size) << text;
}

void expect_fails(const std::string& text, Code code, const std::string& message) {
  Result<Identity> got = decode_identity(text, kPath);
  ASSERT_FALSE(got.is_ok()) << "accepted: " << text;
  EXPECT_EQ(got.status().code(), code) << text;
  EXPECT_EQ(got.status().message(), message) << text;
}

const Identity kPg16{7301234567890123456ull, 0xD113, 16u << 20, 8192};

TEST(Identity, RoundTripsEncodedValues) {
  for (const Identity& id : {
           kPg16,
           Identity{0, 0, 0, 0},
           Identity{UINT64_MAX, 0xD118, 1u << 30, 32768},
           Identity{UINT64_MAX - 1, UINT16_MAX, UINT32_MAX, UINT32_MAX},
           Identity{1, 0xD106, 1u << 20, 1024},
           Identity{7000000000000000001ull, 0xD10D, 64u << 20, 8192},
           Identity{42, 0xD110, 16u << 20, 8192},
           Identity{43, 0xD116, 16u << 20, 16384},
       }) {
    std::string text = encode_identity(id);
    Result<Identity> decoded = decode_identity(text, kPath);
    ASSERT_TRUE(decoded.is_ok()) << decoded.status().message() << "\ntext: " << text;
    EXPECT_EQ(*decoded, id) << text;
  }
}

TEST(Identity, AcceptsAnyAsciiWhitespaceAroundTheColon) {
  expect_decodes_to(
      "{\"format\":1,\"system_identifier\":\"7301234567890123456\",\"wal_page_magic\":53523,"
      "\"segment_size\":16777216,\"page_size\":8192}",
      kPg16);
  expect_decodes_to(
      "{\n  \"format\" :\t1,\n  \"system_identifier\"\r\n:\r\n\"7301234567890123456\",\n"
      "  \"wal_page_magic\"\v:\f53523,\n  \"segment_size\"   :   16777216,\n"
      "  \"page_size\"\t\t:\n\n8192\n}\n",
      kPg16);
  // Only ASCII whitespace counts: a UTF-8 no-break space is not skipped.
  expect_fails(identity_text("1", "\"7301234567890123456\"", "53523", "16777216",
                             "\xC2\xA0"
                             "8192"),
               Code::kCorruption, kMalformed);
}

TEST(Identity, AcceptsQuotedAndUnquotedNumbers) {
  const std::string sysid = "7301234567890123456";
  expect_decodes_to(identity_text("\"1\"", sysid, "\"53523\"", "16777216", "\"8192\""), kPg16);
  expect_decodes_to(identity_text("1", "\"" + sysid + "\"", "53523", "\"16777216\"", "8192"),
                    kPg16);
  // The closing quote was always optional; files an older walpipe accepted stay readable.
  expect_decodes_to(identity_text("\"1", "\"" + sysid, "53523\"", "16777216", "8192"), kPg16);
  // Leading zeros are digits like any other.
  expect_decodes_to(identity_text("1", "0" + sysid, "0053523", "16777216", "08192"), kPg16);
}

TEST(Identity, UsesTheFirstOccurrenceThatIsFollowedByANumber) {
  // "segment_size" first appears as a string value, then with no number, then twice with one.
  expect_decodes_to(
      "{\"note\": \"segment_size\", \"segment_size\": null, \"format\": 1, "
      "\"system_identifier\": \"7301234567890123456\", \"wal_page_magic\": 53523, "
      "\"segment_size\": 16777216, \"page_size\": 8192, \"segment_size\": 1}",
      kPg16);
  // A colon followed by a quote but no digits is skipped too.
  expect_decodes_to(
      "{\"page_size\": \"\", \"format\": 1, \"system_identifier\": \"7301234567890123456\", "
      "\"wal_page_magic\": 53523, \"segment_size\": 16777216, \"page_size\": \"8192\"}",
      kPg16);
  // The closing quote of one occurrence opens the next.
  expect_decodes_to(
      "{\"format\": 1, \"system_identifier\": \"7301234567890123456\", "
      "\"wal_page_magic\"wal_page_magic\": 53523, \"segment_size\": 16777216, "
      "\"page_size\": 8192}",
      kPg16);
}

TEST(Identity, MissingKeyIsMalformed) {
  const std::string full = encode_identity(kPg16);
  ASSERT_TRUE(decode_identity(full, kPath).is_ok());
  for (const char* key : {"\"format\"", "\"system_identifier\"", "\"wal_page_magic\"",
                          "\"segment_size\"", "\"page_size\""}) {
    std::string text = full;
    size_t at = text.find(key);
    ASSERT_NE(at, std::string::npos) << key;
    text.replace(at, std::string(key).size(), "\"other\"");
    expect_fails(text, Code::kCorruption, kMalformed);
  }
  expect_fails("", Code::kCorruption, kMalformed);
  expect_fails("{}", Code::kCorruption, kMalformed);
  // Unquoted keys are not keys.
  expect_fails(
      "{format: 1, system_identifier: 7301234567890123456, wal_page_magic: 53523, "
      "segment_size: 16777216, page_size: 8192}",
      Code::kCorruption, kMalformed);
}

TEST(Identity, NoDigitsAfterTheColonIsMalformed) {
  const std::string sysid = "\"7301234567890123456\"";
  for (const char* bad :
       {"", "null", "\"\"", "\"\"8192", "-8192", "+8192", "x8192", "\"x\"", "\": 8192"}) {
    expect_fails(identity_text("1", sysid, "53523", "16777216", bad), Code::kCorruption,
                 kMalformed);
  }
  // Cut off right after the colon, and after an opening quote.
  std::string text = encode_identity(kPg16);
  std::string cut = text.substr(0, text.find("\"page_size\": ") + 13);
  expect_fails(cut, Code::kCorruption, kMalformed);
  expect_fails(cut + "\"", Code::kCorruption, kMalformed);
  // A missing colon is no match either.
  text.replace(text.find("\"page_size\": "), 13, "\"page_size\" 8192 ");
  expect_fails(text, Code::kCorruption, kMalformed);
}

TEST(Identity, OtherFormatIsUnsupported) {
  const std::string sysid = "\"7301234567890123456\"";
  expect_fails(identity_text("3", sysid, "53523", "16777216", "8192"), Code::kUnsupported,
               "archive identity file \"/archive/walpipe.json\" has format 3, which this walpipe "
               "does not know");
  expect_fails(identity_text("\"10\"", sysid, "53523", "16777216", "8192"), Code::kUnsupported,
               "archive identity file \"/archive/walpipe.json\" has format 10, which this "
               "walpipe does not know");
  // The format is compared as written, so a padded 1 is not format 1.
  expect_fails(identity_text("01", sysid, "53523", "16777216", "8192"), Code::kUnsupported,
               "archive identity file \"/archive/walpipe.json\" has format 01, which this "
               "walpipe does not know");
  // A key missing is reported before an unknown format.
  expect_fails("{\"format\": 3}", Code::kCorruption, kMalformed);
}

// Format 2 is an encrypted archive: the scheme and the fingerprint key's id come back, and a
// format 2 file without them, or with a scheme this walpipe does not know, is refused.
TEST(Identity, EncryptedArchiveRoundTripsAndIsChecked) {
  Identity sealed = kPg16;
  sealed.encryption = Encryption{"0f5832ec2b1f39e3"};
  const std::string text = encode_identity(sealed);
  EXPECT_NE(text.find("\"format\": 2"), std::string::npos) << text;
  expect_decodes_to(text, sealed);
  const std::string sysid = "\"7301234567890123456\"";
  expect_fails(identity_text("2", sysid, "53523", "16777216", "8192"), Code::kCorruption,
               kMalformed);
  std::string other = text;
  other.replace(other.find("\"age\""), 5, "\"aes\"");
  expect_fails(other, Code::kUnsupported,
               "archive identity file \"/archive/walpipe.json\" names an encryption this "
               "walpipe does not know");

  EXPECT_TRUE(check_encryption(std::nullopt, sealed.encryption, "/a").is_ok());
  EXPECT_TRUE(check_encryption(sealed, sealed.encryption, "/a").is_ok());
  EXPECT_TRUE(check_encryption(kPg16, std::nullopt, "/a").is_ok());
  EXPECT_EQ(check_encryption(sealed, std::nullopt, "/a").message(),
            "archive \"/a\" is encrypted");
  EXPECT_EQ(check_encryption(kPg16, sealed.encryption, "/a").message(),
            "archive \"/a\" is not encrypted");
  EXPECT_EQ(check_encryption(sealed, Encryption{"1111111111111111"}, "/a").code(),
            Code::kMismatch);
}

TEST(Identity, ValueOutOfRangeIsCorruption) {
  const std::string sysid = "\"7301234567890123456\"";
  expect_decodes_to(identity_text("1", sysid, "65535", "16777216", "8192"),
                    Identity{kPg16.system_id, UINT16_MAX, 16u << 20, 8192});
  expect_fails(identity_text("1", sysid, "65536", "16777216", "8192"), Code::kCorruption,
               kOutOfRange);
  expect_fails(identity_text("1", "\"100000000000000000000\"", "53523", "16777216", "8192"),
               Code::kCorruption, kOutOfRange);
  expect_fails(identity_text("1", "\"18446744073709551616\"", "53523", "16777216", "8192"),
               Code::kCorruption, kOutOfRange);
  expect_fails(identity_text("1", sysid, "53523", "4294967296", "8192"), Code::kCorruption,
               kOutOfRange);
  expect_fails(identity_text("1", sysid, "53523", "16777216", "99999999999999999999999"),
               Code::kCorruption, kOutOfRange);
}

}  // namespace
}  // namespace walpipe::archive
