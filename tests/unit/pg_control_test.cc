// wal/pg_control: the system identifier is taken from real pg_control files only after their
// size, version and CRC-32C passed; each refusal says which check failed.
#include "wal/pg_control.h"

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "codec/crc32c.h"
#include "support/corpus.h"
#include "support/files.h"
#include "support/pg_cluster.h"
#include "support/prerequisite.h"

namespace walpipe::testing {
namespace {

using wal::parse_pg_control;
using wal::PgControl;

constexpr uint64_t kCorpusSystemId = 7715451100299471960ull;

std::vector<std::byte> corpus_pg_control() {
  return file_bytes(corpus_dir() + "/pg_control/pg15-initdb");
}

void put_u32(std::vector<std::byte>& bytes, size_t at, uint32_t value) {
  std::memcpy(bytes.data() + at, &value, sizeof value);
}

void fix_crc(std::vector<std::byte>& bytes, size_t crc_at) {
  put_u32(bytes, crc_at, crc32c::of(Bytes(bytes).first(crc_at)));
}

class PgControlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    bytes_ = corpus_pg_control();
    if (bytes_.size() != wal::kPgControlFileSize)
      WALPIPE_SKIP() << "no pg_control in " << corpus_dir() << "/pg_control";
  }
  std::vector<std::byte> bytes_;
};

TEST_F(PgControlTest, RealPostgres15FileGivesItsIdentity) {
  Result<PgControl> parsed = parse_pg_control(bytes_, "global/pg_control");
  ASSERT_TRUE(parsed.is_ok()) << parsed.status().to_string();
  EXPECT_EQ(parsed->system_id, kCorpusSystemId);
  EXPECT_EQ(parsed->control_version, 1300u);
  EXPECT_EQ(parsed->catalog_version, 202209061u);
}

TEST_F(PgControlTest, EverySizeButTheFileSizeIsRefused) {
  for (size_t size : {size_t{0}, size_t{16}, size_t{296}, size_t{8191}, size_t{8193}}) {
    std::vector<std::byte> resized = bytes_;
    resized.resize(size);
    Result<PgControl> parsed = parse_pg_control(resized, "global/pg_control");
    ASSERT_FALSE(parsed.is_ok()) << size;
    EXPECT_EQ(parsed.status().code(), Code::kCorruption);
    EXPECT_EQ(parsed.status().message(), "control file \"global/pg_control\" has " +
                                             std::to_string(size) + " bytes, not 8192");
  }
}

TEST_F(PgControlTest, UnknownVersionIsUnsupportedEvenWithAValidCrc) {
  put_u32(bytes_, 8, 1201);  // PostgreSQL 12
  fix_crc(bytes_, 288);
  Result<PgControl> parsed = parse_pg_control(bytes_, "global/pg_control");
  ASSERT_FALSE(parsed.is_ok());
  EXPECT_EQ(parsed.status().code(), Code::kUnsupported);
  EXPECT_EQ(parsed.status().message(),
            "control file \"global/pg_control\" has pg_control_version 1201, which this walpipe "
            "does not know");
}

TEST_F(PgControlTest, BigEndianFileShowsAsAnUnknownVersion) {
  std::swap(bytes_[8], bytes_[11]);
  std::swap(bytes_[9], bytes_[10]);
  Result<PgControl> parsed = parse_pg_control(bytes_, "global/pg_control");
  ASSERT_FALSE(parsed.is_ok());
  EXPECT_EQ(parsed.status().code(), Code::kUnsupported);
}

TEST_F(PgControlTest, AnyFlippedBitBeforeTheCrcIsCorruption) {
  for (size_t at : {size_t{0}, size_t{7}, size_t{12}, size_t{100}, size_t{287}}) {
    std::vector<std::byte> damaged = bytes_;
    damaged[at] ^= std::byte{0x04};
    Result<PgControl> parsed = parse_pg_control(damaged, "global/pg_control");
    ASSERT_FALSE(parsed.is_ok()) << at;
    EXPECT_EQ(parsed.status().code(), Code::kCorruption);
    EXPECT_EQ(parsed.status().message(),
              "control file \"global/pg_control\" fails its CRC check (pg_control_version 1300)");
  }
  std::vector<std::byte> damaged_crc = bytes_;
  damaged_crc[290] ^= std::byte{0x80};
  EXPECT_FALSE(parse_pg_control(damaged_crc, "global/pg_control").is_ok());
}

TEST_F(PgControlTest, AnotherSystemIdentifierWithItsCrcIsRead) {
  const uint64_t other = 7000000000000000001ull;
  std::memcpy(bytes_.data(), &other, sizeof other);
  EXPECT_FALSE(parse_pg_control(bytes_, "global/pg_control").is_ok());
  fix_crc(bytes_, 288);
  Result<PgControl> parsed = parse_pg_control(bytes_, "global/pg_control");
  ASSERT_TRUE(parsed.is_ok()) << parsed.status().to_string();
  EXPECT_EQ(parsed->system_id, other);
}

// PostgreSQL 17 (1700) keeps 13–16's layout; 18 (1800) moves the CRC 4 bytes on.
TEST_F(PgControlTest, CrcIsReadWhereEachVersionKeepsIt) {
  std::vector<std::byte> v17 = bytes_;
  put_u32(v17, 8, 1700);
  fix_crc(v17, 288);
  EXPECT_TRUE(parse_pg_control(v17, "pg_control").is_ok());

  std::vector<std::byte> v18 = bytes_;
  put_u32(v18, 8, 1800);
  fix_crc(v18, 288);
  EXPECT_FALSE(parse_pg_control(v18, "pg_control").is_ok()) << "1800's CRC is not at 288";
  put_u32(v18, 288, 0);
  fix_crc(v18, 292);
  Result<PgControl> parsed = parse_pg_control(v18, "pg_control");
  ASSERT_TRUE(parsed.is_ok()) << parsed.status().to_string();
  EXPECT_EQ(parsed->control_version, 1800u);
  EXPECT_EQ(parsed->system_id, kCorpusSystemId);
}

// The carried file is one initdb; this one is made now, by the PostgreSQL 15 installed here, and
// read the way pg_controldata reads it.
TEST(PgControlInitdb, FreshClusterMatchesPgControldata) {
  std::string why;
  const std::string bin = pg15_bin_dir(&why);
  if (bin.empty()) WALPIPE_SKIP() << why;
  PgWorkspace workspace;
  PgCluster cluster(workspace, "fresh");
  CommandResult r = cluster.init({"--wal-segsize=1"});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  const std::string path = cluster.data_dir() + "/global/pg_control";
  Result<PgControl> parsed = parse_pg_control(file_bytes(path), path);
  ASSERT_TRUE(parsed.is_ok()) << parsed.status().to_string();
  EXPECT_EQ(parsed->control_version, 1300u);

  r = run_as_postgres({bin + "/pg_controldata", cluster.data_dir()});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  const std::string label = "Database system identifier:";
  size_t at = r.out.find(label);
  ASSERT_NE(at, std::string::npos) << r.out;
  size_t begin = r.out.find_first_not_of(' ', at + label.size());
  std::string reported = r.out.substr(begin, r.out.find('\n', begin) - begin);
  EXPECT_EQ(std::to_string(parsed->system_id), reported);
}

}  // namespace
}  // namespace walpipe::testing
