// Injected I/O errors while a push writes its object (docs/faults.md, "Fault catalogue"): each of
// EIO, ENOSPC, EDQUOT and EACCES at open, read, write, close, rename and every fsync, and short
// writes, on both backends. A push fails cleanly with one line naming the archive, leaves no
// temporary file and no partial object, and the retry succeeds.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <string>
#include <tuple>
#include <vector>

#include "support/fault_cli.h"

namespace walpipe::testing {
namespace {

namespace fs = std::filesystem;

using FaultTest = FaultFixture;

struct InjectedError {
  const char* fault;    // WALPIPE_FAULT
  const char* message;  // expected in the error line
};

class InjectedErrors : public FaultTest,
                       public ::testing::WithParamInterface<std::tuple<Backend, InjectedError>> {};

// The archive already holds another segment (identity and folders exist), so the first write,
// close and fsync of the push are those of the new object.
TEST_P(InjectedErrors, FailCleanlyAndTheRetrySucceeds) {
  const auto& [backend, fault] = GetParam();
  SCOPED_TRACE(backend_name(backend) + std::string(", ") + fault.fault);
  const std::string name = base_name(kSeg34);
  std::string archive = new_archive("arch");
  ASSERT_EQ(push(archive, source(kSeg35)).exit_code, kOk);
  const Tree before = snapshot(archive);
  std::string src = source(kSeg34);

  CommandResult failed =
      push(archive, src, backend_env(backend, {std::string("WALPIPE_FAULT=") + fault.fault}));
  EXPECT_EQ(failed.exit_code, kPushFailed) << show(failed);
  EXPECT_NE(failed.err.find(fault.message), std::string::npos) << show(failed);
  EXPECT_NE(failed.err.find(archive), std::string::npos) << "the message names no archive path\n"
                                                         << show(failed);
  EXPECT_EQ(std::count(failed.err.begin(), failed.err.end(), '\n'), 1) << show(failed);
  EXPECT_FALSE(exists(object_path(archive, name))) << "an object appeared despite the failure";
  EXPECT_TRUE(entries(archive + "/.tmp").empty())
      << "temp left: " << join(entries(archive + "/.tmp"));
  Tree after = snapshot(archive);
  EXPECT_TRUE(after == before) << "before:\n" << describe(before) << "after:\n" << describe(after);

  CommandResult retry = push(archive, src, backend_env(backend));
  ASSERT_EQ(retry.exit_code, kOk) << show(retry);
  expect_restores(archive, name, corpus_bytes(kSeg34), dir_.path(), backend);
  EXPECT_TRUE(entries(archive + "/.tmp").empty());
}

INSTANTIATE_TEST_SUITE_P(
    Faults, InjectedErrors,
    ::testing::Combine(::testing::Values(Backend::kDefault, Backend::kSync),
                       ::testing::Values(InjectedError{"write:1:EIO", "Input/output error"},
                                         InjectedError{"write:1:ENOSPC", "No space left on device"},
                                         InjectedError{"close:1:EDQUOT", "Disk quota exceeded"},
                                         InjectedError{"rename:1:EIO", "Input/output error"},
                                         // opens: the identity (is the archive encrypted?
                                         // which cluster? read once), the source, the
                                         // existing-object check, then the temporary file
                                         InjectedError{"open:1:EIO", "Input/output error"},
                                         InjectedError{"open:1:EACCES", "Permission denied"},
                                         InjectedError{"open:3:EIO", "Input/output error"},
                                         InjectedError{"open:4:ENOSPC", "No space left on device"},
                                         InjectedError{"read:1:EIO", "Input/output error"})),
    [](const ::testing::TestParamInfo<std::tuple<Backend, InjectedError>>& p) {
      std::string s = std::string(std::get<0>(p.param) == Backend::kSync ? "sync_" : "io_uring_") +
                      std::get<1>(p.param).fault;
      for (char& c : s)
        if (!isalnum(static_cast<unsigned char>(c))) c = '_';
      return s;
    });

// FaultIo's "fsync" op is every fsync the commit protocol issues on its own: folders after a
// mkdir, the archive root after the identity, the object's folder after the rename, an existing
// object and its folder on the dedup path. (The object's own fdatasync is inside write_durably,
// whose failure is the write fault above.) Each must fail the push with exit 1; when the rename
// already happened the object is complete, and the retry makes it durable and succeeds.
TEST_F(FaultTest, FsyncErrorAtEveryFsyncFailsThePush) {
  const std::string name = base_name(kSeg34);
  const ByteVec& original = corpus_bytes(kSeg34);
  std::string src = source(kSeg34);
  for (Backend backend : {Backend::kDefault, Backend::kSync}) {
    int failures = 0;
    for (int n = 1; n <= 20; ++n) {
      SCOPED_TRACE(backend_name(backend) + ", fsync " + std::to_string(n) + " fails with EIO");
      std::string archive = new_archive("arch-fsync-" + std::to_string(n));
      CommandResult r =
          push(archive, src,
               backend_env(backend, {"WALPIPE_FAULT=fsync:" + std::to_string(n) + ":EIO"}));
      if (r.exit_code == kOk) {  // fewer than n fsyncs
        expect_restores(archive, name, original, dir_.path(), backend);
        fs::remove_all(archive);
        break;
      }
      ++failures;
      EXPECT_EQ(r.exit_code, kPushFailed) << show(r);
      EXPECT_NE(r.err.find("could not fsync"), std::string::npos) << show(r);
      EXPECT_NE(r.err.find("Input/output error"), std::string::npos) << show(r);
      EXPECT_TRUE(entries(archive + "/.tmp").empty())
          << "temp left: " << join(entries(archive + "/.tmp"));
      expect_absent_or_complete(archive, name, original, dir_.path());
      CommandResult retry = push(archive, src, backend_env(backend));
      ASSERT_EQ(retry.exit_code, kOk) << show(retry);
      expect_gets_original(archive, name, original, dir_.path(), backend);
      fs::remove_all(archive);
    }
    EXPECT_GE(failures, 4)
        << "a first push fsyncs three new folders, the root and the object's folder";
  }
}

// The same on the dedup path: an existing identical object whose fsync fails is not success.
TEST_F(FaultTest, FsyncErrorOnTheDedupPathIsNotSuccess) {
  std::string src = source(kSeg34);
  std::string archive = new_archive("arch");
  ASSERT_EQ(push(archive, src).exit_code, kOk);
  const Tree before = snapshot(archive);
  for (Backend backend : {Backend::kDefault, Backend::kSync}) {
    for (const char* fault : {"fsync:1:EIO", "fsync:2:EIO"}) {
      SCOPED_TRACE(backend_name(backend) + ", " + fault);
      CommandResult r =
          push(archive, src, backend_env(backend, {std::string("WALPIPE_FAULT=") + fault}));
      EXPECT_EQ(r.exit_code, kPushFailed) << show(r);
      EXPECT_TRUE(snapshot(archive) == before);
    }
  }
  expect_restores(archive, base_name(kSeg34), corpus_bytes(kSeg34), dir_.path());
}

// FaultIo's "short" writes the first half (4096-aligned) and returns, then the backend is asked
// for the whole buffer again from offset 0. Whatever the backend does with it, the outcome must
// be an intact object or a clean failure, never a short object under the final name.
TEST_F(FaultTest, ShortWriteNeverLeavesAShortObject) {
  const std::string name = base_name(kSeg34);
  const ByteVec& original = corpus_bytes(kSeg34);
  std::string src = source(kSeg34);
  for (Backend backend : {Backend::kDefault, Backend::kSync}) {
    for (const char* fault : {"write:1:short", "write:2:short"}) {
      SCOPED_TRACE(backend_name(backend) + ", " + fault);
      std::string archive = new_archive(std::string("arch-short-") +
                                        (backend == Backend::kSync ? "s" : "u") + fault[6]);
      CommandResult r =
          push(archive, src, backend_env(backend, {std::string("WALPIPE_FAULT=") + fault}));
      if (r.exit_code == kOk) {
        expect_restores(archive, name, original, dir_.path(), backend);
        // The identity written by the first push (write 1 on a fresh archive) must be whole.
        CommandResult other = push(archive, source(kSeg35), backend_env(backend));
        EXPECT_EQ(other.exit_code, kOk) << show(other);
      } else {
        EXPECT_EQ(r.exit_code, kPushFailed) << show(r);
        EXPECT_FALSE(exists(object_path(archive, name)));
        CommandResult retry = push(archive, src, backend_env(backend));
        ASSERT_EQ(retry.exit_code, kOk) << show(retry);
        expect_restores(archive, name, original, dir_.path(), backend);
      }
      EXPECT_TRUE(entries(archive + "/.tmp").empty()) << join(entries(archive + "/.tmp"));
    }
  }
}

}  // namespace
}  // namespace walpipe::testing
