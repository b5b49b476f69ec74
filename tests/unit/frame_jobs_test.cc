// Frames compressed on a shared pool and laid out in place while they are still being produced.
#include "pipeline/frame_jobs.h"

#include <gtest/gtest.h>

#include <cstring>

#include "pipeline/object_reader.h"
#include "support/corpus.h"
#include "support/frames.h"

namespace walpipe::pipeline {
namespace {

using testing::FrameSet;

std::vector<std::byte> restore(const FrameSet& set, size_t size) {
  std::vector<std::byte> out(size);
  Status s = decompress_frames(set.frames, 1 << 20, out, 2);
  EXPECT_TRUE(s.is_ok()) << s.to_string();
  return out;
}

// What push writes out while compression goes on must be what the object finally holds.
TEST(FrameCompression, BytesBeforeThePlacedEndNeverChange) {
  WALPIPE_REQUIRE_CORPUS();
  const auto& data = testing::corpus_bytes("pg15/pgbench/00000001000000000000002C");
  CompressorPool pool(2, -1);
  constexpr size_t kFirst = 8192;
  FrameCompression compression(data, 1 << 20, pool, kFirst);
  std::vector<std::byte> seen;  // the final bytes, as they were when they became final
  size_t placed = kFirst;
  for (;;) {
    size_t now = compression.wait_until_placed(placed + 1);
    if (now == placed) break;
    const std::byte* base = compression.buffer().data();
    seen.insert(seen.end(), base + placed, base + now);
    placed = now;
  }
  auto sizes = compression.finish();
  ASSERT_TRUE(sizes.is_ok()) << sizes.status().to_string();
  size_t total = 0;
  for (uint32_t s : *sizes) total += s;
  ASSERT_EQ(seen.size(), total);
  EXPECT_EQ(std::memcmp(seen.data(), compression.buffer().data() + kFirst, total), 0);
  // The input was fingerprinted frame by frame as the frames fell into place.
  EXPECT_EQ(compression.fingerprint(), fingerprint_of(data));

  FrameSet set;
  size_t pos = kFirst;
  for (uint32_t s : *sizes) {
    set.frames.emplace_back(compression.buffer().data() + pos, s);
    pos += s;
  }
  EXPECT_TRUE(restore(set, data.size()) == data);
}

TEST(FrameCompression, TwoFilesOnOnePoolEachGetTheirOwnFrames) {
  WALPIPE_REQUIRE_CORPUS();
  const auto& a = testing::corpus_bytes("pg15/pgbench/00000001000000000000002C");
  const auto& b = testing::corpus_bytes("pg15/pgbench/000000010000000000000040");
  CompressorPool pool(2, -1);
  FrameCompression first(a, 1 << 20, pool, 0);
  FrameCompression second(b, 1 << 20, pool, 0);
  for (auto [c, data] : {std::pair{&first, &a}, std::pair{&second, &b}}) {
    auto sizes = c->finish();
    ASSERT_TRUE(sizes.is_ok());
    FrameSet set;
    size_t pos = 0;
    for (uint32_t s : *sizes) {
      set.frames.emplace_back(c->buffer().data() + pos, s);
      pos += s;
    }
    EXPECT_TRUE(restore(set, data->size()) == *data);
  }
}

// Without the corpus too: a file that is not a whole number of frames (its last frame short) is
// fingerprinted whole, in order, whichever worker places which frame.
TEST(FrameCompression, FingerprintCoversEveryFrameInOrder) {
  std::vector<std::byte> data(3 * 65536 + 1234);
  for (size_t i = 0; i < data.size(); ++i)
    data[i] = static_cast<std::byte>((i * 2654435761u) >> 13);
  CompressorPool pool(3, 1);
  FrameCompression compression(data, 65536, pool, 4096);
  auto sizes = compression.finish();
  ASSERT_TRUE(sizes.is_ok()) << sizes.status().to_string();
  ASSERT_EQ(sizes->size(), 4u);
  EXPECT_EQ(compression.fingerprint(), fingerprint_of(data));
  FrameSet set;
  size_t pos = 4096;
  for (uint32_t s : *sizes) {
    set.frames.emplace_back(compression.buffer().data() + pos, s);
    pos += s;
  }
  std::vector<std::byte> out(data.size());
  ASSERT_TRUE(decompress_frames(set.frames, 65536, out, 2).is_ok());
  EXPECT_TRUE(out == data);
}

// A push that fails while its frames compress abandons them: the rest are skipped and finish()
// says the frames are incomplete, instead of handing out a partial set.
TEST(FrameCompression, CancelledCompressionIsReportedIncomplete) {
  WALPIPE_REQUIRE_CORPUS();
  const auto& data = testing::corpus_bytes("pg15/pgbench/00000001000000000000002C");
  CompressorPool pool(1, -1);
  FrameCompression compression(data, 1 << 20, pool, 0);
  compression.cancel();
  auto sizes = compression.finish();
  ASSERT_FALSE(sizes.is_ok());
  EXPECT_EQ(sizes.status().message(), "compression was stopped before its end");
}

}  // namespace
}  // namespace walpipe::pipeline
