// The record walk of one WAL file (docs/wal-format.md §4, §6, §7, §8): every record header, every
// continuation across pages, every CRC-32C, fragment lengths, XLOG_SWITCH and its tail,
// overwrite-contrecord pages, and where valid WAL ends.
#pragma once

#include <string_view>

#include "base/bytes.h"
#include "wal/format.h"
#include "wal/report.h"

namespace walpipe::wal {

struct WalkInput {
  Bytes file;                  // the whole file; its size is a multiple of page_size
  std::string_view file_name;  // for messages
  const VersionInfo* version;
  Lsn segment_start;
  uint32_t seg_size;
  uint32_t page_size;
  uint64_t system_id;
  TimeLineId file_tli;
  uint32_t data_block_size;
  bool check_record_crc = true;
};

// Walks from page 0 to the end of WAL in the file, filling the range, counts and findings of
// `report`. Page 0 must already have passed check_page_header. report->open_end decides
// whether an early end of WAL is information or an error. Pure: touches only its arguments.
void walk_records(const WalkInput& input, SegmentReport* report);

}  // namespace walpipe::wal
