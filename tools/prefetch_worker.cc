#include "prefetch_worker.h"

#include <sys/resource.h>

#include <algorithm>
#include <thread>

#include "archive/identity.h"
#include "io/fs.h"
#include "background.h"
#include "io/uring_io.h"
#include "io_choice.h"
#include "pipeline/prefetch.h"

namespace walpipe::cli {

namespace {
// Far more than a prefetcher takes to finish the file it is at: it names nothing more once the
// spool's marker is gone.
constexpr int kPrefetcherStopMs = 60000;
constexpr int kPrefetcherNice = 10;
}  // namespace

void wait_for_prefetch(const std::string& spool, const wal::WalFileName& name, int max_wait_ms) {
  const std::string wanted = name.to_string();
  wait_while_locked(
      pipeline::spool_lock_path(spool),
      [&] { return io::entry_type(spool + "/" + wanted).is_ok(); }, max_wait_ms,
      [&](const std::vector<std::string>& plan) { return may_be_planned(plan, wanted); });
}

void start_prefetch(const archive::Store& archive, const std::string& spool,
                    const wal::WalFileName& restored, size_t count) {
  if (count == 0 || restored.kind != wal::FileKind::kSegment) return;
  io::SyncIo sync;
  if (!pipeline::prepare_spool(sync, spool).is_ok()) return;
  run_detached_once(
      pipeline::spool_lock_path(spool), [] { return true; },
      [&](int lock) {
        // Recovery waits on the startup process, which replays on one core; the prefetcher
        // works far ahead of it and should only take what replay leaves. Not checked: at the
        // usual priority it merely competes.
        int lowered = ::setpriority(PRIO_PROCESS, 0, kPrefetcherNice);
        (void)lowered;
        std::string why;
        std::unique_ptr<io::Io> io = io::make_default_io(io_choice_from_env(), &why);
        std::unique_ptr<archive::Store> store = archive.open_again(*io);
        Result<std::optional<archive::Identity>> identity = store->load_identity();
        if (!identity.is_ok() || !*identity) return;
        std::vector<wal::WalFileName> wanted =
            pipeline::next_segments(restored, (*identity)->segment_size, count);
        std::vector<std::string> plan;
        for (const wal::WalFileName& name : wanted) plan.push_back(name.to_string());
        announce_plan(lock, plan);
        pipeline::prune_spool(*io, spool, wanted);
        pipeline::fill_spool(io::default_io_factory(io_choice_from_env()), *store, spool, wanted,
                             std::max(1u, std::thread::hardware_concurrency()));
      });
}

Status remove_spool_when_idle(const std::string& spool) {
  io::SyncIo sync;
  return pipeline::remove_spool(sync, spool, [&] {
    Status stopped = wait_until_unlocked(pipeline::spool_lock_path(spool), kPrefetcherStopMs);
    if (stopped.is_ok()) return stopped;
    return Status(stopped.code(), "the prefetcher at work in \"" + spool + "\" did not stop")
        .with_detail(stopped.message())
        .with_hint("Run the command again once it has stopped.");
  });
}

}  // namespace walpipe::cli
