// walpipe get, one file: locate → read → parse → decompress frames in parallel → check XXH3-128
// and the WAL headers against the requested name → write DEST (0600). Nothing reaches DEST
// unless all of that passed; a failure removes whatever was written.
#pragma once

#include <cstdint>
#include <string>

#include "archive/identity.h"
#include "archive/store.h"
#include "base/status.h"
#include "codec/fingerprint.h"
#include "io/io.h"

namespace walpipe::pipeline {

struct GetOptions {
  unsigned threads = 0;  // 0: one per core
};

struct GetResult {
  uint64_t original_size = 0;
  uint64_t stored_size = 0;
  Fingerprint fingerprint;  // of the WAL written to DEST, which every check held to
  // The object's stored bytes changed since it was written, but the WAL it holds passed every
  // check and was restored: what is wrong with the object, for the operator to replace it.
  std::string damage;
};

// kNotFound only when the archive is reachable and holds no object under `name`: the one answer
// that lets PostgreSQL end recovery. Every other failure is a different code.
Result<GetResult> get_file(io::Io& io, archive::Store& store, const std::string& name,
                           const std::string& dest, const GetOptions& options);

// Whether the archive holds the WAL of the cluster whose data directory is `data_dir` (PostgreSQL
// runs restore_command there): the archive's system identifier (walpipe.json) against the one in
// DATA_DIR/global/pg_control. kMismatch naming both when they differ, so that recovery stops
// before another cluster's WAL or history file is restored. Ok when they agree, and also when
// either cannot be read or validated (no data directory there, no permission, an archive that
// has no walpipe.json yet): then the comparison was not made, and `unchecked` says why.
Status check_cluster(archive::Store& store, const std::string& data_dir, std::string* unchecked);
// check_cluster against `identity`, the walpipe.json of the archive at `location` as it was read
// before (the prefetch spool keeps it, pipeline/prefetch.h).
Status check_cluster_with(const archive::Identity& identity, const std::string& location,
                          const std::string& data_dir, std::string* unchecked);

}  // namespace walpipe::pipeline
