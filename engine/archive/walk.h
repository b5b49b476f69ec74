// Every object of a local archive in name order, the one walk that status, metrics and list
// share. Name order is the order of WAL: segments by timeline then position, each timeline's
// .history file just before its first folder, .partial and .backup files beside their segment.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "archive/layout.h"
#include "base/status.h"
#include "wal/names.h"

namespace walpipe::archive {

struct ObjectEntry {
  std::string path;            // the object's file
  std::string_view file_name;  // its name in its folder: the WAL file name and ".zst"
  wal::WalFileName name;       // the WAL file it holds, from that name
};

// Calls `visit` with every file under layout.wal_dir() named as a WAL file followed by ".zst",
// in its folder or at the top (history files), in name order; other files and folders are passed
// by. Holds at most 4096 names of a folder in memory, however many it has. An archive without a
// wal/ folder has nothing to visit. Stops at the first error of the listing or of `visit`.
Status for_each_object(const Layout& layout,
                       const std::function<Status(const ObjectEntry&)>& visit);

}  // namespace walpipe::archive
