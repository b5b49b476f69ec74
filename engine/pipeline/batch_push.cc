#include "pipeline/batch_push.h"

#include <algorithm>
#include <atomic>
#include <thread>

#include "io/buffer.h"
#include "pipeline/compressor_pool.h"

namespace walpipe::pipeline {

namespace {

// A remote store's PUT is mostly waiting for the store to write the object: a second lane
// uploads one object while the other is inspected and sent, so the store's latency is paid
// once per two objects. A folder's commit is this machine's own I/O: one lane.
constexpr size_t kRemoteLanes = 2;

// One lane of the pipeline: its own I/O and store handle (neither is shared between threads),
// taking the next file not yet taken by any lane, so that files finish about in order.
class Lane {
 public:
  Lane(const archive::Store& archive, const PushOptions& options, const io::IoFactory& make_io,
       CompressorPool& pool, const ArchivedFile& archived)
      : io_(make_io()),
        store_(archive.open_again(*io_)),
        options_(options),
        pool_(pool),
        archived_(archived) {}

  void run(const std::vector<std::string>& sources, std::atomic<size_t>& next_file,
           std::vector<Result<PushResult>>& results) {
    for (size_t i; (i = next_file.fetch_add(1)) < sources.size();) {
      Result<std::unique_ptr<FilePush>> next = FilePush::start(*io_, *store_, sources[i], options_);
      // Nothing to overlap with the queued file: it is committed first, so that a caller
      // waiting for it does not wait for the files after it too.
      if (!next.is_ok()) {
        write_queued(results);
        results[i] = std::move(next).take_status();
        continue;
      }
      if ((*next)->already_archived()) {
        write_queued(results);
        done(results, i, *(*next)->already_archived());
        continue;
      }
      // File i's frames queue behind those of the file before, which is then written and
      // committed here: the pool goes from one file to the next without waiting for this thread.
      (*next)->compress(pool_, std::move(spare_));
      write_queued(results);
      queued_ = std::move(*next);
      queued_index_ = i;
    }
    write_queued(results);
  }

  Status explain(Status failure) const { return store_->explain(std::move(failure)); }

 private:
  void done(std::vector<Result<PushResult>>& results, size_t index, Result<PushResult> result) {
    if (archived_ && result.is_ok()) archived_(*io_, *result);
    results[index] = std::move(result);
  }

  void write_queued(std::vector<Result<PushResult>>& results) {
    if (!queued_) return;
    Status streamed = queued_->stream();
    done(results, queued_index_,
         streamed.is_ok() ? queued_->finish(&spare_) : Result<PushResult>(std::move(streamed)));
    queued_.reset();
  }

  std::unique_ptr<io::Io> io_;
  std::unique_ptr<archive::Store> store_;
  const PushOptions& options_;
  CompressorPool& pool_;
  const ArchivedFile& archived_;
  // Two buffers at most: the one of the file queued before, and this spare.
  io::AlignedBuffer spare_;
  // The file whose frames were queued last, still to be written and committed.
  std::unique_ptr<FilePush> queued_;
  size_t queued_index_ = 0;
};

}  // namespace

std::vector<Result<PushResult>> push_files(const std::vector<std::string>& sources,
                                           const archive::Store& archive,
                                           const PushOptions& options, const io::IoFactory& make_io,
                                           const ArchivedFile& archived) {
  std::vector<Result<PushResult>> results(sources.size(), Status(Code::kIoError, "not pushed"));
  CompressorPool pool(options.threads, options.level);
  std::atomic<size_t> next_file = 0;
  Lane first(archive, options, make_io, pool, archived);
  // The other lanes wait for compressed frames, which the pool's own threads must never do
  // (compressor_pool.h): threads of their own, for the length of the run.
  std::vector<std::unique_ptr<Lane>> others;
  std::vector<std::thread> threads;
  const size_t lanes = archive.remote() ? std::min(kRemoteLanes, sources.size()) : 1;
  for (size_t lane = 1; lane < lanes; ++lane) {
    others.push_back(std::make_unique<Lane>(archive, options, make_io, pool, archived));
    threads.emplace_back(
        [&, mine = others.back().get()] { mine->run(sources, next_file, results); });
  }
  first.run(sources, next_file, results);
  for (std::thread& thread : threads) thread.join();
  for (Result<PushResult>& result : results)
    if (!result.is_ok()) result = first.explain(std::move(result).take_status());
  return results;
}

}  // namespace walpipe::pipeline
