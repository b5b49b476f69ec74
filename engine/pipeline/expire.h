// walpipe expire's second half: a second pass over the listing that removes what the plan
// (expire_plan.h) lets go, oldest first in key order. Each timeline's WAL is a run of segments and
// removal only ever takes the oldest of it, so a removal stopped at any point (a kill, an I/O
// error) leaves an archive without a hole, and running expire again finishes the job.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "archive/identity.h"
#include "archive/store.h"
#include "base/status.h"
#include "pipeline/expire_plan.h"

namespace walpipe::pipeline {

struct ExpiredObject {
  std::string name;      // the WAL file name
  std::string location;  // Store::object_location
  uint64_t size = 0;     // stored bytes
  const std::string* reason = nullptr;
};

// What stays of one timeline: its oldest and newest WAL (segment or .partial) and its objects.
struct KeptTimeline {
  std::string first;
  std::string last;
  uint64_t objects = 0;
};

struct ExpireOutcome {
  uint64_t removed = 0;  // or, on a dry run, that would be
  uint64_t removed_bytes = 0;
  uint64_t kept = 0;
  uint64_t left = 0;  // due to go but left where they are (a problem named them)
  std::map<wal::TimeLineId, KeptTimeline> timelines;
};

class ExpireSink {
 public:
  virtual ~ExpireSink() = default;
  // An object just removed (on a dry run: that would be), with why.
  virtual void removed(const ExpiredObject& object) = 0;
  // An object due to go that is not what the plan saw (its metadata unreadable, another name or
  // cluster's in it): it stays.
  virtual void problem(const Status& problem) = 0;
};

// Removes from `store` what `plan` (without a refusal) lets go, or only says so with
// options.dry_run. Stops at the first removal that fails, with its error: what was removed
// before it was told to `sink`.
Result<ExpireOutcome> carry_out_expiry(archive::Store& store, const archive::Identity& identity,
                                       const ExpirePlan& plan, const ExpireOptions& options,
                                       ExpireSink& sink);

}  // namespace walpipe::pipeline
