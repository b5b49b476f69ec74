// walpipe push, one file: read → inspect → fingerprint → dedup → compress → write → commit.
// Success means the file is durably in the archive with identical content.
#pragma once

#include <cstdint>
#include <string>

#include "archive/commit.h"
#include "archive/layout.h"
#include "base/status.h"
#include "codec/fingerprint.h"
#include "io/io.h"

namespace walpipe::pipeline {

struct PushOptions {
  bool verify = true;  // refuse WAL that fails validation (false: archive it, flagged)
  int level = 1;       // zstd level
  uint32_t frame_input_size = 1 << 20;
  unsigned threads = 0;  // 0: one per core
};

struct PushResult {
  std::string name;
  archive::CommitOutcome outcome = archive::CommitOutcome::kWritten;
  Fingerprint fingerprint;
  uint64_t original_size = 0;
  uint64_t stored_size = 0;  // 0 when already present
};

// Archives the file at `source` (PostgreSQL's %p). Its base name must be a WAL file name; a
// hostile or malformed name is refused before any filesystem access. Refusals that need an
// operator (other cluster, different content, invalid WAL) are kMismatch or kCorruption.
Result<PushResult> push_file(io::Io& io, const archive::Layout& layout, const std::string& source,
                             const PushOptions& options);

}  // namespace walpipe::pipeline
