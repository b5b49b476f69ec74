// The archive's own disk fails a push (docs/faults.md, "Fault catalogue"): a real full tmpfs, out
// of blocks and then out of inodes, fails the push and changes nothing until space is freed; power
// loss right after exit 0 (loop XFS shut down without flushing its log, then remounted) keeps
// every object pushed and found before it.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "support/fault_cli.h"
#include "support/mounts.h"

namespace walpipe::testing {
namespace {

namespace fs = std::filesystem;

// Fills `dir` with files of `chunk` bytes until the filesystem refuses; returns how many.
int fill(const std::string& dir, size_t chunk, const std::string& prefix) {
  std::vector<char> data(chunk, 'x');
  int made = 0;
  for (int i = 0; i < 100000; ++i) {
    std::string path = dir + "/" + prefix + std::to_string(i);
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0) break;
    ++made;
    bool full = false;
    size_t done = 0;
    while (done < chunk) {
      ssize_t n = ::write(fd, data.data() + done, chunk - done);
      if (n <= 0) {
        full = true;
        break;
      }
      done += static_cast<size_t>(n);
    }
    ::close(fd);
    if (full) break;
  }
  return made;
}

void remove_prefixed(const std::string& dir, const std::string& prefix) {
  for (const std::string& e : entries(dir))
    if (e.rfind(prefix, 0) == 0) fs::remove(dir + "/" + e);
}

class FaultTest : public FaultFixture {
 protected:
  // On a tmpfs mounted with `options` over a fresh archive, on both backends: files of `chunk`
  // bytes fill it, then a push fails with ENOSPC and changes nothing (nor leaves a temporary file
  // when `no_temp_checked`); with the fillers removed the same push succeeds and restores.
  void expect_full_then_freed(const std::string& options, size_t chunk, const std::string& prefix,
                              bool no_temp_checked) {
    std::string archive = new_archive("tmpfs");
    std::string why;
    std::unique_ptr<Mount> mount = Mount::tmpfs(archive, options, &why);
    if (!mount) WALPIPE_SKIP() << "cannot mount tmpfs: " << why;
    ASSERT_EQ(push(archive, source(kSeg35)).exit_code, kOk);
    std::string src = source(kSeg34);
    const std::string name = base_name(kSeg34);
    for (Backend backend : {Backend::kDefault, Backend::kSync}) {
      SCOPED_TRACE(backend_name(backend));
      ASSERT_GT(fill(archive, chunk, prefix), 0);
      const Tree before = snapshot(archive);
      CommandResult full = push(archive, src, backend_env(backend));
      EXPECT_EQ(full.exit_code, kPushFailed) << show(full);
      EXPECT_NE(full.err.find("No space left on device"), std::string::npos) << show(full);
      EXPECT_FALSE(exists(object_path(archive, name)));
      if (no_temp_checked) {
        EXPECT_TRUE(entries(archive + "/.tmp").empty()) << join(entries(archive + "/.tmp"));
      }
      EXPECT_TRUE(snapshot(archive) == before);
      remove_prefixed(archive, prefix);
      CommandResult freed = push(archive, src, backend_env(backend));
      ASSERT_EQ(freed.exit_code, kOk) << show(freed);
      expect_restores(archive, name, corpus_bytes(kSeg34), dir_.path(), backend);
      fs::remove(object_path(archive, name));
    }
  }
};

TEST_F(FaultTest, RealEnospcOnTmpfs) {
  expect_full_then_freed("size=2m,mode=0700", 64 << 10, "filler", true);
}

TEST_F(FaultTest, InodeExhaustionOnTmpfs) {
  expect_full_then_freed("size=8m,nr_inodes=32,mode=0700", 0, "inode", false);
}

TEST_F(FaultTest, PowerLossRightAfterExitZeroKeepsTheObject) {
  std::string archive = new_archive("xfs");
  std::string why;
  std::unique_ptr<Mount> mount = Mount::loop_xfs(dir_.file("xfs.img"), archive, 300, &why);
  if (!mount) WALPIPE_SKIP() << "cannot make a loop XFS: " << why;
  int round = 0;
  for (const char* seg : {kSeg34, kSeg35, kSeg36, kSeg39, kHistory}) {
    Backend backend = round++ % 2 ? Backend::kSync : Backend::kDefault;
    SCOPED_TRACE(std::string(seg) + ", " + backend_name(backend));
    const std::string name = base_name(seg);
    CommandResult r = push(archive, source(seg), backend_env(backend));
    ASSERT_EQ(r.exit_code, kOk) << show(r);
    ASSERT_TRUE(mount->crash_and_remount(&why)) << why;
    expect_restores(archive, name, corpus_bytes(seg), dir_.path(), backend);
    // The identity survived too: another segment of the cluster is accepted.
    EXPECT_TRUE(exists(archive + "/walpipe.json"));
  }
  // And everything pushed before the crashes is still there.
  for (const char* seg : {kSeg34, kSeg35, kSeg36, kSeg39, kHistory})
    expect_restores(archive, base_name(seg), corpus_bytes(seg), dir_.path());
}

// The dedup answer is a durability promise too: an object found after a crash that happened
// between rename and the folder's fsync is made durable before exit 0.
TEST_F(FaultTest, PowerLossAfterADedupExitZeroKeepsTheObject) {
  std::string archive = new_archive("xfs");
  std::string why;
  std::unique_ptr<Mount> mount = Mount::loop_xfs(dir_.file("xfs.img"), archive, 300, &why);
  if (!mount) WALPIPE_SKIP() << "cannot make a loop XFS: " << why;
  std::string src = source(kSeg34);
  ASSERT_EQ(push(archive, source(kSeg35)).exit_code, kOk);
  ASSERT_TRUE(mount->crash_and_remount(&why)) << why;
  // Kill the push at each step in turn until a kill leaves the object under its final name: that
  // kill came after the rename and before the folder's fsync, so the entry is not yet durable.
  bool killed_after_rename = false;
  for (int n = 1; n <= 60 && !killed_after_rename; ++n) {
    CommandResult k = push(archive, src, {"WALPIPE_FAULT=step:" + std::to_string(n) + ":kill"});
    ASSERT_EQ(k.exit_code, kKilled) << "step " << n << "\n" << show(k);
    killed_after_rename = exists(object_path(archive, base_name(kSeg34)));
  }
  ASSERT_TRUE(killed_after_rename);
  CommandResult dedup = push(archive, src);
  ASSERT_EQ(dedup.exit_code, kOk) << show(dedup);
  ASSERT_TRUE(mount->crash_and_remount(&why)) << why;
  expect_restores(archive, base_name(kSeg34), corpus_bytes(kSeg34), dir_.path());
}

}  // namespace
}  // namespace walpipe::testing
