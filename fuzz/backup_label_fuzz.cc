// wal::parse_backup_file and wal::parse_time over arbitrary bytes. Input: one control byte (bit 0
// chooses a backup history file or a backup_label), then the text. Whatever parses satisfies the
// parser's promises, parses the same twice, and its times read back from PostgreSQL's form.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/check.h"
#include "wal/backup_label.h"
#include "wal/names.h"
#include "wal/time_text.h"

namespace {

using namespace walpipe;
using namespace walpipe::wal;

constexpr PgTimestamp kMicrosPerDay = 86400000000;
// Years 1 to 9999 (what parse_time accepts) lie within this many days of 2000-01-01.
constexpr PgTimestamp kRange = 3000000 * kMicrosPerDay;

void check_time_reads_back(PgTimestamp t) {
  WALPIPE_CHECK(t > -kRange && t < kRange);
  Result<PgTimestamp> again = parse_time(format_pg_timestamp(t));
  WALPIPE_CHECK(again.is_ok() && *again == t);
}

void check_segment(const std::string& segment, TimeLineId tli, Lsn lsn) {
  Result<WalFileName> name = parse_file_name(segment);
  WALPIPE_CHECK(name.is_ok() && name->kind == FileKind::kSegment);
  WALPIPE_CHECK(name->tli == tli && name->log == static_cast<uint32_t>(lsn >> 32));
}

void fuzz_backup(Bytes text, BackupFileKind kind) {
  const std::string what = "/a/backup_label";
  Result<BackupInfo> b = parse_backup_file(text, what, kind);
  Result<BackupInfo> again = parse_backup_file(text, what, kind);
  WALPIPE_CHECK(b.is_ok() == again.is_ok());
  if (!b.is_ok()) {
    WALPIPE_CHECK(b.status().code() == Code::kCorruption);
    WALPIPE_CHECK(b.status().message() == again.status().message());
    WALPIPE_CHECK(b.status().message().find(what) != std::string::npos);
    return;
  }
  WALPIPE_CHECK(b->start_tli != 0 && b->start_lsn <= b->checkpoint_lsn);
  check_segment(b->start_segment, b->start_tli, b->start_lsn);
  check_time_reads_back(b->start_time);
  WALPIPE_CHECK(b->label.find('\n') == std::string::npos);
  WALPIPE_CHECK(b->incremental_from_lsn.has_value() == b->incremental_from_tli.has_value());
  const bool history = kind == BackupFileKind::kHistoryFile;
  WALPIPE_CHECK(b->stop_lsn.has_value() == history && b->stop_time.has_value() == history &&
                b->stop_tli.has_value() == history);
  if (!history) return;
  WALPIPE_CHECK(b->checkpoint_lsn <= *b->stop_lsn && b->start_tli <= *b->stop_tli);
  WALPIPE_CHECK(b->start_time <= *b->stop_time);
  check_segment(b->stop_segment, *b->stop_tli, *b->stop_lsn);
  check_time_reads_back(*b->stop_time);
}

void fuzz_time(std::string_view text) {
  Result<PgTimestamp> t = parse_time(text);
  if (!t.is_ok()) {
    WALPIPE_CHECK(t.status().code() == Code::kInvalidArgument && !t.status().message().empty());
    return;
  }
  check_time_reads_back(*t);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  Bytes text(reinterpret_cast<const std::byte*>(data) + 1, size - 1);
  fuzz_backup(text, (data[0] & 1) ? BackupFileKind::kLabel : BackupFileKind::kHistoryFile);
  fuzz_time(std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1));
  return 0;
}
