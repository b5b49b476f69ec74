// walpipe get, the real command, against a real Ceph RADOS Gateway through a proxy that breaks
// requests on purpose (support/s3_fault_proxy.h): get says 1 only when the bucket answered
// "absent", 200 when what came back is not the object, and otherwise above 125 with DEST never
// left behind; it never lists, and a segment fetched ahead into the spool asks the bucket nothing.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "exit_codes.h"
#include "support/s3_fault_cli.h"

namespace walpipe::testing {
namespace {

TEST_F(S3FaultCliTest, GetOfAnAbsentSegmentIsOne) {
  seed();
  const std::string dest = restored_.file("absent");
  CommandResult got = get(base_name(kOtherSegment), dest);
  EXPECT_EQ(got.exit_code, exit_code::kGetNotFound) << got.err;
  EXPECT_EQ(got.err, "");
  EXPECT_FALSE(exists(dest));
}

TEST_F(S3FaultCliTest, GetThatCannotTellIsAbove125NeverOne) {
  seed();
  struct Case {
    FaultKind kind;
    std::string answer;
  } cases[] = {{FaultKind::kSlowDown503, "503 SlowDown"},
               {FaultKind::kInternalError500, "500 InternalError"}};
  for (const Case& c : cases) {
    // The segment that is there, and one that is not: neither may look absent.
    for (const char* segment : {kSegment, kOtherSegment}) {
      proxy_->inject({c.kind, "GET", base_name(segment) + ".zst", 1000});
      const std::string dest = restored_.file("unknown");
      auto begin = std::chrono::steady_clock::now();
      CommandResult got = get(base_name(segment), dest);
      EXPECT_EQ(got.exit_code, exit_code::kGetIoError) << got.err;
      EXPECT_LT(seconds_since(begin), 2 * kDeadlineSeconds + 2);
      EXPECT_EQ(first_line(got.err), "walpipe get: error: could not GET \"" + location_of(segment) +
                                         "\": the server answered " + c.answer);
      EXPECT_FALSE(exists(dest));
      proxy_->clear_faults();
    }
  }
}

TEST_F(S3FaultCliTest, GetRetriesACutOrResetAnswerAndNeverLeavesPartOfIt) {
  seed();
  for (FaultKind kind : {FaultKind::kTruncate, FaultKind::kReset}) {
    SCOPED_TRACE(kind == FaultKind::kTruncate ? "truncate" : "reset");
    proxy_->inject({kind, "GET", kObject, 1});
    int before = proxy_->count("GET", kObject);
    expect_restorable();
    EXPECT_EQ(proxy_->count("GET", kObject), before + 2);

    proxy_->inject({kind, "GET", kObject, 1000});
    const std::string dest = restored_.file("cut");
    CommandResult got = get(base_name(kSegment), dest);
    EXPECT_EQ(got.exit_code, exit_code::kGetIoError) << got.err;
    const std::string start =
        "walpipe get: error: could not GET \"" + location_of(kSegment) + "\"" + at();
    EXPECT_EQ(first_line(got.err).rfind(
                  start + (kind == FaultKind::kTruncate ? "the answer was cut short ("
                                                        : "the connection was reset ("),
                  0),
              0u)
        << got.err;
    EXPECT_FALSE(exists(dest));
    proxy_->clear_faults();
  }
}

TEST_F(S3FaultCliTest, GetStalledIsAbove125) {
  seed();
  proxy_->inject({FaultKind::kStall, "GET", kObject, 1000, false, 30'000});
  const std::string dest = restored_.file("stalled");
  auto begin = std::chrono::steady_clock::now();
  CommandResult got = get(base_name(kSegment), dest);
  EXPECT_EQ(got.exit_code, exit_code::kGetIoError) << got.err;
  EXPECT_LT(seconds_since(begin), 2 * kDeadlineSeconds + 2);
  EXPECT_EQ(
      first_line(got.err).rfind("walpipe get: error: could not GET \"" + location_of(kSegment) +
                                    "\"" + at() + "the server did not answer in time (",
                                0),
      0u)
      << got.err;
  EXPECT_FALSE(exists(dest));
}

TEST_F(S3FaultCliTest, GetOfAnErrorDocumentIn200IsDamage) {
  seed();
  proxy_->inject({FaultKind::kErrorIn200, "GET", kObject, 1000});
  const std::string dest = restored_.file("error-document");
  CommandResult got = get(base_name(kSegment), dest);
  EXPECT_EQ(got.exit_code, exit_code::kGetCorrupt) << got.err;
  EXPECT_EQ(got.err, "walpipe get: error: archive object \"" + location_of(kSegment) +
                         "\" is corrupt: it does not start with a walpipe metadata frame\n");
  EXPECT_FALSE(exists(dest));
}

TEST_F(S3FaultCliTest, GetNeverLists) {
  seed();
  seed(kOtherSegment);
  // With the prefetcher, as restore_command runs it.
  const std::string spool = restored_.file("spool");
  for (const char* name : {"000000010000000000000034", "000000010000000000000035",
                           "000000010000000000000036", "000000010000000000000034"}) {
    CommandResult got = walpipe({"get", "--s3-deadline", kDeadline, "--spool", spool, "--archive",
                                 archive_, name, restored_.file(name)});
    EXPECT_EQ(got.exit_code, std::string(name).ends_with("36") ? 1 : 0) << name << got.err;
  }
  CommandResult removed = walpipe({"get", "--remove-spool", spool});
  EXPECT_EQ(removed.exit_code, 0) << removed.err;
  EXPECT_GT(proxy_->count("GET", "000000010000000000000036.zst"), 0);
  EXPECT_EQ(proxy_->count("GET", "list-type=2"), 0);
}

// Most of recovery's calls are served from the prefetch spool, and the prefetcher left beside
// each file what the bucket said of it: such a call makes no request at all (it used to read
// walpipe.json and GET the object's first block). The lock held here keeps the next prefetcher
// from starting, so that every request counted would be the call's.
TEST_F(S3FaultCliTest, GetServedFromTheSpoolAsksTheBucketNothing) {
  seed();
  seed(kOtherSegment);
  const std::string spool = restored_.file("spool");
  const std::string first = base_name(kSegment), second = base_name(kOtherSegment);
  CommandResult got = walpipe({"get", "--s3-deadline", kDeadline, "--spool", spool, "--archive",
                               archive_, first, restored_.file(first)});
  ASSERT_EQ(got.exit_code, 0) << got.err;
  int lock = ::open((spool + "/prefetch.lock").c_str(), O_RDWR | O_CLOEXEC);
  ASSERT_GE(lock, 0);
  ASSERT_EQ(::flock(lock, LOCK_EX), 0);  // the prefetcher has stopped
  ASSERT_TRUE(exists(spool + "/" + second));

  const int before = proxy_->count("");
  got = walpipe({"get", "-v", "--s3-deadline", kDeadline, "--spool", spool, "--archive", archive_,
                 second, restored_.file(second)});
  EXPECT_EQ(got.exit_code, 0) << got.err;
  EXPECT_NE(got.err.find("restored \"" + second + "\" from the prefetch spool"), std::string::npos)
      << got.err;
  EXPECT_EQ(proxy_->count("") - before, 0);
  EXPECT_TRUE(file_bytes(restored_.file(second)) == corpus_bytes(kOtherSegment));
  ::close(lock);
  CommandResult removed = walpipe({"get", "--remove-spool", spool});
  EXPECT_EQ(removed.exit_code, 0) << removed.err;
}

TEST_F(S3FaultCliTest, FolderWithoutTheSegmentAndABucketThatCannotAnswerIsAbove125) {
  seed();
  ScratchDir folder;
  // The folder becomes an archive of this cluster that lacks segment 34.
  CommandResult pushed =
      walpipe({"push", "--batch=1", "--archive", folder.path(), segment_file(kOtherSegment)});
  ASSERT_EQ(pushed.exit_code, 0) << pushed.err;

  proxy_->inject({FaultKind::kSlowDown503, "GET", kObject, 1000});
  const std::string dest = restored_.file("mirrored");
  CommandResult got = walpipe({"get", "--prefetch=0", "--s3-deadline", kDeadline, "--archive",
                               folder.path(), "--archive", archive_, base_name(kSegment), dest});
  EXPECT_EQ(got.exit_code, exit_code::kGetIoError) << got.err;
  // The folder's "absent" is not the last word while the bucket could not tell.
  EXPECT_EQ(first_line(got.err), "walpipe get: error: could not GET \"" + location_of(kSegment) +
                                     "\": the server answered 503 SlowDown");
  EXPECT_FALSE(exists(dest));

  // Once the bucket answers, the segment comes from it.
  proxy_->clear_faults();
  got = walpipe({"get", "--prefetch=0", "--archive", folder.path(), "--archive", archive_,
                 base_name(kSegment), dest});
  EXPECT_EQ(got.exit_code, 0) << got.err;
  EXPECT_TRUE(file_bytes(dest) == corpus_bytes(kSegment));
}

}  // namespace
}  // namespace walpipe::testing
