// Offline verification of WAL files and whole folders (an archive, a pg_wal copy, the corpus):
// every file inspected on a fixed pool of workers, then the checks across files.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "wal/history.h"
#include "wal/inspect.h"
#include "wal/names.h"
#include "wal/report.h"

namespace walpipe::pipeline {

struct VerifiedFile {
  std::string path;
  std::string name;  // the WAL name (".zst" removed)
  std::optional<wal::WalFileName> wal_name;
  bool compressed = false;
  uint64_t stored_size = 0;
  Status load_status;  // could not be read at all (I/O error); the report is then empty
  wal::SegmentReport report;
  std::optional<wal::TimelineHistory> history;  // .history files only
};

struct VerifyOptions {
  unsigned jobs = 0;  // 0: one per core
  wal::InspectOptions inspect;
  bool require_contiguous = false;  // a missing segment inside a timeline's run is an error
  // Called from worker threads after each file, with (files done, files total).
  std::function<void(size_t, size_t)> progress;
};

// Expands `paths` (files as given; folders recursively, keeping only names that are WAL names,
// optionally with .zst), in name order. A path that cannot be read is an error Status.
Result<std::vector<std::string>> expand_paths(const std::vector<std::string>& paths);

// Receives results as verification goes: every file in the order given, as soon as it and all
// before it are done, then the findings about the set (gaps, links, histories), each naming the
// file it was found on. Calls come from worker threads, one at a time.
class VerifySink {
 public:
  virtual ~VerifySink() = default;
  virtual void file(size_t index, const VerifiedFile& file) = 0;
  virtual void set_finding(size_t index, const std::string& path, const wal::Finding& finding) = 0;
};

// Verifies the files and the chain between them. Memory is one buffer per worker plus a compact
// summary per file, so it barely grows with the number of files.
void verify_files(const std::vector<std::string>& files, const VerifyOptions& options,
                  VerifySink& sink);

// The same, collected: each file with the set's findings appended to its own. For tests and
// small sets.
std::vector<VerifiedFile> verify_files(const std::vector<std::string>& files,
                                       const VerifyOptions& options);

}  // namespace walpipe::pipeline
