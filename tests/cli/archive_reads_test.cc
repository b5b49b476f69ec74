// What PostgreSQL's calls read from the archive, counted: push reads walpipe.json once, and a
// get served from the prefetch spool reads nothing of the archive at all (the prefetcher left
// beside the file what the archive said of it). Each saving is shown by what would break
// without it: a fault on every open of push names walpipe.json once; a spooled file is served
// with its archive moved away, and never when it no longer matches its record or when the
// record is of another archive. (The same for a bucket, counted in requests:
// integration/s3_fault_cli_test.cc.)
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "exit_codes.h"
#include "support/corpus.h"
#include "support/prerequisite.h"
#include "support/run_command.h"
#include "support/scratch_dir.h"

namespace walpipe::testing {
namespace {

namespace fs = std::filesystem;

constexpr char k34[] = "000000010000000000000034";
constexpr char k35[] = "000000010000000000000035";
constexpr char k36[] = "000000010000000000000036";

class ArchiveReads : public ::testing::Test {
 protected:
  void SetUp() override {
    WALPIPE_REQUIRE_CORPUS();
    fs::create_directories(dir_.file("pg_wal"));
  }

  std::string source(const std::string& name) {
    return dir_.write("src/" + name, corpus_bytes("pg16/1mb/" + name));
  }
  void archive_all(const std::string& archive, const std::vector<std::string>& names) {
    fs::create_directories(archive);
    for (const std::string& name : names) {
      CommandResult r = run_walpipe({"push", "--batch=1", "--archive", archive, source(name)});
      ASSERT_EQ(r.exit_code, 0) << r.err;
    }
  }
  std::string spool() { return dir_.file("pg_wal/walpipe_prefetch"); }
  std::string dest() { return dir_.file("pg_wal/RECOVERYXLOG"); }
  CommandResult get(const std::string& archive, const std::string& name) {
    return run_walpipe({"get", "-v", "--archive", archive, name, dest()});
  }
  bool dest_holds(const std::string& name) {
    std::ifstream in(dest(), std::ios::binary);
    std::vector<char> got((std::istreambuf_iterator<char>(in)), {});
    const auto& want = corpus_bytes("pg16/1mb/" + name);
    return got.size() == want.size() && std::memcmp(got.data(), want.data(), got.size()) == 0;
  }
  // Gets k34, then waits until the prefetcher it started has spooled k35 and k36 and stopped.
  void get_and_prefetch(const std::string& archive) {
    CommandResult r = get(archive, k34);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    int fd = ::open((spool() + "/prefetch.lock").c_str(), O_RDWR | O_CLOEXEC);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::flock(fd, LOCK_EX), 0);
    ::close(fd);
    ASSERT_TRUE(fs::exists(spool() + "/" + k35));
    ASSERT_TRUE(fs::exists(spool() + "/" + k36));
  }

  ScratchDir dir_;
};

// The faults are injected by walpipe-fault's Io; before, the identity was read twice (whether
// the archive is encrypted, then which cluster it holds), and the fourth open was it again.
TEST_F(ArchiveReads, PushOpensWalpipeJsonOnce) {
  int naming_identity = 0, failed = 0;
  for (int n = 1; n <= 8; ++n) {
    SCOPED_TRACE("open " + std::to_string(n) + " fails");
    const std::string archive = dir_.file("archive-" + std::to_string(n));
    archive_all(archive, {k35});
    CommandResult r = run_command({"/usr/bin/env", "WALPIPE_FAULT=open:" + std::to_string(n) +
                                   ":EIO", WALPIPE_FAULT_BINARY, "push", "--batch=1",
                                   "--archive", archive, source(k34)});
    if (r.exit_code == 0) continue;
    ++failed;
    EXPECT_EQ(r.exit_code, exit_code::kPushFailed) << r.err;
    if (r.err.find("walpipe.json") != std::string::npos) ++naming_identity;
  }
  EXPECT_GE(failed, 4);  // identity, source, existing-object check, temporary file
  EXPECT_EQ(naming_identity, 1);
}

TEST_F(ArchiveReads, ASpooledFileIsServedWithoutTheArchive) {
  const std::string archive = dir_.file("archive");
  archive_all(archive, {k34, k35, k36});
  get_and_prefetch(archive);
  fs::rename(archive, dir_.file("moved-away"));
  CommandResult r = get(archive, k35);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("restored \"" + std::string(k35) + "\" from the prefetch spool"),
            std::string::npos)
      << r.err;
  EXPECT_TRUE(dest_holds(k35));
  EXPECT_FALSE(fs::exists(spool() + "/.checked." + std::string(k35)));

  // Another archive named now: the record is not its word, and that archive is asked.
  const std::string other = dir_.file("other");
  fs::create_directories(other);
  r = get(other, k36);
  EXPECT_EQ(r.exit_code, exit_code::kGetIoError) << r.err;
  EXPECT_NE(r.err.find("holds no walpipe archive"), std::string::npos) << r.err;
  EXPECT_TRUE(fs::exists(spool() + "/" + k36));

  fs::rename(dir_.file("moved-away"), archive);
  r = get(archive, k36);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("from the prefetch spool"), std::string::npos) << r.err;
  EXPECT_TRUE(dest_holds(k36));
}

// A spooled file whose bytes are not those its record holds (torn in a crash, or replaced) is
// never served: the archive is asked, and gives the right one.
TEST_F(ArchiveReads, ASpooledFileThatNoLongerMatchesItsRecordIsNeverServed) {
  const std::string archive = dir_.file("archive");
  archive_all(archive, {k34, k35, k36});
  get_and_prefetch(archive);
  const auto& other = corpus_bytes(std::string("pg16/1mb/") + k36);
  {
    std::ofstream out(spool() + "/" + k35, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(other.data()),
              static_cast<std::streamsize>(other.size()));
  }
  CommandResult r = get(archive, k35);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err.find("from the prefetch spool"), std::string::npos) << r.err;
  EXPECT_TRUE(dest_holds(k35));
}

// A record in the spool of another cluster's data directory (a copied data directory, say) is
// not trusted either: the archive decides, and refuses as it always did.
TEST_F(ArchiveReads, ARecordOfAnotherClusterLeavesTheRefusalToTheArchive) {
  const std::string archive = dir_.file("archive");
  archive_all(archive, {k34, k35, k36});
  get_and_prefetch(archive);
  // A data directory (PG_VERSION, a real PostgreSQL 15 global/pg_control) of another cluster.
  const std::string data = dir_.file("data");
  std::ifstream in(corpus_dir() + "/pg_control/pg15-initdb", std::ios::binary);
  std::string control((std::istreambuf_iterator<char>(in)), {});
  if (control.size() != 8192) WALPIPE_SKIP() << "no pg_control in the corpus";
  dir_.write("data/global/pg_control", control);
  dir_.write("data/PG_VERSION", std::string("15\n"));
  CommandResult r = run_command({"/bin/sh", "-c",
                                 "cd \"$0\" && exec \"$1\" get --archive \"$2\" \"$3\" \"$4\"",
                                 data, WALPIPE_BINARY, archive, k35, dest()});
  EXPECT_EQ(r.exit_code, exit_code::kGetCorrupt) << r.err;
  EXPECT_NE(r.err.find("holds the WAL of a different database system"), std::string::npos)
      << r.err;
  EXPECT_TRUE(fs::exists(spool() + "/" + k35));
}

}  // namespace
}  // namespace walpipe::testing
