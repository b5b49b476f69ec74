// The background half of look-ahead push: once the requested file is durably archived and
// PostgreSQL has its answer, a detached process archives the files PostgreSQL will ask for next,
// so those calls find them already archived and only confirm them.
#pragma once

#include <string>
#include <vector>

#include "archive/layout.h"
#include "pipeline/push.h"
#include "wal/names.h"

namespace walpipe::cli {

// Forks a detached process that pushes `paths` one by one with `options`, unless another
// look-ahead process already works on this archive (a lock in ARCHIVE/.tmp). Returns at once;
// nothing it does can change the caller's exit status. Every push in it keeps the full commit
// protocol, so killing it at any moment loses nothing.
void start_lookahead(const archive::Layout& layout, const std::vector<std::string>& paths,
                     const pipeline::PushOptions& options);

// When a look-ahead process is at work on this archive and `name` is not archived yet, waits
// until it is or the process is done (at most `max_wait_ms`), so PostgreSQL's own call confirms
// the file instead of compressing it a second time alongside.
void wait_for_lookahead(const archive::Layout& layout, const wal::WalFileName& name,
                        int max_wait_ms);

}  // namespace walpipe::cli
