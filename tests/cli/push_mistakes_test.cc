// The mistakes a new DBA makes with walpipe push must not lose data or wedge archiving (issue
// 15): following a hint into storing the segment PostgreSQL is still writing, a first push by
// hand as root, and %f instead of %p in archive_command. Exact messages and exit codes.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "archive/local/commit.h"
#include "archive/local/local_store.h"
#include "codec/fingerprint.h"
#include "exit_codes.h"
#include "io/uring_io.h"
#include "pipeline/batch_push.h"
#include "support/corpus.h"
#include "support/corrupt.h"
#include "support/files.h"
#include "support/prerequisite.h"
#include "support/run_command.h"
#include "support/scratch_dir.h"

namespace walpipe::testing {
namespace {

namespace fs = std::filesystem;

using exit_code::kOk;
using exit_code::kPushFailed;
using exit_code::kPushRefused;

const std::string kName = "000000010000000000000034";

// What PostgreSQL's current segment looks like: valid records, then zeros from `offset` on.
ByteVec half_written(size_t offset) {
  ByteVec bytes = corpus_bytes(kSeg34);
  std::fill(bytes.begin() + static_cast<ptrdiff_t>(offset), bytes.end(), std::byte{0});
  return bytes;
}

std::string hex_of(const ByteVec& bytes) {
  return fingerprint_of(Bytes(bytes.data(), bytes.size())).hex();
}

std::string show(const CommandResult& r) {
  return "exit " + std::to_string(r.exit_code) + "\n--- stdout\n" + r.out + "--- stderr\n" + r.err;
}

class PushMistakes : public ::testing::Test {
 protected:
  void SetUp() override {
    WALPIPE_REQUIRE_CORPUS();
    archive_ = dir_.file("archive");
    fs::create_directories(archive_);
  }
  CommandResult push(const std::string& path, bool verify = true) {
    std::vector<std::string> args{"push", "--batch=1", "--archive", archive_};
    if (!verify) args.push_back("--no-verify");
    args.push_back(path);
    return run_walpipe(args);
  }
  std::string object() const { return archive_ + "/wal/0000000100000000/" + kName + ".zst"; }
  std::string kept(const ByteVec& old) const {
    return archive_ + "/superseded/" + kName + "." + hex_of(old) + ".zst";
  }

  ScratchDir dir_;
  std::string archive_;
};

TEST_F(PushMistakes, ASegmentStillBeingWrittenIsRefusedWithoutSuggestingNoVerify) {
  std::string src = dir_.write("pg_wal/" + kName, half_written(512 * 1024));
  CommandResult r = push(src);
  EXPECT_EQ(r.exit_code, kPushRefused) << show(r);
  EXPECT_EQ(r.err, "walpipe push: error: refusing to archive \"" + src +
                       "\": invalid magic number 0000 in WAL segment " + kName +
                       ", LSN 0/3480000, offset 524288\n"
                       "DETAIL: at file offset 524288 (MAGIC_MIXED)\n"
                       "HINT: This segment is still being written, or was copied before it was "
                       "complete: PostgreSQL hands it to archive_command once it is complete.\n");
  EXPECT_FALSE(fs::exists(object()));
}

// Damage in the middle, with valid WAL after it, is not an end of WAL: --no-verify stays the
// way to keep such a file.
TEST_F(PushMistakes, DamageInTheMiddleStillPointsToVerifyAndNoVerify) {
  ByteVec bytes = corpus_bytes(kSeg34);
  std::vector<RecordLocation> records = records_within_one_page(bytes);
  ASSERT_GT(records.size(), 10u);
  flip_byte(bytes, records[records.size() / 2].offset + 30, 0x55);
  std::string src = dir_.write("pg_wal/" + kName, bytes);
  CommandResult r = push(src);
  EXPECT_EQ(r.exit_code, kPushRefused) << show(r);
  EXPECT_TRUE(
      r.err.ends_with("\nHINT: Check the file with \"walpipe verify\"; \"walpipe push "
                      "--no-verify\" archives it anyway and records the failure.\n"))
      << show(r);
}

TEST_F(PushMistakes, TheFinishedSegmentSupersedesACopyStoredWithNoVerify) {
  const ByteVec half = half_written(512 * 1024);
  const ByteVec& full = corpus_bytes(kSeg34);
  std::string src_half = dir_.write("by-hand/" + kName, half);
  std::string src_full = dir_.write("pg_wal/" + kName, full);
  CommandResult stored = push(src_half, false);
  ASSERT_EQ(stored.exit_code, kOk) << show(stored);
  const ByteVec stored_object = file_bytes(object());

  CommandResult r = push(src_full);
  EXPECT_EQ(r.exit_code, kOk) << show(r);
  EXPECT_EQ(r.err, "walpipe push: \"" + kName +
                       "\" superseded the copy archived with --no-verify that failed validation; "
                       "the old copy was kept as \"" +
                       kept(half) + "\"\n");
  EXPECT_TRUE(file_bytes(kept(half)) == stored_object) << "the old object was not kept as it was";
  std::string dest = dir_.file("restored");
  CommandResult g = run_walpipe({"get", "--archive", archive_, kName, dest});
  ASSERT_EQ(g.exit_code, kOk) << show(g);
  EXPECT_TRUE(file_bytes(dest) == full);
  // PostgreSQL's retry, and the half-written copy pushed by hand once more.
  CommandResult again = push(src_full);
  EXPECT_EQ(again.exit_code, kOk) << show(again);
  EXPECT_EQ(again.err, "");
  CommandResult late = push(src_half, false);
  EXPECT_EQ(late.exit_code, kPushRefused) << show(late);
  EXPECT_TRUE(late.err.starts_with("walpipe push: error: archive already holds a different \"" +
                                   kName + "\"\n"))
      << show(late);
  // verify of the archive reads the archive's content only, not what was superseded.
  CommandResult v = run_walpipe({"verify", archive_});
  EXPECT_EQ(v.exit_code, kOk) << show(v);
  EXPECT_NE(v.out.find("verified 1 files: 1 valid"), std::string::npos) << show(v);
}

TEST_F(PushMistakes, AnotherUnverifiedCopyDoesNotSupersedeAndTheRefusalSaysWhy) {
  const ByteVec first = half_written(512 * 1024);
  const ByteVec second = half_written(640 * 1024);
  ASSERT_EQ(push(dir_.write("a/" + kName, first), false).exit_code, kOk);
  CommandResult r = push(dir_.write("b/" + kName, second), false);
  EXPECT_EQ(r.exit_code, kPushRefused) << show(r);
  EXPECT_EQ(r.err, "walpipe push: error: archive already holds a different \"" + kName +
                       "\", stored with --no-verify\n"
                       "DETAIL: archived XXH3-128 " +
                       hex_of(first) + ", new file XXH3-128 " + hex_of(second) +
                       "; the archived object was left untouched; \"" + object() +
                       "\" failed validation when it was archived: invalid magic number 0000 in "
                       "WAL segment " +
                       kName +
                       ", LSN 0/3480000, offset 524288\n"
                       "HINT: A copy that passes validation supersedes it, the old object being "
                       "kept in the archive's superseded/ folder: push this file without "
                       "--no-verify once it is complete and valid.\n");
  EXPECT_FALSE(fs::exists(archive_ + "/superseded"));
}

// The look-ahead pushes through push_files: the same rule there.
TEST_F(PushMistakes, TheBatchPathSupersedesToo) {
  const ByteVec half = half_written(512 * 1024);
  ASSERT_EQ(push(dir_.write("by-hand/" + kName, half), false).exit_code, kOk);
  std::string src_full = dir_.write("pg_wal/" + kName, corpus_bytes(kSeg34));
  std::string src_35 = dir_.write("pg_wal/000000010000000000000035",
                                  corpus_bytes("pg16/1mb/000000010000000000000035"));
  io::SyncIo sync;
  archive::LocalStore store(sync, archive_);
  std::vector<Result<pipeline::PushResult>> results =
      pipeline::push_files({src_full, src_35}, store, pipeline::PushOptions{},
                           io::default_io_factory(io::IoChoice::kAuto));
  ASSERT_EQ(results.size(), 2u);
  ASSERT_TRUE(results[0].is_ok()) << results[0].status().to_string();
  EXPECT_EQ(results[0]->outcome, archive::CommitOutcome::kSuperseded);
  EXPECT_EQ(results[0]->superseded, kept(half));
  ASSERT_TRUE(results[1].is_ok()) << results[1].status().to_string();
  EXPECT_EQ(results[1]->outcome, archive::CommitOutcome::kWritten);
  EXPECT_TRUE(fs::exists(kept(half)));
}

TEST_F(PushMistakes, PercentFInsteadOfPercentPGetsAHint) {
  // archive_command runs in the data directory, where a bare WAL name is no file.
  const std::string bare = "000000010000000000000099";
  ASSERT_FALSE(fs::exists(bare));
  CommandResult r = push(bare);
  EXPECT_EQ(r.exit_code, kPushFailed) << show(r);
  EXPECT_EQ(r.err, "walpipe push: error: could not open file \"" + bare +
                       "\": No such file or directory\n"
                       "HINT: archive_command must pass %p, the path of the file to archive "
                       "(pg_wal/" +
                       bare + "), not %f, its name alone.\n");
  // A path that does not exist is not that mistake.
  CommandResult path = push(dir_.file("pg_wal/" + bare));
  EXPECT_EQ(path.exit_code, kPushFailed) << show(path);
  EXPECT_EQ(path.err, "walpipe push: error: could not open file \"" + dir_.file("pg_wal/" + bare) +
                          "\": No such file or directory\n");
}

// ---- A first push by hand as root, then the server's user ----

class AsRoot : public PushMistakes {
 protected:
  void SetUp() override {
    PushMistakes::SetUp();
    if (IsSkipped()) return;
    if (::geteuid() != 0) WALPIPE_SKIP() << "needs root";
    if (run_command({"/usr/bin/id", "-u", "postgres"}).exit_code != 0)
      WALPIPE_SKIP() << "no postgres user";
    // postgres must reach the scratch folder, the sources and a binary it can run.
    ASSERT_EQ(::chmod(dir_.path().c_str(), 0755), 0);
    binary_ = dir_.file("walpipe");
    fs::copy_file(WALPIPE_BINARY, binary_);
    ASSERT_EQ(::chmod(binary_.c_str(), 0755), 0);
  }
  std::string source(const std::string& name) {
    std::string path = dir_.write("pg_wal/" + name, corpus_bytes("pg16/1mb/" + name));
    ::chmod(dir_.file("pg_wal").c_str(), 0755);
    ::chmod(path.c_str(), 0644);
    return path;
  }
  CommandResult push_as_postgres(const std::string& path) {
    return run_command({"/usr/sbin/runuser", "-u", "postgres", "--", "/usr/bin/env", "-u",
                        "WALPIPE_FAULT", binary_, "push", "--batch=1", "--archive", archive_,
                        path});
  }
  std::string binary_;
};

TEST_F(AsRoot, AFirstPushAsRootLeavesTheArchiveToItsOwner) {
  ASSERT_EQ(run_command({"/usr/bin/chown", "postgres:", archive_}).exit_code, 0);
  CommandResult root = push(source(kName));
  ASSERT_EQ(root.exit_code, kOk) << show(root);
  struct stat owner;
  ASSERT_EQ(::stat(archive_.c_str(), &owner), 0);
  for (const auto& entry : fs::recursive_directory_iterator(archive_)) {
    struct stat st;
    ASSERT_EQ(::stat(entry.path().c_str(), &st), 0);
    EXPECT_EQ(st.st_uid, owner.st_uid) << entry.path();
    EXPECT_EQ(st.st_gid, owner.st_gid) << entry.path();
  }
  CommandResult server = push_as_postgres(source("000000010000000000000035"));
  EXPECT_EQ(server.exit_code, kOk) << show(server);
  CommandResult retry = push_as_postgres(source(kName));
  EXPECT_EQ(retry.exit_code, kOk) << show(retry);
}

// An archive left to root (by an older walpipe, or by hand): the server's push says who it runs
// as, who owns what, and how to fix it.
TEST_F(AsRoot, PermissionDeniedSaysWhoOwnsWhatAndHowToFixIt) {
  ASSERT_EQ(push(source(kName)).exit_code, kOk);  // root's archive, root's 0700 folders
  ASSERT_EQ(run_command({"/usr/bin/chown", "postgres:", archive_}).exit_code, 0);
  CommandResult r = push_as_postgres(source("000000010000000000000035"));
  EXPECT_EQ(r.exit_code, kPushFailed) << show(r);
  // walpipe.json, read first (is the archive encrypted?), is root's 0600 file.
  EXPECT_EQ(r.err, "walpipe push: error: could not open file \"" + archive_ +
                       "/walpipe.json\": Permission denied\n"
                       "DETAIL: walpipe runs as user \"postgres\"; \"" +
                       archive_ +
                       "/walpipe.json\" is owned by \"root\" with mode 0600\n"
                       "HINT: Files in the archive belong to \"root\": give them back to "
                       "\"postgres\", the archive's owner (as root): chown -R postgres: \"" +
                       archive_ + "\"\n");
  // An archive root that is root's: run as its owner, or give it to the server's user.
  std::string other = dir_.file("root-archive");
  fs::create_directories(other);
  ASSERT_EQ(::chmod(other.c_str(), 0755), 0);
  CommandResult denied = run_command({"/usr/sbin/runuser", "-u", "postgres", "--", binary_, "push",
                                      "--batch=1", "--archive", other, source(kName)});
  EXPECT_EQ(denied.exit_code, kPushFailed) << show(denied);
  EXPECT_EQ(denied.err, "walpipe push: error: could not create directory \"" + other +
                            "/wal\": Permission denied\n"
                            "DETAIL: walpipe runs as user \"postgres\"; \"" +
                            other +
                            "\" is owned by \"root\" with mode 0755\n"
                            "HINT: Run walpipe as \"root\", the archive's owner, or give the "
                            "archive to \"postgres\": chown -R postgres: \"" +
                            other + "\"\n");
}

}  // namespace
}  // namespace walpipe::testing
