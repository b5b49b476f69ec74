// PostgreSQL's call for a segment the look-ahead worker already stored in the bucket: confirmed
// from the worker's receipt with no request at all, but only for the content, archive and
// settings the worker stored it with; anything else asks the bucket as before. Against a real
// Ceph RADOS Gateway through the counting proxy (support/s3_fault_proxy.h).
#include <gtest/gtest.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "exit_codes.h"
#include "support/s3_fault_cli.h"

namespace walpipe::testing {
namespace {

class S3ReceiptsTest : public S3FaultCliTest {
 protected:
  // Where the processes of this user archiving to this bucket meet, as tools/s3_options.cc
  // names it: one folder per user, endpoint and archive.
  std::string meeting_dir() const {
    const std::string id = proxy_->endpoint() + " " + archive_;
    return "/tmp/walpipe-" + std::to_string(::geteuid()) + "-" +
           fingerprint_of(std::as_bytes(std::span(id))).hex().substr(0, 16);
  }
  std::string receipt_of(const char* corpus_path) const {
    return meeting_dir() + "/" + base_name(corpus_path) + ".receipt";
  }

  // Both segments in a pg_wal look-alike, marked ready, the first one pushed by PostgreSQL's
  // call with a window of two: the worker it starts stores the second and leaves its receipt.
  void archive_ahead(const std::vector<std::string>& extra = {}) {
    first_ = segment_file(kSegment);
    second_ = segment_file(kOtherSegment);
    ASSERT_EQ(::mkdir((wal_.path() + "/archive_status").c_str(), 0700), 0);
    for (const char* segment : {kSegment, kOtherSegment})
      ScratchDir::write_file(wal_.path() + "/archive_status/" + base_name(segment) + ".ready", "");
    std::vector<std::string> args = {"push",    "--batch=2", "--s3-deadline",
                                     kDeadline, "--archive", archive_};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back(first_);
    CommandResult pushed = walpipe(args);
    ASSERT_EQ(pushed.exit_code, 0) << pushed.err;
    wait_for_worker();
    expect_archived(kOtherSegment);
    ASSERT_TRUE(exists(receipt_of(kOtherSegment)));
  }

  // Until the look-ahead worker has let go of its lock (at most 30 s).
  void wait_for_worker() const {
    const std::string lock = meeting_dir() + "/lookahead.lock";
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < give_up) {
      int fd = ::open(lock.c_str(), O_RDONLY | O_CLOEXEC);
      ASSERT_GE(fd, 0) << lock;
      const bool free = ::flock(fd, LOCK_EX | LOCK_NB) == 0;
      ::close(fd);
      if (free) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    FAIL() << "the look-ahead worker still holds " << lock;
  }

  CommandResult push_second(const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {"push",   "--batch=1", "--s3-deadline", kDeadline, "--archive",
                                     archive_, "-v"};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back(second_);
    return walpipe(args);
  }

  // What -v says after the I/O backend's line.
  static std::string last_line(const std::string& err) {
    const size_t end = err.size() > 1 ? err.rfind('\n', err.size() - 2) : std::string::npos;
    return end == std::string::npos ? err : err.substr(end + 1);
  }
  static constexpr char kConfirmed[] =
      "walpipe push: \"000000010000000000000035\" was already archived with identical content\n";

  // A call for the second segment that the bucket confirms (with one HEAD), not a receipt.
  void expect_confirmed_by_the_bucket() {
    const int heads = proxy_->count("HEAD", base_name(kOtherSegment));
    CommandResult confirmed = push_second();
    EXPECT_EQ(confirmed.exit_code, 0) << confirmed.err;
    EXPECT_EQ(last_line(confirmed.err), kConfirmed);
    EXPECT_EQ(proxy_->count("HEAD", base_name(kOtherSegment)) - heads, 1);
  }

  std::string first_, second_;
};

TEST_F(S3ReceiptsTest, PostgresCallIsConfirmedFromTheReceiptWithoutARequest) {
  archive_ahead();
  const int requests = proxy_->count("");
  CommandResult confirmed = push_second();
  EXPECT_EQ(confirmed.exit_code, 0) << confirmed.err;
  EXPECT_EQ(last_line(confirmed.err), kConfirmed);
  EXPECT_EQ(proxy_->count("") - requests, 0);
  // Taken once: the next call for the same file asks the bucket.
  EXPECT_FALSE(exists(receipt_of(kOtherSegment)));
  expect_confirmed_by_the_bucket();
}

// The file changed after the worker stored it: the receipt is for other content, so the call
// checks the file as any push does and refuses it; the worker's object stays.
TEST_F(S3ReceiptsTest, OtherContentUnderTheNameIsNotConfirmedByTheReceipt) {
  archive_ahead();
  std::vector<std::byte> changed = corpus_bytes(kOtherSegment);
  changed[changed.size() - 1] ^= std::byte{1};
  wal_.write(base_name(kOtherSegment), changed);
  CommandResult refused = push_second();
  EXPECT_EQ(refused.exit_code, exit_code::kPushRefused) << refused.err;
  EXPECT_FALSE(exists(receipt_of(kOtherSegment)));
  expect_archived(kOtherSegment);
}

// Settings that decide how a file is archived differ (here validation): the receipt of the
// worker started with the others is not taken; the bucket answers.
TEST_F(S3ReceiptsTest, AReceiptLeftUnderOtherSettingsIsNotTaken) {
  archive_ahead({"--no-verify"});
  expect_confirmed_by_the_bucket();
}

// Another user could plant receipts in a meeting folder they can write: such a folder is
// refused before anything is stored.
TEST_F(S3ReceiptsTest, AMeetingFolderOthersCanWriteIsRefused) {
  std::filesystem::remove_all(meeting_dir());
  ASSERT_EQ(::mkdir(meeting_dir().c_str(), 0700), 0) << meeting_dir();
  ASSERT_EQ(::chmod(meeting_dir().c_str(), 0777), 0);
  CommandResult refused = push();
  std::filesystem::remove_all(meeting_dir());
  EXPECT_EQ(refused.exit_code, exit_code::kPushFailed) << refused.err;
  EXPECT_EQ(refused.err, "walpipe push: error: folder \"" + meeting_dir() +
                             "\" is not this user's private folder\n"
                             "DETAIL: walpipe's processes working on \"" +
                             archive_ + "\" meet in it; it belongs to root or others may use it\n" +
                             "HINT: Remove it: walpipe makes it again, for this user alone.\n");
  expect_absent();
}

}  // namespace
}  // namespace walpipe::testing
