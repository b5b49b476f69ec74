#include "prefetch_worker.h"

#include <algorithm>
#include <thread>

#include "archive/identity.h"
#include "background.h"
#include "io/uring_io.h"
#include "pipeline/prefetch.h"

namespace walpipe::cli {

namespace {

std::string lock_path(const std::string& spool) { return spool + "/prefetch.lock"; }

// A prefetcher whose segments PostgreSQL has not touched for this long stops; the next get call
// starts another where recovery then is. Replaying one segment takes far less.
constexpr int kIdleMs = 2000;

}  // namespace

void wait_for_prefetch(const std::string& spool, const wal::WalFileName& name, int max_wait_ms) {
  const std::string wanted = name.to_string();
  wait_while_locked(lock_path(spool), spool + "/" + wanted, max_wait_ms,
                    [&](const std::vector<std::string>& plan) {
                      return plan.empty() ||
                             std::find(plan.begin(), plan.end(), wanted) != plan.end();
                    });
}

void start_prefetch(const archive::Layout& layout, const std::string& spool,
                    const wal::WalFileName& restored, size_t count) {
  if (count == 0 || restored.kind != wal::FileKind::kSegment) return;
  io::SyncIo sync;
  if (!pipeline::prepare_spool(sync, spool).is_ok()) return;
  run_detached_once(
      lock_path(spool), [] { return true; },
      [&](int lock) {
        std::string why;
        std::unique_ptr<io::Io> io = io::make_default_io(&why);
        Result<std::optional<archive::Identity>> identity = archive::load_identity(*io, layout);
        if (!identity.is_ok() || !*identity) return;
        // Window after window, as PostgreSQL takes the spooled segments.
        for (wal::WalFileName position = restored;;) {
          std::vector<wal::WalFileName> wanted =
              pipeline::next_segments(position, (*identity)->segment_size, count);
          std::vector<std::string> plan;
          for (const wal::WalFileName& name : wanted) plan.push_back(name.to_string());
          announce_plan(lock, plan);
          pipeline::prune_spool(*io, spool, wanted);
          if (!pipeline::fill_spool(io::default_io_factory(), layout, spool, wanted,
                                    std::max(1u, std::thread::hardware_concurrency())))
            return;  // the end of the archive, or a full spool disk
          std::optional<wal::WalFileName> taken =
              pipeline::wait_until_taken(spool, wanted, kIdleMs);
          if (!taken) return;  // recovery ended, paused, or moved to another timeline
          position = *taken;
        }
      });
}

}  // namespace walpipe::cli
