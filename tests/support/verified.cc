#include "support/verified.h"

namespace walpipe::testing {

namespace {

class Collector : public pipeline::VerifySink {
 public:
  void file(size_t index, const pipeline::VerifiedFile& file) override {
    if (files_.size() <= index) files_.resize(index + 1);
    files_[index] = file;
  }
  void set_finding(size_t index, const std::string&, const wal::Finding& finding) override {
    files_[index].report.findings.push_back(finding);
  }
  void gap(const wal::Gap& gap) override { gaps_.push_back(gap); }
  std::vector<pipeline::VerifiedFile>& files() { return files_; }
  std::vector<wal::Gap>& gaps() { return gaps_; }

 private:
  std::vector<pipeline::VerifiedFile> files_;
  std::vector<wal::Gap> gaps_;
};

}  // namespace

std::vector<pipeline::VerifiedFile> verify_files(const std::vector<std::string>& paths,
                                                 const pipeline::VerifyOptions& options,
                                                 std::vector<wal::Gap>* gaps) {
  Collector collector;
  pipeline::verify_files(paths, options, collector);
  if (gaps) *gaps = std::move(collector.gaps());
  return std::move(collector.files());
}

}  // namespace walpipe::testing
