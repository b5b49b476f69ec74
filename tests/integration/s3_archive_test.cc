// walpipe push, get and list with the archive in a bucket of a real Ceph RADOS Gateway
// (--archive s3://BUCKET/PREFIX): the same objects and the same guarantees as a folder. Nothing
// different is stored under a taken name; get says "absent" (1) only when the bucket answered
// so, and above 125 when the gateway cannot be reached or refuses the keys; secrets never show.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>

#include "archive/keys.h"
#include "s3/client.h"
#include "support/age_tools.h"
#include "support/corpus.h"
#include "support/files.h"
#include "support/prerequisite.h"
#include "support/rgw_test.h"
#include "support/run_command.h"
#include "support/scratch_dir.h"
#include "wal/names.h"

namespace walpipe::testing {
namespace {

constexpr const char* kSegments[] = {"pg16/1mb/000000010000000000000034",
                                     "pg16/1mb/000000010000000000000035",
                                     "pg16/1mb/000000010000000000000036"};

class S3ArchiveTest : public S3CommandTest {
 protected:
  void SetUp() override {
    S3CommandTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    WALPIPE_REQUIRE_CORPUS();
    // The walpipe processes inherit what every S3 tool reads.
    const s3::S3Settings& s = rgw_->settings();
    use_environment(s.endpoint, s.credentials.access_key_id, s.credentials.secret_access_key);
    const std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    bucket_ = "walpipe-" + std::to_string(++buckets_);
    archive_ = "s3://" + bucket_ + "/clusters/" + name;
    std::unique_ptr<s3::Client> client = client_of(bucket_);
    ASSERT_NE(client, nullptr);
    Status made = client->create_bucket();
    ASSERT_TRUE(made.is_ok()) << made.to_string();
  }

  std::unique_ptr<s3::Client> client_of(const std::string& bucket, const std::string& prefix = "") {
    Result<std::unique_ptr<s3::Client>> c = s3::Client::create(rgw_->settings(), {bucket, prefix});
    EXPECT_TRUE(c.is_ok()) << c.status().to_string();
    return c.is_ok() ? std::move(c.value()) : nullptr;
  }
  // The client for this test's archive prefix.
  std::unique_ptr<s3::Client> archive_client() {
    return client_of(bucket_, archive_.substr(("s3://" + bucket_ + "/").size()));
  }

  std::string segment_file(const char* corpus_path) {
    return wal_.write(base_name(corpus_path), corpus_bytes(corpus_path));
  }
  CommandResult push(const std::string& path) {
    return run_walpipe({"push", "--batch=1", "--archive", archive_, path});
  }
  CommandResult get(const std::string& name, const std::string& dest) {
    return run_walpipe({"get", "--archive", archive_, name, dest});
  }

  static inline int buckets_ = 0;
  ScratchDir wal_, restored_;
  std::string bucket_, archive_;
};

TEST_F(S3ArchiveTest, PushGetAndListLikeAFolder) {
  for (const char* segment : kSegments) {
    CommandResult pushed = push(segment_file(segment));
    ASSERT_EQ(pushed.exit_code, 0) << pushed.err;
  }
  for (const char* segment : kSegments) {
    const std::string dest = restored_.file(base_name(segment));
    CommandResult got = get(base_name(segment), dest);
    ASSERT_EQ(got.exit_code, 0) << got.err;
    EXPECT_EQ(file_bytes(dest), corpus_bytes(segment)) << segment;
  }
  // The keys are a folder archive's paths below the prefix, and the fingerprint rides along.
  std::unique_ptr<s3::Client> s3 = archive_client();
  Result<s3::ObjectInfo> info = s3->head("wal/0000000100000000/000000010000000000000034.zst");
  ASSERT_TRUE(info.is_ok()) << info.status().to_string();
  ASSERT_EQ(info->metadata.size(), 1u);
  EXPECT_EQ(info->metadata[0].name, "walpipe-fingerprint");
  EXPECT_TRUE(s3->head("walpipe.json").is_ok());

  CommandResult listed = run_walpipe({"list", "--archive", archive_});
  EXPECT_EQ(listed.exit_code, 0) << listed.err;
  for (const char* segment : kSegments)
    EXPECT_NE(listed.out.find(base_name(segment)), std::string::npos) << listed.out;
}

TEST_F(S3ArchiveTest, SamePushAgainIsArchivedDifferentContentIsRefused) {
  const std::string path = segment_file(kSegments[0]);
  ASSERT_EQ(push(path).exit_code, 0);
  CommandResult again = push(path);
  EXPECT_EQ(again.exit_code, 0) << again.err;

  // Another valid segment under the same name: refused, the stored one untouched.
  ScratchDir elsewhere;
  const std::string other = elsewhere.write(base_name(kSegments[0]), corpus_bytes(kSegments[1]));
  CommandResult refused = push(other);
  EXPECT_EQ(refused.exit_code, 3) << refused.err;
  EXPECT_NE(refused.err.find("archive already holds a different \"000000010000000000000034\""),
            std::string::npos)
      << refused.err;
  EXPECT_NE(refused.err.find("was left untouched"), std::string::npos) << refused.err;
  const std::string dest = restored_.file("back");
  ASSERT_EQ(get(base_name(kSegments[0]), dest).exit_code, 0);
  EXPECT_EQ(file_bytes(dest), corpus_bytes(kSegments[0]));
}

TEST_F(S3ArchiveTest, AbsentOnlyWhenTheBucketSaysSo) {
  ASSERT_EQ(push(segment_file(kSegments[0])).exit_code, 0);
  CommandResult absent = get("000000010000000000000040", restored_.file("x"));
  EXPECT_EQ(absent.exit_code, 1) << absent.err;

  // A gateway that does not answer: recovery must stop, not end.
  ::setenv("AWS_ENDPOINT_URL",
           ("http://127.0.0.1:" + std::to_string(unused_loopback_port())).c_str(), 1);
  CommandResult down = run_walpipe({"get", "--archive", archive_, "--s3-deadline", "2",
                                    "000000010000000000000040", restored_.file("y")});
  EXPECT_GT(down.exit_code, 125) << down.err;
  EXPECT_NE(down.err.find("127.0.0.1"), std::string::npos) << down.err;

  // Keys the gateway refuses: not "absent" either, and the secret is never shown.
  const s3::S3Settings& s = rgw_->settings();
  const std::string wrong_secret = "wrong" + s.credentials.secret_access_key;
  use_environment(s.endpoint, s.credentials.access_key_id, wrong_secret);
  CommandResult refused = run_walpipe({"get", "--archive", archive_, "--s3-deadline", "2",
                                       "000000010000000000000040", restored_.file("z")});
  EXPECT_GT(refused.exit_code, 125) << refused.err;
  EXPECT_EQ(refused.err.find(wrong_secret), std::string::npos) << refused.err;
  CommandResult push_refused = push(segment_file(kSegments[1]));
  EXPECT_EQ(push_refused.exit_code, 1) << push_refused.err;
  EXPECT_EQ(push_refused.err.find(wrong_secret), std::string::npos) << push_refused.err;

  // A bucket that does not exist is no archive, not an absent file.
  use_environment(s.endpoint, s.credentials.access_key_id, s.credentials.secret_access_key);
  CommandResult no_bucket = run_walpipe({"get", "--archive", "s3://no-such-bucket/x",
                                         "000000010000000000000040", restored_.file("w")});
  EXPECT_GT(no_bucket.exit_code, 125) << no_bucket.err;
}

TEST_F(S3ArchiveTest, DamagedObjectIsAbove125) {
  ASSERT_EQ(push(segment_file(kSegments[0])).exit_code, 0);
  std::unique_ptr<s3::Client> s3 = archive_client();
  const std::string key = "wal/0000000100000000/000000010000000000000034.zst";
  Result<std::vector<std::byte>> object = s3->get(key, std::nullopt, 64 << 20);
  ASSERT_TRUE(object.is_ok()) << object.status().to_string();
  // Replaced by a copy with one flipped bit in the data, as rot in the store would leave it.
  (*object)[object->size() / 2] ^= std::byte{0x10};
  ASSERT_TRUE(s3->remove(key).is_ok());
  ASSERT_TRUE(s3->put_if_absent(key, *object, {}).is_ok());
  CommandResult got = get(base_name(kSegments[0]), restored_.file("d"));
  EXPECT_EQ(got.exit_code, 200) << got.err;
  EXPECT_NE(got.err.find(archive_ + "/" + key), std::string::npos) << got.err;
  EXPECT_FALSE(std::ifstream(restored_.file("d")).good());
}

TEST_F(S3ArchiveTest, HostileNamesAreRefusedBeforeAnyRequest) {
  // The gateway is unreachable: an answer other than usage would mean a request was tried.
  ::setenv("AWS_ENDPOINT_URL",
           ("http://127.0.0.1:" + std::to_string(unused_loopback_port())).c_str(), 1);
  for (const char* name : {"../../etc/passwd", "000000010000000000000034/../x", "walpipe.json"}) {
    CommandResult got = get(name, restored_.file("h"));
    EXPECT_EQ(got.exit_code, 202) << name << ": " << got.err;
  }
  CommandResult bad_url = run_walpipe(
      {"get", "--archive", "s3://Bad_Bucket/x", "000000010000000000000034", restored_.file("h")});
  EXPECT_EQ(bad_url.exit_code, 202) << bad_url.err;
}

// Most of PostgreSQL's calls need no bucket, or are refused before any request: they load none
// of the S3 libraries (about 24 ms of dlopen) and start no client. The loader's own trace
// (LD_DEBUG=files) tells which libraries a process loaded.
TEST_F(S3ArchiveTest, CallsThatNeedNoBucketLoadNoS3Library) {
  ::setenv("AWS_ENDPOINT_URL",
           ("http://127.0.0.1:" + std::to_string(unused_loopback_port())).c_str(), 1);
  const std::string hostile = wal_.write("evil", std::string("x"));
  // A call that tried the gateway would take its whole deadline.
  auto get_hostile = [&] {
    return run_walpipe({"get", "--s3-deadline", "10", "--archive", archive_, "../../etc/passwd",
                        restored_.file("h")});
  };
  auto push_hostile = [&] {
    return run_walpipe({"push", "--s3-deadline", "10", "--archive", archive_, hostile});
  };
  auto get_needing_the_bucket = [&] {
    return run_walpipe({"get", "--s3-deadline", "2", "--archive", archive_,
                        "000000010000000000000034", restored_.file("n")});
  };
  const std::string hint =
      "HINT: Expected a segment (24 upper-case hex digits), a .partial segment, TTTTTTTT.history "
      "or a .backup file name, without a directory.\n";

  auto begin = std::chrono::steady_clock::now();
  CommandResult got = get_hostile();
  EXPECT_LT(std::chrono::steady_clock::now() - begin, std::chrono::seconds(5));
  EXPECT_EQ(got.exit_code, 202);
  EXPECT_EQ(got.err,
            "walpipe get: error: invalid WAL file name \"../../etc/passwd\": name contains a "
            "character other than letters, digits and dots\n" +
                hint);
  begin = std::chrono::steady_clock::now();
  CommandResult pushed = push_hostile();
  EXPECT_LT(std::chrono::steady_clock::now() - begin, std::chrono::seconds(5));
  EXPECT_EQ(pushed.exit_code, 2);
  EXPECT_EQ(pushed.err,
            "walpipe push: error: invalid WAL file name \"evil\": not a segment, .partial, "
            ".history or .backup name\n" +
                hint);

  // The first call that needs the bucket starts the client, and fails as it always did (its
  // retries within the deadline are the client's tests': rgw_client_test, s3_fault_test).
  CommandResult needing = get_needing_the_bucket();
  EXPECT_EQ(needing.exit_code, 201);
  EXPECT_EQ(needing.err.substr(0, needing.err.find('\n')),
            "walpipe get: error: archive \"" + archive_ + "\" is not accessible");

  ::setenv("LD_DEBUG", "files", 1);
  const std::string traced_get = get_hostile().err;
  const std::string traced_push = push_hostile().err;
  const std::string traced_needing = get_needing_the_bucket().err;
  ::unsetenv("LD_DEBUG");
  for (const char* library : {"file=libcurl.so.4", "file=libexpat.so.1"}) {
    EXPECT_EQ(traced_get.find(library), std::string::npos) << library;
    EXPECT_EQ(traced_push.find(library), std::string::npos) << library;
    EXPECT_NE(traced_needing.find(library), std::string::npos) << library;
  }
}

TEST_F(S3ArchiveTest, SecretsComeFromTheEnvironmentOrAPrivateFileNeverTheCommandLine) {
  const s3::S3Settings& s = rgw_->settings();
  const std::string secret = s.credentials.secret_access_key;
  CommandResult on_line = run_walpipe({"get", "--archive", archive_, "--aws-secret-access-key",
                                       secret, "000000010000000000000034", restored_.file("c")});
  EXPECT_EQ(on_line.exit_code, 202) << on_line.err;
  EXPECT_NE(on_line.err.find("cannot be given on the command line"), std::string::npos)
      << on_line.err;
  EXPECT_EQ(on_line.err.find(secret), std::string::npos) << on_line.err;

  for (const char* variable : kAwsVariables) ::unsetenv(variable);
  CommandResult none = get("000000010000000000000034", restored_.file("c"));
  EXPECT_EQ(none.exit_code, 202) << none.err;
  EXPECT_NE(none.err.find("no S3 credentials for \"" + archive_ + "\""), std::string::npos)
      << none.err;

  ScratchDir etc;
  const std::string config =
      etc.write("walpipe.conf", "archive = " + archive_ + "\ns3-endpoint = " + s.endpoint +
                                    "\ns3-region = " + s.region +
                                    "\naws-access-key-id = " + s.credentials.access_key_id +
                                    "\naws-secret-access-key = " + secret + "\n");
  ASSERT_EQ(::chmod(config.c_str(), 0644), 0);
  CommandResult readable =
      run_walpipe({"push", "--batch=1", "--config", config, segment_file(kSegments[0])});
  EXPECT_EQ(readable.exit_code, 2) << readable.err;
  EXPECT_NE(readable.err.find("holds a secret and can be read by other users"), std::string::npos)
      << readable.err;
  EXPECT_EQ(readable.err.find(secret), std::string::npos) << readable.err;

  ASSERT_EQ(::chmod(config.c_str(), 0600), 0);
  CommandResult pushed =
      run_walpipe({"push", "--batch=1", "--config", config, segment_file(kSegments[0])});
  EXPECT_EQ(pushed.exit_code, 0) << pushed.err;
  CommandResult got =
      run_walpipe({"get", "--config", config, "000000010000000000000034", restored_.file("c")});
  EXPECT_EQ(got.exit_code, 0) << got.err;
  EXPECT_EQ(file_bytes(restored_.file("c")), corpus_bytes(kSegments[0]));
}

// push --archive FOLDER --archive s3://…: acknowledged only once both hold the segment; get
// falls back from a damaged or missing local copy to the bucket's, and says so.
TEST_F(S3ArchiveTest, AFolderAndABucketKeptAlike) {
  ScratchDir folder;
  const std::vector<std::string> both = {"--archive", folder.path(), "--archive", archive_};
  auto walpipe = [&](std::vector<std::string> head, const std::vector<std::string>& tail) {
    head.insert(head.end(), both.begin(), both.end());
    head.insert(head.end(), tail.begin(), tail.end());
    return run_walpipe(head);
  };
  const std::string key = "wal/0000000100000000/000000010000000000000034.zst";

  // The bucket out of reach: not acknowledged, though the folder may hold it already.
  const s3::S3Settings& s = rgw_->settings();
  ::setenv("AWS_ENDPOINT_URL",
           ("http://127.0.0.1:" + std::to_string(unused_loopback_port())).c_str(), 1);
  CommandResult down =
      walpipe({"push", "--batch=1", "--s3-deadline", "2"}, {segment_file(kSegments[0])});
  EXPECT_EQ(down.exit_code, 1) << down.err;
  ::setenv("AWS_ENDPOINT_URL", s.endpoint.c_str(), 1);
  for (const char* segment : kSegments) {
    CommandResult pushed = walpipe({"push", "--batch=1"}, {segment_file(segment)});
    ASSERT_EQ(pushed.exit_code, 0) << pushed.err;
  }
  std::unique_ptr<s3::Client> s3 = archive_client();
  EXPECT_TRUE(s3->head(key).is_ok());
  const std::string local = folder.path() + "/" + key;
  std::vector<std::byte> stored = file_bytes(local);
  ASSERT_FALSE(stored.empty());

  // The folder's copy rots: restored from the bucket, with a warning naming the folder.
  stored[stored.size() / 2] ^= std::byte{0x01};
  ::chmod(local.c_str(), 0600);
  ScratchDir::write_file(local,
                         std::string(reinterpret_cast<const char*>(stored.data()), stored.size()));
  const std::string dest = restored_.file("from-bucket");
  CommandResult got = walpipe({"get"}, {base_name(kSegments[0]), dest});
  EXPECT_EQ(got.exit_code, 0) << got.err;
  EXPECT_EQ(file_bytes(dest), corpus_bytes(kSegments[0]));
  EXPECT_NE(got.err.find("warning: archive \"" + folder.path() + "\" passed over"),
            std::string::npos)
      << got.err;

  // Missing from the folder: the bucket serves it, silently (absence is routine).
  ASSERT_EQ(
      ::unlink((folder.path() + "/wal/0000000100000000/000000010000000000000035.zst").c_str()), 0);
  got = walpipe({"get"}, {base_name(kSegments[1]), restored_.file("second")});
  EXPECT_EQ(got.exit_code, 0) << got.err;
  EXPECT_EQ(got.err, "");

  // Absent from both: 1. Absent from the folder while the bucket cannot answer: not 1.
  EXPECT_EQ(walpipe({"get"}, {"000000010000000000000040", restored_.file("n")}).exit_code, 1);
  ::setenv("AWS_ENDPOINT_URL",
           ("http://127.0.0.1:" + std::to_string(unused_loopback_port())).c_str(), 1);
  CommandResult unknown =
      walpipe({"get", "--s3-deadline", "2"}, {"000000010000000000000040", restored_.file("u")});
  EXPECT_GT(unknown.exit_code, 125) << unknown.err;
}

// walpipe verify s3://…: the objects listed and read through the bucket, with the checks of a
// folder archive, each named by its place in the bucket.
TEST_F(S3ArchiveTest, VerifyAnArchiveInABucket) {
  for (const char* segment : kSegments) ASSERT_EQ(push(segment_file(segment)).exit_code, 0);
  CommandResult good = run_walpipe({"verify", archive_});
  EXPECT_EQ(good.exit_code, 0) << good.out << good.err;
  EXPECT_EQ(good.err, "");
  EXPECT_NE(good.out.find(archive_ + "/wal/0000000100000000/000000010000000000000034.zst: ok: "),
            std::string::npos)
      << good.out;
  EXPECT_TRUE(good.out.ends_with(
      "verified 3 files: 3 valid, 0 invalid, 0 unreadable; 4609 records in 3 MiB of WAL\n"))
      << good.out;

  // One flipped bit in the middle object, as rot in the store would leave it.
  std::unique_ptr<s3::Client> s3 = archive_client();
  const std::string key = "wal/0000000100000000/000000010000000000000035.zst";
  Result<std::vector<std::byte>> object = s3->get(key, std::nullopt, 64 << 20);
  ASSERT_TRUE(object.is_ok()) << object.status().to_string();
  (*object)[object->size() / 2] ^= std::byte{0x10};
  ASSERT_TRUE(s3->remove(key).is_ok());
  ASSERT_TRUE(s3->put_if_absent(key, *object, {}).is_ok());
  CommandResult damaged = run_walpipe({"verify", "-q", archive_});
  EXPECT_EQ(damaged.exit_code, 1) << damaged.out << damaged.err;
  EXPECT_EQ(damaged.err, "");
  EXPECT_EQ(damaged.out.rfind(archive_ + "/" + key + ": invalid: ", 0), 0u) << damaged.out;
  EXPECT_NE(damaged.out.find("\n  error: archive object \"" + archive_ + "/" + key +
                             "\": zstd frame is damaged: Data corruption detected "
                             "(FILE_CONTENT, file offset 0)\n"),
            std::string::npos)
      << damaged.out;
  EXPECT_NE(damaged.out.find("verified 3 files: 2 valid, 1 invalid, 0 unreadable"),
            std::string::npos)
      << damaged.out;
}

TEST_F(S3ArchiveTest, VerifyNamesASegmentMissingFromABucket) {
  for (const char* segment : kSegments) ASSERT_EQ(push(segment_file(segment)).exit_code, 0);
  const std::string key = "wal/0000000100000000/000000010000000000000035.zst";
  ASSERT_TRUE(archive_client()->remove(key).is_ok());
  CommandResult gap = run_walpipe({"verify", "-q", archive_});
  EXPECT_EQ(gap.exit_code, 1) << gap.out << gap.err;
  EXPECT_EQ(gap.err, "");
  EXPECT_EQ(gap.out.rfind("across files:\n" + archive_ +
                              "/wal/0000000100000000:\n  error: missing WAL segment "
                              "000000010000000000000035 between \"000000010000000000000034\" "
                              "and \"000000010000000000000036\" (CHAIN_GAP)\nverified 2 files: "
                              "2 valid, 0 invalid, 0 unreadable; 1 gap (1 missing segment)",
                          0),
            0u)
      << gap.out;

  // A gateway that does not answer: nothing verified, and not "problems found" either.
  ::setenv("AWS_ENDPOINT_URL",
           ("http://127.0.0.1:" + std::to_string(unused_loopback_port())).c_str(), 1);
  CommandResult down = run_walpipe({"verify", "--s3-deadline", "1", archive_});
  EXPECT_EQ(down.exit_code, 2) << down.err;
  EXPECT_EQ(down.err.rfind("walpipe verify: error: could not GET \"" + archive_ +
                               "/walpipe.json\" at \"127.0.0.1:",
                           0),
            0u)
      << down.err;
  EXPECT_EQ(down.out, "");
}

// walpipe copy: a folder archive brought into a bucket (adding off-site later), and back.
TEST_F(S3ArchiveTest, CopyAFolderIntoABucketAndBack) {
  ScratchDir folder, back;
  for (const char* segment : kSegments)
    ASSERT_EQ(run_walpipe({"push", "--batch=1", "--archive", folder.path(), segment_file(segment)})
                  .exit_code,
              0);
  CommandResult copied = run_walpipe({"copy", folder.path(), archive_});
  ASSERT_EQ(copied.exit_code, 0) << copied.err;
  EXPECT_EQ(copied.out.rfind("copied 3 objects (", 0), 0u) << copied.out;
  for (const char* segment : kSegments) {
    const std::string dest = restored_.file(base_name(segment));
    ASSERT_EQ(get(base_name(segment), dest).exit_code, 0);
    EXPECT_EQ(file_bytes(dest), corpus_bytes(segment));
  }
  CommandResult again = run_walpipe({"copy", folder.path(), archive_});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("; 3 already there, 0 not copied"), std::string::npos) << again.out;

  CommandResult home = run_walpipe({"copy", archive_, back.path()});
  ASSERT_EQ(home.exit_code, 0) << home.err;
  const std::string object = "/wal/0000000100000000/000000010000000000000035.zst";
  EXPECT_EQ(file_bytes(back.path() + object), file_bytes(folder.path() + object));
}

// An encrypted archive in a bucket (issue 13): the objects are .zst.age files whose user
// metadata holds the keyed fingerprint, so a push host with no identity finds its own object
// with one HEAD and refuses different content; get decrypts with an identity.
TEST_F(S3ArchiveTest, EncryptedArchiveInABucket) {
  if (::access(kAgeKeygen, X_OK) != 0) WALPIPE_SKIP() << "no " << kAgeKeygen;
  ScratchDir keys;
  ASSERT_EQ(run_command({kAgeKeygen, "-o", keys.file("id.key")}).exit_code, 0);
  CommandResult recipient = run_command({kAgeKeygen, "-y", keys.file("id.key")});
  ASSERT_EQ(recipient.exit_code, 0);
  const std::string fingerprint_key = keys.write("fingerprint.key", std::string(64, 'c') + "\n");
  ASSERT_EQ(::chmod(fingerprint_key.c_str(), 0600), 0);
  auto push_sealed = [&](const std::string& path) {
    return run_walpipe({"push", "--batch=1", "--archive", archive_, "--encrypt-to",
                        recipient.out.substr(0, recipient.out.size() - 1), "--fingerprint-key",
                        fingerprint_key, path});
  };
  const std::string path = segment_file(kSegments[0]);
  CommandResult pushed = push_sealed(path);
  ASSERT_EQ(pushed.exit_code, 0) << pushed.err;
  std::unique_ptr<s3::Client> s3 = archive_client();
  Result<s3::ObjectInfo> info = s3->head("wal/0000000100000000/000000010000000000000034.zst.age");
  ASSERT_TRUE(info.is_ok()) << info.status().to_string();
  ASSERT_EQ(info->metadata.size(), 1u);
  EXPECT_EQ(info->metadata[0].name, "walpipe-fingerprint");
  EXPECT_FALSE(s3->head("wal/0000000100000000/000000010000000000000034.zst").is_ok());

  CommandResult again = push_sealed(path);
  EXPECT_EQ(again.exit_code, 0) << again.err;
  ScratchDir elsewhere;
  const std::string other = elsewhere.write(base_name(kSegments[0]), corpus_bytes(kSegments[1]));
  CommandResult refused = push_sealed(other);
  EXPECT_EQ(refused.exit_code, 3);
  EXPECT_EQ(
      refused.err.substr(0, refused.err.find('\n')),
      "walpipe push: error: archive already holds a different \"" + base_name(kSegments[0]) + "\"");
  EXPECT_EQ(push(segment_file(kSegments[1])).exit_code, 3);  // no recipients: refused

  const std::string dest = restored_.file(base_name(kSegments[0]));
  CommandResult got = run_walpipe({"get", "--archive", archive_, "--identity", keys.file("id.key"),
                                   base_name(kSegments[0]), dest});
  ASSERT_EQ(got.exit_code, 0) << got.err;
  EXPECT_EQ(file_bytes(dest), corpus_bytes(kSegments[0]));
  got = get(base_name(kSegments[0]), restored_.file("without"));
  EXPECT_EQ(got.exit_code, 201) << got.err;
}

}  // namespace
}  // namespace walpipe::testing
