#include "wal/inspect.h"

#include <cstdio>
#include <string>

#include "wal/names.h"
#include "wal/page.h"
#include "wal/records.h"

namespace walpipe::wal {

namespace {

bool valid_page_size(uint32_t size) {
  return size >= 1024 && size <= 65536 && (size & (size - 1)) == 0;
}

std::string quoted(std::string_view name) { return "\"" + std::string(name) + "\""; }

// Page 0 decides everything else; returns false when the rest of the file cannot be read as WAL.
bool check_identity(Bytes data, std::string_view file_name, const InspectOptions& options,
                    SegmentReport* report, PageHeader* page0, std::optional<VersionInfo>* version) {
  char buf[256];
  if (data.size() < kLongPageHeaderSize) {
    std::snprintf(buf, sizeof buf, "file %s is too short to be a WAL segment (%zu bytes)",
                  quoted(file_name).c_str(), data.size());
    report->add(Severity::kError, "FILE_SIZE", 0, 0, buf);
    return false;
  }
  *page0 = *parse_page_header(data);
  auto v = version_for_magic(page0->magic);
  uint16_t swapped = static_cast<uint16_t>((page0->magic >> 8) | (page0->magic << 8));
  if (!v && version_for_magic(swapped)) {
    std::snprintf(buf, sizeof buf,
                  "WAL file %s was written by a big-endian server, which walpipe does not support",
                  quoted(file_name).c_str());
    report->add(Severity::kError, "MAGIC_UNKNOWN", 0, 0, buf);
    return false;
  }
  if (!v) {
    std::snprintf(buf, sizeof buf, "invalid magic number %04X in WAL segment %s, offset 0",
                  page0->magic, quoted(file_name).c_str());
    report->add(Severity::kError, "MAGIC_UNKNOWN", 0, 0, buf);
    return false;
  }
  *version = v;
  report->magic = page0->magic;
  report->version = version_name(*v);
  if (!page0->is_long()) {
    std::snprintf(buf, sizeof buf, "invalid info bits %04X in WAL segment %s, offset 0",
                  page0->info, quoted(file_name).c_str());
    report->add(Severity::kError, "FIRST_PAGE_NOT_LONG", 0, 0, buf);
    return false;
  }
  report->system_id = page0->system_id;
  report->segment_size = page0->seg_size;
  report->page_size = page0->xlog_blcksz;
  if (!valid_segment_size(page0->seg_size)) {
    std::snprintf(buf, sizeof buf,
                  "WAL segment size must be a power of two between 1 MB and 1 GB, but the WAL "
                  "file %s header specifies %u bytes",
                  quoted(file_name).c_str(), page0->seg_size);
    report->add(Severity::kError, "SEGSIZE_INVALID", 0, 0, buf);
    return false;
  }
  if (!valid_page_size(page0->xlog_blcksz)) {
    std::snprintf(buf, sizeof buf,
                  "WAL page size must be a power of two between 1 kB and 64 kB, but the WAL "
                  "file %s header specifies %u bytes",
                  quoted(file_name).c_str(), page0->xlog_blcksz);
    report->add(Severity::kError, "BLCKSZ_INVALID", 0, 0, buf);
    return false;
  }
  if (data.size() != page0->seg_size) {
    std::snprintf(buf, sizeof buf, "WAL file %s has size %zu, but its header says %u",
                  quoted(file_name).c_str(), data.size(), page0->seg_size);
    report->add(Severity::kError, "FILE_SIZE", 0, 0, buf);
    return false;
  }
  report->is_wal = true;
  if (options.expected_segment_size && *options.expected_segment_size != page0->seg_size) {
    std::snprintf(buf, sizeof buf, "WAL file %s has segment size %u, expected %u",
                  quoted(file_name).c_str(), page0->seg_size, *options.expected_segment_size);
    report->add(Severity::kError, "SEGSIZE_INVALID", 0, 0, buf);
  }
  if (options.expected_system_id && *options.expected_system_id != page0->system_id) {
    std::snprintf(buf, sizeof buf,
                  "WAL file is from different database system: WAL file database system "
                  "identifier is %llu, expected %llu",
                  static_cast<unsigned long long>(page0->system_id),
                  static_cast<unsigned long long>(*options.expected_system_id));
    report->add(Severity::kError, "SYSID_MISMATCH", 0, 0, buf);
  }
  return true;
}

// The name says which LSNs the file must hold; page 0 says which it does.
bool check_name(std::string_view file_name, const PageHeader& page0, SegmentReport* report) {
  char buf[256];
  Result<WalFileName> name = parse_file_name(file_name);
  if (name.is_ok() && name->has_segment() && name->kind != FileKind::kBackup) {
    std::optional<SegNo> segno = segno_of(*name, page0.seg_size);
    if (!segno) {
      std::snprintf(buf, sizeof buf,
                    "WAL file name %s is out of range for a segment size of %u bytes",
                    quoted(file_name).c_str(), page0.seg_size);
      report->add(Severity::kError, "NAME_SEG_RANGE", 0, 0, buf);
      return false;
    }
    report->timeline = name->tli;
    report->segment_start = segment_start_lsn(*segno, page0.seg_size);
    if (page0.pageaddr != report->segment_start) {
      std::snprintf(buf, sizeof buf, "unexpected pageaddr %s in WAL segment %s, LSN %s, offset 0",
                    format_lsn(page0.pageaddr).c_str(), quoted(file_name).c_str(),
                    format_lsn(report->segment_start).c_str());
      report->add(Severity::kError, "PAGEADDR_MISMATCH", 0, report->segment_start, buf);
      return false;
    }
    return true;
  }
  report->timeline = page0.tli;
  if (page0.pageaddr % page0.seg_size != 0) {
    std::snprintf(buf, sizeof buf,
                  "file %s is not named like a WAL segment and its first page address %s is "
                  "not a segment boundary",
                  quoted(file_name).c_str(), format_lsn(page0.pageaddr).c_str());
    report->add(Severity::kError, "NAME_INVALID", 0, 0, buf);
    return false;
  }
  report->segment_start = page0.pageaddr;
  report->add(Severity::kWarning, "NAME_INVALID", 0, page0.pageaddr,
              "file " + quoted(file_name) +
                  " is not named like a WAL segment; its position is taken from page 0");
  return true;
}

}  // namespace

SegmentReport inspect_segment(Bytes data, std::string_view file_name,
                              const InspectOptions& options) {
  SegmentReport report;
  Result<WalFileName> name = parse_file_name(file_name);
  report.open_end = options.open_end.value_or(name.is_ok() && name->kind == FileKind::kPartial);
  PageHeader page0;
  std::optional<VersionInfo> version;
  if (!check_identity(data, file_name, options, &report, &page0, &version)) return report;
  if (!check_name(file_name, page0, &report)) return report;
  if (page0.tli > report.timeline) {
    char buf[160];
    std::snprintf(buf, sizeof buf, "page timeline ID %u is above the file's timeline %u", page0.tli,
                  report.timeline);
    report.add(Severity::kError, "TLI_ABOVE_FILE", 0, report.segment_start, buf);
    return report;
  }
  WalkInput input{data,
                  file_name,
                  &*version,
                  report.segment_start,
                  page0.seg_size,
                  page0.xlog_blcksz,
                  page0.system_id,
                  report.timeline,
                  options.data_block_size,
                  options.check_record_crc};
  walk_records(input, &report);
  return report;
}

std::optional<uint32_t> peek_segment_size(Bytes first_page) {
  if (first_page.size() < kLongPageHeaderSize) return std::nullopt;
  std::optional<PageHeader> h = parse_page_header(first_page);
  if (!h || !h->is_long() || !version_for_magic(h->magic) || !valid_segment_size(h->seg_size))
    return std::nullopt;
  return h->seg_size;
}

}  // namespace walpipe::wal
