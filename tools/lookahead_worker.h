// The background half of look-ahead push: once the requested file is durably archived and
// PostgreSQL has its answer, a detached process archives the files PostgreSQL will ask for next,
// so those calls find them already archived and only confirm them.
#pragma once

#include <string>

#include "archive/store.h"
#include "pipeline/push.h"
#include "wal/names.h"

namespace walpipe::cli {

// Unless another look-ahead process already works on this archive (a lock in its meeting_dir()),
// forks a detached process that pushes the files marked ready next to `requested`, `window` at a
// time in PostgreSQL's order, window after window while PostgreSQL marks more ready than are
// archived: a backlog drains through one pipeline. It stops when none is left, or when a whole
// window failed (a full disk: PostgreSQL's own calls report it). Returns at once; nothing it does
// can change the caller's exit status. Every push in it keeps the full commit protocol, so killing
// it at any moment loses nothing.
void start_lookahead(archive::Store& store, const std::string& requested, size_t window,
                     const pipeline::PushOptions& options);

// When a look-ahead process is at work on this archive, `name` (the file at `source`) is not
// archived yet and the process is going to push it (it is in its window, or it is marked ready
// and comes after), waits until it is archived or the process is done (at most `max_wait_ms`), so
// PostgreSQL's own call confirms the file instead of compressing it a second time alongside.
void wait_for_lookahead(archive::Store& store, const std::string& source,
                        const wal::WalFileName& name, int max_wait_ms);

}  // namespace walpipe::cli
