// How verification results look to a person (one line per file, problems under it, a summary)
// and to a script (--json).
#pragma once

#include <string>
#include <vector>

#include "pipeline/verify.h"

namespace walpipe::cli {

struct VerifySummary {
  size_t files = 0;
  size_t valid = 0;
  size_t invalid = 0;
  size_t unreadable = 0;
  uint64_t records = 0;
  uint64_t wal_bytes = 0;
};

VerifySummary summarize(const std::vector<pipeline::VerifiedFile>& files);

// One file: "PATH: ok: …" or "PATH: error: …" followed by its findings. `verbose` adds
// information findings (end of WAL, records continuing into the next segment).
std::string format_file_text(const pipeline::VerifiedFile& file, bool verbose);
std::string format_summary_text(const VerifySummary& summary);
std::string format_json(const std::vector<pipeline::VerifiedFile>& files,
                        const VerifySummary& summary);

}  // namespace walpipe::cli
