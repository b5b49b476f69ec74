#include "wal/report.h"

#include <cstdio>
#include <ctime>

namespace walpipe::wal {

namespace {
// A damaged file can yield one finding per page; the first few tell the story.
constexpr size_t kMaxFindings = 64;
}  // namespace

const char* severity_name(Severity severity) {
  switch (severity) {
    case Severity::kError:
      return "error";
    case Severity::kWarning:
      return "warning";
    case Severity::kInfo:
      return "info";
  }
  return "unknown";
}

std::string format_pg_timestamp(PgTimestamp ts) {
  int64_t secs = ts / 1000000;
  int64_t micros = ts % 1000000;
  if (micros < 0) {
    micros += 1000000;
    secs -= 1;
  }
  std::time_t unix_secs = static_cast<std::time_t>(secs + kPgEpochUnixSeconds);
  std::tm tm{};
  gmtime_r(&unix_secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d.%06lld UTC", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<long long>(micros));
  return buf;
}

bool SegmentReport::valid() const { return first_error() == nullptr; }

const Finding* SegmentReport::first_error() const {
  for (const auto& f : findings)
    if (f.severity == Severity::kError) return &f;
  return nullptr;
}

void SegmentReport::add(Severity severity, const char* code, uint64_t offset, Lsn lsn,
                        std::string message) {
  // Keep room for errors even when warnings flood the list.
  if (findings.size() >= kMaxFindings && severity != Severity::kError) {
    ++findings_dropped;
    return;
  }
  if (findings.size() >= 2 * kMaxFindings) {
    ++findings_dropped;
    return;
  }
  findings.push_back(Finding{severity, code, offset, lsn, std::move(message)});
}

}  // namespace walpipe::wal
