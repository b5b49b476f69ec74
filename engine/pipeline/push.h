// walpipe push, one file: read → inspect → fingerprint → dedup → compress → write → commit.
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

// A file made ready to commit: checked, fingerprinted, compressed into its final object bytes.
struct PreparedPush {
  io::MappedFile source;  // the file pushed, kept mapped until the caller lets it go
  wal::WalFileName name;
  archive::ObjectMetadata meta;
  std::optional<archive::Identity> identity;  // segments only
  io::AlignedBuffer object;                   // empty when already_present
  bool already_present = false;               // identical content is archived and now durable
};

// The CPU half of a push: read, fingerprint, dedup check, inspection and compression, and,
// while compressing, what the commit needs in place (identity checked or created, folders).
// No object is written. `reuse` is the object buffer of a push already committed, if any.
// Errors as push_file.
Result<PreparedPush> prepare_push(io::Io& io, const archive::Layout& layout,
                                  const std::string& source, const PushOptions& options,
                                  io::AlignedBuffer reuse = {});

// The I/O half: the commit protocol. Another thread (with its own Io) may commit one file while
// the next is being prepared.
Result<PushResult> commit_push(io::Io& io, const archive::Layout& layout,
                               const PreparedPush& prepared);

// Archives the file at `source` (PostgreSQL's %p). Its base name must be a WAL file name; a
// hostile or malformed name is refused before any filesystem access. Refusals that need an
// operator (other cluster, different content, invalid WAL) are kMismatch or kCorruption.
Result<PushResult> push_file(io::Io& io, const archive::Layout& layout, const std::string& source,
                             const PushOptions& options);

}  // namespace walpipe::pipeline
