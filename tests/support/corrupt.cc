#include "support/corrupt.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>

namespace walpipe::testing {

namespace {

// Layout constants restated from docs/wal-format.md rather than taken from the engine, so that the
// locator is a second opinion and not a copy of the code under test.
constexpr uint32_t kShortHeader = 24;
constexpr uint32_t kLongHeader = 40;
constexpr uint16_t kInfoContRecord = 0x0001;
constexpr uint16_t kInfoLongHeader = 0x0002;
constexpr uint32_t kRecordHeader = 24;
constexpr uint32_t kCrcOffset = 20;

uint64_t align8(uint64_t x) { return (x + 7) & ~uint64_t{7}; }

uint32_t header_size_at(const ByteVec& bytes, uint64_t page_offset) {
  return (get_u16(bytes, page_offset + 2) & kInfoLongHeader) ? kLongHeader : kShortHeader;
}

uint32_t crc_extend_bitwise(uint32_t reg, const std::byte* p, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    reg ^= static_cast<uint8_t>(p[i]);
    for (int bit = 0; bit < 8; ++bit) reg = (reg >> 1) ^ (0x82F63B78u & (0u - (reg & 1u)));
  }
  return reg;
}

}  // namespace

void flip_byte(ByteVec& bytes, size_t offset, uint8_t mask) {
  bytes.at(offset) ^= static_cast<std::byte>(mask);
}

void set_bytes(ByteVec& bytes, size_t offset, std::initializer_list<uint8_t> values) {
  for (uint8_t v : values) bytes.at(offset++) = static_cast<std::byte>(v);
}

namespace {
template <typename T>
void store(ByteVec& bytes, size_t offset, T value) {
  if (offset + sizeof(T) > bytes.size()) {
    ADD_FAILURE() << "write past the end at " << offset;
    return;
  }
  std::memcpy(bytes.data() + offset, &value, sizeof(T));
}
template <typename T>
T load(const ByteVec& bytes, size_t offset) {
  T value{};
  if (offset + sizeof(T) > bytes.size()) {
    ADD_FAILURE() << "read past the end at " << offset;
    return value;
  }
  std::memcpy(&value, bytes.data() + offset, sizeof(T));
  return value;
}
}  // namespace

void set_u16(ByteVec& bytes, size_t offset, uint16_t value) { store(bytes, offset, value); }
void set_u32(ByteVec& bytes, size_t offset, uint32_t value) { store(bytes, offset, value); }
void set_u64(ByteVec& bytes, size_t offset, uint64_t value) { store(bytes, offset, value); }
uint16_t get_u16(const ByteVec& bytes, size_t offset) { return load<uint16_t>(bytes, offset); }
uint32_t get_u32(const ByteVec& bytes, size_t offset) { return load<uint32_t>(bytes, offset); }
uint64_t get_u64(const ByteVec& bytes, size_t offset) { return load<uint64_t>(bytes, offset); }

void truncate(ByteVec& bytes, size_t size) { bytes.resize(size); }

void zero_page(ByteVec& bytes, size_t page_index, uint32_t page_size) {
  size_t start = page_index * page_size;
  ASSERT_LE(start + page_size, bytes.size());
  std::fill(bytes.begin() + start, bytes.begin() + start + page_size, std::byte{0});
}

void swap_pages(ByteVec& bytes, size_t page_a, size_t page_b, uint32_t page_size) {
  ASSERT_LE((std::max(page_a, page_b) + 1) * page_size, bytes.size());
  std::swap_ranges(bytes.begin() + page_a * page_size, bytes.begin() + (page_a + 1) * page_size,
                   bytes.begin() + page_b * page_size);
}

uint32_t page_size_of(const ByteVec& bytes) { return get_u32(bytes, 36); }

uint32_t record_crc(const std::byte* record, uint32_t tot_len) {
  uint32_t reg = 0xFFFFFFFFu;
  reg = crc_extend_bitwise(reg, record + kRecordHeader, tot_len - kRecordHeader);
  reg = crc_extend_bitwise(reg, record, kCrcOffset);
  return reg ^ 0xFFFFFFFFu;
}

bool refix_record_crc(ByteVec& bytes, size_t record_file_offset, uint32_t page_size) {
  uint32_t tot_len = get_u32(bytes, record_file_offset);
  size_t in_page = record_file_offset % page_size;
  if (tot_len < kRecordHeader || in_page + tot_len > page_size ||
      record_file_offset + tot_len > bytes.size()) {
    ADD_FAILURE() << "record at offset " << record_file_offset << " (xl_tot_len " << tot_len
                  << ") does not lie within one page";
    return false;
  }
  set_u32(bytes, record_file_offset + kCrcOffset,
          record_crc(bytes.data() + record_file_offset, tot_len));
  return true;
}

std::vector<RecordLocation> locate_records(const ByteVec& bytes) {
  std::vector<RecordLocation> out;
  if (bytes.size() < kLongHeader) return out;
  const uint32_t page = page_size_of(bytes);
  const uint16_t magic = get_u16(bytes, 0);
  const uint64_t start_lsn = get_u64(bytes, 8);
  if (page < 1024 || bytes.size() % page != 0) return out;

  // A page is part of the walk only when it carries this file's magic and its own address.
  auto page_ok = [&](uint64_t page_offset) {
    return page_offset + kShortHeader <= bytes.size() && get_u16(bytes, page_offset) == magic &&
           get_u64(bytes, page_offset + 8) == start_lsn + page_offset;
  };
  // Follows `remaining` bytes of a record from `page_offset` on, page by page. Returns the file
  // offset just past its last byte, or 0 when it runs past the end or into a bad page.
  auto follow = [&](uint64_t page_offset, uint64_t remaining) -> uint64_t {
    for (;;) {
      if (page_offset >= bytes.size() || !page_ok(page_offset)) return 0;
      uint32_t hs = header_size_at(bytes, page_offset);
      uint64_t take = std::min<uint64_t>(remaining, page - hs);
      remaining -= take;
      if (remaining == 0) return page_offset + hs + take;
      page_offset += page;
    }
  };

  uint64_t pos = header_size_at(bytes, 0);
  if (get_u16(bytes, 2) & kInfoContRecord) {
    uint64_t end = follow(0, get_u32(bytes, 16));
    if (end == 0) return out;
    pos = align8(end);
  }
  while (pos + 4 <= bytes.size()) {
    if (pos % page == 0) {
      if (!page_ok(pos)) break;
      pos += header_size_at(bytes, pos);
    }
    RecordLocation rec;
    rec.offset = pos;
    rec.lsn = start_lsn + pos;
    rec.tot_len = get_u32(bytes, pos);
    if (rec.tot_len < kRecordHeader) break;
    uint64_t page_end = pos - pos % page + page;
    uint64_t end;
    if (pos + rec.tot_len <= page_end) {
      rec.within_one_page = true;
      rec.info = static_cast<uint8_t>(bytes[pos + 16]);
      rec.rmid = static_cast<uint8_t>(bytes[pos + 17]);
      end = pos + rec.tot_len;
    } else {
      end = follow(page_end, rec.tot_len - (page_end - pos));
      if (end == 0) break;
    }
    out.push_back(rec);
    // XLOG_SWITCH (rmid 0, info 0x40) ends the WAL of the segment (§7.1).
    if (rec.within_one_page && rec.rmid == 0 && (rec.info & 0xF0) == 0x40) break;
    pos = align8(end);
  }
  return out;
}

std::vector<RecordLocation> records_within_one_page(const ByteVec& bytes) {
  std::vector<RecordLocation> all = locate_records(bytes);
  std::vector<RecordLocation> out;
  std::copy_if(all.begin(), all.end(), std::back_inserter(out),
               [](const RecordLocation& r) { return r.within_one_page; });
  return out;
}

}  // namespace walpipe::testing
