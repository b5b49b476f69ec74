#include "pipeline/restore_session.h"

#include "archive/identity.h"
#include "base/worker_pool.h"
#include "io/fs.h"
#include "io/process.h"
#include "pipeline/prefetch.h"

namespace walpipe::pipeline {

namespace {

// Far more than a prefetcher takes to finish the file it is at: it names nothing more once the
// spool's marker is gone.
constexpr int kPrefetcherStopMs = 60000;
constexpr int kPrefetcherNice = 10;
// Longer than replay takes for a segment, short enough that a prefetcher left behind (recovery
// paused, or gone on to another timeline) soon gives its lock to the next one.
constexpr int kPrefetcherIdleMs = 5000;

// When the prefetcher at work is to fetch `name`, waits for it (at most `max_wait_ms`).
void wait_for_prefetch(const std::string& spool, const wal::WalFileName& name, int max_wait_ms) {
  const std::string wanted = name.to_string();
  wait_while_locked(
      spool_lock_path(spool), [&] { return io::entry_type(spool + "/" + wanted).is_ok(); },
      max_wait_ms,
      [&](const std::vector<std::string>& plan) { return may_be_planned(plan, wanted); });
}

}  // namespace

Result<Restored> RestoreSession::restore(io::Io& io, const std::string& name,
                                         const std::string& dest, const RestoreNotes& notes) {
  archive::Store& store = *stores_.front();
  const std::string& spool = prefetch_.spool;
  auto unchecked_note = [&](const std::string& why) {
    if (!why.empty() && notes.unchecked) notes.unchecked(why);
  };
  Result<wal::WalFileName> parsed = wal::parse_file_name(name);
  const bool spooled =
      parsed.is_ok() && parsed->kind == wal::FileKind::kSegment && prefetch_.count > 0;
  auto served = [&] {
    start_prefetch(*parsed);
    Restored restored;
    restored.from_spool = true;
    return restored;
  };
  if (spooled) {
    wait_for_prefetch(spool, *parsed, prefetch_.wait_ms);
    // Most of recovery's calls: the file is spooled, with what the archive said of it and of its
    // cluster moments ago. With one archive that answers for it, nothing is asked of it now.
    std::string unchecked;
    if (stores_.size() == 1 &&
        serve_recorded(io, store.location(), data_dir_, spool, *parsed, dest, &unchecked)) {
      unchecked_note(unchecked);
      return served();
    }
  }
  // Otherwise once per call, before anything is served from the spool or an archive.
  for (const auto& one : stores_) {
    std::string unchecked;
    WALPIPE_TRY(check_cluster(*one, data_dir_, &unchecked));
    unchecked_note(unchecked);
  }
  if (spooled && serve_from_spool(io, store, spool, *parsed, dest)) return served();
  auto passed_over = [&](const archive::Store& where, const Status& why) {
    if (notes.passed_over) notes.passed_over(where, why);
  };
  Result<GetResult> got = get_from_any(io, stores_, name, dest, {}, passed_over);
  if (!got.is_ok()) return std::move(got).take_status();
  if (parsed.is_ok()) start_prefetch(*parsed);
  Restored restored;
  restored.got = std::move(got).value();
  return restored;
}

// Starts the prefetcher for the segments after `restored`, unless one is already at work on the
// spool. Returns at once.
void RestoreSession::start_prefetch(const wal::WalFileName& restored) {
  if (prefetch_.count == 0 || restored.kind != wal::FileKind::kSegment || !prefetch_.detach) return;
  const std::string& spool = prefetch_.spool;
  io::SyncIo sync;
  if (!prepare_spool(sync, spool).is_ok()) return;
  const archive::Store& archive = *stores_.front();
  start_worker_once(
      spool_lock_path(spool), [] { return true; }, prefetch_.detach,
      [&](io::LockFile& lock) {
        // Recovery waits on the startup process, which replays on one core; the prefetcher
        // works far ahead of it and should only take what replay leaves. Not checked: at the
        // usual priority it merely competes.
        (void)io::lower_priority(kPrefetcherNice);
        std::string why;
        std::unique_ptr<io::Io> io = io::make_default_io(prefetch_.io_choice, &why);
        std::unique_ptr<archive::Store> store = archive.open_again(*io);
        Result<std::optional<archive::Identity>> identity = store->load_identity();
        if (!identity.is_ok() || !*identity) return;
        const uint64_t segment_size = (*identity)->segment_size;
        std::vector<wal::WalFileName> wanted =
            next_segments(restored, segment_size, prefetch_.count);
        SpoolFiller filler(io::default_io_factory(prefetch_.io_choice), *store,
                           WorkerPool::shared().threads());
        for (;;) {
          std::vector<std::string> plan;
          for (const wal::WalFileName& name : wanted) plan.push_back(name.to_string());
          announce_plan(lock, plan);
          prune_spool(*io, spool, wanted);
          if (!filler.fill(spool, wanted)) return;
          // As recovery takes the spooled files, the window moves on in this process, whose
          // libraries and connections are ready: a new prefetcher per call paid for loading
          // libcurl, TLS handshakes and walpipe.json each time, on the cores replay needs.
          std::optional<wal::WalFileName> taken =
              wait_until_taken(spool, wanted, kPrefetcherIdleMs);
          if (!taken) return;
          wanted = next_segments(*taken, segment_size, prefetch_.count);
        }
      });
}

Status remove_spool_when_idle(const std::string& spool) {
  io::SyncIo sync;
  return remove_spool(sync, spool, [&] {
    Status stopped = wait_until_unlocked(spool_lock_path(spool), kPrefetcherStopMs);
    if (stopped.is_ok()) return stopped;
    return Status(stopped.code(), "the prefetcher at work in \"" + spool + "\" did not stop")
        .with_detail(stopped.message())
        .with_hint("Run the command again once it has stopped.");
  });
}

}  // namespace walpipe::pipeline
