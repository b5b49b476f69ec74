#include "pipeline/lookahead.h"

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

}  // namespace

Result<std::vector<std::string>> next_ready_files(const std::string& requested, size_t limit) {
  const std::string dir = io::dir_name(requested);
  const std::string own = io::base_name(requested);
  const std::string status_dir = dir + "/archive_status";
  std::vector<std::string> paths;
  // History files first, then plain name order, as the archiver picks them. Each pass keeps
  // only `limit` names, however long the backlog: 10,000 .ready files cost no more memory.
  for (bool history : {true, false}) {
    if (paths.size() >= limit) break;
    auto wanted = [&](std::string_view file) {
      std::string_view name = ready_name(file);
      return !name.empty() && name != own && name.ends_with(".history") == history;
    };
    Result<std::vector<io::DirEntry>> entries =
        io::list_directory_window(status_dir, "", limit - paths.size(), wanted);
    if (!entries.is_ok()) {
      if (entries.status().code() == Code::kNotFound) return std::vector<std::string>();
      return std::move(entries).take_status();
    }
    for (const io::DirEntry& e : *entries)
      paths.push_back(dir + "/" + std::string(ready_name(e.name)));
  }
  return paths;
}

}  // namespace walpipe::pipeline
