// The bounded folder walk behind `walpipe verify DIR` and the look-ahead's .ready scan: every
// name in order across many listing windows, nothing that is not WAL, nothing from status or
// temporary folders, and unreadable paths reported rather than skipped.
#include "pipeline/path_walk.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "io/fs.h"
#include "pipeline/lookahead.h"
#include "support/scratch_dir.h"

namespace walpipe::testing {
namespace {

std::string segment_name(unsigned tli, unsigned segno) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%08X%08X%08X", tli, 0u, segno);
  return buf;
}

std::vector<std::string> walk(const std::vector<std::string>& roots) {
  pipeline::PathWalker walker(roots);
  std::vector<std::string> out;
  while (std::optional<pipeline::WalkedPath> w = walker.next()) {
    EXPECT_TRUE(w->status.is_ok()) << w->status.to_string();
    out.push_back(w->path);
  }
  return out;
}

TEST(ListDirectoryWindow, PagesThroughAFolderInNameOrder) {
  ScratchDir dir;
  std::vector<std::string> names;
  for (unsigned i = 0; i < 1000; ++i) names.push_back(segment_name(1, i * 7919 % 1000));
  for (const std::string& n : names) dir.write(n, "");
  std::sort(names.begin(), names.end());

  std::vector<std::string> seen;
  std::string after;
  for (;;) {
    auto window = io::list_directory_window(dir.path(), after, 64);
    ASSERT_TRUE(window.is_ok()) << window.status().to_string();
    ASSERT_LE(window->size(), 64u);
    for (const io::DirEntry& e : *window) {
      EXPECT_EQ(e.type, io::EntryType::kFile);
      seen.push_back(e.name);
    }
    if (window->size() < 64) break;
    after = window->back().name;
  }
  EXPECT_EQ(seen, names);
}

TEST(ListDirectoryWindow, KeepsOnlyWhatThePredicateAccepts) {
  ScratchDir dir;
  for (unsigned i = 0; i < 300; ++i)
    dir.write(segment_name(1, i) + (i % 3 ? ".done" : ".ready"), "");
  auto ready = io::list_directory_window(dir.path(), "", 5,
                                         [](std::string_view n) { return n.ends_with(".ready"); });
  ASSERT_TRUE(ready.is_ok());
  std::vector<std::string> names;
  for (const io::DirEntry& e : *ready) names.push_back(e.name);
  EXPECT_EQ(names,
            (std::vector<std::string>{segment_name(1, 0) + ".ready", segment_name(1, 3) + ".ready",
                                      segment_name(1, 6) + ".ready", segment_name(1, 9) + ".ready",
                                      segment_name(1, 12) + ".ready"}));
}

TEST(ListDirectoryWindow, MissingFolderIsNotFound) {
  ScratchDir dir;
  auto listed = io::list_directory_window(dir.file("absent"), "", 10);
  ASSERT_FALSE(listed.is_ok());
  EXPECT_EQ(listed.status().code(), Code::kNotFound);
  EXPECT_NE(listed.status().message().find(dir.file("absent")), std::string::npos);
}

TEST(PathWalker, WalksNestedFoldersInNameOrderAcrossManyWindows) {
  ScratchDir dir;
  std::vector<std::string> expected;
  // An archive-like tree: history files beside per-timeline folders, more names in one
  // folder than one listing window holds.
  for (unsigned i = 0; i < 700; ++i) {
    std::string name = segment_name(1, i) + ".zst";
    dir.write("wal/0000000100000000/" + name, "");
  }
  for (unsigned i = 0; i < 5; ++i) dir.write("wal/0000000200000000/" + segment_name(2, i), "");
  dir.write("wal/00000002.history.zst", "");
  dir.write("wal/0000000100000000/notes.txt", "");
  dir.write("wal/0000000100000000/archive_status/" + segment_name(1, 1) + ".ready", "");
  dir.write(".tmp/" + segment_name(1, 999), "");
  dir.write("walpipe.json", "{}");

  std::vector<std::string> walked = walk({dir.path() + "/"});
  for (unsigned i = 0; i < 700; ++i)
    expected.push_back(dir.file("wal/0000000100000000/" + segment_name(1, i) + ".zst"));
  expected.push_back(dir.file("wal/00000002.history.zst"));
  for (unsigned i = 0; i < 5; ++i)
    expected.push_back(dir.file("wal/0000000200000000/" + segment_name(2, i)));
  EXPECT_EQ(walked, expected);
}

TEST(PathWalker, LinkedFilesAreWalkedAndLinkedFoldersAreNot) {
  ScratchDir dir;
  std::string real = dir.write("elsewhere/" + segment_name(1, 7), "");
  std::string seg = dir.write("wal/" + segment_name(1, 5), "");
  std::filesystem::create_symlink(real, dir.file("wal/" + segment_name(1, 7)));
  // A link back up the tree: followed, it would nest without end.
  std::filesystem::create_directory_symlink(dir.file("wal"), dir.file("wal/loop"));
  EXPECT_EQ(walk({dir.file("wal")}),
            (std::vector<std::string>{seg, dir.file("wal/" + segment_name(1, 7))}));
}

TEST(PathWalker, FilesAreTakenAsGivenAndRootsKeepTheirOrder) {
  ScratchDir dir;
  std::string odd = dir.write("not-a-wal-name", "x");
  std::string seg = dir.write("sub/" + segment_name(1, 5), "");
  EXPECT_EQ(walk({odd, dir.file("sub")}), (std::vector<std::string>{odd, seg}));
}

TEST(PathWalker, MissingRootIsReportedWithItsPathAndTheWalkGoesOn) {
  ScratchDir dir;
  std::string seg = dir.write(segment_name(1, 5), "");
  pipeline::PathWalker walker({dir.file("absent"), seg});
  std::optional<pipeline::WalkedPath> first = walker.next();
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->path, dir.file("absent"));
  EXPECT_EQ(first->status.code(), Code::kNotFound);
  std::optional<pipeline::WalkedPath> second = walker.next();
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->path, seg);
  EXPECT_TRUE(second->status.is_ok());
  EXPECT_FALSE(walker.next().has_value());
}

TEST(PathWalker, WalNameDropsTheFolderAndZst) {
  EXPECT_EQ(pipeline::PathWalker::wal_name_of("/a/b/000000010000000000000005.zst"),
            "000000010000000000000005");
  EXPECT_EQ(pipeline::PathWalker::wal_name_of("00000002.history"), "00000002.history");
  EXPECT_EQ(pipeline::PathWalker::wal_name_of("/a/.zst"), ".zst");
}

// archive_status/ sorts after every WAL name, so the walk cannot learn of it from its listing
// before the first file: every file of a pg_wal must still say so, and nothing else must.
TEST(PathWalker, FilesOfAFolderWithArchiveStatusAreInPgWal) {
  ScratchDir dir;
  dir.write("data/pg_wal/" + segment_name(1, 1), "");
  dir.write("data/pg_wal/archive_status/" + segment_name(1, 1) + ".done", "");
  dir.write("data/other/" + segment_name(1, 2), "");
  pipeline::PathWalker walker({dir.file("data"), dir.file("data/pg_wal/" + segment_name(1, 1))});
  std::vector<std::pair<std::string, bool>> seen;
  while (std::optional<pipeline::WalkedPath> w = walker.next()) {
    EXPECT_FALSE(w->in_archive) << w->path;
    seen.push_back({w->path, w->in_pg_wal});
  }
  EXPECT_EQ(seen, (std::vector<std::pair<std::string, bool>>{
                      {dir.file("data/other/" + segment_name(1, 2)), false},
                      {dir.file("data/pg_wal/" + segment_name(1, 1)), true},
                      {dir.file("data/pg_wal/" + segment_name(1, 1)), true}}));
}

TEST(PathWalker, FilesUnderAnArchiveRootAreInTheArchive) {
  ScratchDir dir;
  dir.write("arch/walpipe.json", "{}");
  dir.write("arch/wal/0000000100000000/" + segment_name(1, 1) + ".zst", "");
  dir.write("loose/" + segment_name(1, 1), "");
  EXPECT_TRUE(pipeline::PathWalker::is_archive_root(dir.file("arch")));
  EXPECT_FALSE(pipeline::PathWalker::is_archive_root(dir.file("arch/walpipe.json")));
  EXPECT_FALSE(pipeline::PathWalker::is_archive_root(dir.file("loose")));
  // Below the root is not an archive root: the folders of one run are the archive's business.
  EXPECT_FALSE(pipeline::PathWalker::is_archive_root(dir.file("arch/wal")));
  pipeline::PathWalker walker({dir.file("arch"), dir.file("loose")});
  std::optional<pipeline::WalkedPath> first = walker.next();
  ASSERT_TRUE(first.has_value());
  EXPECT_TRUE(first->in_archive) << first->path;
  std::optional<pipeline::WalkedPath> second = walker.next();
  ASSERT_TRUE(second.has_value());
  EXPECT_FALSE(second->in_archive) << second->path;
  EXPECT_FALSE(walker.next().has_value());
}

// A backlog of 10,000 .ready files: the look-ahead still gets the oldest few, history first,
// from windows of `limit` names rather than from a list of the whole folder.
TEST(NextReadyFilesBacklog, TenThousandReadyFilesGiveTheOldestInOrder) {
  ScratchDir dir;
  for (unsigned i = 10000; i-- > 0;)
    dir.write("pg_wal/archive_status/" + segment_name(1, i + 1) + ".ready", "");
  dir.write("pg_wal/archive_status/00000002.history.ready", "");
  auto next = pipeline::next_ready_files(dir.file("pg_wal/" + segment_name(1, 1)), 4);
  ASSERT_TRUE(next.is_ok()) << next.status().to_string();
  EXPECT_EQ(*next, (std::vector<std::string>{dir.file("pg_wal/00000002.history"),
                                             dir.file("pg_wal/" + segment_name(1, 2)),
                                             dir.file("pg_wal/" + segment_name(1, 3)),
                                             dir.file("pg_wal/" + segment_name(1, 4))}));
}

}  // namespace
}  // namespace walpipe::testing
