// Loading raw and zstd-compressed files must stay within what a WAL file may legally be.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>
#include <zstd.h>

#include "pipeline/file_loader.h"
#include "support/corpus.h"
#include "support/scratch_dir.h"

namespace walpipe::testing {
namespace {

std::vector<std::byte> compress(const std::vector<std::byte>& in, bool with_size = true) {
  std::vector<std::byte> out(ZSTD_compressBound(in.size()));
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, with_size ? 1 : 0);
  size_t n = ZSTD_compress2(cctx, out.data(), out.size(), in.data(), in.size());
  ZSTD_freeCCtx(cctx);
  EXPECT_FALSE(ZSTD_isError(n));
  out.resize(n);
  return out;
}

TEST(Loader, ReadsRawAndCompressedSegmentsIdentically) {
  WALPIPE_REQUIRE_CORPUS();
  const auto& segment = corpus_bytes("pg16/1mb/000000010000000000000034");
  ScratchDir dir;
  pipeline::FileLoader loader;
  auto raw = loader.load(dir.write("000000010000000000000034", segment), false);
  ASSERT_TRUE(raw.is_ok()) << raw.status().to_string();
  EXPECT_FALSE(raw->compressed);
  EXPECT_TRUE(
      std::equal(segment.begin(), segment.end(), loader.data().begin(), loader.data().end()));
  auto zst = loader.load(dir.write("000000010000000000000034.zst", compress(segment)), false);
  ASSERT_TRUE(zst.is_ok()) << zst.status().to_string();
  EXPECT_TRUE(zst->compressed);
  EXPECT_TRUE(
      std::equal(segment.begin(), segment.end(), loader.data().begin(), loader.data().end()));
}

// Found by fuzzing: a malformed 26-byte frame decoded differently once the decompression
// context had been used for a large file (its buffers were kept). A loader serves every file
// of a worker, so each load must start from nothing.
TEST(Loader, WhatAFileIsDoesNotDependOnTheFileLoadedBefore) {
  WALPIPE_REQUIRE_CORPUS();
  const unsigned char malformed[] = {0x28, 0xb5, 0x2f, 0xfd, 0x56, 0x50, 0x00, 0x00, 0x17,
                                     0x4d, 0x02, 0x02, 0x02, 0x02, 0x02, 0x02, 0x02, 0x02,
                                     0x22, 0x02, 0x02, 0x02, 0x02, 0x02, 0x02, 0x20};
  ScratchDir dir;
  std::string odd = dir.write(
      "000000010000000000000002.zst",
      std::vector<std::byte>(reinterpret_cast<const std::byte*>(malformed),
                             reinterpret_cast<const std::byte*>(malformed) + sizeof malformed));
  std::string big = dir.write("00000001000000000000002C.zst",
                              compress(corpus_bytes("pg15/pgbench/00000001000000000000002C")));
  pipeline::FileLoader fresh;
  auto alone = fresh.load(odd, false);
  pipeline::FileLoader used;
  ASSERT_TRUE(used.load(big, false).is_ok());
  auto after = used.load(odd, false);
  ASSERT_EQ(alone.is_ok(), after.is_ok());
  if (!alone.is_ok()) {
    EXPECT_EQ(alone.status().to_string(), after.status().to_string());
  } else {
    EXPECT_TRUE(std::equal(fresh.data().begin(), fresh.data().end(), used.data().begin(),
                           used.data().end()));
  }
}

TEST(Loader, CompressedStreamLongerThanItsSegmentIsRefused) {
  WALPIPE_REQUIRE_CORPUS();
  auto doubled = corpus_bytes("pg16/1mb/000000010000000000000034");
  const auto& segment = corpus_bytes("pg16/1mb/000000010000000000000034");
  doubled.insert(doubled.end(), segment.begin(), segment.end());
  ScratchDir dir;
  pipeline::FileLoader loader;
  auto loaded = loader.load(dir.write("x.zst", compress(doubled, false)), false);
  ASSERT_FALSE(loaded.is_ok());
  EXPECT_EQ(loaded.status().code(), Code::kCorruption);
  EXPECT_NE(loaded.status().message().find("decompresses to more than 1048576 bytes"),
            std::string::npos);
}

TEST(Loader, ZstdBombOfZerosIsNotWalAndStopsEarly) {
  std::vector<std::byte> zeros(64 << 20);
  ScratchDir dir;
  pipeline::FileLoader loader;
  auto loaded =
      loader.load(dir.write("000000010000000000000001.zst", compress(zeros, false)), false);
  // Not WAL: the loader keeps only the first bytes it needed to tell, the inspector says why.
  ASSERT_TRUE(loaded.is_ok());
  EXPECT_LE(loader.data().size(), 128u * 1024);
}

TEST(Loader, TruncatedCompressedStreamIsCorruption) {
  WALPIPE_REQUIRE_CORPUS();
  auto z = compress(corpus_bytes("pg16/1mb/000000010000000000000034"));
  z.resize(z.size() / 2);
  ScratchDir dir;
  pipeline::FileLoader loader;
  auto loaded = loader.load(dir.write("t.zst", z), false);
  ASSERT_FALSE(loaded.is_ok());
  EXPECT_EQ(loaded.status().code(), Code::kCorruption);
}

TEST(Loader, HugeSparseFileIsRefusedWithoutReading) {
  ScratchDir dir;
  std::string path = dir.file("000000010000000000000001");
  int fd = ::open(path.c_str(), O_CREAT | O_WRONLY, 0600);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::ftruncate(fd, 4ll << 30), 0);
  ::close(fd);
  pipeline::FileLoader loader;
  auto loaded = loader.load(path, false);
  ASSERT_FALSE(loaded.is_ok());
  EXPECT_EQ(loaded.status().message(),
            "file \"" + path + "\" is too large to be a WAL segment (4294967296 bytes)");
}

TEST(Loader, MissingFileIsNotFoundWithTheReason) {
  pipeline::FileLoader loader;
  auto loaded = loader.load("/nonexistent/000000010000000000000001", false);
  ASSERT_FALSE(loaded.is_ok());
  EXPECT_EQ(loaded.status().code(), Code::kNotFound);
  EXPECT_EQ(loaded.status().message(),
            "could not open file \"/nonexistent/000000010000000000000001\": No such file or "
            "directory");
}

}  // namespace
}  // namespace walpipe::testing
