// The C2SP CCTV age test vectors (tests/corpus/age-cctv) against walpipe's reader. Each vector
// says how decryption must end: success (the plaintext's SHA-256 is given), or failure in the
// header, no matching identity, the header MAC, or the payload. The reader's steps are run one
// by one (parse_header, unwrap_file_key, verify_header_mac, read_payload_nonce, opened_size and
// open_chunks) and the failure class is the step that refused; decrypt() must then agree.
//
// walpipe decrypts whole objects and releases no plaintext from a file that fails, so the
// vectors' hash of the plaintext a streaming reader would release before a payload failure does
// not apply: for those, the class is checked and that decrypt() gives nothing.
//
// Vectors for what walpipe does not read are filtered out by their header lines and counted (not
// skipped): armored files, passphrase (scrypt) files, and other recipient types.
#include <openssl/sha.h>
#include <zlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "crypt/age_file.h"

namespace walpipe::crypt {
namespace {

struct Vector {
  std::string name;
  std::multimap<std::string, std::string> fields;
  std::vector<std::byte> file;
};

std::string field(const Vector& v, const std::string& key) {
  auto it = v.fields.find(key);
  return it == v.fields.end() ? "" : it->second;
}

std::vector<std::byte> inflate_all(const std::vector<std::byte>& in) {
  std::vector<std::byte> out(in.size() * 4 + 1024);
  z_stream z{};
  EXPECT_EQ(inflateInit(&z), Z_OK);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<std::byte*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  int rc = Z_OK;
  while (rc == Z_OK) {
    if (z.total_out == out.size()) out.resize(out.size() * 2);
    z.next_out = reinterpret_cast<Bytef*>(out.data() + z.total_out);
    z.avail_out = static_cast<uInt>(out.size() - z.total_out);
    rc = inflate(&z, Z_NO_FLUSH);
  }
  EXPECT_EQ(rc, Z_STREAM_END);
  out.resize(z.total_out);
  inflateEnd(&z);
  return out;
}

Vector read_vector(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  Vector v;
  v.name = path.filename().string();
  const size_t blank = text.find("\n\n");
  EXPECT_NE(blank, std::string::npos) << v.name;
  size_t at = 0;
  while (at < blank) {
    const size_t end = text.find('\n', at);
    const std::string line = text.substr(at, end - at);
    const size_t colon = line.find(": ");
    EXPECT_NE(colon, std::string::npos) << v.name << ": " << line;
    v.fields.emplace(line.substr(0, colon), line.substr(colon + 2));
    at = end + 1;
  }
  const auto* body = reinterpret_cast<const std::byte*>(text.data()) + blank + 2;
  v.file.assign(body, reinterpret_cast<const std::byte*>(text.data()) + text.size());
  if (field(v, "compressed") == "zlib") v.file = inflate_all(v.file);
  return v;
}

std::string sha256_hex(Bytes data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(as_uchar(data), data.size(), digest);
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (unsigned char c : digest) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

// What a vector's "expect" line says, as walpipe's steps produce it.
std::string outcome(const Vector& v, std::span<const Identity> identities, std::string* hash) {
  const Bytes file = v.file;
  Result<Header> header = parse_header(file);
  if (!header.is_ok()) return "header failure";
  Result<FileKey> file_key = unwrap_file_key(*header, identities);
  if (!file_key.is_ok())
    return file_key.status().code() == Code::kMismatch ? "no match" : "header failure";
  if (!verify_header_mac(file, *header, *file_key).is_ok()) return "HMAC failure";
  Result<PayloadNonce> nonce = read_payload_nonce(file, *header);
  if (!nonce.is_ok()) return "header failure";

  // A success vector's header re-encodes to the same bytes (canonical form, same MAC).
  Result<std::vector<std::byte>> again = encode_header(header->stanzas, *file_key);
  EXPECT_TRUE(again.is_ok());
  if (again.is_ok()) {
    EXPECT_TRUE(std::ranges::equal(*again, file.first(header->size))) << v.name;
  }

  Result<PayloadKey> key = derive_payload_key(*file_key, *nonce);
  EXPECT_TRUE(key.is_ok());
  const Bytes sealed = file.subspan(header->size + kPayloadNonceSize);
  Result<size_t> size = opened_size(sealed.size());
  if (!size.is_ok()) return "payload failure";
  std::vector<std::byte> plain(*size);
  if (!open_chunks(*key, sealed, plain, 0, chunk_count(plain.size())).is_ok())
    return "payload failure";
  *hash = sha256_hex(plain);

  // And sealing the plaintext again with the same key and nonce gives the same chunks.
  std::vector<std::byte> resealed(sealed.size());
  EXPECT_TRUE(seal_chunks(*key, plain, resealed, 0, chunk_count(plain.size())).is_ok());
  EXPECT_TRUE(std::ranges::equal(resealed, sealed)) << v.name;
  return "success";
}

TEST(AgeCctvTest, EveryApplicableVectorEndsAsItSays) {
  const std::filesystem::path dir = std::string(WALPIPE_CORPUS_DIR) + "/age-cctv";
  std::vector<std::filesystem::path> paths;
  for (const auto& entry : std::filesystem::directory_iterator(dir))
    if (entry.path().filename() != "README.md") paths.push_back(entry.path());
  std::sort(paths.begin(), paths.end());
  ASSERT_EQ(paths.size(), 143u);

  size_t run = 0, armored = 0, passphrase = 0, other_type = 0, successes = 0;
  for (const auto& path : paths) {
    const Vector v = read_vector(path);
    SCOPED_TRACE(v.name);
    if (field(v, "armored") == "yes") {
      ++armored;
      continue;
    }
    if (v.fields.count("passphrase") > 0) {
      ++passphrase;
      continue;
    }
    std::vector<Identity> identities;
    bool x25519_only = true;
    for (auto [it, end] = v.fields.equal_range("identity"); it != end; ++it) {
      Result<Identity> identity = parse_identity(it->second, v.name);
      x25519_only = x25519_only && identity.is_ok();
      if (identity.is_ok()) identities.push_back(std::move(*identity));
    }
    if (!x25519_only) {
      ++other_type;
      continue;
    }
    // A vector with no identity at all ("empty") fails before any identity is tried.
    if (identities.empty()) identities.push_back(*generate_identity("none"));
    ++run;
    const std::string expect = field(v, "expect");
    std::string hash;
    EXPECT_EQ(outcome(v, identities, &hash), expect);

    Result<std::vector<std::byte>> plain = decrypt(v.file, identities);
    if (expect == "success") {
      ++successes;
      EXPECT_EQ(hash, field(v, "payload"));
      ASSERT_TRUE(plain.is_ok()) << plain.status().to_string();
      EXPECT_EQ(sha256_hex(*plain), field(v, "payload"));
    } else {
      ASSERT_FALSE(plain.is_ok());
      const Code want = expect == "no match" ? Code::kMismatch : Code::kCorruption;
      // version_unsupported is a header failure walpipe reports as another format version.
      if (v.name == "version_unsupported")
        EXPECT_EQ(plain.status().code(), Code::kUnsupported);
      else
        EXPECT_EQ(plain.status().code(), want) << plain.status().to_string();
    }
  }
  EXPECT_EQ(run, 67u);
  EXPECT_EQ(successes, 14u);
  EXPECT_EQ(armored, 33u);
  EXPECT_EQ(passphrase, 25u);
  EXPECT_EQ(other_type, 18u);
}

}  // namespace
}  // namespace walpipe::crypt
