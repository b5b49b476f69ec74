#include "pipeline/verify.h"

#include <algorithm>
#include <atomic>
#include <map>

#include "base/check.h"
#include "base/mutex.h"
#include "base/worker_pool.h"
#include "io/fs.h"
#include "pipeline/file_loader.h"
#include "pipeline/live_wal.h"
#include "pipeline/path_walk.h"
#include "pipeline/verify_walk.h"
#include "wal/chain.h"
#include "wal/history.h"
#include "wal/recycled.h"

namespace walpipe::pipeline {

namespace {

// PostgreSQL's default XLOG_BLCKSZ: a preallocated segment's first page is this many zeros.
constexpr size_t kFirstPageBytes = 8192;

// Where a file of a live pg_wal stands, for raw segments; nullopt for anything else.
std::optional<WalPlace> live_place(WalEnds& ends, const std::string& path) {
  std::string name = io::base_name(path);
  Result<wal::WalFileName> parsed = wal::parse_file_name(name);
  if (!parsed.is_ok() || parsed->kind != wal::FileKind::kSegment) return std::nullopt;
  return ends.place(io::dir_name(path), *parsed);
}

// A segment of a live pg_wal at or past the end of WAL: recycled (report set, true), or WAL that
// may end early.
bool recycled_or_open(WalPlace place, Bytes data, const wal::WalFileName& name, VerifiedFile* out,
                      wal::InspectOptions* inspect) {
  if (place == WalPlace::kBeforeEnd) return false;
  wal::FirstPageView first =
      wal::classify_first_page(data.first(std::min(data.size(), kFirstPageBytes)), name);
  if (place == WalPlace::kPastEnd &&
      (first.kind == wal::FirstPage::kOlder || first.kind == wal::FirstPage::kZeros)) {
    out->recycled = true;
    out->report = wal::recycled_report(first);
    return true;
  }
  // The end of WAL, or a file past it that the server has begun to write since the folder was
  // read.
  inspect->open_end = true;
  return false;
}

// The file `out` names into `loader`: from its path, or, for an object of an archive behind a
// Store, through `store`, checked as the object of a folder archive is. A store says what is
// wrong with an object without naming it (an age file that does not open, say): this names it.
Result<LoadedFile> load(FileLoader& loader, archive::Store* store, const VerifiedFile& out,
                        bool text) {
  if (store == nullptr) return loader.load(out.path, text);
  Result<archive::StoredObject> object = store->read(*out.wal_name, kMaxObjectFileSize);
  if (!object.is_ok()) {
    if (object.status().code() != Code::kCorruption) return std::move(object).take_status();
    return Status(Code::kCorruption,
                  "archive object \"" + out.path + "\": " + object.status().message());
  }
  return loader.load_object_bytes(object->bytes(), out.path, text);
}

// `place` is set for a raw segment of a live pg_wal; `store` and `object` for an object of an
// archive behind a Store, whose name is the object's, whatever its key adds (".zst.age").
void verify_one(FileLoader& loader, const wal::InspectOptions& options,
                std::optional<WalPlace> place, archive::Store* store,
                const std::optional<wal::WalFileName>& object, VerifiedFile* out) {
  WALPIPE_CHECK((store == nullptr) == !object.has_value());
  out->name = object ? object->to_string() : PathWalker::wal_name_of(out->path);
  Result<wal::WalFileName> parsed = wal::parse_file_name(out->name);
  if (parsed.is_ok()) out->wal_name = *parsed;
  bool text = parsed.is_ok() &&
              (parsed->kind == wal::FileKind::kHistory || parsed->kind == wal::FileKind::kBackup);
  Result<LoadedFile> loaded = load(loader, store, *out, text);
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
    wal::InspectOptions inspect = options;
    if (place && recycled_or_open(*place, loader.data(), *parsed, out, &inspect)) return;
    out->report = wal::inspect_segment(loader.data(), out->name, inspect);
  }
  if (!loaded->damage.empty())
    out->report.add(wal::Severity::kError, "OBJECT_BYTES", 0, 0, loaded->damage);
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
        chain_(
            chain_options,
            [this](const wal::ChainFile& file, const wal::Finding& finding) {
              sink_.set_finding(file.index, file.path, finding);
            },
            [this](const wal::Gap& gap) { sink_.gap(gap); }) {}

  void finish(size_t index, VerifiedFile&& file) EXCLUDES(mu_) {
    MutexLock lock(mu_);
    pending_.emplace(index, std::move(file));
    for (auto it = pending_.find(next_); it != pending_.end(); it = pending_.find(next_)) {
      sink_.file(next_, it->second);
      add_to_chain(next_, it->second);
      pending_.erase(it);
      ++next_;
    }
  }

  void finish_chain() EXCLUDES(mu_) {
    MutexLock lock(mu_);
    chain_.finish();
  }

 private:
  void add_to_chain(size_t index, VerifiedFile& f) REQUIRES(mu_) {
    if (!f.wal_name || !f.load_status.is_ok() || f.recycled) return;
    wal::ChainFile file{index, f.path, io::dir_name(f.path), f.in_archive};
    if (f.wal_name->kind == wal::FileKind::kHistory) {
      if (f.history && f.report.valid()) chain_.add_history(std::move(file), std::move(*f.history));
    } else if (f.wal_name->kind != wal::FileKind::kBackup) {
      chain_.add_segment(std::move(file), *f.wal_name, wal::ChainPoint::of(f.report));
    }
  }

  Mutex mu_;
  // Bounded by the files in flight on other workers.
  std::map<size_t, VerifiedFile> pending_ GUARDED_BY(mu_);
  size_t next_ GUARDED_BY(mu_) = 0;
  VerifySink& sink_;
  wal::ChainTracker chain_ GUARDED_BY(mu_);
};

}  // namespace

namespace {

// verify_inputs, with `io` for the Store handles of the workers (null when no input has a store).
void verify_all(std::vector<VerifyInput> inputs, io::Io* io, const VerifyOptions& options,
                VerifySink& sink) {
  // Each job decrypts and decompresses on the same pool: however many jobs, no more threads
  // compute at once than the pool has.
  unsigned jobs = options.jobs ? options.jobs : WorkerPool::shared().threads();
  // The same name from several inputs is compared; one folder walk cannot repeat a name.
  InOrder in_order(
      sink, wal::ChainOptions{options.require_contiguous, inputs.size() > 1, options.allow_gaps});
  const size_t input_count = inputs.size();
  struct Walk {
    explicit Walk(std::vector<VerifyInput> inputs) : walker(std::move(inputs)) {}
    Mutex mu;
    VerifyWalk walker GUARDED_BY(mu);
    WalEnds ends GUARDED_BY(mu);
    size_t next_index GUARDED_BY(mu) = 0;
  } walk(std::move(inputs));
  std::atomic<size_t> done{0};
  auto worker = [&] {
    FileLoader loader;  // one buffer per worker, reused for every file
    // A Store handle serves one thread: each worker reads objects through its own.
    std::vector<std::unique_ptr<archive::Store>> stores(input_count);
    for (;;) {
      std::optional<WalkedItem> item;
      std::optional<WalPlace> place;
      archive::Store* store = nullptr;
      size_t index;
      {
        MutexLock lock(walk.mu);
        item = walk.walker.next();
        if (!item) return Status::ok();
        index = walk.next_index++;
        const WalkedPath& walked = item->walked;
        // Whether a pg_wal file is recycled depends on the files after it: the first file of a
        // live folder reads the first page of all of them.
        if (walked.status.is_ok() && !item->object && (options.live || walked.in_pg_wal))
          place = live_place(walk.ends, walked.path);
        if (item->object) {
          std::unique_ptr<archive::Store>& mine = stores[item->input];
          WALPIPE_CHECK(io != nullptr);
          if (!mine) mine = walk.walker.inputs()[item->input].store->open_again(*io);
          store = mine.get();
        }
      }
      VerifiedFile result;
      result.path = std::move(item->walked.path);
      result.in_archive = item->walked.in_archive;
      if (item->walked.status.is_ok()) {
        verify_one(loader, options.inspect, place, store, item->object, &result);
      } else {
        result.name = PathWalker::wal_name_of(result.path);
        result.load_status = std::move(item->walked.status);
      }
      in_order.finish(index, std::move(result));
      size_t finished = ++done;
      if (options.progress) options.progress(finished);
    }
  };
  TaskGroup group;
  const Status verified = run_on_threads(group, jobs, worker);
  WALPIPE_CHECK(verified.is_ok());  // a file's problems are in its report, not a status
  in_order.finish_chain();
}

}  // namespace

void verify_files(const std::vector<std::string>& paths, const VerifyOptions& options,
                  VerifySink& sink) {
  std::vector<VerifyInput> inputs;
  for (const std::string& path : paths) inputs.push_back(VerifyInput{path, nullptr});
  verify_all(std::move(inputs), nullptr, options, sink);
}

void verify_inputs(std::vector<VerifyInput> inputs, io::Io& io, const VerifyOptions& options,
                   VerifySink& sink) {
  verify_all(std::move(inputs), &io, options, sink);
}

}  // namespace walpipe::pipeline
