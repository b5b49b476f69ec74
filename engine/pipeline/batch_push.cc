#include "pipeline/batch_push.h"

#include "io/buffer.h"

namespace walpipe::pipeline {

std::vector<Result<PushResult>> push_files(const std::vector<std::string>& sources,
                                           const archive::Layout& layout,
                                           const PushOptions& options,
                                           const io::IoFactory& make_io) {
  std::vector<Result<PushResult>> results;
  std::unique_ptr<io::Io> io = make_io();
  io::AlignedBuffer buffer;
  for (const std::string& source : sources)
    results.push_back(push_file(*io, layout, source, options, &buffer));
  return results;
}

}  // namespace walpipe::pipeline
