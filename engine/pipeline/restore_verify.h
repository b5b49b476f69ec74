// The verification of the WAL on a restore plan's way: the history files of the timelines it
// follows, then its segments, decompressed and checked as walpipe verify checks them, with the
// chain across the segments. Used by plan_restore for each backup it tries.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "archive/store.h"
#include "pipeline/restore_path.h"
#include "pipeline/restore_plan.h"

namespace walpipe::pipeline {

class WayVerifier {
 public:
  // `store`, `view` and `options` (jobs, progress) must outlive the verifier.
  WayVerifier(archive::Store& store, const ArchiveView& view, const PlanOptions& options)
      : store_(store), view_(view), options_(options) {}

  // Verifies the history files of the timelines of `spans` that the archive has, then the
  // segments of `way`, and cuts the way at the first file that fails: then plan->shortfall is
  // kInvalid, with the file and why. Returns the number of segments that passed. A file that
  // failed for an earlier way fails this one without a second reading; the files that passed
  // are read again, since the chain is checked across the files of one way. The files are read
  // through the store, whatever holds it (a folder, a bucket, age files that it decrypts), and
  // only those on the way; one that cannot be read (an identity that does not open it) fails
  // it as a damaged one does, with the store's reason.
  size_t verify(const std::vector<TimelineSpan>& spans, const std::vector<PathSegment>& way,
                RestorePlan* plan);

 private:
  archive::Store& store_;
  const ArchiveView& view_;
  const PlanOptions& options_;
  std::map<std::string, std::string> failed_;  // object path: why
};

}  // namespace walpipe::pipeline
