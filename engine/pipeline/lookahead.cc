#include "pipeline/lookahead.h"

#include <algorithm>
#include <string_view>

#include "io/fs.h"
#include "wal/names.h"

namespace walpipe::pipeline {

namespace {

constexpr std::string_view kReady = ".ready";

// The name a status file stands for, or empty when it is not a .ready of a WAL file name.
std::string_view ready_name(std::string_view status_file) {
  if (!status_file.ends_with(kReady)) return {};
  std::string_view name = status_file.substr(0, status_file.size() - kReady.size());
  return wal::parse_file_name(std::string(name)).is_ok() ? name : std::string_view();
}

// Up to `limit` .ready names of one kind (history files or not) whose status file sorts after
// `after_status`, appended to `paths` in name order. Each pass keeps only `limit` names, however
// long the backlog: 10,000 .ready files cost no more memory.
Status list_ready(const std::string& requested, bool history, const std::string& after_status,
                  size_t limit, std::vector<std::string>* paths) {
  const std::string dir = io::dir_name(requested);
  const std::string own = io::base_name(requested);
  auto wanted = [&](std::string_view file) {
    std::string_view name = ready_name(file);
    return !name.empty() && name != own && name.ends_with(".history") == history;
  };
  Result<std::vector<io::DirEntry>> entries =
      io::list_directory_window(dir + "/archive_status", after_status, limit, wanted);
  if (!entries.is_ok()) {
    if (entries.status().code() == Code::kNotFound) return Status::ok();
    return std::move(entries).take_status();
  }
  for (const io::DirEntry& e : *entries)
    paths->push_back(dir + "/" + std::string(ready_name(e.name)));
  return Status::ok();
}

}  // namespace

Result<std::vector<std::string>> next_ready_files(const std::string& requested, size_t limit) {
  std::vector<std::string> paths;
  // History files first, then plain name order, as the archiver picks them.
  WALPIPE_TRY(list_ready(requested, true, "", limit, &paths));
  if (paths.size() < limit)
    WALPIPE_TRY(list_ready(requested, false, "", limit - paths.size(), &paths));
  return paths;
}

Result<std::vector<std::string>> ready_segments_after(const std::string& requested,
                                                      const std::string& after, size_t limit) {
  std::vector<std::string> paths;
  WALPIPE_TRY(list_ready(requested, false, after + std::string(kReady), limit, &paths));
  return paths;
}

bool archived_before(std::string_view a, std::string_view b) {
  // The status folder's listing order, which is the order these lists follow: a + ".ready"
  // against b + ".ready", compared without building either (a waiting caller asks every poll).
  auto at = [](std::string_view name, size_t i) {
    return static_cast<unsigned char>(i < name.size() ? name[i] : kReady[i - name.size()]);
  };
  const size_t common = std::min(a.size(), b.size()) + kReady.size();
  for (size_t i = 0; i < common; ++i)
    if (at(a, i) != at(b, i)) return at(a, i) < at(b, i);
  return a.size() < b.size();
}

}  // namespace walpipe::pipeline
