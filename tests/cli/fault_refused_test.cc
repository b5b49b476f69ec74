// Archives that refuse writes (docs/faults.md, "Fault catalogue"): a read-only bind mount, a
// tmpfs remounted read-only, an immutable folder on XFS and folders the PostgreSQL server's user
// may not enter. push fails naming the path and changes nothing; get stops recovery rather than
// report a segment it could not read as absent.
#include <gtest/gtest.h>
#include <sys/stat.h>
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

class FaultTest : public FaultFixture {
 protected:
  // On both backends a push of segment 34 into `archive` fails with `error`, naming `path`, and
  // leaves the tree at `root` (what `archive` shows) as it was.
  void expect_refused_on_both_backends(const std::string& archive, const std::string& error,
                                       const std::string& path, const std::string& root) {
    const Tree before = snapshot(root);
    for (Backend backend : {Backend::kDefault, Backend::kSync}) {
      SCOPED_TRACE(backend_name(backend));
      CommandResult r = push(archive, source(kSeg34), backend_env(backend));
      EXPECT_EQ(r.exit_code, kPushFailed) << show(r);
      EXPECT_NE(r.err.find(error), std::string::npos) << show(r);
      EXPECT_NE(r.err.find(path), std::string::npos) << show(r);
      EXPECT_TRUE(snapshot(root) == before) << describe(snapshot(root));
    }
  }
};

TEST_F(FaultTest, ReadOnlyBindMountRefusesWithThePath) {
  std::string real = new_archive("real");
  ASSERT_EQ(push(real, source(kSeg35)).exit_code, kOk);
  std::string archive = new_archive("ro");
  std::string why;
  std::unique_ptr<Mount> mount = Mount::bind(real, archive, &why);
  if (!mount) WALPIPE_SKIP() << "cannot bind-mount: " << why;
  ASSERT_TRUE(mount->remount(true, &why)) << why;
  expect_refused_on_both_backends(archive, "Read-only file system", archive + "/", real);
  // A fresh read-only archive: nothing can even be created.
  std::string empty_real = new_archive("empty-real");
  std::string empty = new_archive("empty-ro");
  std::unique_ptr<Mount> mount2 = Mount::bind(empty_real, empty, &why);
  ASSERT_TRUE(mount2) << why;
  ASSERT_TRUE(mount2->remount(true, &why)) << why;
  CommandResult r = push(empty, source(kSeg34));
  EXPECT_EQ(r.exit_code, kPushFailed) << show(r);
  EXPECT_NE(r.err.find("Read-only file system"), std::string::npos) << show(r);
  EXPECT_NE(r.err.find(empty), std::string::npos) << show(r);
  EXPECT_TRUE(entries(empty_real).empty());
}

TEST_F(FaultTest, ReadOnlyTmpfsRemountRefuses) {
  std::string archive = new_archive("tmpfs");
  std::string why;
  std::unique_ptr<Mount> mount = Mount::tmpfs(archive, "size=4m,mode=0700", &why);
  if (!mount) WALPIPE_SKIP() << "cannot mount tmpfs: " << why;
  ASSERT_EQ(push(archive, source(kSeg35)).exit_code, kOk);
  ASSERT_TRUE(mount->remount(true, &why)) << why;
  const Tree before = snapshot(archive);
  CommandResult r = push(archive, source(kSeg34));
  EXPECT_EQ(r.exit_code, kPushFailed) << show(r);
  EXPECT_NE(r.err.find("Read-only file system"), std::string::npos) << show(r);
  EXPECT_NE(r.err.find(archive + "/"), std::string::npos) << show(r);
  EXPECT_TRUE(snapshot(archive) == before);
  // What is archived stays restorable from the read-only archive.
  expect_restores(archive, base_name(kSeg35), corpus_bytes(kSeg35), dir_.path());
  ASSERT_TRUE(mount->remount(false, &why)) << why;
  CommandResult rw = push(archive, source(kSeg34));
  EXPECT_EQ(rw.exit_code, kOk) << show(rw);
}

// chattr +i on the object's folder (XFS): the rename into it fails with EPERM.
TEST_F(FaultTest, ImmutableFolderRefusesAndLeavesNoTemp) {
  std::string archive = new_archive("xfs");
  std::string why;
  std::unique_ptr<Mount> mount = Mount::loop_xfs(dir_.file("xfs.img"), archive, 300, &why);
  if (!mount) WALPIPE_SKIP() << "cannot make a loop XFS: " << why;
  ASSERT_EQ(push(archive, source(kSeg35)).exit_code, kOk);
  const std::string folder = archive + "/wal/0000000100000000";
  CommandResult chattr = run_command({"/usr/bin/chattr", "+i", folder});
  if (chattr.exit_code != 0) WALPIPE_SKIP() << "chattr +i failed: " << show(chattr);
  struct Unimmutable {
    std::string f;
    ~Unimmutable() { run_command({"/usr/bin/chattr", "-i", f}); }
  } undo{folder};
  expect_refused_on_both_backends(archive, "Operation not permitted", folder, archive);
  run_command({"/usr/bin/chattr", "-i", folder});
  CommandResult ok = push(archive, source(kSeg34));
  EXPECT_EQ(ok.exit_code, kOk) << show(ok);
}

TEST_F(FaultTest, PermissionDeniedAsPostgres) {
  if (::geteuid() != 0) WALPIPE_SKIP() << "needs root to switch to postgres";
  if (run_command({"/usr/bin/id", "-u", "postgres"}).exit_code != 0)
    WALPIPE_SKIP() << "no postgres user";
  // The scratch folder is 0700 root: open it for traversal, and give postgres a readable source
  // and a binary it can run.
  ASSERT_EQ(::chmod(dir_.path().c_str(), 0755), 0);
  ASSERT_EQ(::chmod(dir_.file("pg_wal").c_str(), 0755), 0);
  std::string src = source(kSeg34);
  ASSERT_EQ(::chmod(src.c_str(), 0644), 0);
  std::string binary = dir_.file("walpipe");
  fs::copy_file(WALPIPE_BINARY, binary);
  ASSERT_EQ(::chmod(binary.c_str(), 0755), 0);
  auto as_postgres = [&](const std::vector<std::string>& args) {
    std::vector<std::string> argv{"/usr/sbin/runuser", "-u", "postgres", "--"};
    std::vector<std::string> rest = walpipe_argv({}, args, binary);
    argv.insert(argv.end(), rest.begin(), rest.end());
    return run_command(argv);
  };
  for (mode_t mode : {0700, 0500}) {
    SCOPED_TRACE("archive mode 0" + std::to_string(mode == 0700 ? 700 : 500));
    std::string archive = new_archive("arch-" + std::to_string(mode));
    ASSERT_EQ(::chmod(archive.c_str(), mode), 0);
    CommandResult r = as_postgres({"push", "--archive", archive, src});
    EXPECT_EQ(r.exit_code, kPushFailed) << show(r);
    EXPECT_NE(r.err.find("Permission denied"), std::string::npos) << show(r);
    EXPECT_NE(r.err.find(archive), std::string::npos) << show(r);
    EXPECT_TRUE(entries(archive).empty());
  }
  // An archive filled by root that postgres cannot read: get must not say "absent" (exit 1
  // would end recovery and promote); it must stop recovery.
  std::string archive = new_archive("arch-get");
  ASSERT_EQ(push(archive, src).exit_code, kOk);
  ASSERT_EQ(::chmod(archive.c_str(), 0755), 0);  // the root is visible, wal/ (0700) is not
  std::string dest_dir = dir_.file("restore");
  fs::create_directories(dest_dir);
  ASSERT_EQ(::chmod(dest_dir.c_str(), 0777), 0);
  std::string dest = dest_dir + "/RECOVERYXLOG";
  CommandResult g = as_postgres({"get", "--archive", archive, base_name(kSeg34), dest});
  EXPECT_GE(g.exit_code, 126) << show(g);
  EXPECT_EQ(g.exit_code, kGetIoError) << show(g);
  EXPECT_NE(g.err.find("Permission denied"), std::string::npos) << show(g);
  EXPECT_FALSE(exists(dest));
}

}  // namespace
}  // namespace walpipe::testing
