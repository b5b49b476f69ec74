// An encrypted folder archive (issue 13) end to end, against Debian 12's age 1.1.1: push with
// recipients and get with an identity give the segment back byte for byte; `age -d | zstd -d`
// gives it back with no walpipe; an object `age -r` made from a plain object is read; a retried
// push on a host with no identity succeeds for identical content and is refused for different
// content; a wrong or missing identity and a damaged ciphertext stop recovery (exit above 125)
// with a message that says why; plain and encrypted never mix in one archive; rotation; key
// files open to other users are refused; copy turns a plain archive into an encrypted one.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "exit_codes.h"
#include "support/age_tools.h"
#include "support/corpus.h"
#include "support/files.h"
#include "support/prerequisite.h"
#include "support/run_command.h"
#include "support/scratch_dir.h"

namespace walpipe::testing {
namespace {

namespace fs = std::filesystem;

constexpr const char* kName34 = "000000010000000000000034";
constexpr const char* kName35 = "000000010000000000000035";
constexpr const char* kFingerprintKey =
    "5f1c0e7a9b3d2c4e6f8a1b0c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e\n";

std::string segment(const std::string& name) {
  const std::vector<std::byte>& bytes = corpus_bytes("pg16/1mb/" + name);
  return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

class EncryptedArchive : public ::testing::Test {
 protected:
  void SetUp() override {
    WALPIPE_REQUIRE_CORPUS();
    if (!fs::exists(kAge) || !fs::exists(kAgeKeygen) || !fs::exists("/usr/bin/zstd"))
      WALPIPE_SKIP() << "no age, age-keygen or zstd (scripts/setup.sh installs them)";
    for (const char* name : {"one.key", "two.key"}) {
      CommandResult made = run_command({kAgeKeygen, "-o", dir_.file(name)});
      ASSERT_EQ(made.exit_code, 0) << made.err;
      CommandResult recipient = run_command({kAgeKeygen, "-y", dir_.file(name)});
      ASSERT_EQ(recipient.exit_code, 0) << recipient.err;
      recipients_.push_back(recipient.out.substr(0, recipient.out.size() - 1));
    }
    key_ = secret("fingerprint.key", kFingerprintKey);
    fs::create_directories(dir_.file("pg_wal"));
    fs::create_directories(archive_);
    for (const char* name : {kName34, kName35})
      dir_.write(std::string("pg_wal/") + name, segment(name));
  }

  // A file only its owner may read.
  std::string secret(const std::string& name, const std::string& text) {
    const std::string path = dir_.write(name, text);
    EXPECT_EQ(::chmod(path.c_str(), 0600), 0);
    return path;
  }

  std::string wal(const std::string& name) const { return dir_.file("pg_wal/" + name); }
  std::string object(const std::string& archive, const std::string& name,
                     const char* suffix = ".zst.age") const {
    return archive + "/wal/" + name.substr(0, 16) + "/" + name + suffix;
  }

  CommandResult push(const std::string& file, std::vector<std::string> keys,
                     const std::string& archive = "") {
    std::vector<std::string> args{"push", "--archive", archive.empty() ? archive_ : archive,
                                  "--batch", "1"};
    args.insert(args.end(), keys.begin(), keys.end());
    args.push_back(file);
    return run_walpipe(args);
  }
  CommandResult push_encrypted(const std::string& file, const std::string& archive = "") {
    return push(file, {"--encrypt-to", recipients_[0], "--fingerprint-key", key_}, archive);
  }
  CommandResult get(const std::string& name, const std::string& dest,
                    std::vector<std::string> identities, const std::string& archive = "") {
    std::vector<std::string> args{"get", "--archive", archive.empty() ? archive_ : archive,
                                  "--prefetch", "0"};
    for (const std::string& id : identities) args.insert(args.end(), {"--identity", id});
    args.insert(args.end(), {name, dest});
    return run_walpipe(args);
  }

  ScratchDir dir_;
  std::string archive_ = dir_.file("archive");
  std::vector<std::string> recipients_;
  std::string key_;
};

TEST_F(EncryptedArchive, GetAndAgeWithZstdGiveTheSegmentBackByteForByte) {
  CommandResult r = push_encrypted(wal(kName34));
  ASSERT_EQ(r.exit_code, exit_code::kOk) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_TRUE(fs::exists(object(archive_, kName34)));
  EXPECT_FALSE(fs::exists(object(archive_, kName34, ".zst")));
  const std::string json = file_text(archive_ + "/walpipe.json");
  EXPECT_NE(json.find("\"format\": 2"), std::string::npos) << json;
  EXPECT_NE(json.find("\"encryption\": \"age\""), std::string::npos) << json;
  // The id names the key; the key itself is nowhere in the archive.
  EXPECT_EQ(json.find(std::string(kFingerprintKey).substr(0, 16)), std::string::npos) << json;

  r = get(kName34, dir_.file("restored"), {dir_.file("one.key")});
  ASSERT_EQ(r.exit_code, exit_code::kOk) << r.err;
  EXPECT_EQ(file_text(dir_.file("restored")), segment(kName34));

  // The emergency restore with no walpipe: two commands.
  r = run_command({"/bin/sh", "-c",
                   std::string(kAge) + " -d -i '" + dir_.file("one.key") + "' '" +
                       object(archive_, kName34) + "' | zstd -d > '" + dir_.file("by-hand") + "'"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(file_text(dir_.file("by-hand")), segment(kName34));
}

TEST_F(EncryptedArchive, AnObjectThatAgeEncryptedFromAPlainObjectIsRead) {
  const std::string plain = dir_.file("plain");
  fs::create_directories(plain);
  ASSERT_EQ(push(wal(kName34), {}, plain).exit_code, exit_code::kOk);
  ASSERT_EQ(push_encrypted(wal(kName35)).exit_code, exit_code::kOk);
  fs::create_directories(fs::path(object(archive_, kName34)).parent_path());
  CommandResult r = run_command({kAge, "-r", recipients_[0], "-o", object(archive_, kName34),
                                 object(plain, kName34, ".zst")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = get(kName34, dir_.file("restored"), {dir_.file("one.key")});
  ASSERT_EQ(r.exit_code, exit_code::kOk) << r.err;
  EXPECT_EQ(file_text(dir_.file("restored")), segment(kName34));
}

TEST_F(EncryptedArchive, ARetriedPushWithNoIdentityComparesKeyedFingerprints) {
  ASSERT_EQ(push_encrypted(wal(kName34)).exit_code, exit_code::kOk);
  const std::string stored = file_text(object(archive_, kName34));
  CommandResult r = push_encrypted(wal(kName34));
  EXPECT_EQ(r.exit_code, exit_code::kOk) << r.err;
  EXPECT_EQ(r.err, "");

  // Other content under the name: segment 35's bytes in a file named 34.
  fs::create_directories(dir_.file("other"));
  const std::string other = dir_.write(std::string("other/") + kName34, segment(kName35));
  r = push_encrypted(other);
  EXPECT_EQ(r.exit_code, exit_code::kPushRefused);
  EXPECT_EQ(r.err, "walpipe push: error: archive already holds a different \"" +
                       std::string(kName34) +
                       "\"\nDETAIL: The keyed fingerprints of the archived object and of the new "
                       "file differ; the archived object \"" +
                       object(archive_, kName34) +
                       "\" was left untouched.\nHINT: Two clusters may be archiving into one "
                       "archive, or this file was changed after it was archived.\n");
  EXPECT_EQ(file_text(object(archive_, kName34)), stored);
}

// What the dynamic loader opened for a command (LD_DEBUG=files writes it to its stderr).
CommandResult seeing_libraries(const std::function<CommandResult()>& command) {
  ::setenv("LD_DEBUG", "files", 1);
  CommandResult r = command();
  ::unsetenv("LD_DEBUG");
  return r;
}

// PostgreSQL's calls after the look-ahead: both segments marked ready, and segment 34's call
// starts a worker that stores 35 and leaves its receipt.
class EncryptedLookahead : public EncryptedArchive {
 protected:
  void SetUp() override {
    EncryptedArchive::SetUp();
    fs::create_directories(dir_.file("pg_wal/archive_status"));
    for (const char* name : {kName34, kName35})
      dir_.write(std::string("pg_wal/archive_status/") + name + ".ready", "");
    CommandResult r = run_walpipe({"push", "--archive", archive_, "--batch", "2", "--encrypt-to",
                                   recipients_[0], "--fingerprint-key", key_, wal(kName34)});
    ASSERT_EQ(r.exit_code, exit_code::kOk) << r.err;
    for (int i = 0; i < 1000 && !fs::exists(receipt_); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    ASSERT_TRUE(fs::exists(receipt_)) << receipt_;
    stored_ = file_text(object(archive_, kName35));
  }

  const std::string receipt_ = archive_ + "/.tmp/" + kName35 + ".receipt";
  std::string stored_;  // the worker's object for segment 35
};

// PostgreSQL's call for a segment the look-ahead stored is confirmed from the worker's receipt:
// comparing keyed fingerprints would load libcrypto for that alone (11.6 ms of a 29.5 ms call
// here). The same call with no receipt left does load it: the check can fail.
TEST_F(EncryptedLookahead, PostgresCallTakesTheReceiptWithoutLoadingLibcrypto) {
  CommandResult r = seeing_libraries([&] { return push_encrypted(wal(kName35)); });
  EXPECT_EQ(r.exit_code, exit_code::kOk) << r.err;
  EXPECT_EQ(r.err.find("libcrypto.so"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(receipt_));

  r = seeing_libraries([&] { return push_encrypted(wal(kName35)); });
  EXPECT_EQ(r.exit_code, exit_code::kOk) << r.err;
  EXPECT_NE(r.err.find("libcrypto.so"), std::string::npos) << r.err;
  EXPECT_EQ(file_text(object(archive_, kName35)), stored_);
}

// The file changed after the worker stored it: the receipt is for other content, so the call
// compares keyed fingerprints as any push does and refuses it; the worker's object stays.
TEST_F(EncryptedLookahead, AReceiptDoesNotConfirmOtherContentUnderTheName) {
  dir_.write(std::string("pg_wal/") + kName35, segment(kName34));
  CommandResult r = push_encrypted(wal(kName35));
  EXPECT_EQ(r.exit_code, exit_code::kPushRefused) << r.err;
  EXPECT_NE(r.err.find("archive already holds a different \"" + std::string(kName35) + "\""),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(fs::exists(receipt_));
  EXPECT_EQ(file_text(object(archive_, kName35)), stored_);
}

TEST_F(EncryptedArchive, AMissingOrWrongIdentityStopsRecoverySayingWhoCanOpenIt) {
  ASSERT_EQ(push_encrypted(wal(kName34)).exit_code, exit_code::kOk);
  const std::string where = object(archive_, kName34);
  CommandResult r = get(kName34, dir_.file("restored"), {});
  EXPECT_EQ(r.exit_code, exit_code::kGetIoError);
  EXPECT_EQ(r.err, "walpipe get: error: archive object \"" + where +
                       "\" is encrypted, and no identity was given\nDETAIL: It was encrypted to " +
                       recipients_[0] +
                       ".\nHINT: Give the identity file of one of those recipients with "
                       "--identity FILE, or with identity in the configuration file.\n");
  r = get(kName34, dir_.file("restored"), {dir_.file("two.key")});
  EXPECT_EQ(r.exit_code, exit_code::kGetIoError);
  EXPECT_EQ(r.err, "walpipe get: error: could not decrypt archive object \"" + where +
                       "\": no identity given opens it\nDETAIL: It was encrypted to " +
                       recipients_[0] + "; identity files tried: \"" + dir_.file("two.key") +
                       "\".\nHINT: Give the identity of one of those recipients (age-keygen -y "
                       "FILE prints the recipient of an identity file).\n");
  EXPECT_FALSE(fs::exists(dir_.file("restored")));
}

TEST_F(EncryptedArchive, ADamagedCiphertextStopsRecovery) {
  ASSERT_EQ(push_encrypted(wal(kName34)).exit_code, exit_code::kOk);
  ASSERT_EQ(push_encrypted(wal(kName35)).exit_code, exit_code::kOk);
  const std::string where = object(archive_, kName34);
  const std::string good = file_text(where);
  const std::string prefix =
      "walpipe get: error: archive object \"" + where + "\" cannot be restored: ";
  auto get_damaged = [&](const std::string& bytes) {
    ScratchDir::write_file(where, bytes);
    CommandResult r = get(kName34, dir_.file("restored"), {dir_.file("one.key")});
    EXPECT_FALSE(fs::exists(dir_.file("restored")));
    return r;
  };
  const size_t header_end = good.find("\n--- ") + 1;
  ASSERT_NE(header_end, 0u);

  // Cut after the first 64 KiB chunk (the MAC line is 48 bytes, the payload nonce 16), then
  // inside a chunk.
  const size_t first_chunk_end = header_end + 48 + 16 + 65536 + 16;
  ASSERT_GT(good.size(), first_chunk_end + 1);
  CommandResult r = get_damaged(good.substr(0, first_chunk_end));
  EXPECT_EQ(r.exit_code, exit_code::kGetCorrupt);
  EXPECT_EQ(r.err, prefix + "age payload is truncated: chunk 1 of 1 is not the final one\n");
  r = get_damaged(good.substr(0, good.size() - 1000));
  EXPECT_EQ(r.exit_code, exit_code::kGetCorrupt);
  EXPECT_EQ(r.err.substr(0, prefix.size()), prefix) << r.err;

  std::string flipped = good;
  flipped[good.size() / 2] ^= 0x04;
  r = get_damaged(flipped);
  EXPECT_EQ(r.exit_code, exit_code::kGetCorrupt);
  EXPECT_EQ(r.err.substr(0, prefix.size()), prefix) << r.err;
  EXPECT_NE(r.err.find("fails authentication: it is damaged or out of order"), std::string::npos)
      << r.err;

  // Segment 35's header (a file key of its own) in front of 34's payload.
  const std::string other = file_text(object(archive_, kName35));
  const std::string reheadered =
      other.substr(0, other.find("\n--- ") + 1 + 48) + good.substr(header_end + 48);
  r = get_damaged(reheadered);
  EXPECT_EQ(r.exit_code, exit_code::kGetCorrupt);
  EXPECT_EQ(r.err.substr(0, prefix.size()), prefix) << r.err;

  // The walpipe stanzas are under the header's MAC too.
  std::string restanza = good;
  const size_t fingerprint = restanza.find("-> walpipe-fingerprint ") + 23;
  restanza[fingerprint] = restanza[fingerprint] == 'A' ? 'B' : 'A';
  r = get_damaged(restanza);
  EXPECT_EQ(r.exit_code, exit_code::kGetCorrupt);
  EXPECT_EQ(r.err.substr(0, prefix.size()), prefix) << r.err;

  ScratchDir::write_file(where, good);
  r = get(kName34, dir_.file("restored"), {dir_.file("one.key")});
  EXPECT_EQ(r.exit_code, exit_code::kOk) << r.err;
}

TEST_F(EncryptedArchive, PlainAndEncryptedNeverMix) {
  ASSERT_EQ(push_encrypted(wal(kName34)).exit_code, exit_code::kOk);
  CommandResult r = push(wal(kName35), {});
  EXPECT_EQ(r.exit_code, exit_code::kPushRefused);
  EXPECT_EQ(r.err, "walpipe push: error: archive \"" + archive_ +
                       "\" is encrypted\nDETAIL: Its objects are age files; this push has no "
                       "recipient to encrypt to.\nHINT: Give the archive's recipients "
                       "(--encrypt-to or --recipients-file) and its --fingerprint-key, or push "
                       "into a plain archive.\n");

  const std::string other_key = secret("other.key", std::string(64, 'a') + "\n");
  r = push(wal(kName35), {"--encrypt-to", recipients_[0], "--fingerprint-key", other_key});
  EXPECT_EQ(r.exit_code, exit_code::kPushRefused);
  EXPECT_NE(r.err.find("was started with another fingerprint key"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find(std::string(64, 'a')), std::string::npos) << r.err;

  const std::string plain = dir_.file("plain");
  fs::create_directories(plain);
  ASSERT_EQ(push(wal(kName34), {}, plain).exit_code, exit_code::kOk);
  r = push_encrypted(wal(kName35), plain);
  EXPECT_EQ(r.exit_code, exit_code::kPushRefused);
  EXPECT_EQ(r.err, "walpipe push: error: archive \"" + plain +
                       "\" is not encrypted\nDETAIL: Its objects are plain .zst files; this push "
                       "would add encrypted ones.\nHINT: Push without recipients, or bring the "
                       "archive into a new encrypted one with walpipe copy and push there.\n");
  EXPECT_FALSE(fs::exists(object(plain, kName35)));
  EXPECT_FALSE(fs::exists(object(plain, kName35, ".zst")));
}

TEST_F(EncryptedArchive, RotationAddsARecipientAndOldObjectsStayReadable) {
  ASSERT_EQ(push_encrypted(wal(kName34)).exit_code, exit_code::kOk);
  const std::string both = dir_.write(
      "recipients.txt", "# old key\n" + recipients_[0] + "\n\n# new key\n" + recipients_[1] + "\n");
  CommandResult r = push(wal(kName35), {"--recipients-file", both, "--fingerprint-key", key_});
  ASSERT_EQ(r.exit_code, exit_code::kOk) << r.err;

  EXPECT_EQ(get(kName34, dir_.file("a"), {dir_.file("one.key")}).exit_code, exit_code::kOk);
  EXPECT_EQ(get(kName35, dir_.file("b"), {dir_.file("two.key")}).exit_code, exit_code::kOk);
  EXPECT_EQ(get(kName35, dir_.file("c"), {dir_.file("one.key")}).exit_code, exit_code::kOk);
  EXPECT_EQ(get(kName34, dir_.file("d"), {dir_.file("two.key")}).exit_code, exit_code::kGetIoError);
  r = get(kName34, dir_.file("e"), {dir_.file("two.key"), dir_.file("one.key")});
  EXPECT_EQ(r.exit_code, exit_code::kOk) << r.err;
  EXPECT_EQ(file_text(dir_.file("e")), segment(kName34));
  EXPECT_EQ(file_text(dir_.file("b")), segment(kName35));
}

TEST_F(EncryptedArchive, KeyFilesOthersMayReadAndBadRecipientsAreRefused) {
  ASSERT_EQ(push_encrypted(wal(kName34)).exit_code, exit_code::kOk);
  const std::string id = dir_.file("one.key");
  ASSERT_EQ(::chmod(id.c_str(), 0640), 0);
  CommandResult r = get(kName34, dir_.file("restored"), {id});
  EXPECT_EQ(r.exit_code, exit_code::kGetUsage);
  EXPECT_EQ(r.err, "walpipe get: error: identity file \"" + id +
                       "\" is accessible by other users (mode 0640)\nHINT: It holds a secret "
                       "key: chmod 600 \"" +
                       id + "\".\n");

  ASSERT_EQ(::chmod(key_.c_str(), 0644), 0);
  r = push_encrypted(wal(kName35));
  EXPECT_EQ(r.exit_code, exit_code::kPushUsage);
  EXPECT_EQ(r.err, "walpipe push: error: fingerprint key file \"" + key_ +
                       "\" is accessible by other users (mode 0644)\nHINT: It holds a secret "
                       "key: chmod 600 \"" +
                       key_ + "\".\n");
  ASSERT_EQ(::chmod(key_.c_str(), 0600), 0);

  const std::string bad = dir_.write("recipients.txt", recipients_[0] + "\nage1nope\n");
  r = push(wal(kName35), {"--recipients-file", bad, "--fingerprint-key", key_});
  EXPECT_EQ(r.exit_code, exit_code::kPushUsage);
  EXPECT_NE(r.err.find("invalid line 2 in recipients file \"" + bad + "\""), std::string::npos)
      << r.err;

  r = push(wal(kName35), {"--encrypt-to", recipients_[0]});
  EXPECT_EQ(r.exit_code, exit_code::kPushUsage);
  EXPECT_EQ(r.err.substr(0, r.err.find('\n')),
            "walpipe push: error: recipients are given without a fingerprint key");
  EXPECT_FALSE(fs::exists(object(archive_, kName35)));
}

TEST_F(EncryptedArchive, CopyTurnsAPlainArchiveIntoAnEncryptedOne) {
  const std::string plain = dir_.file("plain");
  fs::create_directories(plain);
  for (const char* name : {kName34, kName35}) ASSERT_EQ(push(wal(name), {}, plain).exit_code, 0);
  const std::vector<std::string> keys{"--encrypt-to", recipients_[0],      "--encrypt-to",
                                      recipients_[1], "--fingerprint-key", key_};
  std::vector<std::string> args{"copy"};
  args.insert(args.end(), keys.begin(), keys.end());
  args.insert(args.end(), {plain, archive_});
  CommandResult r = run_walpipe(args);
  ASSERT_EQ(r.exit_code, exit_code::kOk) << r.err;
  for (const char* name : {kName34, kName35}) {
    EXPECT_TRUE(fs::exists(object(archive_, name)));
    r = get(name, dir_.file("restored"), {dir_.file("two.key")});
    ASSERT_EQ(r.exit_code, exit_code::kOk) << r.err;
    EXPECT_EQ(file_text(dir_.file("restored")), segment(name));
  }
  // Run again, it finds both already there by their keyed fingerprints.
  r = run_walpipe(args);
  EXPECT_EQ(r.exit_code, exit_code::kOk) << r.err;
  EXPECT_NE(r.out.find("2 already there, 0 not copied"), std::string::npos) << r.out;
  // A push into the copy, with the same keys, takes the archive as its own.
  EXPECT_EQ(push_encrypted(wal(kName35)).exit_code, exit_code::kOk);

  // And back: an encrypted archive read with an identity into a new plain one.
  const std::string back = dir_.file("back");
  fs::create_directories(back);
  r = run_walpipe({"copy", "--identity", dir_.file("one.key"), archive_, back});
  ASSERT_EQ(r.exit_code, exit_code::kOk) << r.err;
  EXPECT_EQ(file_text(object(back, kName34, ".zst")), file_text(object(plain, kName34, ".zst")));
  EXPECT_EQ(file_text(back + "/walpipe.json"), file_text(plain + "/walpipe.json"));
}

TEST_F(EncryptedArchive, ListReadsMetadataWithAnIdentity) {
  for (const char* name : {kName34, kName35}) ASSERT_EQ(push_encrypted(wal(name)).exit_code, 0);
  CommandResult r =
      run_walpipe({"list", "--archive", archive_, "--identity", dir_.file("one.key"), "--json"});
  ASSERT_EQ(r.exit_code, exit_code::kOk) << r.err;
  EXPECT_NE(r.out.find(kName34), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(kName35), std::string::npos) << r.out;
  r = run_walpipe({"list", "--archive", archive_});
  EXPECT_NE(r.exit_code, exit_code::kOk);
  EXPECT_NE(r.err.find("is encrypted, and no identity was given"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace walpipe::testing
