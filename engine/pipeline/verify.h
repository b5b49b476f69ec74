// Offline verification of WAL files and whole folders (an archive, a pg_wal copy, the corpus):
// every file inspected on a fixed pool of workers, then the checks across files.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "io/io.h"
#include "pipeline/verify_walk.h"
#include "wal/chain.h"
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
  Status load_status;       // could not be read at all (I/O error); the report is then empty
  bool in_archive = false;  // under a walpipe archive root
  // In a live pg_wal, past the end of WAL, an older segment's pages or zeros: not WAL, and no
  // problem. The report then holds only the RECYCLED information.
  bool recycled = false;
  wal::SegmentReport report;
  std::optional<wal::TimelineHistory> history;  // .history files only
};

struct VerifyOptions {
  unsigned jobs = 0;  // 0: one per core
  wal::InspectOptions inspect;
  // A missing segment inside a timeline's run is an error everywhere; by default it is one only
  // inside an archive (a folder with walpipe.json), and a warning in other folders.
  bool require_contiguous = false;
  bool allow_gaps = false;  // a missing segment is a warning, inside an archive too
  // Every folder is a live pg_wal (not only those with archive_status/): past its end of WAL,
  // recycled segments are expected.
  bool live = false;
  // Called from worker threads after each file, with the number of files done.
  std::function<void(size_t)> progress;
};

// Receives results as verification goes: every file in the order given, as soon as it and all
// before it are done; the findings about the set (links, histories, clusters), each naming a
// file already delivered (most arrive with the file after it); and, at the end, the gaps, which
// belong to no file. Calls come from worker threads, one at a time.
class VerifySink {
 public:
  virtual ~VerifySink() = default;
  virtual void file(size_t index, const VerifiedFile& file) = 0;
  virtual void set_finding(size_t index, const std::string& path, const wal::Finding& finding) = 0;
  virtual void gap(const wal::Gap& gap) = 0;
};

// Verifies the files `paths` lead to (a PathWalker over them) and the chain between them.
// Memory is one buffer per worker plus what the chain checks keep, which does not grow with
// the number of files when they come in name order, as a folder walk gives them.
void verify_files(const std::vector<std::string>& paths, const VerifyOptions& options,
                  VerifySink& sink);

// verify_files over `inputs`, some of which may be archives behind a Store (a bucket, an
// encrypted folder): their objects, listed in key order or those the input chooses, are each
// read whole through the store and checked as a folder archive's object is (frames, sizes,
// XXH3-128, recorded name), named by Store::object_location; a segment missing inside a
// timeline is an error there, as in any archive. Each worker reads through its own handle
// (Store::open_again with `io`); a listing or an object that cannot be read is a load_status,
// as an unreadable folder or file is.
void verify_inputs(std::vector<VerifyInput> inputs, io::Io& io, const VerifyOptions& options,
                   VerifySink& sink);

}  // namespace walpipe::pipeline
