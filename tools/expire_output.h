// What walpipe expire writes: the retention it applies and the backups it keeps, then one line
// per object removed (or, on a dry run, that would be) with why, as it goes, then what stays.
// --json writes the same as one document, streamed: its list of removals is not held in memory.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "pipeline/expire.h"
#include "pipeline/expire_plan.h"

namespace walpipe::cli {

class ExpireReport : public pipeline::ExpireSink {
 public:
  ExpireReport(std::string command, bool json, bool dry_run, std::FILE* out);

  // Before the removals: the archive, the newest commit, the retention and every backup.
  void begin(const std::string& archive, const pipeline::ExpirePlan& plan);
  void removed(const pipeline::ExpiredObject& object) override;
  void problem(const Status& problem) override;
  // After them: what stays (with the outcome), or the error that stopped the removal.
  void finish(const pipeline::ExpireOutcome& outcome);
  void stopped(const Status& error);
  // A plan that is not carried out: the document says why (the error itself goes to stderr).
  void refused(const std::string& archive, const Status& why);

 private:
  void close_removals();
  void problems_json();

  const std::string command_;
  const bool json_;
  const bool dry_run_;
  std::FILE* out_;
  bool first_removal_ = true;
  std::vector<std::string> problems_;  // for the document, at most kMaxProblemsInDocument
};

}  // namespace walpipe::cli
