// The commit protocol against real files, on both I/O backends, with faults injected at every
// step: the final name shows a complete object or nothing, and temporaries never remain.
#include "archive/local/commit.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <zstd.h>

#include <filesystem>

#include "archive/object.h"
#include "io/buffer.h"
#include "io/uring_io.h"
#include "support/commit_object.h"
#include "support/fault_io.h"
#include "support/objects.h"
#include "support/prerequisite.h"
#include "support/scratch_dir.h"

namespace walpipe::archive {
namespace {

namespace fs = std::filesystem;
using testing::commit_object;

std::unique_ptr<io::Io> make_backend(const std::string& kind) {
  if (kind == "sync") return std::make_unique<io::SyncIo>();
  std::string why;
  auto uring = io::UringIo::create(&why);
  return uring ? std::unique_ptr<io::Io>(std::move(uring)) : nullptr;
}

// A valid object for a history file of `fill` bytes; `flags` as the metadata records them.
io::AlignedBuffer make_object(const wal::WalFileName& name, std::byte fill, Fingerprint* fp,
                              uint32_t flags = 0, ObjectMetadata* meta = nullptr) {
  std::vector<std::byte> data(5000, fill);
  ObjectMetadata m;
  m.flags = flags;
  if (flags & kFlagFailedVerification) m.validation_error = "invalid record length at 0/0";
  m.name = name.to_string();
  m.original_size = data.size();
  m.fingerprint = fingerprint_of(data);
  m.frame_input_size = 1 << 20;
  std::vector<std::byte> frame(data.size() + 100);
  size_t n = ZSTD_compress(frame.data(), frame.size(), data.data(), data.size(), 1);
  frame.resize(n);
  m.frame_sizes = {static_cast<uint32_t>(n)};
  io::AlignedBuffer out = testing::assemble_object(&m, {Bytes(frame.data(), frame.size())});
  *fp = m.fingerprint;
  if (meta) *meta = m;
  return out;
}

size_t count_files(const std::string& dir) {
  std::error_code ec;
  size_t n = 0;
  for (auto it = fs::directory_iterator(dir, ec); it != fs::directory_iterator(); ++it) ++n;
  return n;
}

class Commit : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    backend_ = make_backend(GetParam());
    if (!backend_) WALPIPE_SKIP() << "io_uring is not available here";
  }
  // dir_ as an archive whose folders exist.
  Layout ready_archive() {
    Layout layout(dir_.path());
    EXPECT_TRUE(prepare_directories(*backend_, layout, name_).is_ok());
    return layout;
  }
  std::unique_ptr<io::Io> backend_;
  testing::ScratchDir dir_;
  wal::WalFileName name_ = *wal::parse_file_name("00000002.history");
};

TEST_P(Commit, WritesDurablyWithPrivateModes) {
  Layout layout(dir_.path());
  Fingerprint fp;
  io::AlignedBuffer object = make_object(name_, std::byte{1}, &fp);
  ASSERT_TRUE(prepare_directories(*backend_, layout, name_).is_ok());
  auto outcome = commit_object(*backend_, layout, name_, object.span());
  ASSERT_TRUE(outcome.is_ok()) << outcome.status().to_string();
  EXPECT_EQ(*outcome, CommitOutcome::kWritten);
  struct stat st;
  ASSERT_EQ(::stat(layout.object_path(name_).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(static_cast<size_t>(st.st_size), object.size());
  ASSERT_EQ(::stat(layout.wal_dir().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  EXPECT_EQ(count_files(layout.tmp_dir()), 0u);
}

TEST_P(Commit, IdenticalContentIsSuccessWithoutRewriting) {
  Layout layout(dir_.path());
  Fingerprint fp;
  io::AlignedBuffer object = make_object(name_, std::byte{1}, &fp);
  ASSERT_TRUE(prepare_directories(*backend_, layout, name_).is_ok());
  ASSERT_TRUE(commit_object(*backend_, layout, name_, object.span()).is_ok());
  auto before = fs::last_write_time(layout.object_path(name_));
  auto again = commit_object(*backend_, layout, name_, object.span());
  ASSERT_TRUE(again.is_ok());
  EXPECT_EQ(*again, CommitOutcome::kAlreadyPresent);
  EXPECT_EQ(fs::last_write_time(layout.object_path(name_)), before);
}

TEST_P(Commit, DifferentContentIsRefusedNamingBothFingerprints) {
  Layout layout(dir_.path());
  Fingerprint fp1, fp2;
  io::AlignedBuffer first = make_object(name_, std::byte{1}, &fp1);
  io::AlignedBuffer second = make_object(name_, std::byte{2}, &fp2);
  ASSERT_TRUE(prepare_directories(*backend_, layout, name_).is_ok());
  ASSERT_TRUE(commit_object(*backend_, layout, name_, first.span()).is_ok());
  auto refused = commit_object(*backend_, layout, name_, second.span());
  ASSERT_FALSE(refused.is_ok());
  EXPECT_EQ(refused.status().code(), Code::kMismatch);
  EXPECT_NE(refused.status().detail().find(fp1.hex()), std::string::npos);
  EXPECT_NE(refused.status().detail().find(fp2.hex()), std::string::npos);
  EXPECT_EQ(fs::file_size(layout.object_path(name_)), first.size());
  EXPECT_EQ(count_files(layout.tmp_dir()), 0u);
}

TEST_P(Commit, AFailureAtAnyStepLeavesNoFinalObjectAndNoTemporary) {
  for (const char* op : {"open", "write", "close", "rename", "fsync"}) {
    for (int err : {EIO, ENOSPC}) {
      testing::ScratchDir dir;
      Layout layout(dir.path());
      ASSERT_TRUE(prepare_directories(*backend_, layout, name_).is_ok());
      Fingerprint fp;
      io::AlignedBuffer object = make_object(name_, std::byte{3}, &fp);
      // The first open is the check for an existing object; fail the next one of each kind.
      int nth = std::string(op) == "open" ? 2 : 1;
      io::FaultIo faulty(make_backend(GetParam()),
                         {io::Fault{op, nth, io::Fault::Action::kError, err}});
      auto outcome = commit_object(faulty, layout, name_, object.span());
      bool final_exists = fs::exists(layout.object_path(name_));
      if (std::string(op) == "fsync") {
        // The folder fsync comes after the rename: the object is complete but not known
        // durable, so the call must fail and a retry must find and re-sync it.
        ASSERT_FALSE(outcome.is_ok());
        auto retry = commit_object(*backend_, layout, name_, object.span());
        ASSERT_TRUE(retry.is_ok());
        EXPECT_EQ(*retry, CommitOutcome::kAlreadyPresent);
      } else {
        ASSERT_FALSE(outcome.is_ok()) << op;
        EXPECT_FALSE(final_exists) << op;
      }
      EXPECT_EQ(count_files(layout.tmp_dir()), 0u) << op;
      if (err == ENOSPC && std::string(op) == "write") {
        EXPECT_EQ(outcome.status().code(), Code::kNoSpace);
      }
    }
  }
}

TEST_P(Commit, ShortWriteIsFinishedNotTakenAsComplete) {
  Layout layout(dir_.path());
  Fingerprint fp;
  io::AlignedBuffer object = make_object(name_, std::byte{4}, &fp);
  ASSERT_TRUE(prepare_directories(*backend_, layout, name_).is_ok());
  io::FaultIo faulty(make_backend(GetParam()),
                     {io::Fault{"write", 1, io::Fault::Action::kShortWrite, 0}});
  auto outcome = commit_object(faulty, layout, name_, object.span());
  ASSERT_TRUE(outcome.is_ok()) << outcome.status().to_string();
  EXPECT_EQ(fs::file_size(layout.object_path(name_)), object.size());
}

TEST_P(Commit, ODirectRefusedAtWriteTimeFallsBackToBufferedWrites) {
  Layout layout(dir_.path());
  Fingerprint fp;
  io::AlignedBuffer object = make_object(name_, std::byte{5}, &fp);
  ASSERT_TRUE(prepare_directories(*backend_, layout, name_).is_ok());
  io::FaultIo faulty(make_backend(GetParam()),
                     {io::Fault{"write", 1, io::Fault::Action::kError, EINVAL}});
  auto outcome = commit_object(faulty, layout, name_, object.span());
  ASSERT_TRUE(outcome.is_ok()) << outcome.status().to_string();
  EXPECT_EQ(*outcome, CommitOutcome::kWritten);
  EXPECT_EQ(fs::file_size(layout.object_path(name_)), object.size());
  EXPECT_EQ(count_files(layout.tmp_dir()), 0u);
}

// push writes an object in pieces while it is still compressing, its metadata last.
TEST_P(Commit, PiecesInAnyOrderMakeTheObject) {
  Layout layout = ready_archive();
  Fingerprint fp;
  ObjectMetadata meta;
  io::AlignedBuffer object = make_object(name_, std::byte{6}, &fp, 0, &meta);
  ASSERT_GE(object.size(), 8192u);
  auto writer = ObjectWriter::begin(*backend_, layout, name_);
  ASSERT_TRUE(writer.is_ok()) << writer.status().to_string();
  Bytes all = object.span();
  ASSERT_TRUE(writer->write(4096, all.subspan(4096, all.size() - 8192)).is_ok());
  ASSERT_TRUE(writer->write(0, all.first(4096)).is_ok());
  auto outcome = writer->commit(all.size() - 4096, all.last(4096), meta);
  ASSERT_TRUE(outcome.is_ok()) << outcome.status().to_string();
  EXPECT_EQ(*outcome, CommitOutcome::kWritten);
  auto stored = read_object_metadata(*backend_, layout.object_path(name_));
  ASSERT_TRUE(stored.is_ok()) << stored.status().to_string();
  EXPECT_EQ(stored->fingerprint, fp);
  EXPECT_EQ(fs::file_size(layout.object_path(name_)), object.size());
  EXPECT_EQ(count_files(layout.tmp_dir()), 0u);
}

TEST_P(Commit, AnAbandonedOrFailedWriterLeavesNothing) {
  Layout layout = ready_archive();
  Fingerprint fp;
  io::AlignedBuffer object = make_object(name_, std::byte{7}, &fp);
  {
    auto writer = ObjectWriter::begin(*backend_, layout, name_);
    ASSERT_TRUE(writer.is_ok());
    ASSERT_TRUE(writer->write(0, object.span().first(4096)).is_ok());
    EXPECT_EQ(count_files(layout.tmp_dir()), 1u);
  }  // dropped: the push failed elsewhere
  EXPECT_EQ(count_files(layout.tmp_dir()), 0u);
  // A piece after the first fails: the writer gives up its temporary file at once.
  io::FaultIo faulty(make_backend(GetParam()),
                     {io::Fault{"write", 2, io::Fault::Action::kError, ENOSPC}});
  auto writer = ObjectWriter::begin(faulty, layout, name_);
  ASSERT_TRUE(writer.is_ok());
  ASSERT_TRUE(writer->write(0, object.span().first(4096)).is_ok());
  Status s = writer->write(4096, object.span().subspan(4096, 4096));
  ASSERT_FALSE(s.is_ok());
  EXPECT_EQ(s.code(), Code::kNoSpace);
  EXPECT_EQ(count_files(layout.tmp_dir()), 0u);
  EXPECT_FALSE(fs::exists(layout.object_path(name_)));
}

// O_DIRECT refused after earlier pieces went through is a failure to retry, never a refusal of
// the file (which would tell the operator the WAL is bad).
TEST_P(Commit, ODirectRefusedOnALaterPieceIsAnIoError) {
  Layout layout = ready_archive();
  Fingerprint fp;
  ObjectMetadata meta;
  io::AlignedBuffer object = make_object(name_, std::byte{8}, &fp, 0, &meta);
  io::FaultIo faulty(make_backend(GetParam()),
                     {io::Fault{"write", 2, io::Fault::Action::kError, EINVAL}});
  auto writer = ObjectWriter::begin(faulty, layout, name_);
  ASSERT_TRUE(writer.is_ok());
  ASSERT_TRUE(writer->write(0, object.span().first(4096)).is_ok());
  auto outcome = writer->commit(4096, object.span().subspan(4096), meta);
  ASSERT_FALSE(outcome.is_ok());
  EXPECT_EQ(outcome.status().code(), Code::kIoError);
  EXPECT_EQ(count_files(layout.tmp_dir()), 0u);
  EXPECT_FALSE(fs::exists(layout.object_path(name_)));
}

TEST_P(Commit, MissingArchiveRootIsNamed) {
  Layout layout(dir_.path() + "/nope");
  Status s = prepare_directories(*backend_, layout, name_);
  ASSERT_FALSE(s.is_ok());
  EXPECT_EQ(s.message(), "archive directory \"" + dir_.path() + "/nope\" does not exist");
}

TEST_P(Commit, StaleTemporariesAreSweptFreshOnesKept) {
  Layout layout(dir_.path());
  ASSERT_TRUE(prepare_directories(*backend_, layout, name_).is_ok());
  std::string stale = layout.tmp_dir() + "/00000002.history.1.2.3";
  std::string fresh = layout.tmp_dir() + "/00000002.history.4.5.6";
  testing::ScratchDir::write_file(stale, "x");
  testing::ScratchDir::write_file(fresh, "y");
  fs::last_write_time(stale, fs::file_time_type::clock::now() - std::chrono::hours(2));
  EXPECT_EQ(sweep_stale_temporaries(*backend_, layout, 3600), 1u);
  EXPECT_FALSE(fs::exists(stale));
  EXPECT_TRUE(fs::exists(fresh));
}

// --- Superseding an object stored with --no-verify (supersede.h) ---

// The fingerprint of the object under `path`, or "" when there is none.
std::string stored_fingerprint(io::Io& io, const std::string& path) {
  auto meta = read_object_metadata(io, path);
  return meta.is_ok() ? meta->fingerprint.hex() : "";
}

TEST_P(Commit, AVerifiedObjectSupersedesOneThatFailedValidationAndKeepsIt) {
  Layout layout = ready_archive();
  Fingerprint old_fp, new_fp, other_fp;
  io::AlignedBuffer old_object = make_object(name_, std::byte{1}, &old_fp, kFlagFailedVerification);
  io::AlignedBuffer new_object = make_object(name_, std::byte{2}, &new_fp);
  io::AlignedBuffer other = make_object(name_, std::byte{3}, &other_fp);
  ASSERT_TRUE(commit_object(*backend_, layout, name_, old_object.span()).is_ok());

  auto outcome = commit_object(*backend_, layout, name_, new_object.span());
  ASSERT_TRUE(outcome.is_ok()) << outcome.status().to_string();
  EXPECT_EQ(*outcome, CommitOutcome::kSuperseded);
  EXPECT_EQ(stored_fingerprint(*backend_, layout.object_path(name_)), new_fp.hex());
  const std::string aside = layout.superseded_path(name_, old_fp.hex());
  EXPECT_EQ(aside, dir_.path() + "/superseded/00000002.history." + old_fp.hex() + ".zst");
  EXPECT_EQ(stored_fingerprint(*backend_, aside), old_fp.hex());
  EXPECT_EQ(fs::file_size(aside), old_object.size());
  EXPECT_EQ(count_files(layout.tmp_dir()), 0u);
  struct stat st;
  ASSERT_EQ(::stat(layout.superseded_dir().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);

  // The verified object is never replaced again, and the same content is success.
  auto again = commit_object(*backend_, layout, name_, new_object.span());
  ASSERT_TRUE(again.is_ok());
  EXPECT_EQ(*again, CommitOutcome::kAlreadyPresent);
  auto refused = commit_object(*backend_, layout, name_, other.span());
  ASSERT_FALSE(refused.is_ok());
  EXPECT_EQ(refused.status().code(), Code::kMismatch);
  EXPECT_EQ(refused.status().message(), "archive already holds a different \"00000002.history\"");
  EXPECT_EQ(stored_fingerprint(*backend_, layout.object_path(name_)), new_fp.hex());
  EXPECT_EQ(count_files(layout.superseded_dir()), 1u);
  EXPECT_EQ(count_files(layout.tmp_dir()), 0u);
}

TEST_P(Commit, AnotherUnverifiedObjectDoesNotSupersedeAndTheRefusalSaysWhy) {
  Layout layout = ready_archive();
  Fingerprint old_fp, new_fp;
  io::AlignedBuffer old_object = make_object(name_, std::byte{1}, &old_fp, kFlagFailedVerification);
  io::AlignedBuffer new_object = make_object(name_, std::byte{2}, &new_fp, kFlagFailedVerification);
  ASSERT_TRUE(commit_object(*backend_, layout, name_, old_object.span()).is_ok());
  auto refused = commit_object(*backend_, layout, name_, new_object.span());
  ASSERT_FALSE(refused.is_ok());
  EXPECT_EQ(refused.status().code(), Code::kMismatch);
  EXPECT_EQ(refused.status().to_string(),
            "archive already holds a different \"00000002.history\", stored with --no-verify\n"
            "DETAIL: archived XXH3-128 " +
                old_fp.hex() + ", new file XXH3-128 " + new_fp.hex() +
                "; the archived object was left untouched; \"" + layout.object_path(name_) +
                "\" failed validation when it was archived: invalid record length at 0/0\n"
                "HINT: A copy that passes validation supersedes it, the old object being kept in "
                "the archive's superseded/ folder: push this file without --no-verify once it is "
                "complete and valid.");
  EXPECT_EQ(stored_fingerprint(*backend_, layout.object_path(name_)), old_fp.hex());
  EXPECT_FALSE(fs::exists(layout.superseded_dir()));
  EXPECT_EQ(count_files(layout.tmp_dir()), 0u);
}

// A failure at any step of a supersede: the name holds the old object or the new one, the old
// one is kept as soon as the new one is there, nothing is left in .tmp, and the retry finishes.
TEST_P(Commit, AFailureAtAnyStepOfASupersedeLosesNothing) {
  int succeeded_at = 0;
  for (int n = 1; n <= 60 && succeeded_at == 0; ++n) {
    SCOPED_TRACE("step " + std::to_string(n) + " fails with EIO");
    testing::ScratchDir dir;
    Layout layout(dir.path());
    ASSERT_TRUE(prepare_directories(*backend_, layout, name_).is_ok());
    Fingerprint old_fp, new_fp;
    io::AlignedBuffer old_object =
        make_object(name_, std::byte{1}, &old_fp, kFlagFailedVerification);
    io::AlignedBuffer new_object = make_object(name_, std::byte{2}, &new_fp);
    ASSERT_TRUE(commit_object(*backend_, layout, name_, old_object.span()).is_ok());
    const std::string aside = layout.superseded_path(name_, old_fp.hex());
    io::FaultIo faulty(make_backend(GetParam()),
                       {io::Fault{"step", n, io::Fault::Action::kError, EIO}});
    auto outcome = commit_object(faulty, layout, name_, new_object.span());
    if (outcome.is_ok()) {
      EXPECT_EQ(*outcome, CommitOutcome::kSuperseded);
      succeeded_at = n;
    }
    const std::string held = stored_fingerprint(*backend_, layout.object_path(name_));
    ASSERT_TRUE(held == old_fp.hex() || held == new_fp.hex()) << "the name holds " << held;
    if (held == new_fp.hex()) {
      EXPECT_EQ(stored_fingerprint(*backend_, aside), old_fp.hex());
    }
    EXPECT_EQ(count_files(layout.tmp_dir()), 0u);
    auto retry = commit_object(*backend_, layout, name_, new_object.span());
    ASSERT_TRUE(retry.is_ok()) << retry.status().to_string();
    EXPECT_EQ(*retry,
              held == new_fp.hex() ? CommitOutcome::kAlreadyPresent : CommitOutcome::kSuperseded);
    EXPECT_EQ(stored_fingerprint(*backend_, layout.object_path(name_)), new_fp.hex());
    EXPECT_EQ(stored_fingerprint(*backend_, aside), old_fp.hex());
    EXPECT_EQ(count_files(layout.superseded_dir()), 1u);
  }
  // Reading both objects, the lock, the link, the rename and five fsyncs: well over ten steps.
  EXPECT_GT(succeeded_at, 10);
}

// Run as root in an archive that belongs to another user, everything walpipe creates is that
// user's: the server's own pushes go on after a first push by hand as root.
TEST_P(Commit, AsRootInAnotherUsersArchiveTheNewFilesAreTheirs) {
  if (::geteuid() != 0) WALPIPE_SKIP() << "needs root to give files away";
  const uid_t uid = 4321;
  const gid_t gid = 4322;
  ASSERT_EQ(::chown(dir_.path().c_str(), uid, gid), 0);
  Layout layout(dir_.path());
  wal::WalFileName segment = *wal::parse_file_name("000000010000000000000034");
  ASSERT_TRUE(prepare_directories(*backend_, layout, segment).is_ok());
  Fingerprint old_fp, new_fp;
  io::AlignedBuffer old_object = make_object(name_, std::byte{1}, &old_fp, kFlagFailedVerification);
  io::AlignedBuffer new_object = make_object(name_, std::byte{2}, &new_fp);
  ASSERT_TRUE(commit_object(*backend_, layout, name_, old_object.span()).is_ok());
  ASSERT_TRUE(commit_object(*backend_, layout, name_, new_object.span()).is_ok());
  for (const std::string& path :
       {layout.wal_dir(), layout.tmp_dir(), layout.object_dir(segment), layout.superseded_dir(),
        layout.object_path(name_), layout.superseded_path(name_, old_fp.hex())}) {
    struct stat st;
    ASSERT_EQ(::stat(path.c_str(), &st), 0) << path;
    EXPECT_EQ(st.st_uid, uid) << path;
    EXPECT_EQ(st.st_gid, gid) << path;
  }
}

// A folder an earlier run as root left to root is given back; one its owner gave to someone
// else on purpose is left alone.
TEST_P(Commit, AsRootFoldersLeftToRootAreGivenBack) {
  if (::geteuid() != 0) WALPIPE_SKIP() << "needs root to give files away";
  ASSERT_EQ(::mkdir((dir_.path() + "/wal").c_str(), 0700), 0);
  ASSERT_EQ(::mkdir((dir_.path() + "/.tmp").c_str(), 0700), 0);
  ASSERT_EQ(::chown((dir_.path() + "/.tmp").c_str(), 777, 777), 0);
  ASSERT_EQ(::chown(dir_.path().c_str(), 4321, 4322), 0);
  Layout layout(dir_.path());
  ASSERT_TRUE(prepare_directories(*backend_, layout, name_).is_ok());
  struct stat st;
  ASSERT_EQ(::stat(layout.wal_dir().c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 4321u);
  ASSERT_EQ(::stat(layout.tmp_dir().c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 777u);
}

INSTANTIATE_TEST_SUITE_P(Backends, Commit, ::testing::Values("sync", "io_uring"));

}  // namespace
}  // namespace walpipe::archive
