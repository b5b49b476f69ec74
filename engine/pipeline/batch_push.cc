#include "pipeline/batch_push.h"

#include "io/buffer.h"
#include "pipeline/compressor_pool.h"

namespace walpipe::pipeline {

std::vector<Result<PushResult>> push_files(const std::vector<std::string>& sources,
                                           const archive::Store& archive,
                                           const PushOptions& options,
                                           const io::IoFactory& make_io) {
  std::vector<Result<PushResult>> results(sources.size(), Status(Code::kIoError, "not pushed"));
  std::unique_ptr<io::Io> io = make_io();
  std::unique_ptr<archive::Store> store = archive.open_again(*io);
  CompressorPool pool(options.threads, options.level);
  // Two buffers at most: the one of the file queued before, and this spare.
  io::AlignedBuffer spare;
  // The file whose frames were queued last, still to be written and committed.
  std::unique_ptr<FilePush> queued;
  size_t queued_index = 0;
  auto write_queued = [&] {
    if (!queued) return;
    Status streamed = queued->stream();
    results[queued_index] =
        streamed.is_ok() ? queued->finish(&spare) : Result<PushResult>(std::move(streamed));
    queued.reset();
  };
  for (size_t i = 0; i < sources.size(); ++i) {
    Result<std::unique_ptr<FilePush>> next = FilePush::start(*io, *store, sources[i], options);
    // Nothing to overlap with file i-1: it is committed first, so that a caller waiting for it
    // does not wait for the files after it too.
    if (!next.is_ok()) {
      write_queued();
      results[i] = std::move(next).take_status();
      continue;
    }
    if ((*next)->already_archived()) {
      write_queued();
      results[i] = *(*next)->already_archived();
      continue;
    }
    // File i's frames queue behind those of file i-1, which is then written and committed
    // here: the pool goes from one file to the next without waiting for this thread.
    (*next)->compress(pool, std::move(spare));
    write_queued();
    queued = std::move(*next);
    queued_index = i;
  }
  write_queued();
  for (Result<PushResult>& result : results)
    if (!result.is_ok()) result = store->explain(std::move(result).take_status());
  return results;
}

}  // namespace walpipe::pipeline
