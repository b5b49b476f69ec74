#include "wal/decode.h"

#include <algorithm>
#include <cstdio>

namespace walpipe::wal {

namespace {

BodyProblem problem(const char* code, const std::string& text, Lsn lsn) {
  return BodyProblem{code, text + " at " + format_lsn(lsn)};
}

std::string fmt(const char* format, unsigned a, unsigned b = 0, unsigned c = 0) {
  char buf[160];
  std::snprintf(buf, sizeof buf, format, a, b, c);
  return buf;
}

}  // namespace

BodyProblem decode_record_body(Bytes head, uint32_t tot_len, const VersionInfo& version,
                               uint32_t data_block_size, Lsn lsn, BodyLayout* layout) {
  const bool head_is_whole = head.size() >= tot_len;
  ByteReader r(
      head.subspan(kRecordHeaderSize, std::min<size_t>(head.size(), tot_len) - kRecordHeaderSize));
  uint64_t remaining = tot_len - kRecordHeaderSize;
  uint64_t datatotal = 0;
  int max_block_id = -1;
  bool have_rel = false;
  uint32_t main_len = 0;

  // `take` mirrors COPY_HEADER_FIELD: the header bytes must exist within xl_tot_len. It is on
  // the path of every record, so the failure message is built only on the cold path.
  auto take = [&](size_t n) {
    if (remaining < n || !r.has(n)) return false;
    remaining -= n;
    return true;
  };
  auto truncated = [&](size_t n) {
    if (remaining >= n && !head_is_whole)
      return problem("FRAGMENT_TRUNCATED",
                     fmt("record headers longer than %u bytes", kMaxRecordHeadersSize), lsn);
    return problem("FRAGMENT_TRUNCATED", "record with invalid length", lsn);
  };

  while (remaining > datatotal) {
    uint8_t id = 0;
    if (!take(1)) return truncated(1);
    r.read(&id);
    if (id == kBlockIdDataShort) {
      uint8_t len8 = 0;
      if (!take(1)) return truncated(1);
      r.read(&len8);
      main_len = len8;
      datatotal += len8;
      break;
    }
    if (id == kBlockIdDataLong) {
      if (!take(4)) return truncated(4);
      r.read(&main_len);
      datatotal += main_len;
      break;
    }
    if (id == kBlockIdOrigin) {
      if (!take(2)) return truncated(2);
      r.skip(2);
      continue;
    }
    if (id == kBlockIdToplevelXid && version.toplevel_xid_block) {
      if (!take(4)) return truncated(4);
      r.skip(4);
      continue;
    }
    if (id > kMaxBlockId) return problem("FRAGMENT_BLOCK_ID", fmt("invalid block_id %u", id), lsn);
    if (static_cast<int>(id) <= max_block_id)
      return problem("FRAGMENT_ORDER", fmt("out-of-order block_id %u", id), lsn);
    max_block_id = id;

    uint8_t fork_flags = 0;
    uint16_t data_len = 0;
    if (!take(3)) return truncated(3);
    r.read(&fork_flags);
    r.read(&data_len);
    bool has_data = (fork_flags & kBkpBlockHasData) != 0;
    if (has_data && data_len == 0)
      return problem("FRAGMENT_HAS_DATA", "BKPBLOCK_HAS_DATA set, but no data included", lsn);
    if (!has_data && data_len != 0)
      return problem("FRAGMENT_HAS_DATA",
                     fmt("BKPBLOCK_HAS_DATA not set, but data length is %u", data_len), lsn);
    datatotal += data_len;

    if (fork_flags & kBkpBlockHasImage) {
      uint16_t img_len = 0, hole_offset = 0, hole_length = 0;
      uint8_t bimg_info = 0;
      if (!take(5)) return truncated(5);
      r.read(&img_len);
      r.read(&hole_offset);
      r.read(&bimg_info);
      bool has_hole = (bimg_info & kBkpImageHasHole) != 0;
      bool compressed = (bimg_info & version.bimg_compress_mask) != 0;
      if (has_hole && compressed) {
        if (!take(2)) return truncated(2);
        r.read(&hole_length);
      } else if (has_hole) {
        hole_length = static_cast<uint16_t>(data_block_size - img_len);
      }
      datatotal += img_len;
      if (has_hole && (hole_offset == 0 || hole_length == 0 || img_len >= data_block_size))
        return problem("FRAGMENT_IMAGE",
                       fmt("BKPIMAGE_HAS_HOLE set, but hole offset %u length %u block image "
                           "length %u",
                           hole_offset, hole_length, img_len),
                       lsn);
      if (!has_hole && hole_offset != 0)
        return problem("FRAGMENT_IMAGE",
                       fmt("BKPIMAGE_HAS_HOLE not set, but hole offset %u length %u", hole_offset,
                           hole_length),
                       lsn);
      if (compressed && img_len >= data_block_size)
        return problem("FRAGMENT_IMAGE",
                       fmt("BKPIMAGE_COMPRESSED set, but block image length %u", img_len), lsn);
      if (!has_hole && !compressed && img_len != data_block_size)
        return problem("FRAGMENT_IMAGE",
                       fmt("neither BKPIMAGE_HAS_HOLE nor BKPIMAGE_COMPRESSED set, but block "
                           "image length is %u",
                           img_len),
                       lsn);
    }
    if (!(fork_flags & kBkpBlockSameRel)) {
      if (!take(12)) return truncated(12);
      r.skip(12);
      have_rel = true;
    } else if (!have_rel) {
      return problem("FRAGMENT_SAME_REL", "BKPBLOCK_SAME_REL set but no previous rel", lsn);
    }
    if (!take(4)) return truncated(4);
    r.skip(4);
  }
  if (remaining != datatotal) return problem("FRAGMENT_LENGTH", "record with invalid length", lsn);
  layout->main_data_len = main_len;
  layout->main_data_offset = tot_len - main_len;
  return BodyProblem{};
}

}  // namespace walpipe::wal
