#include "wal/names.h"

#include <gtest/gtest.h>

#include "wal/lsn.h"

namespace walpipe::wal {
namespace {

TEST(Names, ParsesEveryKind) {
  auto seg = parse_file_name("00000001000000A0000000FF");
  ASSERT_TRUE(seg.is_ok());
  EXPECT_EQ(seg->kind, FileKind::kSegment);
  EXPECT_EQ(seg->tli, 1u);
  EXPECT_EQ(seg->log, 0xA0u);
  EXPECT_EQ(seg->seg, 0xFFu);

  auto partial = parse_file_name("000000010000000000000055.partial");
  ASSERT_TRUE(partial.is_ok());
  EXPECT_EQ(partial->kind, FileKind::kPartial);

  auto history = parse_file_name("0000000A.history");
  ASSERT_TRUE(history.is_ok());
  EXPECT_EQ(history->kind, FileKind::kHistory);
  EXPECT_EQ(history->tli, 10u);

  auto backup = parse_file_name("000000010000000000000007.00000028.backup");
  ASSERT_TRUE(backup.is_ok());
  EXPECT_EQ(backup->kind, FileKind::kBackup);
  EXPECT_EQ(backup->backup_offset, 0x28u);
  EXPECT_EQ(backup->segment_name(), "000000010000000000000007");
}

TEST(Names, RefusesHostileAndMalformedNames) {
  for (const char* bad :
       {"", "../../etc/passwd", "/abs/000000010000000000000001", "000000010000000000000001\n",
        "00000001000000000000000a", "0000000100000000000000001", "00000001000000000000000",
        "000000000000000000000001", "00000000.history", "00000001.HISTORY",
        "000000010000000000000001.partial.zst", "000000010000000000000001.0000002.backup",
        "0000000100000000000000010000000100000000000000010000000100000000000000010",
        "00000001 000000000000001", "RECOVERYXLOG"}) {
    auto parsed = parse_file_name(bad);
    EXPECT_FALSE(parsed.is_ok()) << "accepted: " << bad;
    if (!parsed.is_ok()) {
      EXPECT_EQ(parsed.status().code(), Code::kInvalidArgument);
    }
  }
}

TEST(Names, MessageShowsTheNameWithoutControlCharacters) {
  auto parsed = parse_file_name("bad\nname");
  ASSERT_FALSE(parsed.is_ok());
  EXPECT_EQ(parsed.status().message(),
            "invalid WAL file name \"bad?name\": name contains a character other than letters, "
            "digits and dots");
}

TEST(Names, FormatRoundTripsEveryKind) {
  for (const char* name : {"00000001000000A0000000FF", "000000010000000000000055.partial",
                           "0000000A.history", "000000010000000000000007.00000028.backup"}) {
    auto parsed = parse_file_name(name);
    ASSERT_TRUE(parsed.is_ok());
    EXPECT_EQ(parsed->to_string(), name);
  }
}

class SegmentArithmetic : public ::testing::TestWithParam<uint64_t> {};

TEST_P(SegmentArithmetic, SegmentNumbersAndLsnsRoundTrip) {
  const uint64_t seg_size = GetParam();
  ASSERT_TRUE(valid_segment_size(seg_size));
  const uint64_t per_log = segments_per_log(seg_size);
  EXPECT_EQ(per_log * seg_size, 0x100000000ull);
  for (SegNo segno : {SegNo{1}, SegNo{per_log - 1}, SegNo{per_log}, SegNo{per_log * 7 + 3},
                      SegNo{(1ull << 40) / seg_size * 5 + 1}}) {
    WalFileName name = segment_file_name(3, segno, seg_size);
    auto parsed = parse_file_name(name.to_string());
    ASSERT_TRUE(parsed.is_ok());
    EXPECT_EQ(*parsed, name);
    auto back = segno_of(*parsed, seg_size);
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(*back, segno);
    Lsn start = segment_start_lsn(segno, seg_size);
    EXPECT_EQ(segno_containing(start, seg_size), segno);
    EXPECT_EQ(segno_containing(start + seg_size - 1, seg_size), segno);
    EXPECT_EQ(static_cast<uint64_t>(name.log), start >> 32);
  }
  // A seg field PostgreSQL never writes at this size is out of range.
  WalFileName too_far = segment_file_name(1, 0, seg_size);
  too_far.seg = static_cast<uint32_t>(per_log);
  EXPECT_FALSE(segno_of(too_far, seg_size).has_value());
}

INSTANTIATE_TEST_SUITE_P(AllSizes, SegmentArithmetic,
                         ::testing::Values(1ull << 20, 16ull << 20, 64ull << 20, 1ull << 30));

TEST(Names, SegmentSizeValidity) {
  EXPECT_FALSE(valid_segment_size(0));
  EXPECT_FALSE(valid_segment_size(512 * 1024));
  EXPECT_FALSE(valid_segment_size(3 << 20));
  EXPECT_FALSE(valid_segment_size(2ull << 30));
  EXPECT_TRUE(valid_segment_size(1ull << 30));
}

TEST(Names, KnownExamplesFromTheFormatSpec) {
  // docs/wal-format.md §2.1: 000000010000000A000000FF at 16 MiB starts at A/FF000000.
  auto parsed = parse_file_name("000000010000000A000000FF");
  ASSERT_TRUE(parsed.is_ok());
  auto segno = segno_of(*parsed, 16 << 20);
  ASSERT_TRUE(segno.has_value());
  EXPECT_EQ(segment_start_lsn(*segno, 16 << 20), 0xAFF000000ull);
  EXPECT_EQ(format_lsn(segment_start_lsn(*segno, 16 << 20)), "A/FF000000");
}

TEST(Lsn, FormatsAndParsesBothPaddings) {
  EXPECT_EQ(format_lsn(0x1000028), "0/1000028");
  EXPECT_EQ(parse_lsn("0/1000028"), std::optional<Lsn>(0x1000028));
  EXPECT_EQ(parse_lsn("0/01000028"), std::optional<Lsn>(0x1000028));
  EXPECT_EQ(parse_lsn("1F/FFFFFFFF"), std::optional<Lsn>(0x1FFFFFFFFFull));
  EXPECT_FALSE(parse_lsn("0/123456789").has_value());
  EXPECT_FALSE(parse_lsn("01000028").has_value());
  EXPECT_FALSE(parse_lsn("0/").has_value());
  EXPECT_FALSE(parse_lsn("x/1").has_value());
}

}  // namespace
}  // namespace walpipe::wal
