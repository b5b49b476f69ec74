// The io_uring backend against real files: more work than the ring holds, and completions that
// report short or failed I/O, which the kernel rarely produces on demand.
#include "io/uring_io.h"

#include <fcntl.h>
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <iterator>

#include "io/buffer.h"
#include "support/prerequisite.h"
#include "support/scratch_dir.h"

namespace walpipe::io {
namespace {

class Uring : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    io_ = UringIo::create(&why);
    if (!io_) WALPIPE_SKIP() << why;
    data_.resize(40u << 20);  // more 1 MiB chunks than the 32-entry ring
    for (size_t i = 0; i < data_.size(); i += 8) std::memcpy(data_.data() + i, &i, sizeof i);
  }

  std::vector<std::byte> read_back(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::vector<char> raw((std::istreambuf_iterator<char>(in)), {});
    return std::vector<std::byte>(reinterpret_cast<std::byte*>(raw.data()),
                                  reinterpret_cast<std::byte*>(raw.data()) + raw.size());
  }

  Status write(const std::string& path) {
    Result<Fd> fd = io_->open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (!fd.is_ok()) return std::move(fd).take_status();
    return io_->write_durably(*fd, 0, data_.span(), path);
  }

  // Writes data_ to `path` and reads it back whole, with read_back and with read_exact.
  void expect_round_trip(const std::string& path) {
    ASSERT_TRUE(write(path).is_ok());
    auto back = read_back(path);
    ASSERT_EQ(back.size(), data_.size());
    EXPECT_EQ(std::memcmp(back.data(), data_.data(), back.size()), 0);
    AlignedBuffer in(data_.size());
    Result<Fd> fd = io_->open(path, O_RDONLY, 0);
    ASSERT_TRUE(fd.is_ok());
    ASSERT_TRUE(io_->read_exact(*fd, 0, in.span(), path).is_ok());
    EXPECT_EQ(std::memcmp(in.data(), data_.data(), in.size()), 0);
  }

  std::unique_ptr<UringIo> io_;
  AlignedBuffer data_;
  testing::ScratchDir dir_;
};

TEST_F(Uring, WritesAndReadsMoreThanTheRingHolds) {
  std::string path = dir_.file("big");
  ASSERT_NO_FATAL_FAILURE(expect_round_trip(path));
}

TEST_F(Uring, ShortCompletionsAreResubmittedNotTakenAsDone) {
  int calls = 0;
  io_->set_completion_filter(
      [&](int res) { return ++calls % 3 == 0 && res > 4096 ? res / 2 : res; });
  std::string path = dir_.file("short");
  ASSERT_NO_FATAL_FAILURE(expect_round_trip(path));
  EXPECT_GT(calls, 40);
}

TEST_F(Uring, AFailedWriteCompletionFailsTheWriteWithItsReason) {
  int calls = 0;
  io_->set_completion_filter([&](int res) { return ++calls == 5 ? -EIO : res; });
  Status s = write(dir_.file("eio"));
  ASSERT_FALSE(s.is_ok());
  EXPECT_EQ(s.message(), "could not write file \"" + dir_.file("eio") + "\": Input/output error");
}

TEST_F(Uring, NoSpaceIsReportedAsSuch) {
  io_->set_completion_filter([](int) { return -ENOSPC; });
  Status s = write(dir_.file("full"));
  ASSERT_FALSE(s.is_ok());
  EXPECT_EQ(s.code(), Code::kNoSpace);
}

// An object goes out in pieces at their offsets (O_DIRECT: through the ring), before its last
// one is synced.
TEST_F(Uring, PiecesAtOffsetsWithShortCompletionsMakeTheWholeFile) {
  int calls = 0;
  io_->set_completion_filter(
      [&](int res) { return ++calls % 4 == 0 && res > 8192 ? res / 8192 * 4096 : res; });
  std::string path = dir_.file("pieces");
  Result<Fd> fd = io_->open(path, O_WRONLY | O_CREAT | O_TRUNC | O_DIRECT, 0600);
  if (!fd.is_ok()) WALPIPE_SKIP() << fd.status().to_string();  // O_DIRECT refused here
  const size_t piece = 3u << 20;
  Bytes all = data_.span().first(13u << 20);  // four whole pieces and a shorter last one
  const size_t last = all.size() / piece * piece;
  for (size_t at = piece; at < last; at += piece)
    ASSERT_TRUE(io_->write_at(*fd, at, all.subspan(at, piece), path).is_ok());
  ASSERT_TRUE(io_->write_at(*fd, 0, all.first(piece), path).is_ok());
  ASSERT_TRUE(io_->write_durably(*fd, last, all.subspan(last), path).is_ok());
  auto back = read_back(path);
  ASSERT_EQ(back.size(), all.size());
  EXPECT_EQ(std::memcmp(back.data(), all.data(), back.size()), 0);
  EXPECT_GT(calls, 12);
}

// A piece whose completion fails keeps its reason; one that completes with nothing written
// fails too, instead of being resubmitted for ever.
TEST_F(Uring, APieceThatFailsOrMakesNoProgressFails) {
  for (auto [result, reason] :
       {std::pair{-EIO, "Input/output error"}, std::pair{0, "no progress"}}) {
    io_->set_completion_filter([result = result](int) { return result; });
    std::string path = dir_.file("stuck" + std::to_string(result));
    Result<Fd> fd = io_->open(path, O_WRONLY | O_CREAT | O_TRUNC | O_DIRECT, 0600);
    if (!fd.is_ok()) WALPIPE_SKIP() << fd.status().to_string();
    Status s = io_->write_at(*fd, 4096, data_.span().first(8192), path);
    ASSERT_FALSE(s.is_ok());
    EXPECT_EQ(s.message(), "could not write file \"" + path + "\": " + reason);
    EXPECT_FALSE(io_->write_durably(*fd, 0, data_.span().first(8192), path).is_ok());
  }
}

TEST_F(Uring, ReadPastTheEndIsCorruptionNotALoop) {
  std::string path = dir_.write("small", std::string(1000, 'x'));
  AlignedBuffer in(8192);
  Result<Fd> fd = io_->open(path, O_RDONLY, 0);
  ASSERT_TRUE(fd.is_ok());
  Status s = io_->read_exact(*fd, 0, in.span(), path);
  ASSERT_FALSE(s.is_ok());
  EXPECT_EQ(s.code(), Code::kCorruption);
}

}  // namespace
}  // namespace walpipe::io
