// How verification results look to a person (one line per file as it is verified, problems
// under it, problems across files, a summary) and to a script (--json, one document).
#pragma once

#include <string>

#include "pipeline/verify.h"
#include "progress.h"

namespace walpipe::cli {

struct VerifySummary {
  size_t files = 0;
  size_t valid = 0;
  size_t invalid = 0;
  size_t unreadable = 0;
  size_t recycled = 0;  // past the end of WAL in a live pg_wal: neither valid nor invalid
  size_t gaps = 0;      // runs of missing segments, counted apart from the files
  size_t gap_errors = 0;
  uint64_t missing_segments = 0;
  uint64_t records = 0;
  uint64_t wal_bytes = 0;
};

struct PrintOptions {
  bool json = false;
  bool verbose = false;  // information findings too (end of WAL, records continuing)
  bool quiet = false;    // only invalid files and the summary
};

// Streams results to stdout as the engine delivers them.
class VerifyPrinter : public pipeline::VerifySink {
 public:
  VerifyPrinter(PrintOptions options, Progress* progress);
  void file(size_t index, const pipeline::VerifiedFile& file) override;
  void set_finding(size_t index, const std::string& path, const wal::Finding& finding) override;
  void gap(const wal::Gap& gap) override;
  // Prints what remains (the problems across files, the gaps, the summary) and returns the
  // totals.
  VerifySummary finish();

 private:
  void emit(const std::string& text);

  PrintOptions options_;
  Progress* progress_;
  VerifySummary summary_;
  std::vector<bool> valid_;   // per file, so a problem across files can move it to invalid
  std::string set_problems_;  // text or JSON, printed by finish()
  std::string gaps_json_;
  bool first_json_file_ = true;
};

}  // namespace walpipe::cli
