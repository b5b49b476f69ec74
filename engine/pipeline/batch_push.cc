#include "pipeline/batch_push.h"

#include "io/buffer.h"
#include "pipeline/compressor_pool.h"

namespace walpipe::pipeline {

std::vector<Result<PushResult>> push_files(const std::vector<std::string>& sources,
                                           const archive::Layout& layout,
                                           const PushOptions& options,
                                           const io::IoFactory& make_io) {
  std::vector<Result<PushResult>> results(sources.size(), Status(Code::kIoError, "not pushed"));
  std::unique_ptr<io::Io> io = make_io();
  CompressorPool pool(options.threads, options.level);
  // Two buffers at most: the one of the file waiting for its commit, and this spare.
  io::AlignedBuffer spare;
  // The file whose frames are all written, waiting for its commit.
  std::unique_ptr<FilePush> streamed;
  size_t streamed_index = 0;
  auto commit_streamed = [&] {
    if (!streamed) return;
    results[streamed_index] = streamed->finish(&spare);
    streamed.reset();
  };
  for (size_t i = 0; i < sources.size(); ++i) {
    Result<std::unique_ptr<FilePush>> next = FilePush::start(*io, layout, sources[i], options);
    if (!next.is_ok() || (*next)->already_archived()) {
      commit_streamed();
      if (next.is_ok())
        results[i] = *(*next)->already_archived();
      else
        results[i] = std::move(next).take_status();
      continue;
    }
    // File i compresses on the pool while file i-1 is committed here.
    (*next)->compress(pool, std::move(spare));
    commit_streamed();
    Status s = (*next)->stream();
    if (!s.is_ok()) {
      results[i] = s;
      continue;
    }
    streamed = std::move(*next);
    streamed_index = i;
  }
  commit_streamed();
  return results;
}

}  // namespace walpipe::pipeline
