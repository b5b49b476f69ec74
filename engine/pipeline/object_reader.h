// Reading an archive object back, the one way get (and the prefetch spool, which restores through
// get) and the file loader (verify, list, check, restore-plan) do it: parse it (frame table,
// padding, the stored bytes' XXH3-128: archive::parse_object), decompress its independent frames
// on one core or several, then check what they give: the original bytes' XXH3-128 and, for a
// segment being restored, its page headers against the name it was asked for.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "archive/object.h"
#include "base/bytes.h"
#include "base/status.h"
#include "wal/names.h"

namespace walpipe::pipeline {

// Receives frame `index`'s decompressed bytes, valid until it returns; called from any worker.
using FrameSink = std::function<Status(size_t index, Bytes content)>;

// Decompresses frame i into out[i*frame_input_size, …) on up to `threads` threads; every frame
// must fill its slice exactly.
Status decompress_frames(const std::vector<Bytes>& frames, uint32_t frame_input_size,
                         std::span<std::byte> out, unsigned threads);

// Decompresses each frame into its worker's scratch buffer and hands it to `sink`; frame i must
// decompress to exactly its share of `total_size`.
Status decompress_frames_each(const std::vector<Bytes>& frames, uint32_t frame_input_size,
                              uint64_t total_size, unsigned threads, const FrameSink& sink);

class ObjectReader {
 public:
  // Parses `object`, which must outlive the reader and which messages call `path`. A parse
  // failure is the whole message (kCorruption, or kUnsupported for a newer format).
  static Result<ObjectReader> parse(Bytes object, std::string path);

  const archive::ObjectMetadata& meta() const { return parsed_.meta; }
  const std::string& path() const { return path_; }
  // When the stored bytes changed since they were written though the frames still parse (the
  // WAL inside may be intact all the same): what to tell the operator, naming the object.
  // Empty when nothing shows it.
  std::string damage() const;

  // The failures below are kCorruption saying why without naming the object: the caller says
  // what it was doing with it.
  //
  // The whole content into `out`, which holds meta().original_size bytes.
  Status decode_into(std::span<std::byte> out, unsigned threads) const;
  // The content frame by frame, each handed to `sink` with its index, never all of it at once.
  Status decode_each(unsigned threads, const FrameSink& sink) const;
  // The decoded content against the original bytes' XXH3-128 the object records.
  Status check_fingerprint(Bytes content) const;
  // check_fingerprint, then, for a segment, that it is the WAL `name` promises (page addresses,
  // record structure; the system identifier when given): another cluster's WAL or another
  // segment's is never handed over, even stored with --no-verify.
  Status check_restorable(const wal::WalFileName& name, Bytes content,
                          std::optional<uint64_t> system_id) const;

 private:
  ObjectReader(archive::ParsedObject parsed, std::string path)
      : parsed_(std::move(parsed)), path_(std::move(path)) {}

  archive::ParsedObject parsed_;
  std::string path_;
};

}  // namespace walpipe::pipeline
