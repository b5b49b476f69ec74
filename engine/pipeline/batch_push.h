// Pushing a run of files as a pipeline: one fixed pool of compression threads (one per core)
// for the whole run; a lane owns the I/O (the io_uring ring), and while it writes and commits
// file k (the frames, metadata, fdatasync, rename, folder fsyncs, or one PUT) the pool already
// compresses the lane's next file, whose frames were queued behind file k's. A folder has one
// lane; a remote store two, one uploading while the other prepares. At most two files are in
// flight per lane, each in one of two buffers reused for the whole run: memory is fixed at two
// segments' worth per lane whatever the run's length.
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
// a handle of its own per lane on the I/O that `make_io` makes. `archived`, when set, is told of
// each file as soon as it is in the archive (written or found there), on its lane's thread and
// with its I/O: a caller waiting for one file then waits for it alone, not for the whole run.
using ArchivedFile = std::function<void(io::Io& io, const PushResult& pushed)>;
std::vector<Result<PushResult>> push_files(const std::vector<std::string>& sources,
                                           const archive::Store& archive,
                                           const PushOptions& options, const io::IoFactory& make_io,
                                           const ArchivedFile& archived = {});

}  // namespace walpipe::pipeline
