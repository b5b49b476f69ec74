// How `walpipe list` shows an archive: a table with one line per object as the walk meets it,
// then the base backups, the last restorable time and the answer to --at; or one JSON document,
// written as it goes. Problems go to stderr in both forms (and into the document with --json).
#pragma once

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "archive_output.h"
#include "pipeline/listing.h"

namespace walpipe::cli {

class ListPrinter : public pipeline::ListSink {
 public:
  ListPrinter(bool json, std::FILE* out) : json_(json), out_(out) {}

  // The document's first keys (--json only); call before the walk.
  void begin(const std::string& archive, const std::optional<archive::Identity>& identity);
  void object(const pipeline::ListedObject& object) override;
  void problem(const Status& problem) override;
  // Everything after the rows. `at` is the time asked for with --at, if any.
  void finish(const pipeline::ListOutcome& outcome, std::optional<wal::PgTimestamp> at);

 private:
  void row_text(const pipeline::ListedObject& object);
  void row_json(const pipeline::ListedObject& object);
  void finish_text(const pipeline::ListOutcome& outcome, std::optional<wal::PgTimestamp> at);
  void finish_json(const pipeline::ListOutcome& outcome, std::optional<wal::PgTimestamp> at);

  const bool json_;
  std::FILE* const out_;
  bool header_done_ = false;
  bool first_row_ = true;
  std::vector<std::string> problems_;  // the first kMaxProblemsInDocument, for --json
};

}  // namespace walpipe::cli
