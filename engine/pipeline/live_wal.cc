#include "pipeline/live_wal.h"

#include <array>
#include <vector>

#include "io/fs.h"
#include "wal/format.h"
#include "wal/recycled.h"

namespace walpipe::pipeline {

namespace {

// Names per listing: a pg_wal of a busy server holds a few hundred segments.
constexpr size_t kWindow = 256;

bool is_segment_name(std::string_view name) {
  Result<wal::WalFileName> parsed = wal::parse_file_name(name);
  return parsed.is_ok() && parsed->kind == wal::FileKind::kSegment;
}

// The long header is all classify_first_page needs to tell a file's own address.
bool carries_own_address(const std::string& path, const wal::WalFileName& name) {
  Result<io::Fd> fd = io::open_for_read(path);
  if (!fd.is_ok()) return false;
  std::array<std::byte, wal::kLongPageHeaderSize> header{};
  Result<size_t> got = io::read_some(*fd, 0, header, path);
  if (!got.is_ok() || *got != header.size()) return false;
  return wal::classify_first_page(header, name).kind == wal::FirstPage::kOwn;
}

}  // namespace

void WalEnds::scan(const std::string& folder) {
  std::string after;
  for (;;) {
    // pg_wal holds raw files only: a compressed copy cannot be the segment being written.
    Result<std::vector<io::DirEntry>> listed =
        io::list_directory_window(folder, after, kWindow, is_segment_name);
    if (!listed.is_ok()) return;  // the walk that found the folder reports it
    for (const io::DirEntry& entry : *listed) {
      if (entry.type != io::EntryType::kFile) continue;
      wal::WalFileName name = *wal::parse_file_name(entry.name);
      if (!carries_own_address(folder + "/" + entry.name, name)) continue;
      std::string& end = ends_[{folder, name.tli}];
      // Names of one timeline and segment size sort as their segments do.
      if (entry.name > end) end = entry.name;
    }
    if (listed->size() < kWindow) return;
    after = listed->back().name;
  }
}

WalPlace WalEnds::place(const std::string& folder, const wal::WalFileName& name) {
  if (scanned_.insert(folder).second) scan(folder);
  auto end = ends_.find({folder, name.tli});
  if (end == ends_.end()) return WalPlace::kPastEnd;
  std::string own = name.segment_name();
  if (own < end->second) return WalPlace::kBeforeEnd;
  return own == end->second ? WalPlace::kEnd : WalPlace::kPastEnd;
}

}  // namespace walpipe::pipeline
