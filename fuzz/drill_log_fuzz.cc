// walpipe drill's reader of the recovery server's log (pg/recovery_server.h, scan_log): whatever
// the server, its restore_command or a stray process wrote there. Input: one control byte
// choosing where the text is cut in two, then the text. The log is read in pieces as it grows,
// each scanned up to its last complete line: the findings must not depend on where a read
// ended, and never grow past their bounds.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/check.h"
#include "pg/recovery_server.h"
#include "wal/names.h"

namespace {

using walpipe::pg::LogFindings;
using walpipe::pg::scan_log;

constexpr size_t kMaxErrors = 20;  // recovery_server.cc keeps no more

void check_bounds(const LogFindings& f) {
  WALPIPE_CHECK(f.errors.size() <= kMaxErrors);
  WALPIPE_CHECK((f.segments_restored == 0) == f.last_restored.empty());
  if (!f.last_restored.empty()) {
    auto name = walpipe::wal::parse_file_name(f.last_restored);
    WALPIPE_CHECK(name.is_ok() && name->kind == walpipe::wal::FileKind::kSegment);
  }
  WALPIPE_CHECK(f.failed_file.find_first_of("\"\n") == std::string::npos);
  for (const std::string& line : f.errors) WALPIPE_CHECK(line.find('\n') == std::string::npos);
}

bool same(const LogFindings& a, const LogFindings& b) {
  return a.segments_restored == b.segments_restored && a.last_restored == b.last_restored &&
         a.accepting == b.accepting && a.failed_file == b.failed_file && a.errors == b.errors;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);

  LogFindings whole;
  scan_log(text, &whole);
  check_bounds(whole);

  // Read in two pieces cut at a line end, as RecoveryServer::read_log hands them over.
  const size_t cut = text.empty() ? 0 : data[0] * text.size() / 256;
  const size_t line_end = text.rfind('\n', cut);
  const size_t first = line_end == std::string_view::npos ? 0 : line_end + 1;
  LogFindings pieces;
  scan_log(text.substr(0, first), &pieces);
  check_bounds(pieces);
  const uint64_t before = pieces.segments_restored;
  scan_log(text.substr(first), &pieces);
  check_bounds(pieces);
  WALPIPE_CHECK(pieces.segments_restored >= before);
  WALPIPE_CHECK(same(whole, pieces));

  // A partial last line is not read until it ends.
  const size_t complete = text.rfind('\n');
  LogFindings lines;
  scan_log(text.substr(0, complete == std::string_view::npos ? 0 : complete + 1), &lines);
  WALPIPE_CHECK(same(whole, lines));
  return 0;
}
