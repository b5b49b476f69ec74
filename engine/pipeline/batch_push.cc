#include "pipeline/batch_push.h"

#include <thread>

#include "io/buffer.h"
#include "pipeline/queue.h"

namespace walpipe::pipeline {

std::vector<Result<PushResult>> push_files(const std::vector<std::string>& sources,
                                           const archive::Layout& layout,
                                           const PushOptions& options,
                                           const io::IoFactory& make_io) {
  std::vector<Result<PushResult>> results(sources.size(), Status(Code::kIoError, "not pushed"));
  struct Work {
    size_t index;
    PreparedPush prepared;
  };
  BoundedQueue<Work> ready(1);
  // Committed objects' buffers go back to be compressed into again: at most one is being
  // prepared, one waits and one is committed, so three never block the committer.
  BoundedQueue<io::AlignedBuffer> spare(3);
  std::thread committer([&] {
    std::unique_ptr<io::Io> io = make_io();
    while (std::optional<Work> work = ready.pop()) {
      results[work->index] = commit_push(*io, layout, work->prepared);
      if (work->prepared.object.size() > 0) spare.push(std::move(work->prepared.object));
    }
  });
  std::unique_ptr<io::Io> io = make_io();
  for (size_t i = 0; i < sources.size(); ++i) {
    std::optional<io::AlignedBuffer> reuse = spare.try_pop();
    Result<PreparedPush> prepared = prepare_push(*io, layout, sources[i], options,
                                                 reuse ? std::move(*reuse) : io::AlignedBuffer());
    if (!prepared.is_ok()) {
      results[i] = std::move(prepared).take_status();
      continue;
    }
    ready.push(Work{i, std::move(*prepared)});
  }
  ready.close();
  committer.join();
  return results;
}

}  // namespace walpipe::pipeline
