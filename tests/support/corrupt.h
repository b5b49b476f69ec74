// Byte-level damage for tests (docs/style.md practice 13): flip, set, truncate, zero or swap pages
// of a WAL file held in memory, re-fix a record's CRC-32C after an edit so that the damage reaches
// the checks behind the CRC, and a small record locator that walks a segment independently of the
// engine (docs/wal-format.md §3, §4, §8) to say where records lie.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <vector>

namespace walpipe::testing {

using ByteVec = std::vector<std::byte>;

// XORs the byte at `offset` with `mask` (a non-zero mask always changes it).
void flip_byte(ByteVec& bytes, size_t offset, uint8_t mask = 0xFF);

// Overwrites bytes starting at `offset` with `values`.
void set_bytes(ByteVec& bytes, size_t offset, std::initializer_list<uint8_t> values);

// Little-endian field writes and reads, as PostgreSQL stores them on x86-64.
void set_u16(ByteVec& bytes, size_t offset, uint16_t value);
void set_u32(ByteVec& bytes, size_t offset, uint32_t value);
void set_u64(ByteVec& bytes, size_t offset, uint64_t value);
uint16_t get_u16(const ByteVec& bytes, size_t offset);
uint32_t get_u32(const ByteVec& bytes, size_t offset);
uint64_t get_u64(const ByteVec& bytes, size_t offset);

// Shortens (or zero-extends) the file to `size` bytes.
void truncate(ByteVec& bytes, size_t size);

// Sets every byte of page `page_index` to zero, header included.
void zero_page(ByteVec& bytes, size_t page_index, uint32_t page_size);

// Exchanges the contents of two whole pages.
void swap_pages(ByteVec& bytes, size_t page_a, size_t page_b, uint32_t page_size);

// XLOG_BLCKSZ from the long header of page 0 (offset 36).
uint32_t page_size_of(const ByteVec& bytes);

// CRC-32C of a record laid out contiguously (docs/wal-format.md §6.2: bytes [24, xl_tot_len), then
// [0, 20)). Bit-at-a-time, independent of the engine's ISA-L CRC. `record` must hold
// xl_tot_len bytes.
uint32_t record_crc(const std::byte* record, uint32_t tot_len);

// Recomputes and stores xl_crc of the record at `record_file_offset` after an edit, using the
// xl_tot_len now in the bytes. The record must lie within one page (no page header inside it);
// the function aborts the test (ADD_FAILURE, returns false) otherwise.
bool refix_record_crc(ByteVec& bytes, size_t record_file_offset, uint32_t page_size);

struct RecordLocation {
  uint64_t offset = 0;  // file offset of the record header
  uint64_t lsn = 0;     // segment start (page 0's xlp_pageaddr) + offset
  uint32_t tot_len = 0;
  bool within_one_page = false;  // header and body on one page, no page header inside
  uint8_t rmid = 0;              // only meaningful when within_one_page
  uint8_t info = 0;
};

// Walks the segment from page 0 the way docs/wal-format.md §8 describes (skipping a leading
// continuation) and lists every record that starts in the file, up to the end of WAL: a page
// whose magic or pageaddr is wrong, xl_tot_len < 24, an XLOG_SWITCH record (included), or a
// record that runs past the end of the file (excluded). Checks no CRC.
std::vector<RecordLocation> locate_records(const ByteVec& bytes);

// locate_records, keeping only records that lie inside one page.
std::vector<RecordLocation> records_within_one_page(const ByteVec& bytes);

}  // namespace walpipe::testing
