#include "archive/object.h"

#include <gtest/gtest.h>
#include <zstd.h>

#include <cstring>

#include "codec/crc32c.h"
#include "codec/zstd_decoder.h"
#include "codec/zstd_frames.h"
#include "io/buffer.h"
#include "pipeline/frame_jobs.h"
#include "pipeline/object_reader.h"
#include "support/corpus.h"
#include "support/frames.h"
#include "support/objects.h"
#include "wal/inspect.h"

namespace walpipe::archive {
namespace {

struct Built {
  ObjectMetadata meta;
  io::AlignedBuffer bytes;
};

Built build(const std::vector<std::byte>& data, const std::string& name, uint32_t frame = 1 << 20) {
  Built b;
  b.meta.name = name;
  b.meta.original_size = data.size();
  b.meta.fingerprint = fingerprint_of(data);
  b.meta.frame_input_size = frame;
  b.meta.first_commit_time = 123;
  b.meta.last_commit_time = 456;
  b.meta.validation_error = "";
  auto frames = testing::compress_frames(data, frame, 1, 2);
  EXPECT_TRUE(frames.is_ok());
  for (Bytes f : frames->frames) b.meta.frame_sizes.push_back(static_cast<uint32_t>(f.size()));
  b.bytes = testing::assemble_object(&b.meta, frames->frames);
  return b;
}

std::vector<std::byte> restore(const ParsedObject& parsed) {
  std::vector<std::byte> out(parsed.meta.original_size);
  Status s = pipeline::decompress_frames(parsed.frames, parsed.meta.frame_input_size, out, 2);
  EXPECT_TRUE(s.is_ok()) << s.to_string();
  return out;
}

TEST(Object, MetadataRoundTripsEveryField) {
  ObjectMetadata m;
  m.flags = kFlagFailedVerification;
  m.name = "000000010000000000000034";
  m.original_size = 1 << 20;
  m.fingerprint = {0x1122334455667788ull, 0x99AABBCCDDEEFF00ull};
  m.frame_input_size = 1 << 20;
  m.frame_sizes = {12345};
  m.wal_magic = 0xD113;
  m.system_id = 7711766861564540605ull;
  m.segment_size = 1 << 20;
  m.page_size = 8192;
  m.timeline = 2;
  m.first_lsn = 1;
  m.last_lsn = 2;
  m.end_lsn = 3;
  m.record_count = 4;
  m.first_commit_time = -5;
  m.last_commit_time = 6;
  m.ends_with_switch = true;
  m.validation_error = "incorrect resource manager data checksum in record at 0/3547BB8";
  auto decoded = decode_metadata(encode_metadata(m));
  ASSERT_TRUE(decoded.is_ok()) << decoded.status().to_string();
  EXPECT_EQ(*decoded, m);
}

TEST(Object, RealSegmentRoundTripsAndIsAlignedPlainZstd) {
  WALPIPE_REQUIRE_CORPUS();
  const auto& data = testing::corpus_bytes("pg16/1mb/000000010000000000000034");
  Built b = build(data, "000000010000000000000034");
  EXPECT_EQ(b.bytes.size() % kObjectAlignment, 0u);
  EXPECT_EQ(b.meta.frame_sizes.size(), 1u);
  auto parsed = parse_object(b.bytes.span(), "x");
  ASSERT_TRUE(parsed.is_ok()) << parsed.status().to_string();
  EXPECT_EQ(parsed->meta, b.meta);
  EXPECT_EQ(restore(*parsed), data);
  // A plain zstd reader skips the metadata and padding frames and gets the segment back.
  std::vector<std::byte> plain(data.size() + 1);
  size_t got = ZSTD_decompress(plain.data(), plain.size(), b.bytes.data(), b.bytes.size());
  ASSERT_FALSE(ZSTD_isError(got)) << ZSTD_getErrorName(got);
  plain.resize(got);
  EXPECT_EQ(plain, data);
}

// push lays the object out in the buffer its frames were compressed into, and writes the
// frames before the metadata exists: the result must be byte for byte a separate assembly.
TEST(Object, AssemblyInPlaceEqualsAssemblyIntoAnotherBuffer) {
  WALPIPE_REQUIRE_CORPUS();
  // A 16 MiB segment: 16 frames to move, each compressed far smaller than its slot.
  const auto& data = testing::corpus_bytes("pg15/pgbench/00000001000000000000002C");
  Built separate = build(data, "00000001000000000000002C");
  ASSERT_EQ(separate.meta.frame_sizes.size(), 16u);
  const size_t head = data_offset(16);
  pipeline::CompressorPool pool(2, 1);
  pipeline::FrameCompression compression(data, 1 << 20, pool, head);
  auto sizes = compression.finish();
  ASSERT_TRUE(sizes.is_ok());
  EXPECT_EQ(*sizes, separate.meta.frame_sizes);
  io::AlignedBuffer& buffer = compression.buffer();
  size_t frames_end = compression.wait_until_placed(SIZE_MAX);
  write_metadata_block(separate.meta, buffer.span().first(head));
  size_t size = write_padding(buffer.span(), frames_end);
  ASSERT_EQ(size, separate.bytes.size());
  EXPECT_EQ(std::memcmp(buffer.data(), separate.bytes.data(), size), 0);
  auto parsed = parse_object(Bytes(buffer.data(), size), "x");
  ASSERT_TRUE(parsed.is_ok()) << parsed.status().to_string();
  EXPECT_EQ(restore(*parsed), data);
}

// The metadata frame is padded to where the data frames start, whatever it holds.
TEST(Object, MetadataBlockFitsTheLongestNameAndError) {
  for (size_t frames : {size_t{1}, size_t{16}, size_t{kMaxDataFrames}}) {
    ObjectMetadata m;
    m.name = std::string(kMaxNameLength, 'A');
    m.validation_error = std::string(kMaxValidationErrorLength + 100, 'e');
    m.frame_sizes.assign(frames, 77);
    std::vector<std::byte> block(data_offset(frames));
    EXPECT_EQ(block.size() % kObjectAlignment, 0u);
    write_metadata_block(m, block);
    auto frame = zstd::read_skippable(block);
    ASSERT_TRUE(frame.is_ok());
    EXPECT_EQ(zstd::kSkippableHeaderSize + frame->payload.size(), block.size());
    auto decoded = decode_metadata(frame->payload);
    ASSERT_TRUE(decoded.is_ok()) << decoded.status().to_string();
    EXPECT_EQ(decoded->frame_sizes.size(), frames);
    EXPECT_EQ(decoded->validation_error.size(), kMaxValidationErrorLength);
  }
}

// Objects of the first format (no filler in the metadata) are still read.
TEST(Object, VersionOneMetadataIsStillRead) {
  ObjectMetadata m;
  m.format_version = 1;
  m.name = "000000010000000000000034";
  m.frame_sizes = {1, 2};
  auto decoded = decode_metadata(encode_metadata(m));
  ASSERT_TRUE(decoded.is_ok()) << decoded.status().to_string();
  EXPECT_EQ(*decoded, m);
}

TEST(Object, NonZeroFillerIsRefused) {
  ObjectMetadata m;
  m.name = "000000010000000000000034";
  auto payload = encode_metadata(m, 512);
  ASSERT_EQ(payload.size(), 512u);
  payload[500] = std::byte{1};
  // Keep the checksum right: only the filler rule can refuse it.
  uint32_t crc = crc32c::of(Bytes(payload.data(), payload.size() - 4));
  std::memcpy(payload.data() + payload.size() - 4, &crc, 4);
  EXPECT_FALSE(decode_metadata(payload).is_ok());
}

TEST(Object, EveryDamagedByteOfTheHeadIsDetected) {
  std::vector<std::byte> data(100000, std::byte{7});
  Built b = build(data, "00000002.history");
  const size_t head = data_offset(b.meta.frame_sizes.size());
  for (size_t i = 0; i < head; ++i) {
    b.bytes.data()[i] ^= std::byte{0x40};
    auto parsed = parse_object(b.bytes.span(), "x");
    EXPECT_FALSE(parsed.is_ok()) << "byte " << i;
    b.bytes.data()[i] ^= std::byte{0x40};
  }
}

TEST(Object, DamagedDataFrameFailsToDecodeOrHash) {
  std::vector<std::byte> data(3u << 20);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::byte>(i * 7 + i / 1000);
  Built b = build(data, "000000010000000000000001");
  const size_t head = data_offset(b.meta.frame_sizes.size());
  b.bytes.data()[head + b.meta.frame_sizes[0] / 2] ^= std::byte{0xFF};
  auto parsed = parse_object(b.bytes.span(), "x");
  if (!parsed.is_ok()) return;  // a frame boundary moved: detected at parse time
  std::vector<std::byte> out(parsed->meta.original_size);
  Status s = pipeline::decompress_frames(parsed->frames, parsed->meta.frame_input_size, out, 1);
  EXPECT_TRUE(!s.is_ok() || fingerprint_of(out) != parsed->meta.fingerprint);
}

TEST(Object, TruncationAndTrailingBytesAreRefused) {
  std::vector<std::byte> data(50000, std::byte{1});
  Built b = build(data, "00000002.history");
  for (size_t cut :
       {size_t{0}, size_t{7}, size_t{100}, b.bytes.size() - 4096, b.bytes.size() - 1}) {
    auto parsed = parse_object(b.bytes.span().first(cut), "x");
    EXPECT_FALSE(parsed.is_ok()) << cut;
  }
  std::vector<std::byte> longer(b.bytes.span().begin(), b.bytes.span().end());
  longer.resize(longer.size() + 16);
  auto parsed = parse_object(longer, "x");
  ASSERT_FALSE(parsed.is_ok());
  EXPECT_EQ(parsed.status().message(),
            "archive object \"x\" is corrupt: it has data after its padding frame");
}

TEST(Object, UnknownFlagsAndVersionsAreUnsupportedNotMisread) {
  ObjectMetadata m;
  m.name = "00000002.history";
  m.flags = 1u << 7;
  auto decoded = decode_metadata(encode_metadata(m));
  ASSERT_FALSE(decoded.is_ok());
  EXPECT_EQ(decoded.status().code(), Code::kUnsupported);
  m.flags = 0;
  m.format_version = kObjectFormatVersion + 1;
  decoded = decode_metadata(encode_metadata(m));
  ASSERT_FALSE(decoded.is_ok());
  EXPECT_EQ(decoded.status().code(), Code::kUnsupported);
}

TEST(Object, LyingFrameContentSizeCannotOverflowTheOutput) {
  // A frame that declares more bytes than its slice is refused before decoding.
  std::vector<std::byte> big(200000, std::byte{0});
  auto frames = testing::compress_frames(big, 200000, 1, 1);
  ASSERT_TRUE(frames.is_ok());
  std::vector<std::byte> out(100000);
  zstd::Decoder d;
  Status s = d.decode_frame(frames->frames[0], out);
  ASSERT_FALSE(s.is_ok());
  EXPECT_EQ(s.code(), Code::kCorruption);
}

}  // namespace
}  // namespace walpipe::archive
