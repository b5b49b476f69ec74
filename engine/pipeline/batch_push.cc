#include "pipeline/batch_push.h"

#include <thread>

#include "pipeline/queue.h"

namespace walpipe::pipeline {

std::vector<Result<PushResult>> push_files(const std::vector<std::string>& sources,
                                           const archive::Layout& layout,
                                           const PushOptions& options, const IoFactory& make_io) {
  std::vector<Result<PushResult>> results(sources.size(), Status(Code::kIoError, "not pushed"));
  struct Work {
    size_t index;
    PreparedPush prepared;
  };
  BoundedQueue<Work> ready(1);
  std::thread committer([&] {
    std::unique_ptr<io::Io> io = make_io();
    while (std::optional<Work> work = ready.pop())
      results[work->index] = commit_push(*io, layout, work->prepared);
  });
  std::unique_ptr<io::Io> io = make_io();
  for (size_t i = 0; i < sources.size(); ++i) {
    Result<PreparedPush> prepared = prepare_push(*io, layout, sources[i], options);
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
