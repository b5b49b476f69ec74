// The small text files archived beside segments: timeline history (.history) and backup history
// (.backup), plus the archive's own walpipe.json. Input: one control byte choosing the timeline,
// name and segment size, then the text, which every parser reads.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "archive/identity.h"
#include "base/check.h"
#include "wal/history.h"
#include "wal/lsn.h"

namespace {

using namespace walpipe;
using namespace walpipe::wal;

constexpr uint8_t kTimelineMask = 0x0F;
constexpr uint8_t kOtherBackupName = 0x10;
constexpr uint8_t kSegSizeShift = 5;

void check_findings(const SegmentReport& r, Bytes text) {
  WALPIPE_CHECK(r.valid() == (r.first_error() == nullptr));
  for (const Finding& f : r.findings) {
    WALPIPE_CHECK(f.code != nullptr && f.code[0] != '\0' && !f.message.empty());
    WALPIPE_CHECK(f.offset == 0 || f.offset < text.size());
  }
}

void fuzz_history(Bytes text, TimeLineId timeline) {
  SegmentReport report;
  TimelineHistory h = parse_history(text, timeline, "00000002.history", &report);
  check_findings(report, text);
  WALPIPE_CHECK(h.timeline == timeline);
  for (size_t i = 0; i < h.entries.size(); ++i) {
    WALPIPE_CHECK(h.entries[i].parent < timeline);
    if (i > 0) WALPIPE_CHECK(h.entries[i - 1].parent < h.entries[i].parent);
    WALPIPE_CHECK(h.entries[i].reason.find('\n') == std::string::npos);
  }
  if (report.valid()) WALPIPE_CHECK(!h.entries.empty());
  if (!h.entries.empty()) WALPIPE_CHECK(h.branch_point() == h.entries.back().switch_point);

  SegmentReport again_report;
  TimelineHistory again = parse_history(text, timeline, "00000002.history", &again_report);
  WALPIPE_CHECK(again.entries.size() == h.entries.size());
  WALPIPE_CHECK(again_report.findings.size() == report.findings.size());
}

void fuzz_backup(Bytes text, std::string_view name, uint64_t seg_size) {
  SegmentReport report;
  BackupLabel b = parse_backup_history(text, name, seg_size, &report);
  check_findings(report, text);
  if (report.valid()) {
    WALPIPE_CHECK(b.start_lsn <= b.checkpoint_lsn && b.checkpoint_lsn <= b.stop_lsn);
    WALPIPE_CHECK(b.start_tli == 0 || b.stop_tli == 0 || b.start_tli <= b.stop_tli);
    WALPIPE_CHECK(report.first_record_lsn == b.start_lsn && report.end_lsn == b.stop_lsn);
  }
}

// LSNs are the one token both files share: whatever parses must format back to the same value.
void fuzz_lsn(std::string_view text) {
  std::optional<Lsn> lsn = parse_lsn(text);
  if (!lsn) return;
  std::string formatted = format_lsn(*lsn);
  WALPIPE_CHECK(parse_lsn(formatted) == lsn);
}

// walpipe.json is decoded on every push and get, and a file walpipe wrote must read back the same.
void fuzz_identity(std::string_view text) {
  const std::string path = "/archive/walpipe.json";
  Result<archive::Identity> id = archive::decode_identity(std::string(text), path);
  if (!id.is_ok()) {
    const Code code = id.status().code();
    WALPIPE_CHECK(code == Code::kCorruption || code == Code::kUnsupported);
    WALPIPE_CHECK(id.status().message().starts_with("archive identity file \"" + path + "\" "));
    return;
  }
  Result<archive::Identity> again = archive::decode_identity(archive::encode_identity(*id), path);
  WALPIPE_CHECK(again.is_ok());
  WALPIPE_CHECK(*again == *id);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t control = data[0];
  Bytes text(reinterpret_cast<const std::byte*>(data) + 1, size - 1);
  static constexpr uint64_t kSegSizes[] = {0, 1ull << 20, 16ull << 20, 12345};
  fuzz_history(text, control & kTimelineMask);
  fuzz_backup(text,
              (control & kOtherBackupName) ? "backup_label.old"
                                           : "00000001000000000000002C.00000028.backup",
              kSegSizes[(control >> kSegSizeShift) & 3]);
  const std::string_view chars(reinterpret_cast<const char*>(text.data()), text.size());
  fuzz_lsn(chars);
  fuzz_identity(chars);
  return 0;
}
