// The background half of prefetching get: after a segment was restored, one detached process
// fills the spool with the next segments of the same timeline.
#pragma once

#include <string>

#include "archive/store.h"
#include "base/status.h"
#include "wal/names.h"

namespace walpipe::cli {

// Starts the prefetcher for the `count` segments after `restored`, unless one is already at
// work on `spool`. Returns at once.
void start_prefetch(const archive::Store& archive, const std::string& spool,
                    const wal::WalFileName& restored, size_t count);

// When the prefetcher at work is to fetch `name`, waits for it (at most `max_wait_ms`).
void wait_for_prefetch(const std::string& spool, const wal::WalFileName& name, int max_wait_ms);

// Removes `spool` for good once its prefetcher, if one is at work, has stopped
// (recovery_end_command).
Status remove_spool_when_idle(const std::string& spool);

}  // namespace walpipe::cli
