// The files a verification covers, produced one at a time: each path as given, folders
// searched recursively in name order for WAL file names (optionally with .zst). An encrypted
// archive's objects (.zst.age) open only through its store, with an identity: one met inside a
// folder is reported as a status naming its archive, never passed over in silence. Only a window
// of each open folder's names is held, so a folder of a million segments costs no more memory
// than one of ten.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "io/fs.h"

namespace walpipe::pipeline {

struct WalkedPath {
  std::string path;
  Status status;  // a folder that could not be read; the walk goes on after it
  // The file's folder has archive_status/ beside the WAL files, as pg_wal does: WAL there ends
  // in its newest segment, and the files after it may be recycled ones.
  bool in_pg_wal = false;
  // The file lies under a root folder that is a walpipe archive (walpipe.json at its root).
  bool in_archive = false;
};

class PathWalker {
 public:
  explicit PathWalker(std::vector<std::string> roots);

  // The next file, or nullopt when the walk is over.
  std::optional<WalkedPath> next();

  // The name a file is known by in WAL terms: its base name without ".zst".
  static std::string wal_name_of(const std::string& path);

  // Whether `path` is a folder with walpipe.json at its root.
  static bool is_archive_root(const std::string& path);

 private:
  struct Folder {
    std::string path;
    std::vector<io::DirEntry> window;  // the next names of this folder, in order
    size_t position = 0;
    bool exhausted = false;  // the window holds the folder's last names
    bool pg_wal = false;
    bool archive = false;
    std::string archive_root;  // the walpipe archive this folder lies in, if any
  };
  void enter(std::string folder, bool archive, std::string archive_root);
  // An encrypted object met on the walk: its archive is reported once and passed over whole.
  WalkedPath pass_over_encrypted(const std::string& path);

  std::vector<std::string> roots_;
  size_t next_root_ = 0;
  std::vector<Folder> stack_;
};

}  // namespace walpipe::pipeline
