// WAL page headers (docs/wal-format.md §3): parsing and the checks of xlogreader's
// XLogReaderValidatePageHeader, plus the extra ones a validator can afford.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "wal/format.h"
#include "wal/lsn.h"

namespace walpipe::wal {

struct PageHeader {
  uint16_t magic = 0;
  uint16_t info = 0;
  TimeLineId tli = 0;
  Lsn pageaddr = 0;
  uint32_t rem_len = 0;
  uint32_t padding = 0;
  // Long header only.
  uint64_t system_id = 0;
  uint32_t seg_size = 0;
  uint32_t xlog_blcksz = 0;

  bool is_long() const { return (info & kLongHeader) != 0; }
  uint32_t size() const { return is_long() ? kLongPageHeaderSize : kShortPageHeaderSize; }
};

// Reads a header from the start of `page`. nullopt when the bytes are too short for the header
// its own info bits announce.
std::optional<PageHeader> parse_page_header(Bytes page);

// What a page header is checked against.
struct PageExpectation {
  const VersionInfo* version;  // from page 0
  Lsn page_lsn;                // segment start + offset of the page
  bool first_in_segment;       // offset 0: must carry the long header
  uint32_t seg_size;
  uint32_t page_size;
  uint64_t system_id;
  std::string_view file;  // name used in messages
  uint64_t offset;        // offset of the page in the file
};

struct PageProblem {
  const char* code;
  std::string message;
};

// Checks magic, info bits, long-header identity and pageaddr, in PostgreSQL's order. Returns the
// first failure; a page that fails is where valid WAL ends (or a corruption, by context).
std::optional<PageProblem> check_page_header(const PageHeader& header, const PageExpectation& want);

}  // namespace walpipe::wal
