#include "pipeline/lookahead.h"

#include <algorithm>

#include "io/fs.h"
#include "wal/names.h"

namespace walpipe::pipeline {

Result<std::vector<std::string>> next_ready_files(const std::string& requested, size_t limit) {
  const std::string dir = io::dir_name(requested);
  const std::string own = io::base_name(requested);
  Result<std::vector<io::DirEntry>> entries = io::list_directory(dir + "/archive_status");
  if (!entries.is_ok()) {
    if (entries.status().code() == Code::kNotFound) return std::vector<std::string>();
    return std::move(entries).take_status();
  }
  constexpr std::string_view kReady = ".ready";
  std::vector<std::string> names;
  for (const io::DirEntry& e : *entries) {
    if (!e.name.ends_with(kReady)) continue;
    std::string name = e.name.substr(0, e.name.size() - kReady.size());
    if (name == own || !wal::parse_file_name(name).is_ok()) continue;
    names.push_back(std::move(name));
  }
  // History files first, then plain name order, as the archiver picks them.
  std::stable_sort(names.begin(), names.end(), [](const std::string& a, const std::string& b) {
    bool ha = a.ends_with(".history"), hb = b.ends_with(".history");
    if (ha != hb) return ha;
    return a < b;
  });
  if (names.size() > limit) names.resize(limit);
  std::vector<std::string> paths;
  for (const std::string& name : names) paths.push_back(dir + "/" + name);
  return paths;
}

}  // namespace walpipe::pipeline
