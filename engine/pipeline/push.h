// walpipe push, one file: read → dedup → compress and fingerprint, and meanwhile inspect →
// write the frames as they are done → commit.
// Success means the file is durably in the archive with identical content.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "archive/identity.h"
#include "archive/object.h"
#include "archive/store.h"
#include "base/status.h"
#include "codec/fingerprint.h"
#include "io/buffer.h"
#include "io/fs.h"
#include "io/io.h"
#include "pipeline/compressor_pool.h"
#include "pipeline/frame_jobs.h"
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
  // kSuperseded: where the object stored with --no-verify that this one replaced was kept.
  std::string superseded;
};

// Archives the file at `source` (PostgreSQL's %p). Its base name must be a WAL file name; a
// hostile or malformed name is refused before any filesystem access. Refusals that need an
// operator (other cluster, different content, invalid WAL) are kMismatch or kCorruption. A
// valid file supersedes an object of its name stored with --no-verify that failed validation
// (archive/local/supersede.h). A failure comes back with what the store knows of its cause
// (Store::explain: who owns what, in a folder).
Result<PushResult> push_file(io::Io& io, archive::Store& store, const std::string& source,
                             const PushOptions& options);

// The file at `source` (named `name`), mapped: kCorruption when it is larger than a file of its
// kind can be.
Result<io::MappedFile> read_source(io::Io& io, const std::string& source,
                                   const wal::WalFileName& name);

// push_file in steps, so that a run of files can overlap them (batch_push.h). All run on the
// thread that uses `io`; the frames compress on a CompressorPool in between.
class FilePush {
 public:
  // Reads the file and confirms identical content already archived: already_archived() is then
  // set and nothing else is to be done. Different content is refused here, unless what is
  // archived was stored with --no-verify and failed validation: stream() then decides.
  static Result<std::unique_ptr<FilePush>> start(io::Io& io, archive::Store& store,
                                                 const std::string& source,
                                                 const PushOptions& options);
  // Queues the frames on `pool`, compressing into `buffer` (one kept from an earlier push
  // reuses its pages). For a file not already archived.
  void compress(CompressorPool& pool, io::AlignedBuffer buffer);
  ~FilePush();
  const std::optional<PushResult>& already_archived() const { return already_archived_; }
  // Fingerprint, inspection and Store::prepare while the frames compress, then the frames
  // handed to the store's upload as they fall into place; returns once all are compressed and
  // all but the last partial 4096-byte block handed over.
  Status stream();
  // The metadata, the last piece and the store's commit. The buffer goes to `spare`, if given.
  Result<PushResult> finish(io::AlignedBuffer* spare);

 private:
  FilePush(archive::Store& store, const PushOptions& options);

  archive::Store& store_;
  const PushOptions& options_;
  std::string source_path_;
  wal::WalFileName name_;
  io::MappedFile source_;
  archive::ObjectMetadata meta_;
  std::optional<PushResult> already_archived_;
  // The refusal of this file's content, due unless the file passes validation: the name holds
  // an object stored with --no-verify, which only a valid file supersedes.
  std::optional<Status> replaces_unverified_;
  size_t head_ = 0;  // where the data frames start
  std::unique_ptr<FrameCompression> compression_;
  std::unique_ptr<archive::ObjectUpload> upload_;
  size_t written_ = 0;  // the object is on disk up to here, but for its metadata
};

}  // namespace walpipe::pipeline
