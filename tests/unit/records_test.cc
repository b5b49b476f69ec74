// Byte-level damage on real segments (docs/style.md practice 13): every change to a record or a
// page header must be reported with the finding code of docs/wal-format.md §14 at the damaged
// place. The expected places come from tests/support/corrupt.h's record locator, which walks the
// segment independently of the engine.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "codec/crc32c.h"
#include "support/corpus.h"
#include "support/corrupt.h"
#include "wal/inspect.h"

namespace walpipe::testing {
namespace {

using wal::Finding;
using wal::Lsn;
using wal::SegmentReport;
using wal::Severity;

constexpr uint8_t kMask = 0x5A;  // flips four bits; see the per-field rules below for why

SegmentReport inspect(const ByteVec& bytes, const std::string& name,
                      const wal::InspectOptions& options = {}) {
  return wal::inspect_segment(Bytes(bytes.data(), bytes.size()), name, options);
}

std::string describe(const SegmentReport& r) {
  std::string out;
  for (const Finding& f : r.findings)
    out += std::string("  ") + wal::severity_name(f.severity) + " " + f.code + " @" +
           std::to_string(f.offset) + " lsn " + wal::format_lsn(f.lsn) + ": " + f.message + "\n";
  return out;
}

const Finding* find_code(const SegmentReport& r, const std::string& code) {
  for (const Finding& f : r.findings)
    if (code == f.code) return &f;
  return nullptr;
}

// The first error must be `code` at `offset`, with the LSN of that byte of the segment.
void expect_first_error(const SegmentReport& r, const std::string& code, uint64_t offset) {
  const Finding* e = r.first_error();
  ASSERT_NE(e, nullptr) << "no error; findings:\n" << describe(r);
  EXPECT_EQ(e->code, code) << describe(r);
  EXPECT_EQ(e->offset, offset) << describe(r);
  EXPECT_EQ(e->lsn, r.segment_start + offset) << describe(r);
  EXPECT_FALSE(r.valid());
}

ByteVec copy_of(const std::string& relative) { return corpus_bytes(relative); }

// ---------------------------------------------------------------------------------------------
// Single-byte sweep over records of real segments.
//
// Rule asserted for a byte of a record at file offset R (the record lies within one page that
// is not the last page, and is not the first record that starts in the file, whose xl_prev can
// only be checked against the previous segment):
//   * body bytes [24, xl_tot_len), xl_xid, xl_info, the two padding bytes and xl_crc: the CRC
//     covers them, so CRC_MISMATCH at R;
//   * xl_rmid: XOR 0x5A maps every built-in id (0–21) into 64–127, which no version accepts,
//     so RMID_INVALID at R;
//   * xl_prev: any change breaks the link to the previous record, so PREV_LINK at R;
//   * xl_tot_len: the new length decides: < 24 RECORD_LEN_SHORT at R; > 1020 MiB
//     RECORD_LEN_HUGE at R; still ending on R's page CRC_MISMATCH at R (the CRC covers other
//     bytes now); running past R's page: the next page does not continue this record, so
//     CONTRECORD_MISSING or CONTRECORD_LENGTH at the start of that next page.
// Every change must make the segment invalid: a full-named archived segment has no open end.
// ---------------------------------------------------------------------------------------------

struct SweepSegment {
  const char* path;
  size_t records;  // how many records to damage; the walk to each costs time proportional to
                   // the records before it, so segments with 15,000 records get fewer
};

class SingleByteSweep : public ::testing::TestWithParam<SweepSegment> {
 protected:
  void SetUp() override {
    WALPIPE_REQUIRE_CORPUS();
    bytes_ = copy_of(GetParam().path);
    name_ = base_name(GetParam().path);
    const size_t count = GetParam().records;
    page_size_ = page_size_of(bytes_);
    std::vector<RecordLocation> all = locate_records(bytes_);
    ASSERT_GT(all.size(), 50u);
    const uint64_t last_page = bytes_.size() - page_size_;
    std::vector<RecordLocation> eligible;
    for (size_t i = 1; i < all.size(); ++i)
      if (all[i].within_one_page && all[i].offset < last_page) eligible.push_back(all[i]);
    ASSERT_GE(eligible.size(), count);
    // Evenly spread over the file, so damage near the start and near the end are both tried.
    for (size_t k = 0; k < count; ++k)
      chosen_.push_back(eligible[k * (eligible.size() - 1) / (count - 1)]);
  }

  // Applies XOR kMask at each record-relative offset produced by `offsets`, inspects, restores,
  // and lets `check` assert on the report.
  template <typename Offsets, typename Check>
  void sweep(Offsets offsets, Check check) {
    size_t tried = 0;
    for (const RecordLocation& rec : chosen_) {
      for (uint32_t rel : offsets(rec)) {
        const uint64_t at = rec.offset + rel;
        const std::byte saved = bytes_[at];
        flip_byte(bytes_, at, kMask);
        SegmentReport r = inspect(bytes_, name_);
        bytes_[at] = saved;
        SCOPED_TRACE(std::string(GetParam().path) + ": record at offset " +
                     std::to_string(rec.offset) + " (" + wal::format_lsn(rec.lsn) +
                     ", xl_tot_len " + std::to_string(rec.tot_len) + "), byte +" +
                     std::to_string(rel));
        ASSERT_FALSE(r.valid()) << describe(r);
        check(rec, rel, r);
        ++tried;
      }
    }
    EXPECT_GT(tried, 0u);
  }

  ByteVec bytes_;
  std::string name_;
  uint32_t page_size_ = 0;
  std::vector<RecordLocation> chosen_;
};

TEST_P(SingleByteSweep, UndamagedSegmentIsValidAndLocatorAgreesWithTheEngine) {
  SegmentReport r = inspect(bytes_, name_);
  EXPECT_TRUE(r.valid()) << describe(r);
  std::vector<RecordLocation> all = locate_records(bytes_);
  EXPECT_EQ(r.record_count, all.size());
  EXPECT_EQ(r.first_record_lsn, all.front().lsn);
  EXPECT_EQ(r.last_record_lsn, all.back().lsn);
}

TEST_P(SingleByteSweep, BodyByteChangeIsCrcMismatchAtThatRecord) {
  sweep(
      [](const RecordLocation& rec) {
        uint32_t body = rec.tot_len - 24;
        return std::vector<uint32_t>{24, 24 + body / 3, 24 + 2 * body / 3, rec.tot_len - 1};
      },
      [](const RecordLocation& rec, uint32_t, const SegmentReport& r) {
        expect_first_error(r, "CRC_MISMATCH", rec.offset);
      });
}

TEST_P(SingleByteSweep, XidInfoPaddingOrCrcChangeIsCrcMismatchAtThatRecord) {
  sweep([](const RecordLocation&) { return std::vector<uint32_t>{4, 7, 16, 18, 19, 20, 23}; },
        [](const RecordLocation& rec, uint32_t, const SegmentReport& r) {
          expect_first_error(r, "CRC_MISMATCH", rec.offset);
        });
}

TEST_P(SingleByteSweep, PrevLinkChangeIsPrevLinkAtThatRecord) {
  sweep(
      [](const RecordLocation&) {
        return std::vector<uint32_t>{8, 9, 11, 12, 15};
      },
      [](const RecordLocation& rec, uint32_t, const SegmentReport& r) {
        expect_first_error(r, "PREV_LINK", rec.offset);
      });
}

TEST_P(SingleByteSweep, RmidChangeIsRmidInvalidAtThatRecord) {
  sweep([](const RecordLocation&) { return std::vector<uint32_t>{17}; },
        [](const RecordLocation& rec, uint32_t, const SegmentReport& r) {
          expect_first_error(r, "RMID_INVALID", rec.offset);
        });
}

TEST_P(SingleByteSweep, TotLenChangeIsCaughtAtThatRecordOrWhereItWouldContinue) {
  const uint32_t page = page_size_;
  sweep(
      [](const RecordLocation&) {
        return std::vector<uint32_t>{0, 1, 2, 3};
      },
      [page](const RecordLocation& rec, uint32_t rel, const SegmentReport& r) {
        uint32_t now = rec.tot_len ^ (uint32_t{kMask} << (8 * rel));
        uint64_t page_end = rec.offset - rec.offset % page + page;
        const Finding* e = r.first_error();
        ASSERT_NE(e, nullptr);
        if (now < 24) {
          expect_first_error(r, "RECORD_LEN_SHORT", rec.offset);
        } else if (now > 1020u * 1024 * 1024) {
          expect_first_error(r, "RECORD_LEN_HUGE", rec.offset);
        } else if (rec.offset + now <= page_end) {
          expect_first_error(r, "CRC_MISMATCH", rec.offset);
        } else {
          std::set<std::string> codes{"CONTRECORD_MISSING", "CONTRECORD_LENGTH"};
          EXPECT_TRUE(codes.count(e->code)) << describe(r);
          EXPECT_EQ(e->offset, page_end) << describe(r);
          EXPECT_EQ(e->lsn, r.segment_start + page_end);
        }
      });
}

INSTANTIATE_TEST_SUITE_P(RealSegments, SingleByteSweep,
                         ::testing::Values(SweepSegment{"pg13/1mb/000000010000000000000026", 5},
                                           SweepSegment{"pg16/1mb/000000010000000000000034", 12},
                                           SweepSegment{"pg17/1mb/000000010000000000000009", 12}),
                         [](const ::testing::TestParamInfo<SweepSegment>& param_info) {
                           return std::string(param_info.param.path).substr(0, 4);
                         });

// ---------------------------------------------------------------------------------------------
// Page header damage on a middle page of pg16 …34: the walk must stop at that page with the
// code of xlogreader's check that fails (docs/wal-format.md §3.5), at the page's own offset.
// ---------------------------------------------------------------------------------------------

constexpr const char* kPg16 = "pg16/1mb/000000010000000000000034";
constexpr const char* kPg16Name = "000000010000000000000034";
constexpr uint64_t kPage = 8192;
constexpr uint64_t kMiddlePage = 64;
constexpr uint64_t kMiddle = kMiddlePage * kPage;

class Pg16SegmentDamage : public ::testing::Test {
 protected:
  void SetUp() override {
    WALPIPE_REQUIRE_CORPUS();
    bytes_ = copy_of(kPg16);
    ASSERT_EQ(page_size_of(bytes_), kPage);
  }
  // A middle page whose first bytes continue a record (or, with `cont` false, that starts
  // with a record of its own).
  uint64_t middle_page_with_contrecord(bool cont) const {
    for (uint64_t p = kMiddlePage; p < bytes_.size() / kPage - 1; ++p)
      if (((get_u16(bytes_, p * kPage + 2) & 0x0001) != 0) == cont) return p * kPage;
    ADD_FAILURE() << "no such page";
    return kMiddle;
  }
  ByteVec bytes_;
};

TEST_F(Pg16SegmentDamage, OtherVersionsMagicIsMagicMixed) {
  set_u16(bytes_, kMiddle, 0xD106);  // PostgreSQL 13's magic inside a 16 segment
  expect_first_error(inspect(bytes_, kPg16Name), "MAGIC_MIXED", kMiddle);
}

// get trusts the XXH3-128 for record contents and skips their CRCs: a changed CRC field goes
// unseen there (what push verified is byte-identical), while the page headers and the record
// structure are still walked.
TEST_F(Pg16SegmentDamage, RecordCrcIsCheckedUnlessTheCallerSaysTheBytesWereChecked) {
  std::vector<RecordLocation> records = locate_records(bytes_);
  ASSERT_GT(records.size(), 10u);
  const RecordLocation& rec = records[records.size() / 2];
  set_u32(bytes_, rec.offset + 20, get_u32(bytes_, rec.offset + 20) ^ 0x5A5A5A5A);
  expect_first_error(inspect(bytes_, kPg16Name), "CRC_MISMATCH", rec.offset);
  wal::InspectOptions trusting;
  trusting.check_record_crc = false;
  SegmentReport r = wal::inspect_segment(bytes_, kPg16Name, trusting);
  EXPECT_TRUE(r.valid()) << r.first_error()->message;
  EXPECT_EQ(r.record_count, records.size());
  set_u64(bytes_, kMiddle + 8, get_u64(bytes_, kMiddle + 8) + kPage);
  expect_first_error(wal::inspect_segment(bytes_, kPg16Name, trusting), "PAGEADDR_MISMATCH",
                     kMiddle);
}

TEST_F(Pg16SegmentDamage, GarbageMagicIsMagicMixed) {
  flip_byte(bytes_, kMiddle + 1, 0xFF);
  expect_first_error(inspect(bytes_, kPg16Name), "MAGIC_MIXED", kMiddle);
}

TEST_F(Pg16SegmentDamage, UndefinedInfoBitIsInfoBits) {
  set_u16(bytes_, kMiddle + 2, get_u16(bytes_, kMiddle + 2) | 0x0010);
  expect_first_error(inspect(bytes_, kPg16Name), "INFO_BITS", kMiddle);
}

TEST_F(Pg16SegmentDamage, WrongPageaddrIsPageaddrMismatch) {
  set_u64(bytes_, kMiddle + 8, get_u64(bytes_, kMiddle + 8) + kPage);
  expect_first_error(inspect(bytes_, kPg16Name), "PAGEADDR_MISMATCH", kMiddle);
}

TEST_F(Pg16SegmentDamage, PageTimelineAboveFileTimelineIsTliAboveFile) {
  set_u32(bytes_, kMiddle + 4, 2);  // the file name says timeline 1
  expect_first_error(inspect(bytes_, kPg16Name), "TLI_ABOVE_FILE", kMiddle);
}

TEST_F(Pg16SegmentDamage, FirstPageTimelineAboveFileTimelineIsTliAboveFileAtOffsetZero) {
  set_u32(bytes_, 4, 2);
  expect_first_error(inspect(bytes_, kPg16Name), "TLI_ABOVE_FILE", 0);
}

TEST_F(Pg16SegmentDamage, PageTimelineBelowEarlierPageIsTliBackwards) {
  // Timeline 2's second segment has timeline 2 on every page; a page of timeline 1 after them
  // is out of sequence.
  ByteVec tl2 = copy_of("pg16/1mb/000000020000000000000056");
  ASSERT_EQ(get_u32(tl2, 4), 2u);
  set_u32(tl2, kMiddle + 4, 1);
  expect_first_error(inspect(tl2, "000000020000000000000056"), "TLI_BACKWARDS", kMiddle);
}

TEST_F(Pg16SegmentDamage, ClearedContrecordFlagIsContrecordMissing) {
  uint64_t page = middle_page_with_contrecord(true);
  set_u16(bytes_, page + 2, get_u16(bytes_, page + 2) & ~0x0001);
  expect_first_error(inspect(bytes_, kPg16Name), "CONTRECORD_MISSING", page);
}

TEST_F(Pg16SegmentDamage, WrongRemLenIsContrecordLength) {
  uint64_t page = middle_page_with_contrecord(true);
  set_u32(bytes_, page + 16, get_u32(bytes_, page + 16) + 8);
  expect_first_error(inspect(bytes_, kPg16Name), "CONTRECORD_LENGTH", page);
}

TEST_F(Pg16SegmentDamage, ContrecordFlagWhereARecordStartsIsContrecordUnexpected) {
  uint64_t page = middle_page_with_contrecord(false);
  set_u16(bytes_, page + 2, get_u16(bytes_, page + 2) | 0x0001);
  set_u32(bytes_, page + 16, 100);
  expect_first_error(inspect(bytes_, kPg16Name), "CONTRECORD_UNEXPECTED", page);
}

TEST_F(Pg16SegmentDamage, NonZeroHeaderPaddingIsOnlyAWarning) {
  set_u32(bytes_, kMiddle + 20, 0xDEADBEEF);
  SegmentReport r = inspect(bytes_, kPg16Name);
  EXPECT_TRUE(r.valid()) << describe(r);
  const Finding* w = find_code(r, "HEADER_PADDING_NONZERO");
  ASSERT_NE(w, nullptr) << describe(r);
  EXPECT_EQ(w->severity, Severity::kWarning);
  EXPECT_EQ(w->offset, kMiddle);
}

TEST_F(Pg16SegmentDamage, RemLenWithoutContrecordFlagIsOnlyAWarning) {
  uint64_t page = middle_page_with_contrecord(false);
  set_u32(bytes_, page + 16, 100);
  SegmentReport r = inspect(bytes_, kPg16Name);
  EXPECT_TRUE(r.valid()) << describe(r);
  const Finding* w = find_code(r, "REMLEN_WITHOUT_FLAG");
  ASSERT_NE(w, nullptr) << describe(r);
  EXPECT_EQ(w->severity, Severity::kWarning);
  EXPECT_EQ(w->offset, page);
}

TEST_F(Pg16SegmentDamage, UnknownMagicOnFirstPageIsMagicUnknown) {
  set_u16(bytes_, 0, 0x1234);
  SegmentReport r = inspect(bytes_, kPg16Name);
  ASSERT_NE(r.first_error(), nullptr);
  EXPECT_STREQ(r.first_error()->code, "MAGIC_UNKNOWN");
  EXPECT_EQ(r.first_error()->offset, 0u);
  EXPECT_FALSE(r.is_wal);
}

TEST_F(Pg16SegmentDamage, FirstPageWithoutLongHeaderIsFirstPageNotLong) {
  set_u16(bytes_, 2, get_u16(bytes_, 2) & ~0x0002);
  SegmentReport r = inspect(bytes_, kPg16Name);
  ASSERT_NE(r.first_error(), nullptr);
  EXPECT_STREQ(r.first_error()->code, "FIRST_PAGE_NOT_LONG");
  EXPECT_EQ(r.first_error()->offset, 0u);
}

TEST_F(Pg16SegmentDamage, UnexpectedSystemIdentifierIsSysidMismatch) {
  wal::InspectOptions options;
  options.expected_system_id = get_u64(bytes_, 24) + 1;
  SegmentReport r = inspect(bytes_, kPg16Name, options);
  ASSERT_NE(r.first_error(), nullptr);
  EXPECT_STREQ(r.first_error()->code, "SYSID_MISMATCH");
  EXPECT_EQ(r.first_error()->offset, 0u);
}

TEST_F(Pg16SegmentDamage, SwappedPagesArePageaddrMismatchAtTheFirstOfThem) {
  swap_pages(bytes_, kMiddlePage, kMiddlePage + 1, kPage);
  expect_first_error(inspect(bytes_, kPg16Name), "PAGEADDR_MISMATCH", kMiddle);
}

// ---------------------------------------------------------------------------------------------
// Whole-file damage: size, zero pages, names.
// ---------------------------------------------------------------------------------------------

TEST_F(Pg16SegmentDamage, FileShorterThanItsSegmentSizeIsFileSize) {
  truncate(bytes_, bytes_.size() - kPage);
  SegmentReport r = inspect(bytes_, kPg16Name);
  ASSERT_NE(r.first_error(), nullptr);
  EXPECT_STREQ(r.first_error()->code, "FILE_SIZE");
  EXPECT_EQ(r.first_error()->offset, 0u);
}

TEST_F(Pg16SegmentDamage, FileShorterThanALongHeaderIsFileSize) {
  truncate(bytes_, 20);
  SegmentReport r = inspect(bytes_, kPg16Name);
  ASSERT_NE(r.first_error(), nullptr);
  EXPECT_STREQ(r.first_error()->code, "FILE_SIZE");
  EXPECT_FALSE(r.is_wal);
}

TEST_F(Pg16SegmentDamage, ZeroPageInsideAFullSegmentIsAnErrorNotEndOfWal) {
  zero_page(bytes_, kMiddlePage, kPage);
  SegmentReport r = inspect(bytes_, kPg16Name);
  expect_first_error(r, "MAGIC_MIXED", kMiddle);
  EXPECT_EQ(find_code(r, "END_OF_WAL"), nullptr);
}

TEST_F(Pg16SegmentDamage, ZeroPagesToTheEndOfAPartialFileAreTheEndOfWal) {
  for (uint64_t p = kMiddlePage; p < bytes_.size() / kPage; ++p) zero_page(bytes_, p, kPage);
  SegmentReport r = inspect(bytes_, std::string(kPg16Name) + ".partial");
  EXPECT_TRUE(r.valid()) << describe(r);
  EXPECT_TRUE(r.open_end);
  const Finding* end = find_code(r, "END_OF_WAL");
  ASSERT_NE(end, nullptr) << describe(r);
  EXPECT_EQ(end->severity, Severity::kInfo);
  EXPECT_EQ(end->offset, kMiddle);
  EXPECT_TRUE(r.end_of_wal.has_value());
}

TEST_F(Pg16SegmentDamage, ZeroPageFollowedByValidPagesInAPartialFileIsAnError) {
  zero_page(bytes_, kMiddlePage, kPage);
  SegmentReport r = inspect(bytes_, std::string(kPg16Name) + ".partial");
  expect_first_error(r, "MAGIC_MIXED", kMiddle);
}

// docs/wal-format.md §7.4 and §14 (CRC_MISMATCH): a bad CRC is a torn tail only for the very last
// record of an open-ended file. Here WAL ends at page 65 (zeros from there on), and the damaged
// record on page 64 is followed by complete, valid records on the same page: corruption.
TEST_F(Pg16SegmentDamage, BadCrcFollowedByValidRecordsOnTheSamePageOfAPartialFileIsAnError) {
  for (uint64_t p = kMiddlePage + 1; p < bytes_.size() / kPage; ++p) zero_page(bytes_, p, kPage);
  std::vector<RecordLocation> on_page;
  for (const RecordLocation& r : records_within_one_page(bytes_))
    if (r.offset / kPage == kMiddlePage) on_page.push_back(r);
  ASSERT_GE(on_page.size(), 3u);
  const RecordLocation& damaged = on_page[on_page.size() / 2];
  flip_byte(bytes_, damaged.offset + damaged.tot_len - 1, 0x01);
  SegmentReport r = inspect(bytes_, std::string(kPg16Name) + ".partial");
  expect_first_error(r, "CRC_MISMATCH", damaged.offset);
}

TEST_F(Pg16SegmentDamage, SegmentUnderAnotherSegmentsNameIsPageaddrMismatchAtOffsetZero) {
  SegmentReport r = inspect(bytes_, "000000010000000000000035");
  ASSERT_NE(r.first_error(), nullptr) << describe(r);
  EXPECT_STREQ(r.first_error()->code, "PAGEADDR_MISMATCH");
  EXPECT_EQ(r.first_error()->offset, 0u);
  EXPECT_EQ(r.first_error()->lsn, 0x3500000u);  // where the name says the file starts
}

// ---------------------------------------------------------------------------------------------
// Damage behind a valid CRC (refix_record_crc): the record-length and fragment checks of
// docs/wal-format.md §4.1 and §5.3 must catch what the CRC no longer can.
// ---------------------------------------------------------------------------------------------

struct BlockRef {
  uint32_t at;  // offset of the block header within the record
  uint8_t id;
  uint8_t fork_flags;
  uint16_t data_len;
};

// The block references of a single-page record whose blocks carry no image (images make the
// header layout version dependent). nullopt for records with images or no block references.
std::optional<std::vector<BlockRef>> plain_block_refs(const ByteVec& seg, const RecordLocation& r) {
  std::vector<BlockRef> refs;
  uint32_t p = 24;
  while (p < r.tot_len) {
    uint8_t id = static_cast<uint8_t>(seg[r.offset + p]);
    if (id == 255 || id == 254) break;
    if (id == 253) {
      p += 3;
      continue;
    }
    if (id == 252) {
      p += 5;
      continue;
    }
    if (id > 32) return std::nullopt;
    BlockRef b{p, id, static_cast<uint8_t>(seg[r.offset + p + 1]), get_u16(seg, r.offset + p + 2)};
    if (b.fork_flags & 0x10) return std::nullopt;
    refs.push_back(b);
    p += 4 + ((b.fork_flags & 0x80) ? 0 : 12) + 4;
  }
  if (refs.empty()) return std::nullopt;
  return refs;
}

class HiddenByValidCrc : public ::testing::Test {
 protected:
  void SetUp() override {
    WALPIPE_REQUIRE_CORPUS();
    bytes_ = copy_of(kPg16);
    // A record from the middle with one plain block reference that carries data and its own
    // relation locator (a heap INSERT or UPDATE); the first records of the file are skipped
    // because the prev-link check of the first one differs (see the sweep).
    for (const RecordLocation& r : records_within_one_page(bytes_)) {
      if (r.offset < kMiddle) continue;
      auto refs = plain_block_refs(bytes_, r);
      if (refs && (*refs)[0].data_len > 0 && !((*refs)[0].fork_flags & 0x80)) {
        one_ = r;
        one_refs_ = *refs;
        break;
      }
    }
    ASSERT_TRUE(one_.has_value());
  }
  void refix(const RecordLocation& r) { ASSERT_TRUE(refix_record_crc(bytes_, r.offset, kPage)); }
  SegmentReport check() { return inspect(bytes_, kPg16Name); }

  ByteVec bytes_;
  std::optional<RecordLocation> one_;
  std::vector<BlockRef> one_refs_;
};

TEST_F(HiddenByValidCrc, RefixingAnUntouchedRecordChangesNothing) {
  ByteVec before = bytes_;
  refix(*one_);
  EXPECT_EQ(bytes_, before);
  EXPECT_TRUE(check().valid());
}

TEST_F(HiddenByValidCrc, BlockIdAbove32IsFragmentBlockId) {
  bytes_[one_->offset + one_refs_[0].at] = std::byte{40};
  refix(*one_);
  expect_first_error(check(), "FRAGMENT_BLOCK_ID", one_->offset);
}

// Multi-block records are rare in pgbench -T; the pgbench -i segment …09 is full of
// Heap2/VISIBLE records with block references 0 (visibility map) and 1 (heap page).
TEST(HiddenByValidCrcOrder, RepeatedBlockIdIsFragmentOrder) {
  WALPIPE_REQUIRE_CORPUS();
  ByteVec seg = copy_of("pg16/1mb/000000010000000000000009");
  std::optional<RecordLocation> two;
  std::vector<BlockRef> refs;
  for (const RecordLocation& r : records_within_one_page(seg)) {
    auto found = plain_block_refs(seg, r);
    if (r.offset >= kMiddle && found && found->size() >= 2) {
      two = r;
      refs = *found;
      break;
    }
  }
  ASSERT_TRUE(two.has_value());
  seg[two->offset + refs[1].at] = static_cast<std::byte>(refs[0].id);
  ASSERT_TRUE(refix_record_crc(seg, two->offset, kPage));
  expect_first_error(inspect(seg, "000000010000000000000009"), "FRAGMENT_ORDER", two->offset);
}

// A full-page image whose hole description contradicts its flags (docs/wal-format.md §5.4).
TEST(HiddenByValidCrcImage, ImageHoleContradictingItsFlagsIsFragmentImage) {
  WALPIPE_REQUIRE_CORPUS();
  ByteVec seg = copy_of("pg16/1mb/000000010000000000000036");
  std::optional<RecordLocation> rec;
  for (const RecordLocation& r : records_within_one_page(seg)) {
    uint8_t id = static_cast<uint8_t>(seg[r.offset + 24]);
    uint8_t flags = static_cast<uint8_t>(seg[r.offset + 25]);
    if (id <= 32 && (flags & 0x10)) {
      rec = r;
      break;
    }
  }
  ASSERT_TRUE(rec.has_value());
  const uint64_t image = rec->offset + 28;  // length, hole_offset, bimg_info
  const bool has_hole = (static_cast<uint8_t>(seg[image + 4]) & 0x01) != 0;
  // With a hole its offset must be > 0; without one it must be 0.
  set_u16(seg, image + 2, has_hole ? 0 : 1);
  ASSERT_TRUE(refix_record_crc(seg, rec->offset, kPage));
  expect_first_error(inspect(seg, "000000010000000000000036"), "FRAGMENT_IMAGE", rec->offset);
}

TEST_F(HiddenByValidCrc, DataLengthWithoutHasDataIsFragmentHasData) {
  flip_byte(bytes_, one_->offset + one_refs_[0].at + 1, 0x20);  // clear BKPBLOCK_HAS_DATA
  refix(*one_);
  expect_first_error(check(), "FRAGMENT_HAS_DATA", one_->offset);
}

TEST_F(HiddenByValidCrc, SameRelOnFirstBlockIsFragmentSameRel) {
  flip_byte(bytes_, one_->offset + one_refs_[0].at + 1, 0x80);
  refix(*one_);
  expect_first_error(check(), "FRAGMENT_SAME_REL", one_->offset);
}

TEST_F(HiddenByValidCrc, BlockDataLengthOneTooLongIsFragmentLength) {
  uint64_t len_at = one_->offset + one_refs_[0].at + 2;
  set_u16(bytes_, len_at, get_u16(bytes_, len_at) + 1);
  refix(*one_);
  expect_first_error(check(), "FRAGMENT_LENGTH", one_->offset);
}

TEST_F(HiddenByValidCrc, TotalLengthEndingInsideABlockHeaderIsFragmentTruncated) {
  set_u32(bytes_, one_->offset, 24 + 2);  // id and half of the block header
  refix(*one_);
  expect_first_error(check(), "FRAGMENT_TRUNCATED", one_->offset);
}

TEST_F(HiddenByValidCrc, TotalLengthBelowHeaderSizeIsRecordLenShort) {
  set_u32(bytes_, one_->offset, 16);
  expect_first_error(check(), "RECORD_LEN_SHORT", one_->offset);
}

TEST_F(HiddenByValidCrc, ZeroTotalLengthInsideAFullSegmentIsRecordLenZeroError) {
  set_u32(bytes_, one_->offset, 0);
  expect_first_error(check(), "RECORD_LEN_ZERO", one_->offset);
}

TEST_F(HiddenByValidCrc, PrevLinkToAnEarlierRecordIsPrevLinkEvenWithAValidCrc) {
  set_u64(bytes_, one_->offset + 8, get_u64(bytes_, one_->offset + 8) - 8);
  refix(*one_);
  expect_first_error(check(), "PREV_LINK", one_->offset);
}

// ---------------------------------------------------------------------------------------------
// docs/wal-format.md §6.3/§6.4: the worked example, rebuilt as a 16 MiB PG 15 segment.
// ---------------------------------------------------------------------------------------------

// The first 0x70 bytes of 000000010000000000000002, exactly as the §6.4 hexdump shows them.
const uint8_t kWorkedExamplePage[0x70] = {
    0x10, 0xd1, 0x06, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xb7, 0x9a, 0x56, 0xbf, 0x55, 0xaf, 0x05, 0x6b,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x20, 0x00, 0x00, 0x41, 0x00, 0x00, 0x00, 0xdf, 0x02, 0x00, 0x00,
    0xe0, 0x75, 0x86, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x00, 0xcc, 0xd2, 0x5e, 0x97,
    0x00, 0x20, 0x10, 0x00, 0x7f, 0x06, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x04, 0x40, 0x00, 0x00,
    0x58, 0x01, 0x00, 0x00, 0xff, 0x03, 0x02, 0x00, 0x02, 0x08, 0x18, 0x00, 0x01, 0x00, 0x00, 0x00,
    0x0d, 0x68, 0x65, 0x6c, 0x6c, 0x6f, 0x31, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};
constexpr const char* kWorkedExampleName = "000000010000000000000002";

ByteVec worked_example_segment() {
  ByteVec seg(16u << 20);
  std::memcpy(seg.data(), kWorkedExamplePage, sizeof kWorkedExamplePage);
  return seg;
}

// Appends an XLOG_SWITCH record at `offset` whose xl_prev is `prev`, with a correct CRC.
void put_switch_record(ByteVec& seg, uint64_t offset, Lsn prev, uint32_t page_size) {
  set_u32(seg, offset, 24);
  set_u32(seg, offset + 4, 0);
  set_u64(seg, offset + 8, prev);
  set_bytes(seg, offset + 16, {0x40, 0x00, 0x00, 0x00});
  ASSERT_TRUE(refix_record_crc(seg, offset, page_size));
}

TEST(WorkedExample, RecordCrcIsTheValueOfSection6_2) {
  const std::byte* record = reinterpret_cast<const std::byte*>(kWorkedExamplePage + 0x28);
  EXPECT_EQ(record_crc(record, 65), 0x975ED2CCu);
  // The engine's CRC, fed in the §6.2 order, agrees with the independent one.
  uint32_t reg = crc32c::extend(crc32c::kInit, Bytes(record + 24, 65 - 24));
  reg = crc32c::extend(reg, Bytes(record, 20));
  EXPECT_EQ(crc32c::finish(reg), 0x975ED2CCu);
}

TEST(WorkedExample, SwitchRecordCrcCoversOnlyTheHeader) {
  const uint8_t sw[24] = {0x18, 0x00, 0x00, 0x00, 0xdf, 0x02, 0x00, 0x00, 0x40, 0x75, 0x86, 0x01,
                          0x00, 0x00, 0x00, 0x00, 0x40, 0x00, 0x00, 0x00, 0x50, 0x5c, 0xca, 0xb0};
  EXPECT_EQ(record_crc(reinterpret_cast<const std::byte*>(sw), 24), 0xB0CA5C50u);
}

TEST(WorkedExample, PartialSegmentEndingAfterTheRecordIsValidWithOneRecord) {
  ByteVec seg = worked_example_segment();
  SegmentReport r = inspect(seg, std::string(kWorkedExampleName) + ".partial");
  EXPECT_TRUE(r.valid()) << describe(r);
  EXPECT_EQ(r.version, "15");
  EXPECT_EQ(r.system_id, 0x6B05AF55BF569AB7u);
  EXPECT_EQ(r.record_count, 1u);
  EXPECT_EQ(r.first_record_lsn, 0x2000028u);
  EXPECT_EQ(r.end_lsn, 0x2000070u);
  const Finding* end = find_code(r, "END_OF_WAL");
  ASSERT_NE(end, nullptr) << describe(r);
  EXPECT_EQ(end->offset, 0x70u);
}

TEST(WorkedExample, FullSegmentEndingAfterTheRecordIsIncomplete) {
  ByteVec seg = worked_example_segment();
  expect_first_error(inspect(seg, kWorkedExampleName), "RECORD_LEN_ZERO", 0x70);
}

TEST(WorkedExample, FullSegmentClosedByASwitchRecordIsValid) {
  ByteVec seg = worked_example_segment();
  put_switch_record(seg, 0x70, 0x2000028, 8192);
  SegmentReport r = inspect(seg, kWorkedExampleName);
  EXPECT_TRUE(r.valid()) << describe(r);
  EXPECT_EQ(r.record_count, 2u);
  EXPECT_TRUE(r.ends_with_switch);
  EXPECT_EQ(r.last_record_lsn, 0x2000070u);
}

TEST(WorkedExample, FlippedCrcByteIsCrcMismatch) {
  ByteVec seg = worked_example_segment();
  put_switch_record(seg, 0x70, 0x2000028, 8192);
  flip_byte(seg, 0x28 + 20, 0x01);
  expect_first_error(inspect(seg, kWorkedExampleName), "CRC_MISMATCH", 0x28);
}

// In a .partial the same damage on the last record is a torn write at the end of WAL (§7.4).
TEST(WorkedExample, BadCrcOfTheLastRecordOfAPartialFileIsTheEndOfWal) {
  ByteVec seg = worked_example_segment();
  flip_byte(seg, 0x28 + 20, 0x01);
  SegmentReport r = inspect(seg, std::string(kWorkedExampleName) + ".partial");
  EXPECT_TRUE(r.valid()) << describe(r);
  EXPECT_EQ(r.record_count, 0u);
  const Finding* end = find_code(r, "END_OF_WAL");
  ASSERT_NE(end, nullptr) << describe(r);
  EXPECT_EQ(end->offset, 0x28u);
}

// ---------------------------------------------------------------------------------------------
// docs/wal-format.md §6.5: an overwritten continuation, fabricated inside pg16 …34. A record R that
// crosses from page k into page k+1 is abandoned: page k+1 is rewritten with
// XLP_FIRST_IS_OVERWRITE_CONTRECORD and starts with XLOG_OVERWRITE_CONTRECORD(R), followed by
// an XLOG_SWITCH that closes the segment (the rest is zero, as PG ≥ 11 leaves it).
// ---------------------------------------------------------------------------------------------

class OverwriteContrecord : public ::testing::Test {
 protected:
  void SetUp() override {
    WALPIPE_REQUIRE_CORPUS();
    bytes_ = copy_of(kPg16);
    for (const RecordLocation& r : locate_records(bytes_)) {
      uint64_t in_page = r.offset % kPage;
      if (r.offset > kMiddle && !r.within_one_page && in_page + 24 <= kPage &&
          in_page + r.tot_len < 2 * kPage - 24) {
        abandoned_ = r;
        break;
      }
    }
    ASSERT_TRUE(abandoned_.has_value());
    page_ = abandoned_->offset - abandoned_->offset % kPage + kPage;
    overwrite_at_ = page_ + 24;
    switch_at_ = overwrite_at_ + 48;  // MAXALIGN(42)
    std::fill(bytes_.begin() + page_ + 24, bytes_.end(), std::byte{0});
    set_u16(bytes_, page_ + 2, 0x0004 | 0x0008);  // BKP_REMOVABLE | OVERWRITE_CONTRECORD
    set_u32(bytes_, page_ + 16, 0);
    build(abandoned_->lsn, get_u64(bytes_, abandoned_->offset + 8), 0xD0);
  }

  // Writes the OVERWRITE_CONTRECORD record (42 bytes: header, ff 10, LSN, timestamp) and the
  // switch record after it.
  void build(Lsn overwritten, Lsn prev, uint8_t info) {
    set_u32(bytes_, overwrite_at_, 42);
    set_u32(bytes_, overwrite_at_ + 4, 0);
    set_u64(bytes_, overwrite_at_ + 8, prev);
    set_bytes(bytes_, overwrite_at_ + 16, {info, 0x00, 0x00, 0x00});
    set_bytes(bytes_, overwrite_at_ + 24, {0xff, 0x10});
    set_u64(bytes_, overwrite_at_ + 26, overwritten);
    set_u64(bytes_, overwrite_at_ + 34, 848505256000000);  // a TimestampTz in 2026
    ASSERT_TRUE(refix_record_crc(bytes_, overwrite_at_, kPage));
    put_switch_record(bytes_, switch_at_, lsn(overwrite_at_), kPage);
  }
  Lsn lsn(uint64_t offset) const { return 0x3400000 + offset; }

  ByteVec bytes_;
  std::optional<RecordLocation> abandoned_;
  uint64_t page_ = 0, overwrite_at_ = 0, switch_at_ = 0;
};

TEST_F(OverwriteContrecord, AbandonedRecordFollowedByItsOverwriteIsValid) {
  SegmentReport r = inspect(bytes_, kPg16Name);
  EXPECT_TRUE(r.valid()) << describe(r);
  const Finding* abandoned = find_code(r, "ABANDONED_RECORD");
  ASSERT_NE(abandoned, nullptr) << describe(r);
  EXPECT_EQ(abandoned->severity, Severity::kInfo);
  EXPECT_EQ(abandoned->offset, abandoned_->offset);
  EXPECT_EQ(abandoned->lsn, abandoned_->lsn);
  EXPECT_TRUE(r.ends_with_switch);
  EXPECT_EQ(r.last_record_lsn, lsn(switch_at_));
}

TEST_F(OverwriteContrecord, OverwrittenLsnNotTheAbandonedRecordIsOverwriteRecord) {
  build(abandoned_->lsn + 8, get_u64(bytes_, abandoned_->offset + 8), 0xD0);
  expect_first_error(inspect(bytes_, kPg16Name), "OVERWRITE_RECORD", overwrite_at_);
}

TEST_F(OverwriteContrecord, OverwritePageNotStartingWithOverwriteRecordIsOverwriteRecord) {
  build(abandoned_->lsn, get_u64(bytes_, abandoned_->offset + 8), 0x20);  // XLOG NOOP
  expect_first_error(inspect(bytes_, kPg16Name), "OVERWRITE_RECORD", overwrite_at_);
}

TEST_F(OverwriteContrecord, OverwriteRecordLinkingToTheAbandonedRecordIsPrevLink) {
  // xl_prev must skip the abandoned record: it names the last complete record before it.
  build(abandoned_->lsn, abandoned_->lsn, 0xD0);
  expect_first_error(inspect(bytes_, kPg16Name), "PREV_LINK", overwrite_at_);
}

}  // namespace
}  // namespace walpipe::testing
