// walpipe push, one file: read → dedup → compress, and meanwhile fingerprint → inspect →
// write the frames as they are done → commit.
// Success means the file is durably in the archive with identical content.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "archive/commit.h"
#include "archive/identity.h"
#include "archive/layout.h"
#include "archive/object.h"
#include "base/status.h"
#include "codec/fingerprint.h"
#include "io/buffer.h"
#include "io/fs.h"
#include "io/io.h"
#include "wal/names.h"

namespace walpipe::pipeline {

struct PushOptions {
  bool verify = true;  // refuse WAL that fails validation (false: archive it, flagged)
  // zstd level. -1: on pgbench WAL 16% less compression time and ~25% faster decompression
  // than level 1, for 8.9:1 instead of 10.5:1 (README, Benchmarks).
  int level = -1;
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
// The object is written while it is being compressed. `spare`, when given, is a buffer kept
// from an earlier push and gets this push's buffer back: a run of pushes reuses its pages.
Result<PushResult> push_file(io::Io& io, const archive::Layout& layout, const std::string& source,
                             const PushOptions& options, io::AlignedBuffer* spare = nullptr);

}  // namespace walpipe::pipeline
