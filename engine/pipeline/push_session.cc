#include "pipeline/push_session.h"

#include <algorithm>
#include <chrono>

#include "io/fs.h"
#include "pipeline/batch_push.h"
#include "pipeline/lookahead.h"

namespace walpipe::pipeline {

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
                 const PushOptions& options, io::IoChoice io_choice) {
  // Already archived (by an earlier look-ahead): PostgreSQL's own call confirms it.
  std::vector<std::string> todo;
  for (const std::string& path : window)
    if (!is_archived(store, path)) todo.push_back(path);
  if (todo.empty()) return true;
  // Rings set up before fork() belong to the parent: this process makes its own. Failures are
  // left for PostgreSQL's own call for that file, which reports them.
  std::vector<Result<PushResult>> results =
      push_files(todo, store, options, io::default_io_factory(io_choice));
  return std::any_of(results.begin(), results.end(), [](const auto& r) { return r.is_ok(); });
}

}  // namespace

Result<PushResult> PushSession::archive(io::Io& io, const std::string& source) {
  Result<wal::WalFileName> name = wal::parse_file_name(io::base_name(source));
  if (name.is_ok()) wait_for_lookahead(source, *name);
  Result<PushResult> pushed = push_file(io, store_, source, options_);
  if (!pushed.is_ok()) return pushed;
  // Only once this file is durably archived: PostgreSQL gets its answer now, the rest goes on.
  if (lookahead_.window > 0 && lookahead_.detach) start_lookahead(source);
  return pushed;
}

// Unless another look-ahead worker already works on this archive (a lock in its meeting_dir()),
// starts one that pushes the files marked ready next to `requested`, `window` at a time in
// PostgreSQL's order, window after window while PostgreSQL marks more ready than are archived: a
// backlog drains through one pipeline. It stops when none is left, or when a whole window failed
// (a full disk: PostgreSQL's own calls report it). Every push in it keeps the full commit
// protocol, so killing it at any moment loses nothing.
void PushSession::start_lookahead(const std::string& requested) {
  const size_t window = lookahead_.window;
  std::vector<std::string> paths;
  // The first window is listed under the lock, before any fork: with nothing ready, or only
  // files archived already (PostgreSQL's archiver restarted behind a look-ahead), no process is
  // started; PostgreSQL's own calls confirm those.
  auto anything_ready = [&] {
    Result<std::vector<std::string>> first = next_ready_files(requested, window);
    if (first.is_ok()) paths = std::move(*first);
    return std::any_of(paths.begin(), paths.end(),
                       [&](const std::string& path) { return !is_archived(store_, path); });
  };
  start_worker_once(lock_path(store_), anything_ready, lookahead_.detach, [&](io::LockFile& lock) {
    // Made by a push run as root in the server's archive: a lock the server cannot open would
    // keep its look-ahead off for good.
    (void)store_.give_to_owner(lock_path(store_));
    // The caller's I/O was set up before fork() and belongs to the parent.
    io::SyncIo sync;
    std::unique_ptr<archive::Store> mine = store_.open_again(sync);
    std::string last_segment;  // the last segment taken so far; later windows start after it
    while (!paths.empty()) {
      announce_plan(lock, names_of(paths));
      if (!push_window(*mine, paths, options_, lookahead_.io_choice)) return;
      for (const std::string& path : paths)
        if (!path.ends_with(".history")) last_segment = io::base_name(path);
      Result<std::vector<std::string>> next = ready_segments_after(requested, last_segment, window);
      if (!next.is_ok()) return;
      paths = std::move(*next);
    }
  });
}

// When a look-ahead worker is at work on this archive, `name` (the file at `source`) is not
// archived yet and the worker is going to push it (it is in its window, or it is marked ready
// and comes after), waits until it is archived or the worker is done (at most wait_ms).
void PushSession::wait_for_lookahead(const std::string& source, const wal::WalFileName& name) {
  const std::string wanted = name.to_string();
  wait_while_locked(
      lock_path(store_), StoredYet(store_, name), lookahead_.wait_ms,
      [&](const std::vector<std::string>& plan) {
        if (may_be_planned(plan, wanted)) return true;
        // Later windows take only segments marked ready: not one pushed by hand, or from
        // elsewhere; and every such segment after the last one of this window.
        if (name.kind == wal::FileKind::kHistory ||
            !io::entry_type(io::dir_name(source) + "/archive_status/" + wanted + ".ready").is_ok())
          return false;
        return std::none_of(plan.begin(), plan.end(), [&](const std::string& planned) {
          return !planned.ends_with(".history") && !archived_before(planned, wanted);
        });
      });
}

}  // namespace walpipe::pipeline
