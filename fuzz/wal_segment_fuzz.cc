// inspect_segment() over arbitrary bytes. Input: one control byte, then the first bytes of a
// segment. Real segments are at least 1 MiB, so a short input whose page 0 claims a 1 MiB
// segment is zero-padded to it: the fuzzer mutates a few pages and still reaches the record walk.
// The control byte picks the file name and the options, so one input covers all name checks.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "base/check.h"
#include "wal/inspect.h"
#include "wal/names.h"
#include "wal/page.h"

namespace {

using namespace walpipe;
using namespace walpipe::wal;

// Padding beyond 1 MiB costs more time per run than it buys coverage; larger claims are passed
// unpadded and end at the size check.
constexpr uint32_t kMaxPadded = 1u << 20;
constexpr uint32_t kFallbackSegSize = 16u << 20;

// Control byte layout.
constexpr uint8_t kNameMask = 0x03;
constexpr uint8_t kFlipOpenEnd = 0x04;
constexpr uint8_t kExpectSystemId = 0x08;
constexpr uint8_t kWrongSystemId = 0x10;
constexpr uint8_t kExpectSegSize = 0x20;

// The name of the segment page 0 claims to start, so the name check passes unless the fuzzer
// breaks it. Kind 2 names the next timeline, as for the first segment after a promotion, whose
// first pages were copied from the parent; kind 3 takes the path where page 0 alone decides.
std::string choose_name(uint8_t control, Bytes data) {
  std::optional<PageHeader> h = parse_page_header(data);
  if (!h) return "000000010000000000000001";
  uint32_t seg_size = peek_segment_size(data).value_or(kFallbackSegSize);
  SegNo segno = segno_containing(h->pageaddr, seg_size);
  std::string segment = segment_file_name(h->tli, segno, seg_size).to_string();
  switch (control & kNameMask) {
    case 0:
      return segment;
    case 1:
      return segment + ".partial";
    case 2:
      return segment_file_name(h->tli + 1, segno, seg_size).to_string();
    default:
      return "segment.bin";
  }
}

// Reused between runs: only the bytes the previous input dirtied are zeroed again.
class Padder {
 public:
  Bytes pad(Bytes input) {
    if (buffer_.empty()) buffer_.resize(kMaxPadded);
    std::memcpy(buffer_.data(), input.data(), input.size());
    if (dirty_ > input.size()) std::memset(buffer_.data() + input.size(), 0, dirty_ - input.size());
    dirty_ = input.size();
    return Bytes(buffer_.data(), kMaxPadded);
  }

 private:
  std::vector<std::byte> buffer_;
  size_t dirty_ = 0;
};

bool same_findings(const SegmentReport& a, const SegmentReport& b) {
  if (a.findings.size() != b.findings.size() || a.findings_dropped != b.findings_dropped)
    return false;
  for (size_t i = 0; i < a.findings.size(); ++i) {
    const Finding& x = a.findings[i];
    const Finding& y = b.findings[i];
    if (x.severity != y.severity || std::strcmp(x.code, y.code) != 0 || x.offset != y.offset ||
        x.lsn != y.lsn || x.message != y.message)
      return false;
  }
  return true;
}

void check_invariants(const SegmentReport& r, Bytes data, std::string_view name,
                      const InspectOptions& options) {
  WALPIPE_CHECK(r.valid() == (r.first_error() == nullptr));
  WALPIPE_CHECK(r.is_wal || !r.valid());
  WALPIPE_CHECK(r.findings.size() <= 128);
  for (const Finding& f : r.findings) {
    WALPIPE_CHECK(f.code != nullptr && f.code[0] != '\0');
    WALPIPE_CHECK(!f.message.empty());
    WALPIPE_CHECK(f.offset == 0 || f.offset < data.size());
  }
  Result<WalFileName> parsed = parse_file_name(name);
  bool partial = parsed.is_ok() && parsed->kind == FileKind::kPartial;
  WALPIPE_CHECK(r.open_end == options.open_end.value_or(partial));
  // In a complete segment, WAL that ends early is an error; the walk must have said so.
  if (r.end_of_wal) {
    WALPIPE_CHECK(!r.findings.empty() || r.findings_dropped > 0);
    if (!r.open_end) WALPIPE_CHECK(!r.valid());
  }
  if (r.is_wal) {
    WALPIPE_CHECK(r.segment_size == data.size());
    WALPIPE_CHECK(peek_segment_size(data) == r.segment_size);
    WALPIPE_CHECK(r.segment_start % r.segment_size == 0);
  }
  if (r.record_count > 0) {
    WALPIPE_CHECK(r.is_wal);
    WALPIPE_CHECK(r.segment_start <= r.first_record_lsn);
    WALPIPE_CHECK(r.first_record_lsn <= r.last_record_lsn);
    WALPIPE_CHECK(r.last_record_lsn < r.end_lsn);
    WALPIPE_CHECK(r.end_lsn - r.segment_start <= data.size());
    WALPIPE_CHECK(r.first_record_prev.has_value());
    WALPIPE_CHECK(r.min_page_tli <= r.max_page_tli && r.max_page_tli <= r.timeline);
  }
  if (r.ends_with_switch) WALPIPE_CHECK(r.record_count > 0);
  if (r.continued_record_lsn) WALPIPE_CHECK(r.continued_remaining > 0);
  WALPIPE_CHECK(r.first_commit_time.has_value() == r.last_commit_time.has_value());
  if (r.first_commit_time) {
    WALPIPE_CHECK(!format_pg_timestamp(*r.first_commit_time).empty());
    WALPIPE_CHECK(!format_pg_timestamp(*r.last_commit_time).empty());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* raw, size_t size) {
  if (size == 0) return 0;
  static Padder padder;
  const uint8_t control = raw[0];
  Bytes data(reinterpret_cast<const std::byte*>(raw) + 1, size - 1);
  std::optional<uint32_t> claimed = peek_segment_size(data);
  if (claimed && *claimed == kMaxPadded && data.size() < kMaxPadded) data = padder.pad(data);

  std::string name = choose_name(control, data);
  InspectOptions options;
  if (control & kFlipOpenEnd) options.open_end = (control & kNameMask) != 1;
  std::optional<PageHeader> page0 = parse_page_header(data);
  if ((control & kExpectSystemId) && page0)
    options.expected_system_id = page0->system_id + ((control & kWrongSystemId) ? 1 : 0);
  if (control & kExpectSegSize) options.expected_segment_size = kMaxPadded;

  SegmentReport first = inspect_segment(data, name, options);
  check_invariants(first, data, name, options);
  // Pure function of its arguments: a second run must tell exactly the same story.
  SegmentReport second = inspect_segment(data, name, options);
  WALPIPE_CHECK(first.record_count == second.record_count);
  WALPIPE_CHECK(first.end_lsn == second.end_lsn);
  WALPIPE_CHECK(first.end_of_wal == second.end_of_wal);
  WALPIPE_CHECK(same_findings(first, second));
  return 0;
}
