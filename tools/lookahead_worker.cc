#include "lookahead_worker.h"

#include <algorithm>
#include <chrono>

#include "background.h"
#include "io/fs.h"
#include "io/uring_io.h"
#include "io_choice.h"
#include "pipeline/batch_push.h"
#include "pipeline/lookahead.h"

namespace walpipe::cli {

namespace {

std::string lock_path(const archive::Store& store) {
  return store.meeting_dir() + "/lookahead.lock";
}

// Whether the worker has stored a name, asked of the archive no more often than it answers
// cheaply. A folder answers with a stat(), quicker than the wait between two polls: it is asked
// at every poll, so the call goes on as soon as the file is there. A bucket answers with a HEAD,
// a request the store serves and may bill: after each answer that took longer than a poll, the
// gap to the next question doubles up to kMaxGap: a wait of a second sends about fifty HEADs,
// not hundreds, and lasts at most kMaxGap longer than the worker takes.
class StoredYet {
 public:
  StoredYet(archive::Store& store, const wal::WalFileName& name) : store_(store), name_(name) {}

  bool operator()() {
    using Clock = std::chrono::steady_clock;
    const Clock::time_point asked = Clock::now();
    if (asked < next_question_) return false;
    Result<bool> present = store_.contains(name_);
    if (present.is_ok() && *present) return true;
    const Clock::time_point answered = Clock::now();
    gap_ = answered - asked < kCheap ? Clock::duration::zero()
                                     : std::clamp<Clock::duration>(2 * gap_, kCheap, kMaxGap);
    next_question_ = answered + gap_;
    return false;
  }

 private:
  // wait_while_locked's poll: an answer quicker than the wait between polls costs nothing.
  static constexpr std::chrono::microseconds kCheap{200};
  static constexpr std::chrono::milliseconds kMaxGap{20};

  archive::Store& store_;
  const wal::WalFileName& name_;
  std::chrono::steady_clock::duration gap_{};
  std::chrono::steady_clock::time_point next_question_;
};

bool is_archived(archive::Store& store, const std::string& path) {
  Result<wal::WalFileName> name = wal::parse_file_name(io::base_name(path));
  if (!name.is_ok()) return false;
  Result<bool> present = store.contains(*name);
  return present.is_ok() && *present;
}

std::vector<std::string> names_of(const std::vector<std::string>& paths) {
  std::vector<std::string> names;
  for (const std::string& path : paths) names.push_back(io::base_name(path));
  return names;
}

// Pushes one window; false when every file in it that needed a push failed.
bool push_window(archive::Store& store, const std::vector<std::string>& window,
                 const pipeline::PushOptions& options) {
  // Already archived (by an earlier look-ahead): PostgreSQL's own call confirms it.
  std::vector<std::string> todo;
  for (const std::string& path : window)
    if (!is_archived(store, path)) todo.push_back(path);
  if (todo.empty()) return true;
  // Rings set up before fork() belong to the parent: this process makes its own. Failures are
  // left for PostgreSQL's own call for that file, which reports them.
  std::vector<Result<pipeline::PushResult>> results =
      pipeline::push_files(todo, store, options, io::default_io_factory(io_choice_from_env()));
  return std::any_of(results.begin(), results.end(), [](const auto& r) { return r.is_ok(); });
}

}  // namespace

void start_lookahead(archive::Store& store, const std::string& requested, size_t window,
                     const pipeline::PushOptions& options) {
  std::vector<std::string> paths;
  // The first window is listed under the lock, before any fork: with nothing ready, or only
  // files archived already (PostgreSQL's archiver restarted behind a look-ahead), no process is
  // started; PostgreSQL's own calls confirm those.
  auto anything_ready = [&] {
    Result<std::vector<std::string>> first = pipeline::next_ready_files(requested, window);
    if (first.is_ok()) paths = std::move(*first);
    return std::any_of(paths.begin(), paths.end(),
                       [&](const std::string& path) { return !is_archived(store, path); });
  };
  run_detached_once(lock_path(store), anything_ready, [&](int lock) {
    // Made by a push run as root in the server's archive: a lock the server cannot open would
    // keep its look-ahead off for good.
    (void)store.give_to_owner(lock_path(store));
    // The caller's I/O was set up before fork() and belongs to the parent.
    io::SyncIo sync;
    std::unique_ptr<archive::Store> mine = store.open_again(sync);
    std::string last_segment;  // the last segment taken so far; later windows start after it
    while (!paths.empty()) {
      announce_plan(lock, names_of(paths));
      if (!push_window(*mine, paths, options)) return;
      for (const std::string& path : paths)
        if (!path.ends_with(".history")) last_segment = io::base_name(path);
      Result<std::vector<std::string>> next =
          pipeline::ready_segments_after(requested, last_segment, window);
      if (!next.is_ok()) return;
      paths = std::move(*next);
    }
  });
}

void wait_for_lookahead(archive::Store& store, const std::string& source,
                        const wal::WalFileName& name, int max_wait_ms) {
  const std::string wanted = name.to_string();
  wait_while_locked(
      lock_path(store), StoredYet(store, name), max_wait_ms,
      [&](const std::vector<std::string>& plan) {
        if (may_be_planned(plan, wanted)) return true;
        // Later windows take only segments marked ready: not one pushed by hand, or from
        // elsewhere; and every such segment after the last one of this window.
        if (name.kind == wal::FileKind::kHistory ||
            !io::entry_type(io::dir_name(source) + "/archive_status/" + wanted + ".ready").is_ok())
          return false;
        return std::none_of(plan.begin(), plan.end(), [&](const std::string& planned) {
          return !planned.ends_with(".history") && !pipeline::archived_before(planned, wanted);
        });
      });
}

}  // namespace walpipe::cli
