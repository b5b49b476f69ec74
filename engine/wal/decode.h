// Length consistency of a record body (docs/wal-format.md §5.3–5.4), as DecodeXLogRecord checks it:
// the fragment headers must describe exactly the bytes that follow them.
#pragma once

#include <cstdint>
#include <string>

#include "base/bytes.h"
#include "wal/format.h"
#include "wal/lsn.h"

namespace walpipe::wal {

// PostgreSQL never writes more than 928 bytes of record and fragment headers (33 block
// references of at most 27 bytes, origin, top-level xid, main-data length), so the walker
// gathers at most this much of a page-crossing record to decode it.
inline constexpr uint32_t kMaxRecordHeadersSize = 1024;

struct BodyLayout {
  uint32_t main_data_offset = 0;  // offset of the main data within the record
  uint32_t main_data_len = 0;
};

struct BodyProblem {
  const char* code = nullptr;  // nullptr: no problem
  std::string message;
};

// `head` holds the first min(tot_len, kMaxRecordHeadersSize) bytes of the record at `lsn`,
// header included. Fills `layout` and returns a problem with code == nullptr when consistent.
BodyProblem decode_record_body(Bytes head, uint32_t tot_len, const VersionInfo& version,
                               uint32_t data_block_size, Lsn lsn, BodyLayout* layout);

}  // namespace walpipe::wal
