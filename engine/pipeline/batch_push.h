// Pushing a run of files, one after the other, each written while it is compressed (push_file),
// with one buffer for all of them: memory stays at one object whatever the run's length.
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
