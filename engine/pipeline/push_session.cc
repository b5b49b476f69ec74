#include "pipeline/push_session.h"

#include <algorithm>

#include "io/fs.h"
#include "pipeline/batch_push.h"
#include "pipeline/lookahead.h"

namespace walpipe::pipeline {

namespace {

std::string lock_path(const archive::Store& store) {
  return store.meeting_dir() + "/lookahead.lock";
}

std::vector<std::string> names_of(const std::vector<std::string>& paths) {
  std::vector<std::string> names;
  for (const std::string& path : paths) names.push_back(io::base_name(path));
  return names;
}

// Everything that decides where and how a file is archived, for the receipts' scope.
std::string scope_of(const archive::Store& store, const PushOptions& options,
                     const LookaheadSettings& lookahead) {
  return store.location() + "\n" + (options.verify ? "verify" : "no-verify") + "\n" +
         lookahead.settings;
}

}  // namespace

PushSession::PushSession(archive::Store& store, PushOptions options, LookaheadSettings lookahead)
    : store_(store), options_(options), lookahead_(std::move(lookahead)) {
  if (store_.takes_receipts())
    receipts_.emplace(store_.meeting_dir(), scope_of(store_, options_, lookahead_));
}

Result<PushResult> PushSession::archive(io::Io& io, const std::string& source, const Admit& admit) {
  Result<wal::WalFileName> name = wal::parse_file_name(io::base_name(source));
  if (name.is_ok()) {
    wait_for_lookahead(source, *name);
    if (std::optional<PushResult> confirmed = confirm_by_receipt(io, source, *name)) {
      // The worker that left it may have stopped before PostgreSQL marked more files ready.
      if (lookahead_.window > 0 && lookahead_.detach) start_lookahead(source);
      return *confirmed;
    }
    if (admit) WALPIPE_TRY(admit());
  }
  Result<PushResult> pushed = push_file(io, store_, source, options_);
  if (!pushed.is_ok()) return pushed;
  // Only once this file is durably archived: PostgreSQL gets its answer now, the rest goes on.
  if (lookahead_.window > 0 && lookahead_.detach) start_lookahead(source);
  return pushed;
}

// The file at `source` as the worker's receipt for it says it was archived: read and
// fingerprinted here, so that only the content the worker stored is confirmed.
std::optional<PushResult> PushSession::confirm_by_receipt(io::Io& io, const std::string& source,
                                                          const wal::WalFileName& name) {
  if (!receipts_ || !receipts_->left_for(name.to_string())) return std::nullopt;
  Result<io::MappedFile> content = read_source(io, source, name);
  if (!content.is_ok()) return std::nullopt;
  const Fingerprint fingerprint = fingerprint_of(content->bytes());
  const uint64_t size = content->bytes().size();
  if (!receipts_->redeem(io, name.to_string(), fingerprint, size)) return std::nullopt;
  return PushResult{name.to_string(), archive::CommitOutcome::kAlreadyPresent, fingerprint, size,
                    0};
}

// Already archived by an earlier look-ahead: PostgreSQL's own call confirms it. A store that
// takes receipts is not asked: a file without a receipt is pushed, and the push finds out.
bool PushSession::archived_already(archive::Store& store, const std::string& path) const {
  const std::string name = io::base_name(path);
  if (receipts_) return receipts_->left_for(name);
  Result<wal::WalFileName> parsed = wal::parse_file_name(name);
  if (!parsed.is_ok()) return false;
  Result<bool> present = store.contains(*parsed);
  return present.is_ok() && *present;
}

// Pushes one window, leaving a receipt for each file as soon as it is archived; false when
// every file in it that needed a push failed.
bool PushSession::push_window(archive::Store& store, const std::vector<std::string>& window) const {
  std::vector<std::string> todo;
  for (const std::string& path : window)
    if (!archived_already(store, path)) todo.push_back(path);
  if (todo.empty()) return true;
  ArchivedFile leave_receipt;
  if (receipts_)
    leave_receipt = [&](io::Io& io, const PushResult& pushed) {
      (void)receipts_->record(io, pushed.name, pushed.fingerprint, pushed.original_size);
    };
  // Rings set up before fork() belong to the parent: this process makes its own. Failures are
  // left for PostgreSQL's own call for that file, which reports them.
  std::vector<Result<PushResult>> results = push_files(
      todo, store, options_, io::default_io_factory(lookahead_.io_choice), leave_receipt);
  return std::any_of(results.begin(), results.end(), [](const auto& r) { return r.is_ok(); });
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
                       [&](const std::string& path) { return !archived_already(store_, path); });
  };
  start_worker_once(lock_path(store_), anything_ready, lookahead_.detach, [&](io::LockFile& lock) {
    // Made by a push run as root in the server's archive: a lock the server cannot open would
    // keep its look-ahead off for good.
    (void)store_.give_to_owner(lock_path(store_));
    // The caller's I/O was set up before fork() and belongs to the parent.
    io::SyncIo sync;
    std::unique_ptr<archive::Store> mine = store_.open_again(sync);
    if (receipts_) receipts_->prune(sync);
    std::string last_segment;  // the last segment taken so far; later windows start after it
    while (!paths.empty()) {
      announce_plan(lock, names_of(paths));
      if (!push_window(*mine, paths)) return;
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
  // A store that takes receipts is not asked while the worker is at it: its receipt says when
  // it is done.
  auto stored_yet = [&] {
    if (receipts_) return receipts_->left_for(wanted);
    Result<bool> present = store_.contains(name);
    return present.is_ok() && *present;
  };
  wait_while_locked(
      lock_path(store_), stored_yet, lookahead_.wait_ms, [&](const std::vector<std::string>& plan) {
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
