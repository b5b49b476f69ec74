#include "pipeline/verify.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include "io/fs.h"
#include "pipeline/file_loader.h"
#include "pipeline/path_walk.h"
#include "wal/chain.h"
#include "wal/history.h"

namespace walpipe::pipeline {

namespace {

void verify_one(FileLoader& loader, const wal::InspectOptions& inspect, VerifiedFile* out) {
  out->name = PathWalker::wal_name_of(out->path);
  Result<wal::WalFileName> parsed = wal::parse_file_name(out->name);
  if (parsed.is_ok()) out->wal_name = *parsed;
  bool text = parsed.is_ok() &&
              (parsed->kind == wal::FileKind::kHistory || parsed->kind == wal::FileKind::kBackup);
  Result<LoadedFile> loaded = loader.load(out->path, text);
  if (!loaded.is_ok()) {
    if (loaded.status().code() == Code::kCorruption) {
      out->report.add(wal::Severity::kError, "FILE_CONTENT", 0, 0, loaded.status().message());
    } else {
      out->load_status = std::move(loaded).take_status();
    }
    return;
  }
  out->compressed = loaded->compressed;
  out->stored_size = loaded->stored_size;
  if (text && parsed->kind == wal::FileKind::kHistory) {
    out->history = wal::parse_history(loader.data(), parsed->tli, out->name, &out->report);
  } else if (text) {
    wal::parse_backup_history(loader.data(), out->name, 0, &out->report);
  } else {
    out->report = wal::inspect_segment(loader.data(), out->name, inspect);
  }
  if (!loaded->object_name.empty() && loaded->object_name != out->name)
    out->report.add(wal::Severity::kError, "OBJECT_NAME", 0, 0,
                    "archive object \"" + out->path + "\" holds \"" + loaded->object_name +
                        "\", not the file its name says");
}

}  // namespace

namespace {

// Hands finished files to the sink in input order and feeds them to the chain checks, which
// keep only what they still need.
class InOrder {
 public:
  InOrder(VerifySink& sink, wal::ChainOptions chain_options)
      : sink_(sink),
        chain_(chain_options, [this](const wal::ChainFile& file, const wal::Finding& finding) {
          sink_.set_finding(file.index, file.path, finding);
        }) {}

  void finish(size_t index, VerifiedFile&& file) {
    std::lock_guard<std::mutex> lock(mu_);
    pending_.emplace(index, std::move(file));
    for (auto it = pending_.find(next_); it != pending_.end(); it = pending_.find(next_)) {
      sink_.file(next_, it->second);
      add_to_chain(next_, it->second);
      pending_.erase(it);
      ++next_;
    }
  }

  void finish_chain() {
    std::lock_guard<std::mutex> lock(mu_);
    chain_.finish();
  }

 private:
  void add_to_chain(size_t index, VerifiedFile& f) {
    if (!f.wal_name || !f.load_status.is_ok()) return;
    wal::ChainFile file{index, f.path, io::dir_name(f.path)};
    if (f.wal_name->kind == wal::FileKind::kHistory) {
      if (f.history && f.report.valid()) chain_.add_history(std::move(file), std::move(*f.history));
    } else if (f.wal_name->kind != wal::FileKind::kBackup) {
      chain_.add_segment(std::move(file), *f.wal_name, wal::ChainPoint::of(f.report));
    }
  }

  std::mutex mu_;
  std::map<size_t, VerifiedFile> pending_;  // bounded by the files in flight on other workers
  size_t next_ = 0;
  VerifySink& sink_;
  wal::ChainTracker chain_;
};

class Collector : public VerifySink {
 public:
  void file(size_t index, const VerifiedFile& file) override {
    if (files_.size() <= index) files_.resize(index + 1);
    files_[index] = file;
  }
  void set_finding(size_t index, const std::string&, const wal::Finding& finding) override {
    files_[index].report.findings.push_back(finding);
  }
  std::vector<VerifiedFile>& files() { return files_; }

 private:
  std::vector<VerifiedFile> files_;
};

}  // namespace

void verify_files(const std::vector<std::string>& paths, const VerifyOptions& options,
                  VerifySink& sink) {
  unsigned jobs = options.jobs ? options.jobs : std::max(1u, std::thread::hardware_concurrency());
  // The same name from several paths is compared; one folder walk cannot repeat a name.
  InOrder in_order(sink, wal::ChainOptions{options.require_contiguous, paths.size() > 1});
  PathWalker walker(paths);
  std::mutex walker_mu;
  size_t next_index = 0;
  std::atomic<size_t> done{0};
  auto worker = [&] {
    FileLoader loader;  // one buffer per worker, reused for every file
    for (;;) {
      std::optional<WalkedPath> walked;
      size_t index;
      {
        std::lock_guard<std::mutex> lock(walker_mu);
        walked = walker.next();
        if (!walked) return;
        index = next_index++;
      }
      VerifiedFile result;
      result.path = std::move(walked->path);
      if (walked->status.is_ok()) {
        verify_one(loader, options.inspect, &result);
      } else {
        result.name = PathWalker::wal_name_of(result.path);
        result.load_status = std::move(walked->status);
      }
      in_order.finish(index, std::move(result));
      size_t finished = ++done;
      if (options.progress) options.progress(finished);
    }
  };
  std::vector<std::thread> threads;
  for (unsigned t = 1; t < jobs; ++t) threads.emplace_back(worker);
  worker();
  for (auto& t : threads) t.join();
  in_order.finish_chain();
}

std::vector<VerifiedFile> verify_files(const std::vector<std::string>& paths,
                                       const VerifyOptions& options) {
  Collector collector;
  verify_files(paths, options, collector);
  return std::move(collector.files());
}

}  // namespace walpipe::pipeline
