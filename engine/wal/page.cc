#include "wal/page.h"

#include <cstdio>

namespace walpipe::wal {

std::optional<PageHeader> parse_page_header(Bytes page) {
  ByteReader r(page);
  PageHeader h;
  if (!r.read(&h.magic) || !r.read(&h.info) || !r.read(&h.tli) || !r.read(&h.pageaddr) ||
      !r.read(&h.rem_len) || !r.read(&h.padding))
    return std::nullopt;
  if (h.is_long() && (!r.read(&h.system_id) || !r.read(&h.seg_size) || !r.read(&h.xlog_blcksz)))
    return std::nullopt;
  return h;
}

namespace {
std::string where(const PageExpectation& want) {
  char buf[160];
  std::snprintf(buf, sizeof buf, " in WAL segment %.*s, LSN %s, offset %llu",
                static_cast<int>(want.file.size()), want.file.data(),
                format_lsn(want.page_lsn).c_str(), static_cast<unsigned long long>(want.offset));
  return buf;
}
}  // namespace

std::optional<PageProblem> check_page_header(const PageHeader& h, const PageExpectation& want) {
  char buf[200];
  if (h.magic != want.version->magic) {
    std::snprintf(buf, sizeof buf, "invalid magic number %04X", h.magic);
    return PageProblem{"MAGIC_MIXED", buf + where(want)};
  }
  if ((h.info & ~want.version->info_mask) != 0) {
    std::snprintf(buf, sizeof buf, "invalid info bits %04X", h.info);
    return PageProblem{"INFO_BITS", buf + where(want)};
  }
  if (h.is_long()) {
    if (h.system_id != want.system_id) {
      std::snprintf(buf, sizeof buf,
                    "WAL file is from different database system: page system identifier is "
                    "%llu, segment system identifier is %llu",
                    static_cast<unsigned long long>(h.system_id),
                    static_cast<unsigned long long>(want.system_id));
      return PageProblem{"SYSID_MISMATCH", buf + where(want)};
    }
    if (h.seg_size != want.seg_size) {
      std::snprintf(buf, sizeof buf, "incorrect segment size in page header (%u, expected %u)",
                    h.seg_size, want.seg_size);
      return PageProblem{"SEGSIZE_INVALID", buf + where(want)};
    }
    if (h.xlog_blcksz != want.page_size) {
      std::snprintf(buf, sizeof buf, "incorrect XLOG_BLCKSZ in page header (%u, expected %u)",
                    h.xlog_blcksz, want.page_size);
      return PageProblem{"BLCKSZ_INVALID", buf + where(want)};
    }
  } else if (want.first_in_segment) {
    std::snprintf(buf, sizeof buf, "invalid info bits %04X (first page without long header)",
                  h.info);
    return PageProblem{"FIRST_PAGE_NOT_LONG", buf + where(want)};
  }
  if (h.pageaddr != want.page_lsn) {
    return PageProblem{"PAGEADDR_MISMATCH",
                       "unexpected pageaddr " + format_lsn(h.pageaddr) + where(want)};
  }
  return std::nullopt;
}

}  // namespace walpipe::wal
