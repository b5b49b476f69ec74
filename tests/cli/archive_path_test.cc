// The mistakes a new DBA makes with the archive path (issue 15), as PostgreSQL would run walpipe:
// in the data directory. A relative --archive or WALPIPE_ARCHIVE, and an archive inside the data
// directory, are refused by push (2) and get (202) before anything is read or written; get run
// in a data directory refuses (200) an archive of another cluster, also for a segment already in
// its prefetch spool. A fake data directory (PG_VERSION and a real PostgreSQL 15 global/pg_control,
// tests/corpus/pg_control) stands in for the server's.
#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "codec/crc32c.h"
#include "exit_codes.h"
#include "support/corpus.h"
#include "support/files.h"
#include "support/prerequisite.h"
#include "support/run_command.h"
#include "support/scratch_dir.h"

namespace walpipe::testing {
namespace {

namespace fs = std::filesystem;

using exit_code::kGetCorrupt;
using exit_code::kGetUsage;
using exit_code::kPushUsage;

// The corpus segments' cluster (xlp_sysid of their long page headers) and the carried
// pg_control's, another cluster.
constexpr uint64_t kPg16SystemId = 7711766861564540605ull;
constexpr uint64_t kPg15SystemId = 7715451100299471960ull;
constexpr const char* kName34 = "000000010000000000000034";
constexpr const char* kName35 = "000000010000000000000035";

std::string show(const CommandResult& r) {
  return "exit " + std::to_string(r.exit_code) + "\n--- stderr\n" + r.err;
}

// walpipe run in `cwd`, as PostgreSQL runs archive_command and restore_command in the data
// directory, with no inherited WALPIPE_ARCHIVE and the given environment.
CommandResult walpipe_in(const std::string& cwd, const std::vector<std::string>& env,
                         const std::vector<std::string>& args) {
  std::vector<std::string> argv{
      "/bin/sh",        "-c", "cd \"$1\" && shift && exec \"$@\"", "sh", cwd, "/usr/bin/env", "-u",
      "WALPIPE_ARCHIVE"};
  argv.insert(argv.end(), env.begin(), env.end());
  argv.push_back(WALPIPE_BINARY);
  argv.insert(argv.end(), args.begin(), args.end());
  return run_command(argv);
}

std::string relative_error(const std::string& command, const std::string& given,
                           const std::string& source, const std::string& absolute) {
  return "walpipe " + command + ": error: archive directory \"" + given + "\"" + source +
         " is a relative path\n"
         "DETAIL: PostgreSQL runs archive_command and restore_command in the data directory, so "
         "a relative archive lies inside it: pg_basebackup copies it into every backup, and a "
         "restored backup would read a stale archive.\n"
         "HINT: Here \"" +
         given + "\" means \"" + absolute +
         "\". Give the archive as an absolute path outside the data directory.\n";
}

std::string inside_error(const std::string& command, const std::string& given,
                         const std::string& really, const std::string& data_dir) {
  return "walpipe " + command + ": error: archive directory \"" + given + "\"" +
         (really.empty() ? "" : " (that is, \"" + really + "\")") +
         " is inside the data directory \"" + data_dir +
         "\"\n"
         "DETAIL: pg_basebackup copies it into every backup, and a restored backup would read a "
         "stale archive.\n"
         "HINT: Put the archive outside the data directory.\n";
}

std::string other_cluster_error(const std::string& archive, const std::string& data_dir) {
  return "walpipe get: error: archive \"" + archive +
         "\" holds the WAL of a different database system than data directory \"" + data_dir +
         "\"\n"
         "DETAIL: The archive has system identifier " +
         std::to_string(kPg16SystemId) + "; \"" + data_dir +
         "/global/pg_control\" has system identifier " + std::to_string(kPg15SystemId) +
         ".\n"
         "HINT: Nothing was restored. Point restore_command at the archive of the cluster this "
         "data directory was backed up from.\n";
}

class ArchivePathTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WALPIPE_REQUIRE_CORPUS();
    control_ = file_bytes(corpus_dir() + "/pg_control/pg15-initdb");
    if (control_.size() != 8192) WALPIPE_SKIP() << "no pg_control in the corpus";
    // getcwd() reports the physical path, so the expected messages use it too.
    root_ = fs::canonical(dir_.path()).string();
    data_ = root_ + "/data";
    archive_ = root_ + "/archive";
    fs::create_directories(data_ + "/global");
    fs::create_directories(data_ + "/pg_wal");
    fs::create_directories(archive_);
    dir_.write("data/PG_VERSION", std::string("15\n"));
    write_control(kPg15SystemId);
  }

  // The carried pg_control with `system_id` and its CRC-32C made to match (pg_control_version
  // 1300 keeps the CRC at byte 288).
  void write_control(uint64_t system_id, bool damage = false) {
    std::vector<std::byte> bytes = control_;
    std::memcpy(bytes.data(), &system_id, sizeof system_id);
    uint32_t crc = crc32c::of(Bytes(bytes).first(288));
    std::memcpy(bytes.data() + 288, &crc, sizeof crc);
    if (damage) bytes[100] ^= std::byte{0x01};
    dir_.write("data/global/pg_control", bytes);
  }

  void push_corpus(const std::string& relative) {
    std::string src = dir_.write("src/" + base_name(relative), corpus_bytes(relative));
    CommandResult r = walpipe_in(root_, {}, {"push", "--batch", "1", "--archive", archive_, src});
    ASSERT_EQ(r.exit_code, 0) << show(r);
  }

  CommandResult get_in_data(const std::string& name, std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"get", "--archive", archive_};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back(name);
    args.push_back(dest());
    return walpipe_in(data_, {}, args);
  }

  std::string dest() const { return data_ + "/pg_wal/RECOVERYXLOG"; }

  ScratchDir dir_;
  std::vector<std::byte> control_;
  std::string root_, data_, archive_;
};

TEST_F(ArchivePathTest, PushRefusesARelativeArchive) {
  std::string src =
      dir_.write(std::string("src/") + kName34, corpus_bytes("pg16/1mb/" + std::string(kName34)));
  CommandResult r = walpipe_in(root_, {}, {"push", "--archive", "arch", src});
  EXPECT_EQ(r.exit_code, kPushUsage) << show(r);
  EXPECT_EQ(r.err, relative_error("push", "arch", "", root_ + "/arch"));
  EXPECT_FALSE(fs::exists(root_ + "/arch"));
}

TEST_F(ArchivePathTest, GetRefusesARelativeArchive) {
  CommandResult r = walpipe_in(root_, {}, {"get", "--archive", "./archive", kName34, dest()});
  EXPECT_EQ(r.exit_code, kGetUsage) << show(r);
  EXPECT_EQ(r.err, relative_error("get", "./archive", "", archive_));
  EXPECT_FALSE(fs::exists(dest()));
}

TEST_F(ArchivePathTest, RelativeWalpipeArchiveIsRefusedByBothWithTheNormalisedPath) {
  std::string src =
      dir_.write(std::string("src/") + kName34, corpus_bytes("pg16/1mb/" + std::string(kName34)));
  const std::string env = "WALPIPE_ARCHIVE=x/.././/arch/";
  CommandResult r = walpipe_in(root_, {env}, {"push", src});
  EXPECT_EQ(r.exit_code, kPushUsage) << show(r);
  EXPECT_EQ(r.err,
            relative_error("push", "x/.././/arch/", " (from WALPIPE_ARCHIVE)", root_ + "/arch"));
  r = walpipe_in(root_, {env}, {"get", kName34, dest()});
  EXPECT_EQ(r.exit_code, kGetUsage) << show(r);
  EXPECT_EQ(r.err,
            relative_error("get", "x/.././/arch/", " (from WALPIPE_ARCHIVE)", root_ + "/arch"));
}

// What PostgreSQL actually does with `--archive arch`: it runs the command in the data directory.
TEST_F(ArchivePathTest, RelativeArchiveRunInTheDataDirectoryNamesWhereItWouldHaveGone) {
  CommandResult r =
      walpipe_in(data_, {}, {"push", "--archive", "arch", "pg_wal/" + std::string(kName34)});
  EXPECT_EQ(r.exit_code, kPushUsage) << show(r);
  EXPECT_EQ(r.err, relative_error("push", "arch", "", data_ + "/arch"));
  EXPECT_FALSE(fs::exists(data_ + "/arch"));
}

TEST_F(ArchivePathTest, ArchiveInsideTheDataDirectoryIsRefusedByBoth) {
  const std::string inside = data_ + "/archive";
  std::string src = dir_.write(std::string("data/pg_wal/") + kName34,
                               corpus_bytes("pg16/1mb/" + std::string(kName34)));
  CommandResult r = walpipe_in(data_, {}, {"push", "--archive", inside, src});
  EXPECT_EQ(r.exit_code, kPushUsage) << show(r);
  EXPECT_EQ(r.err, inside_error("push", inside, "", data_));
  EXPECT_FALSE(fs::exists(inside));

  r = walpipe_in(data_, {"WALPIPE_ARCHIVE=" + inside}, {"get", kName34, dest()});
  EXPECT_EQ(r.exit_code, kGetUsage) << show(r);
  EXPECT_EQ(r.err, "walpipe get: error: archive directory \"" + inside +
                       "\" (from WALPIPE_ARCHIVE) is inside the data directory \"" + data_ +
                       "\"\n"
                       "DETAIL: pg_basebackup copies it into every backup, and a restored backup "
                       "would read a stale archive.\n"
                       "HINT: Put the archive outside the data directory.\n");
  EXPECT_FALSE(fs::exists(dest()));

  r = walpipe_in(data_, {}, {"get", "--archive", data_ + "/", kName34, dest()});
  EXPECT_EQ(r.exit_code, kGetUsage) << show(r);
  EXPECT_EQ(r.err, inside_error("get", data_ + "/", "", data_)) << "the data directory itself";
}

TEST_F(ArchivePathTest, ArchiveReachedThroughASymbolicLinkIsComparedWhereItLeads) {
  fs::create_directory_symlink(data_, root_ + "/link");
  const std::string through = root_ + "/link/pg_wal/../archive";
  CommandResult r = walpipe_in(data_, {}, {"get", "--archive", through, kName34, dest()});
  EXPECT_EQ(r.exit_code, kGetUsage) << show(r);
  EXPECT_EQ(r.err, inside_error("get", through, data_ + "/archive", data_));

  // The other way round: a link inside the data directory to an archive outside is not inside.
  fs::create_directory_symlink(archive_, data_ + "/archive-link");
  push_corpus("pg16/1mb/" + std::string(kName34));
  write_control(kPg16SystemId);
  r = walpipe_in(data_, {}, {"get", "--archive", data_ + "/archive-link", kName34, dest()});
  EXPECT_EQ(r.exit_code, 0) << show(r);
}

TEST_F(ArchivePathTest, ArchiveBesideTheDataDirectoryOrInAPlainFolderIsAccepted) {
  // "/x/data2" shares a prefix with "/x/data" but is not inside it.
  fs::create_directories(root_ + "/data2");
  std::string src = dir_.write(std::string("data/pg_wal/") + kName34,
                               corpus_bytes("pg16/1mb/" + std::string(kName34)));
  CommandResult r =
      walpipe_in(data_, {}, {"push", "--batch", "1", "--archive", root_ + "/data2", src});
  EXPECT_EQ(r.exit_code, 0) << show(r);
  EXPECT_EQ(r.err, "");

  // Without global/pg_control the folder is no data directory: an archive in it is allowed.
  fs::remove(data_ + "/global/pg_control");
  fs::create_directories(data_ + "/kept");
  r = walpipe_in(data_, {}, {"push", "--batch", "1", "--archive", data_ + "/kept", src});
  EXPECT_EQ(r.exit_code, 0) << show(r);
}

TEST_F(ArchivePathTest, GetRefusesTheArchiveOfAnotherClusterBeforeWritingAnything) {
  push_corpus("pg16/1mb/" + std::string(kName34));
  push_corpus("pg16/1mb/00000002.history");
  CommandResult r = get_in_data(kName34);
  EXPECT_EQ(r.exit_code, kGetCorrupt) << show(r);
  EXPECT_EQ(r.err, other_cluster_error(archive_, data_));
  EXPECT_FALSE(fs::exists(dest()));
  EXPECT_FALSE(fs::exists(data_ + "/pg_wal/walpipe_prefetch")) << "no prefetcher was started";

  r = get_in_data("00000002.history");
  EXPECT_EQ(r.exit_code, kGetCorrupt) << show(r);
  EXPECT_EQ(r.err, other_cluster_error(archive_, data_));
  EXPECT_FALSE(fs::exists(dest()));

  // Outside a data directory nothing can be compared: get restores as before.
  r = walpipe_in(root_, {},
                 {"get", "--prefetch", "0", "--archive", archive_, kName34, root_ + "/restored"});
  EXPECT_EQ(r.exit_code, 0) << show(r);
}

TEST_F(ArchivePathTest, GetServesTheArchiveOfItsOwnCluster) {
  push_corpus("pg16/1mb/" + std::string(kName34));
  write_control(kPg16SystemId);
  CommandResult r = get_in_data(kName34, {"--prefetch", "0"});
  EXPECT_EQ(r.exit_code, 0) << show(r);
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(fs::file_size(dest()), 1u << 20);
}

TEST_F(ArchivePathTest, ControlFileThatFailsItsCrcIsNoReasonToStop) {
  push_corpus("pg16/1mb/" + std::string(kName34));
  write_control(kPg15SystemId, /*damage=*/true);
  CommandResult r = get_in_data(kName34, {"--prefetch", "0"});
  EXPECT_EQ(r.exit_code, 0) << show(r);
  EXPECT_EQ(r.err, "");
  fs::remove(dest());
  r = get_in_data(kName34, {"--prefetch", "0", "-v"});
  EXPECT_EQ(r.exit_code, 0) << show(r);
  const std::string line =
      "walpipe get: archive not compared with the data directory: control "
      "file \"" +
      data_ +
      "/global/pg_control\" fails its CRC check "
      "(pg_control_version 1300)\n";
  EXPECT_NE(r.err.find(line), std::string::npos) << r.err;
}

// The prefetch spool is served by a rename, not through get_file: the check must come first.
TEST_F(ArchivePathTest, SpooledSegmentIsNotServedToAnotherCluster) {
  push_corpus("pg16/1mb/" + std::string(kName34));
  push_corpus("pg16/1mb/" + std::string(kName35));
  write_control(kPg16SystemId);
  CommandResult r = get_in_data(kName34, {"--prefetch", "1"});
  ASSERT_EQ(r.exit_code, 0) << show(r);
  const std::string spool = data_ + "/pg_wal/walpipe_prefetch";
  const std::string spooled = spool + "/" + kName35;
  for (int i = 0; i < 1000 && !fs::exists(spooled); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_TRUE(fs::exists(spooled)) << "the prefetcher did not spool " << kName35;
  fs::remove(dest());

  write_control(kPg15SystemId);
  r = get_in_data(kName35, {"--prefetch", "1"});
  EXPECT_EQ(r.exit_code, kGetCorrupt) << show(r);
  EXPECT_EQ(r.err, other_cluster_error(archive_, data_));
  EXPECT_FALSE(fs::exists(dest()));
  EXPECT_TRUE(fs::exists(spooled)) << "the spooled segment was moved although refused";

  r = walpipe_in(data_, {}, {"get", "--remove-spool", spool});
  EXPECT_EQ(r.exit_code, 0) << show(r);
}

}  // namespace
}  // namespace walpipe::testing
