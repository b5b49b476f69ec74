// io/paths: the path arithmetic that decides whether an archive lies inside a data directory.
#include "io/paths.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "support/scratch_dir.h"

namespace walpipe::testing {
namespace {

namespace fs = std::filesystem;

TEST(Paths, AbsoluteNormalJoinsAndCollapses) {
  EXPECT_EQ(io::absolute_normal("/data", "arch"), "/data/arch");
  EXPECT_EQ(io::absolute_normal("/data/", "./x/../arch/"), "/data/arch");
  EXPECT_EQ(io::absolute_normal("/data", "../../../arch"), "/arch");
  EXPECT_EQ(io::absolute_normal("/ignored", "//srv///wal/./a/.."), "/srv/wal");
  EXPECT_EQ(io::absolute_normal("/data", ""), "/data");
  EXPECT_EQ(io::absolute_normal("/", ".."), "/");
}

TEST(Paths, IsWithinComparesWholeComponents) {
  EXPECT_TRUE(io::is_within("/data", "/data"));
  EXPECT_TRUE(io::is_within("/data/arch", "/data"));
  EXPECT_TRUE(io::is_within("/data/a/b", "/data"));
  EXPECT_FALSE(io::is_within("/data2", "/data"));
  EXPECT_FALSE(io::is_within("/dat", "/data"));
  EXPECT_FALSE(io::is_within("/srv/arch", "/data"));
  EXPECT_TRUE(io::is_within("/anything", "/"));
}

TEST(Paths, CurrentDirectoryIsTheKernelsOne) {
  Result<std::string> cwd = io::current_directory();
  ASSERT_TRUE(cwd.is_ok()) << cwd.status().to_string();
  EXPECT_EQ(*cwd, fs::current_path().string());
}

TEST(Paths, ResolveFollowsLinksOfTheExistingPartOnly) {
  ScratchDir dir;
  const std::string root = fs::canonical(dir.path()).string();
  fs::create_directories(root + "/data/sub");
  fs::create_directory_symlink(root + "/data", root + "/link");
  fs::create_directory_symlink(root + "/data/sub", root + "/deep");

  EXPECT_EQ(io::resolve_existing_prefix(root + "/link/arch"), root + "/data/arch");
  EXPECT_EQ(io::resolve_existing_prefix(root + "/link/new/./x/.."), root + "/data/new");
  EXPECT_EQ(io::resolve_existing_prefix(root + "/link"), root + "/data");
  // ".." after a link is the target's parent, as the kernel reads it, not the link's.
  EXPECT_EQ(io::resolve_existing_prefix(root + "/deep/../arch"), root + "/data/arch");
  EXPECT_EQ(io::resolve_existing_prefix(root + "/none/../x"), root + "/x");
  EXPECT_EQ(io::resolve_existing_prefix("/"), "/");
}

}  // namespace
}  // namespace walpipe::testing
