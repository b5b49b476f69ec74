#include "archive/walk.h"

#include <vector>

#include "io/fs.h"

namespace walpipe::archive {

namespace {

// A folder holds the segments of one 4 GiB stretch of WAL: 256 of 16 MiB, 4096 of 1 MiB. Each
// window reads the whole folder again, so a window smaller than the folder costs a listing of it
// per window; 4096 names (about 200 KiB) take any folder of 1 MiB segments or larger in one.
constexpr size_t kListWindow = 4096;
constexpr std::string_view kObjectSuffix = ".zst";

bool is_hex16(std::string_view name) {
  if (name.size() != 16) return false;
  for (char c : name)
    if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'))) return false;
  return true;
}

// Calls `visit` with every entry of `dir` in name order, kListWindow names in memory at a time.
template <typename Visit>
Status for_each_entry(const std::string& dir, Visit visit) {
  std::string after;
  for (;;) {
    Result<std::vector<io::DirEntry>> window = io::list_directory_window(dir, after, kListWindow);
    if (!window.is_ok()) return window.status();
    for (const io::DirEntry& entry : *window) WALPIPE_TRY(visit(entry));
    if (window->size() < kListWindow) return Status::ok();
    after = window->back().name;
  }
}

Status visit_file(const std::string& path, std::string_view file_name,
                  const std::function<Status(const ObjectEntry&)>& visit) {
  if (!file_name.ends_with(kObjectSuffix)) return Status::ok();
  Result<wal::WalFileName> name =
      wal::parse_file_name(file_name.substr(0, file_name.size() - kObjectSuffix.size()));
  if (!name.is_ok()) return Status::ok();
  return visit(ObjectEntry{path, file_name, *name});
}

}  // namespace

Status for_each_object(const Layout& layout,
                       const std::function<Status(const ObjectEntry&)>& visit) {
  // An archive that has not archived anything yet has no wal/ folder: it is empty, not broken.
  Result<io::EntryType> wal_dir = io::entry_type(layout.wal_dir());
  if (!wal_dir.is_ok() && wal_dir.status().code() == Code::kNotFound) return Status::ok();
  return for_each_entry(layout.wal_dir(), [&](const io::DirEntry& top) -> Status {
    const std::string path = layout.wal_dir() + "/" + top.name;
    if (top.type == io::EntryType::kFile) return visit_file(path, top.name, visit);
    if (top.type != io::EntryType::kDirectory || !is_hex16(top.name)) return Status::ok();
    return for_each_entry(path, [&](const io::DirEntry& entry) -> Status {
      if (entry.type != io::EntryType::kFile) return Status::ok();
      return visit_file(path + "/" + entry.name, entry.name, visit);
    });
  });
}

}  // namespace walpipe::archive
