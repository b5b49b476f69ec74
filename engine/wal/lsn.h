// WAL positions (XLogRecPtr) and their text form.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace walpipe::wal {

using Lsn = uint64_t;
using TimeLineId = uint32_t;
using SegNo = uint64_t;

// "%X/%X" as PostgreSQL ≤ 18 prints it (no zero padding of the low half).
std::string format_lsn(Lsn lsn);

// Accepts "%X/%X" with or without zero padding (PG 19 pads the low half to 8 digits).
std::optional<Lsn> parse_lsn(std::string_view text);

// 1 to 8 hexadecimal digits; WAL file names allow upper case only, LSN text either case.
std::optional<uint32_t> parse_hex32(std::string_view text, bool upper_case_only);

inline constexpr uint64_t kMaxAlign = 8;
inline constexpr uint64_t maxalign(uint64_t x) { return (x + kMaxAlign - 1) & ~(kMaxAlign - 1); }

}  // namespace walpipe::wal
