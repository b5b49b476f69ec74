#include "pipeline/restore_verify.h"

#include <optional>
#include <utility>

#include "base/check.h"
#include "io/io.h"
#include "pipeline/verify.h"

namespace walpipe::pipeline {

namespace {

// The verification's verdict on each file, by its place in the list given.
class Verdicts : public VerifySink {
 public:
  explicit Verdicts(size_t files) : reasons_(files) {}
  void file(size_t index, const VerifiedFile& file) override {
    if (!file.load_status.is_ok())
      note(index, file.load_status.message());
    else if (const wal::Finding* error = file.report.first_error())
      note(index, error->message);
  }
  void set_finding(size_t index, const std::string&, const wal::Finding& finding) override {
    if (finding.severity == wal::Severity::kError) note(index, finding.message);
  }
  void gap(const wal::Gap&) override {}  // the way was walked without gaps
  // The first file in list order that failed, and why.
  std::optional<std::pair<size_t, std::string>> first_bad() const {
    for (size_t i = 0; i < reasons_.size(); ++i)
      if (!reasons_[i].empty()) return std::pair{i, reasons_[i]};
    return std::nullopt;
  }

 private:
  void note(size_t index, const std::string& reason) {
    WALPIPE_CHECK(index < reasons_.size());
    if (reasons_[index].empty())
      reasons_[index] = reason.empty() ? "it failed verification" : reason;
  }
  std::vector<std::string> reasons_;
};

}  // namespace

size_t WayVerifier::verify(const std::vector<TimelineSpan>& spans,
                           const std::vector<PathSegment>& way, RestorePlan* plan) {
  std::vector<wal::WalFileName> names;
  std::vector<wal::TimeLineId> history_of;  // the timeline of each history file in `names`
  for (const TimelineSpan& span : spans)
    if (view_.histories.count(span.tli)) {
      names.push_back(wal::WalFileName{wal::FileKind::kHistory, span.tli});
      history_of.push_back(span.tli);
    }
  const size_t first_segment = names.size();
  for (const PathSegment& s : way) names.push_back(s.name);
  if (way.empty()) return 0;
  std::vector<std::string> paths;
  for (const wal::WalFileName& name : names) paths.push_back(store_.object_location(name));
  std::optional<std::pair<size_t, std::string>> bad;
  for (size_t i = 0; i < paths.size() && !bad; ++i)
    if (auto known = failed_.find(paths[i]); known != failed_.end())
      bad = std::pair{i, known->second};
  if (!bad) {
    VerifyOptions verify;
    verify.jobs = options_.jobs;
    verify.allow_gaps = true;  // the way has none; timelines meet at switch points
    if (options_.progress)
      verify.progress = [&](size_t done) { options_.progress(done, paths.size()); };
    VerifyInput input;
    input.store = &store_;
    input.objects = std::move(names);
    Verdicts verdicts(paths.size());
    io::SyncIo io;
    verify_inputs({std::move(input)}, io, verify, verdicts);
    bad = verdicts.first_bad();
    if (!bad) return way.size();
    failed_[paths[bad->first]] = bad->second;
  }
  size_t cut = bad->first >= first_segment ? bad->first - first_segment : way.size();
  if (bad->first < first_segment) {
    // A timeline whose history fails cannot be followed: the way ends where it begins.
    const wal::TimeLineId tli = history_of[bad->first];
    for (size_t i = 0; i < way.size(); ++i)
      if (way[i].name.tli >= tli) {
        cut = i;
        break;
      }
  }
  plan->shortfall = Shortfall::kInvalid;
  plan->bad_file = paths[bad->first];
  plan->bad_reason = bad->second;
  return cut;
}

}  // namespace walpipe::pipeline
