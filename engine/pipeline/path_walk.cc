#include "pipeline/path_walk.h"

#include <string_view>
#include <utility>

#include "archive/keys.h"
#include "wal/names.h"

namespace walpipe::pipeline {

namespace {

// Names per listing of a folder: enough that a folder of an archive (256 segments of 16 MiB)
// is one listing, small enough to be noise next to one segment buffer.
constexpr size_t kWindow = 128;

// PostgreSQL's status files and walpipe's in-progress writes are not WAL.
bool skipped_folder(std::string_view name) {
  return name == "archive_status" || name == ".tmp" || name == "summaries";
}

bool wanted(std::string_view name) {
  return wal::parse_file_name(PathWalker::wal_name_of(std::string(name))).is_ok();
}

bool is_encrypted_object(std::string_view name) {
  return name.ends_with(archive::kSealedSuffix) &&
         wanted(name.substr(0, name.size() - archive::kSealedSuffix.size()));
}

bool is_directory(const std::string& path) {
  Result<io::EntryType> type = io::entry_type(path);
  return type.is_ok() && *type == io::EntryType::kDirectory;
}

// archive_status/ sorts after every WAL name, so a windowed listing meets it last: ask for it.
bool has_archive_status(const std::string& folder) {
  return is_directory(folder + "/archive_status");
}

}  // namespace

PathWalker::PathWalker(std::vector<std::string> roots) : roots_(std::move(roots)) {}

std::string PathWalker::wal_name_of(const std::string& path) {
  constexpr std::string_view kSuffix = ".zst";
  std::string name = io::base_name(path);
  if (name.size() > kSuffix.size() && name.ends_with(kSuffix))
    name.resize(name.size() - kSuffix.size());
  return name;
}

bool PathWalker::is_archive_root(const std::string& path) {
  Result<io::EntryType> identity = io::entry_type(path + "/walpipe.json");
  return is_directory(path) && identity.is_ok() && *identity == io::EntryType::kFile;
}

void PathWalker::enter(std::string folder, bool archive, std::string archive_root) {
  while (folder.size() > 1 && folder.back() == '/') folder.pop_back();
  bool pg_wal = !archive && has_archive_status(folder);
  if (archive_root.empty() && is_archive_root(folder)) archive_root = folder;
  stack_.push_back(
      Folder{std::move(folder), {}, 0, false, pg_wal, archive, std::move(archive_root)});
}

WalkedPath PathWalker::pass_over_encrypted(const std::string& path) {
  const std::string root = stack_.back().archive_root;
  if (root.empty())
    return WalkedPath{path, Status(Code::kUnsupported, "\"" + path +
                                                           "\" is an encrypted object outside an "
                                                           "archive: it is not verified")
                                .with_hint("Decrypt it with age -d, or verify the archive it came "
                                           "from by its own path, with --identity.")};
  while (!stack_.empty() && stack_.back().archive_root == root) stack_.pop_back();
  return WalkedPath{
      root, Status(Code::kUnsupported, "archive \"" + root +
                                           "\" is encrypted: its objects are verified only through "
                                           "it, with an identity")
                .with_hint("Verify it by its own path: walpipe verify --identity "
                           "FILE \"" +
                           root + "\".")};
}

std::optional<WalkedPath> PathWalker::next() {
  for (;;) {
    if (stack_.empty()) {
      if (next_root_ == roots_.size()) return std::nullopt;
      std::string root = roots_[next_root_++];
      Result<io::EntryType> type = io::entry_type(root);
      if (!type.is_ok()) return WalkedPath{root, std::move(type).take_status()};
      if (*type != io::EntryType::kDirectory)
        return WalkedPath{root, Status::ok(), has_archive_status(io::dir_name(root)), false};
      bool archive = is_archive_root(root);
      enter(std::move(root), archive, {});
      continue;
    }
    Folder& top = stack_.back();
    if (top.position == top.window.size()) {
      if (top.exhausted) {
        stack_.pop_back();
        continue;
      }
      std::string after = top.window.empty() ? std::string() : top.window.back().name;
      Result<std::vector<io::DirEntry>> listed = io::list_directory_window(
          top.path, after, kWindow, [](std::string_view name) { return !skipped_folder(name); });
      if (!listed.is_ok()) {
        WalkedPath failed{top.path, std::move(listed).take_status()};
        stack_.pop_back();
        return failed;
      }
      top.exhausted = listed->size() < kWindow;
      top.window = std::move(*listed);
      top.position = 0;
      continue;
    }
    const io::DirEntry& entry = top.window[top.position++];
    std::string path = top.path + "/" + entry.name;
    if (entry.type == io::EntryType::kDirectory) {
      enter(std::move(path), top.archive, top.archive_root);
      continue;
    }
    if (entry.type != io::EntryType::kFile) continue;
    if (wanted(entry.name)) return WalkedPath{path, {}, top.pg_wal, top.archive};
    if (is_encrypted_object(entry.name)) return pass_over_encrypted(path);
  }
}

}  // namespace walpipe::pipeline
