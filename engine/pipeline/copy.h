// walpipe copy FROM TO: an existing archive brought into another (a DBA adding an off-site
// bucket to a folder archive, or moving one). Every object is decoded and checked before it is
// stored (the WAL's XXH3-128, and a segment's page headers against its name), then stored as it
// was, byte for byte, through the destination's own put: never replacing anything, so a copy
// killed at any point is resumed by running it again (what is there already with the same
// fingerprint is passed by).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "archive/store.h"
#include "base/status.h"

namespace walpipe::pipeline {

enum class CopyStep { kCopied, kAlreadyThere, kRefused };

struct CopyEvent {
  const archive::ObjectEntry* entry = nullptr;
  CopyStep step = CopyStep::kCopied;
  Status why;  // for kRefused: damaged in FROM, or different content in TO
  uint64_t done = 0;  // objects handled so far, this one included
};

struct CopyReport {
  uint64_t copied = 0;
  uint64_t already_there = 0;
  uint64_t refused = 0;
  uint64_t bytes_copied = 0;  // stored bytes
};

struct CopyOptions {
  unsigned threads = 0;  // decoding; 0: one per core
  std::function<void(const CopyEvent&)> on_object;
};

// Copies every object of `from` into `to`, in key order, after writing `from`'s identity to `to`
// (kMismatch when `to` belongs to another cluster; kNotFound when `from` holds no archive).
// An object that cannot be copied (damaged, or `to` holds different content under its name) is
// reported through on_object and counted, and the copy goes on; a failure to read or write an
// archive stops it.
Result<CopyReport> copy_archive(archive::Store& from, archive::Store& to,
                                const CopyOptions& options);

}  // namespace walpipe::pipeline
