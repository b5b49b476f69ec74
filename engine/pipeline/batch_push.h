// Pushing a run of files with the CPU and I/O halves overlapped: while file k is committed
// (fdatasync, rename, folder fsyncs) on one thread, file k+1 is read, checked and compressed on
// the others. At most one prepared file waits between the two, so memory stays at two objects.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "archive/layout.h"
#include "io/io.h"
#include "pipeline/push.h"

namespace walpipe::pipeline {

// Pushes `sources` in order; result i belongs to sources[i]. A failing file does not stop the
// others: each commit is independent and complete or absent.
std::vector<Result<PushResult>> push_files(const std::vector<std::string>& sources,
                                           const archive::Layout& layout,
                                           const PushOptions& options,
                                           const io::IoFactory& make_io);

}  // namespace walpipe::pipeline
