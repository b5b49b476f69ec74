// The commit protocol against real files, on both I/O backends, with faults injected at every
// step: the final name shows a complete object or nothing, and temporaries never remain.
#include "archive/commit.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <zstd.h>

#include <filesystem>

#include "archive/object.h"
#include "io/buffer.h"
#include "io/fault_io.h"
#include "io/uring_io.h"
#include "support/objects.h"
#include "support/prerequisite.h"
#include "support/scratch_dir.h"

namespace walpipe::archive {
namespace {

namespace fs = std::filesystem;

std::unique_ptr<io::Io> make_backend(const std::string& kind) {
  if (kind == "sync") return std::make_unique<io::SyncIo>();
  std::string why;
  auto uring = io::UringIo::create(&why);
  return uring ? std::unique_ptr<io::Io>(std::move(uring)) : nullptr;
}

// A valid object for a history file of `fill` bytes.
io::AlignedBuffer make_object(const wal::WalFileName& name, std::byte fill, Fingerprint* fp) {
  std::vector<std::byte> data(5000, fill);
  ObjectMetadata m;
  m.name = name.to_string();
  m.original_size = data.size();
  m.fingerprint = fingerprint_of(data);
  m.frame_input_size = 1 << 20;
  std::vector<std::byte> frame(data.size() + 100);
  size_t n = ZSTD_compress(frame.data(), frame.size(), data.data(), data.size(), 1);
  frame.resize(n);
  m.frame_sizes = {static_cast<uint32_t>(n)};
  io::AlignedBuffer out = testing::assemble_object(m, {Bytes(frame.data(), frame.size())});
  *fp = m.fingerprint;
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
  auto outcome = commit_object(*backend_, layout, name_, object.span(), fp);
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
  ASSERT_TRUE(commit_object(*backend_, layout, name_, object.span(), fp).is_ok());
  auto before = fs::last_write_time(layout.object_path(name_));
  auto again = commit_object(*backend_, layout, name_, object.span(), fp);
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
  ASSERT_TRUE(commit_object(*backend_, layout, name_, first.span(), fp1).is_ok());
  auto refused = commit_object(*backend_, layout, name_, second.span(), fp2);
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
      auto outcome = commit_object(faulty, layout, name_, object.span(), fp);
      bool final_exists = fs::exists(layout.object_path(name_));
      if (std::string(op) == "fsync") {
        // The folder fsync comes after the rename: the object is complete but not known
        // durable, so the call must fail and a retry must find and re-sync it.
        ASSERT_FALSE(outcome.is_ok());
        auto retry = commit_object(*backend_, layout, name_, object.span(), fp);
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
  auto outcome = commit_object(faulty, layout, name_, object.span(), fp);
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
  auto outcome = commit_object(faulty, layout, name_, object.span(), fp);
  ASSERT_TRUE(outcome.is_ok()) << outcome.status().to_string();
  EXPECT_EQ(*outcome, CommitOutcome::kWritten);
  EXPECT_EQ(fs::file_size(layout.object_path(name_)), object.size());
  EXPECT_EQ(count_files(layout.tmp_dir()), 0u);
}

// push writes an object in pieces while it is still compressing, its metadata last.
TEST_P(Commit, PiecesInAnyOrderMakeTheObject) {
  Layout layout = ready_archive();
  Fingerprint fp;
  io::AlignedBuffer object = make_object(name_, std::byte{6}, &fp);
  ASSERT_GE(object.size(), 8192u);
  auto writer = ObjectWriter::begin(*backend_, layout, name_);
  ASSERT_TRUE(writer.is_ok()) << writer.status().to_string();
  Bytes all = object.span();
  ASSERT_TRUE(writer->write(4096, all.subspan(4096, all.size() - 8192)).is_ok());
  ASSERT_TRUE(writer->write(0, all.first(4096)).is_ok());
  auto outcome = writer->commit(all.size() - 4096, all.last(4096), fp);
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
  io::AlignedBuffer object = make_object(name_, std::byte{8}, &fp);
  io::FaultIo faulty(make_backend(GetParam()),
                     {io::Fault{"write", 2, io::Fault::Action::kError, EINVAL}});
  auto writer = ObjectWriter::begin(faulty, layout, name_);
  ASSERT_TRUE(writer.is_ok());
  ASSERT_TRUE(writer->write(0, object.span().first(4096)).is_ok());
  auto outcome = writer->commit(4096, object.span().subspan(4096), fp);
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

INSTANTIATE_TEST_SUITE_P(Backends, Commit, ::testing::Values("sync", "io_uring"));

}  // namespace
}  // namespace walpipe::archive
