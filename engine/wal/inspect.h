// One WAL file in, one report out: identity checks on page 0 (magic, sizes, system identifier,
// name against page address), then the record walk. The parser behind push, get and verify.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "base/bytes.h"
#include "wal/format.h"
#include "wal/report.h"

namespace walpipe::wal {

struct InspectOptions {
  // End of WAL before the end of the file is expected (.partial, the newest segment in pg_wal).
  // Unset: true for .partial names, false otherwise.
  std::optional<bool> open_end;
  std::optional<uint64_t> expected_system_id;
  std::optional<uint32_t> expected_segment_size;
  uint32_t data_block_size = kDefaultDataBlockSize;
  // Off only where the bytes are already known to be those that passed the CRC check once
  // (get: an object whose XXH3-128 matches what push recorded after verifying every record).
  bool check_record_crc = true;
};

// `file_name` is the bare name the bytes were stored under; it decides the expected LSN range.
// Never fails: every problem, including "this is not WAL", is a finding in the report.
SegmentReport inspect_segment(Bytes data, std::string_view file_name,
                              const InspectOptions& options = {});

// Reads page 0 only: the segment size a file claims, if it looks like WAL at all. Lets a reader
// bound how much it decompresses before it has the whole file.
std::optional<uint32_t> peek_segment_size(Bytes first_page);

}  // namespace walpipe::wal
