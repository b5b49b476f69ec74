#include "pipeline/verify.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "io/fs.h"
#include "pipeline/file_loader.h"
#include "wal/chain.h"
#include "wal/history.h"

namespace walpipe::pipeline {

namespace {

std::string strip_zst(const std::string& name) {
  constexpr std::string_view kSuffix = ".zst";
  if (name.size() > kSuffix.size() && name.ends_with(kSuffix))
    return name.substr(0, name.size() - kSuffix.size());
  return name;
}

Status expand_directory(const std::string& dir, std::vector<std::string>* out) {
  Result<std::vector<io::DirEntry>> entries = io::list_directory(dir);
  if (!entries.is_ok()) return std::move(entries).take_status();
  for (const io::DirEntry& e : *entries) {
    std::string path = dir + "/" + e.name;
    if (e.type == io::EntryType::kDirectory) {
      // PostgreSQL's status files and walpipe's in-progress writes are not WAL.
      if (e.name == "archive_status" || e.name == ".tmp" || e.name == "summaries") continue;
      WALPIPE_TRY(expand_directory(path, out));
    } else if (e.type == io::EntryType::kFile && wal::parse_file_name(strip_zst(e.name)).is_ok()) {
      out->push_back(std::move(path));
    }
  }
  return Status::ok();
}

void verify_one(FileLoader& loader, const wal::InspectOptions& inspect, VerifiedFile* out) {
  out->name = strip_zst(io::base_name(out->path));
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

Result<std::vector<std::string>> expand_paths(const std::vector<std::string>& paths) {
  std::vector<std::string> files;
  for (const std::string& path : paths) {
    Result<io::EntryType> type = io::entry_type(path);
    if (!type.is_ok()) return std::move(type).take_status();
    if (*type == io::EntryType::kDirectory) {
      std::string dir = path;
      while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
      WALPIPE_TRY(expand_directory(dir, &files));
    } else {
      files.push_back(path);
    }
  }
  return files;
}

namespace {

// What is kept of a file after it was handed to the sink: a couple of hundred bytes.
struct Summary {
  std::optional<wal::WalFileName> wal_name;
  bool readable = false;
  const std::string* directory = nullptr;  // interned: one string per folder
  wal::ChainPoint point;
  std::optional<wal::TimelineHistory> history;  // .history files only
};

// Hands finished files to the sink in input order, compacting each as it goes.
class InOrder {
 public:
  InOrder(size_t count, VerifySink& sink) : summaries_(count), sink_(sink) {}
  const std::string* intern_directory(const std::string& path) {
    return &*directories_.insert(io::dir_name(path)).first;
  }

  void finish(size_t index, VerifiedFile&& file) {
    std::lock_guard<std::mutex> lock(mu_);
    pending_.emplace(index, std::move(file));
    for (auto it = pending_.find(next_); it != pending_.end(); it = pending_.find(next_)) {
      VerifiedFile& f = it->second;
      sink_.file(next_, f);
      Summary& s = summaries_[next_];
      s.wal_name = f.wal_name;
      s.readable = f.load_status.is_ok();
      s.directory = intern_directory(f.path);
      s.point = wal::ChainPoint::of(f.report);
      s.history = std::move(f.history);
      pending_.erase(it);
      ++next_;
    }
  }

  std::vector<Summary>& summaries() { return summaries_; }

 private:
  std::mutex mu_;
  std::map<size_t, VerifiedFile> pending_;  // bounded by the files in flight on other workers
  size_t next_ = 0;
  std::vector<Summary> summaries_;
  std::set<std::string> directories_;
  VerifySink& sink_;
};

class Collector : public VerifySink {
 public:
  explicit Collector(size_t count) : files_(count) {}
  void file(size_t index, const VerifiedFile& file) override { files_[index] = file; }
  void set_finding(size_t index, const std::string&, const wal::Finding& finding) override {
    files_[index].report.findings.push_back(finding);
  }
  std::vector<VerifiedFile>& files() { return files_; }

 private:
  std::vector<VerifiedFile> files_;
};

}  // namespace

void verify_files(const std::vector<std::string>& files, const VerifyOptions& options,
                  VerifySink& sink) {
  unsigned jobs = options.jobs ? options.jobs : std::max(1u, std::thread::hardware_concurrency());
  jobs = static_cast<unsigned>(std::min<size_t>(jobs, std::max<size_t>(1, files.size())));
  InOrder in_order(files.size(), sink);
  std::atomic<size_t> next{0};
  std::atomic<size_t> done{0};
  auto worker = [&] {
    FileLoader loader;  // one buffer per worker, reused for every file
    for (size_t i = next++; i < files.size(); i = next++) {
      VerifiedFile result;
      result.path = files[i];
      verify_one(loader, options.inspect, &result);
      in_order.finish(i, std::move(result));
      size_t finished = ++done;
      if (options.progress) options.progress(finished, files.size());
    }
  };
  std::vector<std::thread> threads;
  for (unsigned t = 1; t < jobs; ++t) threads.emplace_back(worker);
  worker();
  for (auto& t : threads) t.join();

  std::vector<Summary>& summaries = in_order.summaries();
  std::vector<wal::ChainItem> chain;
  std::vector<wal::ScopedHistory> histories;
  for (Summary& s : summaries) {
    if (!s.wal_name || !s.readable) continue;
    if (s.wal_name->kind == wal::FileKind::kHistory) {
      if (s.history && s.point.valid())
        histories.push_back(wal::ScopedHistory{*s.directory, *s.history});
    } else if (s.wal_name->kind != wal::FileKind::kBackup) {
      chain.push_back(wal::ChainItem{*s.wal_name, s.directory, &s.point});
    }
  }
  wal::check_chain(std::move(chain), histories, wal::ChainOptions{options.require_contiguous});
  for (size_t i = 0; i < summaries.size(); ++i)
    for (const wal::Finding& f : summaries[i].point.findings) sink.set_finding(i, files[i], f);
}

std::vector<VerifiedFile> verify_files(const std::vector<std::string>& files,
                                       const VerifyOptions& options) {
  Collector collector(files.size());
  verify_files(files, options, collector);
  return std::move(collector.files());
}

}  // namespace walpipe::pipeline
