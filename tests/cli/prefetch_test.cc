// Prefetching get: the next segments of the timeline wait in a spool beside DEST, complete and
// checked, and the next call is served by a rename; nothing else in the spool is ever served.
#include "pipeline/prefetch.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

#include "archive/local/local_store.h"
#include "exit_codes.h"
#include "io/uring_io.h"
#include "support/corpus.h"
#include "support/mounts.h"
#include "support/prerequisite.h"
#include "support/processes.h"
#include "support/run_command.h"
#include "support/scratch_archive.h"
#include "support/scratch_dir.h"

namespace walpipe::testing {
namespace {

namespace fs = std::filesystem;

class Prefetch : public ScratchArchiveTest {
 protected:
  void SetUp() override {
    ScratchArchiveTest::SetUp();
    if (IsSkipped()) return;
    fs::create_directories(dir_.file("pg_wal"));
    for (const char* name :
         {"000000010000000000000034", "000000010000000000000035", "000000010000000000000036",
          "000000020000000000000055", "000000020000000000000056"})
      ASSERT_NO_FATAL_FAILURE(push_corpus(std::string("pg16/1mb/") + name, {"--batch", "1"}));
  }

  std::string spool() { return dir_.file("pg_wal/walpipe_prefetch"); }
  std::string dest() { return dir_.file("pg_wal/RECOVERYXLOG"); }

  CommandResult get(const std::string& name, std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"get", "-v", "--archive", archive()};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back(name);
    args.push_back(dest());
    return run_walpipe(args);
  }

  bool wait_for(const std::string& path, bool present = true) {
    for (int i = 0; i < 1000 && fs::exists(path) != present; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return fs::exists(path) == present;
  }

  std::vector<std::string> spooled() {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(spool()))
      if (!e.path().filename().string().starts_with(".") && e.path().filename() != "prefetch.lock")
        names.push_back(e.path().filename());
    std::sort(names.begin(), names.end());
    return names;
  }

  bool dest_equals(const std::string& corpus_name) {
    std::ifstream in(dest(), std::ios::binary);
    std::vector<char> got((std::istreambuf_iterator<char>(in)), {});
    const auto& want = corpus_bytes("pg16/1mb/" + corpus_name);
    return got.size() == want.size() && std::memcmp(got.data(), want.data(), got.size()) == 0;
  }
};

TEST_F(Prefetch, NextSegmentsAreServedFromTheSpoolByRename) {
  CommandResult r = get("000000010000000000000034");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_TRUE(wait_for(spool() + "/000000010000000000000036"));
  r = get("000000010000000000000035");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("from the prefetch spool"), std::string::npos) << r.err;
  EXPECT_TRUE(dest_equals("000000010000000000000035"));
  EXPECT_EQ(fs::status(dest()).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_FALSE(fs::exists(spool() + "/000000010000000000000035"));
}

// When recovery ends, PostgreSQL asks once more for the last segment it replayed: the spool kept
// a second name of it, and serves it again without asking the archive.
TEST_F(Prefetch, TheLastSegmentServedIsServedOnceMoreWithoutTheArchive) {
  ASSERT_EQ(get("000000010000000000000034").exit_code, 0);
  ASSERT_TRUE(wait_for(spool() + "/000000010000000000000035"));
  ASSERT_EQ(get("000000010000000000000035").exit_code, 0);
  fs::remove(dest());
  fs::rename(archive(), archive() + ".away");
  CommandResult r = get("000000010000000000000035");
  fs::rename(archive() + ".away", archive());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("from the prefetch spool"), std::string::npos) << r.err;
  EXPECT_TRUE(dest_equals("000000010000000000000035"));
}

// The second name shares its file with DEST, which PostgreSQL may rename into pg_wal and later
// recycle, writing into it: changed bytes are never served again, the archive's are.
TEST_F(Prefetch, ALastServedSegmentThatChangedSinceIsFetchedAgain) {
  ASSERT_EQ(get("000000010000000000000034").exit_code, 0);
  ASSERT_TRUE(wait_for(spool() + "/000000010000000000000035"));
  ASSERT_EQ(get("000000010000000000000035").exit_code, 0);
  {
    std::fstream recycled(dest(), std::ios::in | std::ios::out | std::ios::binary);
    recycled.seekp(8192);
    recycled.write("new WAL written over the old", 28);
  }
  CommandResult r = get("000000010000000000000035");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err.find("from the prefetch spool"), std::string::npos) << r.err;
  EXPECT_TRUE(dest_equals("000000010000000000000035"));
}

// Along recovery, one prefetcher moves its window on as the spooled files are taken, keeping its
// libraries and connections, rather than a new one per call; it stops where the archive ends.
TEST_F(Prefetch, OnePrefetcherMovesItsWindowAlongRecovery) {
  const std::string lock = spool() + "/prefetch.lock";
  ASSERT_EQ(get("000000010000000000000034", {"--prefetch=1"}).exit_code, 0);
  ASSERT_TRUE(wait_for(spool() + "/000000010000000000000035"));
  const std::set<int> prefetcher = holders(lock);
  ASSERT_EQ(prefetcher.size(), 1u);
  CommandResult r = get("000000010000000000000035", {"--prefetch=1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("from the prefetch spool"), std::string::npos) << r.err;
  ASSERT_TRUE(wait_for(spool() + "/000000010000000000000036"));
  EXPECT_EQ(holders(lock), prefetcher);
  r = get("000000010000000000000036", {"--prefetch=1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("from the prefetch spool"), std::string::npos) << r.err;
  EXPECT_TRUE(dest_equals("000000010000000000000036"));
  // 37 is not archived: the prefetcher is done.
  for (int i = 0; i < 500 && holder_count(lock) > 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(holder_count(lock), 0);
}

// The prefetcher fetches files side by side, one core each: whatever finishes first, only
// complete, checked files get final names, none beyond what the archive holds, and no
// temporary is left behind.
TEST_F(Prefetch, ParallelFillSpoolsCompleteFilesOnlyAndLeavesNoTemporaries) {
  io::SyncIo sync;
  ASSERT_TRUE(pipeline::prepare_spool(sync, spool()).is_ok());
  archive::LocalStore store(sync, archive());
  std::vector<wal::WalFileName> wanted;
  for (const char* name :
       {"000000010000000000000034", "000000010000000000000035", "000000010000000000000036",
        "000000010000000000000037", "000000010000000000000038"})
    wanted.push_back(*wal::parse_file_name(name));
  pipeline::fill_spool(io::default_io_factory(io::IoChoice::kAuto), store, spool(), wanted, 3);
  EXPECT_EQ(spooled(),
            (std::vector<std::string>{"000000010000000000000034", "000000010000000000000035",
                                      "000000010000000000000036"}));
  for (const std::string& name : spooled()) {
    std::ifstream in(spool() + "/" + name, std::ios::binary);
    std::vector<char> got((std::istreambuf_iterator<char>(in)), {});
    const auto& want = corpus_bytes("pg16/1mb/" + name);
    EXPECT_TRUE(got.size() == want.size() && std::memcmp(got.data(), want.data(), got.size()) == 0)
        << name;
  }
  for (const auto& e : fs::directory_iterator(spool()))
    EXPECT_FALSE(e.path().filename().string().starts_with(".fetching.")) << e.path();
}

// recovery_end_command removing the spool while the prefetcher works: once the marker is gone,
// nothing more gets a name there and nothing the prefetcher wrote stays behind.
TEST_F(Prefetch, ASpoolBeingRemovedGetsNothingMore) {
  io::SyncIo sync;
  ASSERT_TRUE(pipeline::prepare_spool(sync, spool()).is_ok());
  fs::remove(spool() + "/.walpipe-spool");
  archive::LocalStore store(sync, archive());
  std::vector<wal::WalFileName> wanted{*wal::parse_file_name("000000010000000000000035"),
                                       *wal::parse_file_name("000000010000000000000036")};
  pipeline::fill_spool(io::default_io_factory(io::IoChoice::kAuto), store, spool(), wanted, 2);
  EXPECT_TRUE(fs::is_empty(spool()));
}

TEST_F(Prefetch, TemporariesInTheSpoolAreNeverServed) {
  fs::create_directories(spool());
  ScratchDir::write_file(spool() + "/.fetching.000000010000000000000035.1", "garbage");
  CommandResult r = get("000000010000000000000035", {"--prefetch", "0"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err.find("from the prefetch spool"), std::string::npos) << r.err;
  EXPECT_TRUE(dest_equals("000000010000000000000035"));
}

TEST_F(Prefetch, ASpooledFileThatIsNotWhatTheArchiveHoldsIsNeverServed) {
  // A spool left by another recovery: right name, other content. Getting the last archived
  // segment makes a real spool with nothing to prefetch.
  ASSERT_EQ(get("000000010000000000000036").exit_code, 0);
  ASSERT_TRUE(wait_for(spool() + "/.walpipe-spool"));
  dir_.write("pg_wal/walpipe_prefetch/000000010000000000000035",
             corpus_bytes("pg16/1mb/000000010000000000000036"));
  CommandResult r = get("000000010000000000000035");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err.find("from the prefetch spool"), std::string::npos) << r.err;
  EXPECT_TRUE(dest_equals("000000010000000000000035"));
}

TEST_F(Prefetch, AFolderWalpipeDidNotCreateIsNeverUsedAsASpool) {
  // --spool pointed at pg_wal itself: its WAL must survive, and nothing is served from it.
  dir_.write("pg_wal/000000010000000000000099", std::string("not ours"));
  CommandResult r = get("000000010000000000000034", {"--spool", dir_.file("pg_wal")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_TRUE(fs::exists(dir_.file("pg_wal/000000010000000000000099")));
  EXPECT_FALSE(fs::exists(dir_.file("pg_wal/000000010000000000000035")));
}

// A prefetcher at work on other segments (another timeline, say) does not hold up recovery: the
// call waits for it only when the segment asked for is in its plan.
TEST_F(Prefetch, ACallWaitsForThePrefetcherOnlyForASegmentItPlans) {
  CommandResult r = get("000000010000000000000034", {"--prefetch", "0"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  io::SyncIo sync;
  ASSERT_TRUE(pipeline::prepare_spool(sync, spool()).is_ok());
  const std::string lock = spool() + "/prefetch.lock";
  int fd = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::flock(fd, LOCK_EX | LOCK_NB), 0);
  const std::string plan = "000000020000000000000056\n\n";
  ASSERT_EQ(::pwrite(fd, plan.data(), plan.size(), 0), static_cast<ssize_t>(plan.size()));
  // The lock is held until the call returns; waiting for the prefetcher would last 30 s.
  const auto start = std::chrono::steady_clock::now();
  r = get("000000010000000000000035");
  const auto took = std::chrono::steady_clock::now() - start;
  ::close(fd);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(dest_equals("000000010000000000000035"));
  EXPECT_LT(took, std::chrono::seconds(15));
}

TEST_F(Prefetch, ZeroTurnsPrefetchingOff) {
  CommandResult r = get("000000010000000000000034", {"--prefetch", "0"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_FALSE(fs::exists(spool()));
}

TEST_F(Prefetch, ATimelineChangeClearsTheSpool) {
  ASSERT_EQ(get("000000010000000000000034").exit_code, 0);
  ASSERT_TRUE(wait_for(spool() + "/000000010000000000000036"));
  ASSERT_EQ(get("000000020000000000000055").exit_code, 0);
  ASSERT_TRUE(wait_for(spool() + "/000000020000000000000056"));
  ASSERT_TRUE(wait_for(spool() + "/000000010000000000000035", false));
  EXPECT_EQ(spooled(), std::vector<std::string>{"000000020000000000000056"});
}

TEST_F(Prefetch, ADamagedObjectIsNeverSpooledAndStillStopsRecovery) {
  std::string object = archive() + "/wal/0000000100000000/000000010000000000000035.zst";
  {
    std::fstream f(object, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(fs::file_size(object) / 2));
    f.put('\x55');
  }
  ASSERT_EQ(get("000000010000000000000034").exit_code, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_FALSE(fs::exists(spool() + "/000000010000000000000035"));
  CommandResult r = get("000000010000000000000035");
  EXPECT_EQ(r.exit_code, exit_code::kGetCorrupt) << r.err;
  EXPECT_FALSE(fs::exists(dest()));
}

// The prefetcher killed at any moment: every later call still restores exactly its segment,
// from the spool or the archive.
// The prefetcher killed while it writes: its temporary names it (".fetching.NAME.PID"), so the
// kill lands the moment it starts a file, or 1 to 11 ms later, whatever the machine's speed.
TEST_F(Prefetch, AKilledPrefetcherServesNothingWrong) {
  int killed_at_work = 0;
  io::SyncIo sync;
  for (int round = 0; round < 12; ++round) {
    SCOPED_TRACE("killed " + std::to_string(round) + " ms after it began a file");
    fs::remove_all(spool());
    fs::remove(dest());
    ASSERT_TRUE(pipeline::prepare_spool(sync, spool()).is_ok());
    int watch = ::inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
    ASSERT_GE(watch, 0);
    ASSERT_GE(::inotify_add_watch(watch, spool().c_str(), IN_CREATE), 0);
    ASSERT_EQ(get("000000010000000000000034").exit_code, 0);
    pid_t prefetcher = 0;
    alignas(struct inotify_event) char events[4096];
    for (int waited = 0; prefetcher == 0 && waited < 5000; ++waited) {
      ssize_t n = ::read(watch, events, sizeof events);
      for (ssize_t at = 0; at < n;) {
        const auto* e = reinterpret_cast<const struct inotify_event*>(events + at);
        const std::string name = e->len > 0 ? e->name : "";
        if (name.starts_with(".fetching."))
          prefetcher = std::stoi(name.substr(name.rfind('.') + 1));
        at += static_cast<ssize_t>(sizeof(struct inotify_event) + e->len);
      }
      if (prefetcher == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ::close(watch);
    ASSERT_GT(prefetcher, 0) << "the prefetcher never began a file";
    std::this_thread::sleep_for(std::chrono::milliseconds(round));
    if (::kill(prefetcher, SIGKILL) == 0) ++killed_at_work;
    kill_holders(spool() + "/prefetch.lock");
    for (const char* name : {"000000010000000000000035", "000000010000000000000036"}) {
      CommandResult r = get(name);
      ASSERT_EQ(r.exit_code, 0) << r.err;
      EXPECT_TRUE(dest_equals(name)) << name;
    }
  }
  EXPECT_GT(killed_at_work, 0);
}

// pg_wal on a small filesystem: the spool fills it, prefetching stops, and recovery goes on
// with direct fetches once PostgreSQL has made room.
TEST_F(Prefetch, AFullSpoolDiskStopsPrefetchingNotRecovery) {
  std::string why;
  std::unique_ptr<Mount> mount = Mount::tmpfs(dir_.file("pg_wal"), "size=1700k,mode=0700", &why);
  if (!mount) WALPIPE_SKIP() << "cannot mount tmpfs: " << why;
  CommandResult r = get("000000010000000000000034");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(dest_equals("000000010000000000000034"));
  ASSERT_TRUE(wait_for(spool() + "/prefetch.lock"));
  for (int i = 0; i < 1000 && holder_count(spool() + "/prefetch.lock") > 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_EQ(holder_count(spool() + "/prefetch.lock"), 0) << "the prefetcher did not stop";
  // What it could not finish it removed: nothing partial takes the room recovery needs.
  for (const auto& e : fs::directory_iterator(spool())) {
    const std::string name = e.path().filename();
    EXPECT_TRUE(name == "prefetch.lock" || name == ".walpipe-spool" ||
                name.find_first_not_of("0123456789ABCDEF") == std::string::npos)
        << name;
  }
  EXPECT_LT(spooled().size(), 2u) << "the filesystem was never full";
  fs::remove(dest());  // PostgreSQL replayed it and made room
  for (const char* name : {"000000010000000000000035", "000000010000000000000036"}) {
    r = get(name);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(dest_equals(name)) << name;
    fs::remove(dest());
  }
}

// recovery_end_command while the prefetcher is between its last check of the spool and its
// rename: the removal waits for it to stop, so what it renames does not keep the folder alive.
TEST_F(Prefetch, RemovingTheSpoolWaitsForThePrefetcherAndLeavesNothing) {
  ASSERT_EQ(get("000000010000000000000034", {"--prefetch", "0"}).exit_code, 0);
  io::SyncIo sync;
  ASSERT_TRUE(pipeline::prepare_spool(sync, spool()).is_ok());
  dir_.write("pg_wal/walpipe_prefetch/.fetching.000000010000000000000035.1", std::string("part"));
  const std::string lock = spool() + "/prefetch.lock";
  int fd = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::flock(fd, LOCK_EX | LOCK_NB), 0);
  CommandResult removal;
  std::thread end_of_recovery([&] {
    removal = run_walpipe({"get", "-v", "--remove-spool", spool()});
  });
  const bool marker_went = wait_for(spool() + "/.walpipe-spool", false);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const bool waited = fs::exists(spool());
  dir_.write("pg_wal/walpipe_prefetch/000000010000000000000035", std::string("late rename"));
  ::close(fd);
  end_of_recovery.join();
  EXPECT_TRUE(marker_went);
  EXPECT_TRUE(waited) << "removed while the prefetcher held its lock";
  EXPECT_EQ(removal.exit_code, 0) << removal.err;
  EXPECT_FALSE(fs::exists(spool()));
}

TEST_F(Prefetch, RemovingTheSpoolAfterRealPrefetchingLeavesNothing) {
  ASSERT_EQ(get("000000010000000000000034").exit_code, 0);
  ASSERT_TRUE(wait_for(spool() + "/000000010000000000000035"));
  ASSERT_EQ(get("000000010000000000000035").exit_code, 0);
  ASSERT_TRUE(fs::exists(pipeline::served_copy_dir(spool()) + "/000000010000000000000035"));
  CommandResult r = run_walpipe({"get", "--remove-spool", spool()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(fs::exists(spool()));
  r = run_walpipe({"get", "--remove-spool", spool()});
  EXPECT_EQ(r.exit_code, 0) << "no spool is a removed spool: " << r.err;
}

TEST_F(Prefetch, RemovingAFolderThatIsNotASpoolRemovesNothing) {
  dir_.write("pg_wal/000000010000000000000099", std::string("WAL"));
  fs::create_directories(dir_.file("pg_wal/archive_status"));
  CommandResult r = run_walpipe({"get", "--remove-spool", dir_.file("pg_wal")});
  EXPECT_EQ(r.exit_code, exit_code::kSpoolNotRemoved) << "PostgreSQL must only warn: " << r.err;
  EXPECT_NE(r.err.find("is not a walpipe prefetch spool"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("archive_status"), std::string::npos) << r.err;
  EXPECT_TRUE(fs::exists(dir_.file("pg_wal/000000010000000000000099")));
}

// A removal that was stopped after the marker went (killed, or the prefetcher outlived the wait)
// is finished by the next one.
TEST_F(Prefetch, ARemovalThatDidNotFinishIsFinished) {
  fs::create_directories(spool());
  dir_.write("pg_wal/walpipe_prefetch/000000010000000000000035", std::string("spooled"));
  dir_.write("pg_wal/walpipe_prefetch/prefetch.lock", std::string());
  CommandResult r = run_walpipe({"get", "--remove-spool", spool()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(fs::exists(spool()));
}

TEST_F(Prefetch, RemoveSpoolTakesNoFileNames) {
  CommandResult r =
      run_walpipe({"get", "--remove-spool", spool(), "000000010000000000000034", dest()});
  EXPECT_EQ(r.exit_code, exit_code::kSpoolNotRemoved);
  EXPECT_NE(r.err.find("takes no NAME or DEST"), std::string::npos) << r.err;
}

TEST_F(Prefetch, BadPrefetchValueIsAUsageErrorThatStopsRecovery) {
  CommandResult r = get("000000010000000000000034", {"--prefetch", "x"});
  EXPECT_EQ(r.exit_code, exit_code::kGetUsage);
}

}  // namespace
}  // namespace walpipe::testing

namespace walpipe::testing {
namespace {

// Regressions from review: only a confirmed absence in a reachable archive may exit 1.
class GetExitCodes : public ScratchArchiveTest {
 protected:
  void SetUp() override {
    ScratchArchiveTest::SetUp();
    if (IsSkipped()) return;
    push_corpus("pg16/1mb/000000010000000000000034");
  }
};

TEST_F(GetExitCodes, MissingDestinationFolderStopsRecovery) {
  CommandResult r = run_walpipe({"get", "--archive", dir_.file("archive"),
                                 "000000010000000000000034", dir_.file("nodir/RECOVERYXLOG")});
  EXPECT_EQ(r.exit_code, exit_code::kGetIoError) << r.err;
  EXPECT_NE(r.err.find("nodir/RECOVERYXLOG"), std::string::npos) << r.err;
}

TEST_F(GetExitCodes, AnEmptyFolderIsNotAnArchiveThatLacksTheFile) {
  std::filesystem::create_directories(dir_.file("unmounted"));
  CommandResult r = run_walpipe({"get", "--archive", dir_.file("unmounted"),
                                 "000000010000000000000035", dir_.file("RECOVERYXLOG")});
  EXPECT_EQ(r.exit_code, exit_code::kGetIoError) << r.err;
  EXPECT_NE(r.err.find("holds no walpipe archive"), std::string::npos) << r.err;
}

TEST_F(GetExitCodes, AbsentFileInARealArchiveIsOne) {
  CommandResult r = run_walpipe({"get", "--archive", dir_.file("archive"),
                                 "000000010000000000000035", dir_.file("RECOVERYXLOG")});
  EXPECT_EQ(r.exit_code, exit_code::kGetNotFound) << r.err;
}

TEST_F(GetExitCodes, IdentityWithOutOfRangeValuesIsCorruptionNotACrash) {
  ScratchDir::write_file(dir_.file("archive/walpipe.json"),
                         "{\"format\": 1, \"system_identifier\": \"99999999999999999999999\", "
                         "\"wal_page_magic\": 53523, \"segment_size\": 4294967312, "
                         "\"page_size\": 8192}\n");
  CommandResult r = run_walpipe({"get", "--archive", dir_.file("archive"),
                                 "000000010000000000000034", dir_.file("RECOVERYXLOG")});
  EXPECT_EQ(r.exit_code, exit_code::kGetCorrupt) << r.err;
  EXPECT_NE(r.err.find("out of range"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace walpipe::testing
