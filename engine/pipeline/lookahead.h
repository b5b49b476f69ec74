// Which files PostgreSQL will hand to archive_command next, read from pg_wal/archive_status:
// the archiver takes timeline history files first, then the oldest name (pgarch.c), and calls
// once per file, waiting each time. Pushing those ahead of time turns most calls into a quick
// confirmation. walpipe only reads the status folder: .ready and .done belong to PostgreSQL.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace walpipe::pipeline {

// Paths of up to `limit` files marked .ready next to `requested` (PostgreSQL's %p, e.g.
// pg_wal/000000010000000000000034), in the order PostgreSQL archives them, without `requested`
// itself. Names that are not WAL file names are ignored. A missing status folder is an empty
// list: the caller was not run by PostgreSQL.
Result<std::vector<std::string>> next_ready_files(const std::string& requested, size_t limit);

// The next window of a backlog: paths of up to `limit` WAL segment files marked .ready next to
// `requested`, in the order PostgreSQL archives them, that come after `after` (a file name) in
// that order, without `requested`. No history files: PostgreSQL takes those first, so they are
// in the first window (next_ready_files) or are for PostgreSQL's own call.
Result<std::vector<std::string>> ready_segments_after(const std::string& requested,
                                                      const std::string& after, size_t limit);

// Whether file name `a` comes before file name `b` in the order these lists follow, which is
// PostgreSQL's for files that are not timeline history files (but for a .backup or .partial file
// and the segment it is named after, which only the order of their status files decides).
bool archived_before(std::string_view a, std::string_view b);

}  // namespace walpipe::pipeline
