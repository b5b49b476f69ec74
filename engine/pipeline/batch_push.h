// Pushing a run of files as a pipeline: one fixed pool of compression threads (one per core)
// for the whole run; this thread owns the I/O (the io_uring ring), and while it writes and
// commits file k (the frames, metadata, fdatasync, rename, folder fsyncs) the pool already
// compresses file k+1, whose frames were queued behind file k's. At most
// two files are in flight, each in one of two buffers reused for the whole run: memory is
// fixed at two segments' worth whatever the run's length.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "archive/store.h"
#include "io/io.h"
#include "pipeline/push.h"

namespace walpipe::pipeline {

// Pushes `sources` in order; result i belongs to sources[i]. A failing file does not stop the
// others: each commit is independent and complete or absent. The files go to `archive` through
// a handle of its own on the I/O that `make_io` makes.
std::vector<Result<PushResult>> push_files(const std::vector<std::string>& sources,
                                           const archive::Store& archive,
                                           const PushOptions& options,
                                           const io::IoFactory& make_io);

}  // namespace walpipe::pipeline
