// WAL file names: parse → format → parse is the identity, and segment numbers survive the trip
// through a name for every legal segment size. The whole input is tried as a name; its first
// 12 bytes also give a timeline and a segment number to format.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "base/check.h"
#include "wal/names.h"

namespace {

using namespace walpipe;
using namespace walpipe::wal;

constexpr uint64_t kMinSegSize = 1ull << 20;
constexpr uint64_t kMaxSegSize = 1ull << 30;

void check_parsed(std::string_view text, const WalFileName& name) {
  WALPIPE_CHECK(name.tli != 0);
  // Only the canonical spelling is accepted, so formatting gives back the very same text.
  std::string formatted = name.to_string();
  WALPIPE_CHECK(formatted == text);
  Result<WalFileName> again = parse_file_name(formatted);
  WALPIPE_CHECK(again.is_ok() && *again == name);
  if (!name.has_segment()) return;
  Result<WalFileName> segment = parse_file_name(name.segment_name());
  WALPIPE_CHECK(segment.is_ok() && segment->kind == FileKind::kSegment);
  WALPIPE_CHECK(segment->tli == name.tli && segment->log == name.log && segment->seg == name.seg);
  for (uint64_t seg_size = kMinSegSize; seg_size <= kMaxSegSize; seg_size *= 2) {
    std::optional<SegNo> segno = segno_of(name, seg_size);
    WALPIPE_CHECK(segno.has_value() == (name.seg < segments_per_log(seg_size)));
    if (!segno) continue;
    WalFileName back = segment_file_name(name.tli, *segno, seg_size);
    WALPIPE_CHECK(back.tli == name.tli && back.log == name.log && back.seg == name.seg);
  }
}

// Every segment number whose start LSN fits in 64 bits has a name, at every segment size.
void check_segno(TimeLineId tli, SegNo raw) {
  for (uint64_t seg_size = kMinSegSize; seg_size <= kMaxSegSize; seg_size *= 2) {
    SegNo segno = raw % (UINT64_MAX / seg_size + 1);
    WalFileName name = segment_file_name(tli, segno, seg_size);
    WALPIPE_CHECK(name.kind == FileKind::kSegment && name.tli == tli);
    WALPIPE_CHECK(segno_of(name, seg_size) == segno);
    Lsn start = segment_start_lsn(segno, seg_size);
    WALPIPE_CHECK(segno_containing(start, seg_size) == segno);
    WALPIPE_CHECK(segno_containing(start + seg_size - 1, seg_size) == segno);
    Result<WalFileName> parsed = parse_file_name(name.to_string());
    WALPIPE_CHECK(parsed.is_ok() == (tli != 0));
    if (parsed.is_ok()) WALPIPE_CHECK(*parsed == name);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  Result<WalFileName> name = parse_file_name(text);
  if (name.is_ok()) {
    check_parsed(text, *name);
  } else {
    WALPIPE_CHECK(!name.status().message().empty());
  }
  if (size >= sizeof(TimeLineId) + sizeof(SegNo)) {
    TimeLineId tli;
    SegNo segno;
    std::memcpy(&tli, data, sizeof tli);
    std::memcpy(&segno, data + sizeof tli, sizeof segno);
    check_segno(tli, segno);
  }
  return 0;
}
