// PostgreSQL's archive_command as the engine runs it, whoever calls: the walpipe command once per
// file, or a resident process or archive module for every file. A call waits for the look-ahead
// worker when that is about to deliver the file, archives the file, and then starts the
// look-ahead: once the requested file is durably archived and PostgreSQL has its answer, a
// detached worker archives the files PostgreSQL will ask for next, so those calls find them
// already archived and only confirm them.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <utility>

#include "archive/store.h"
#include "base/status.h"
#include "io/io.h"
#include "io/uring_io.h"
#include "pipeline/push.h"
#include "pipeline/receipts.h"
#include "pipeline/worker_lock.h"

namespace walpipe::pipeline {

struct LookaheadSettings {
  // Files pushed per window after the requested one; 0: no look-ahead.
  size_t window = 0;
  // Far more than one segment takes; beyond it the call archives the file itself.
  int wait_ms = 30000;
  // The backend the look-ahead worker makes for itself: the caller's belongs to the caller.
  io::IoChoice io_choice = io::IoChoice::kAuto;
  // How the worker is started (worker_lock.h); unset: no look-ahead.
  Detach detach;
  // What else than the archives and validation decides how a file is archived (the keys it is
  // encrypted to), so that a call does not take the receipt of a worker started with other
  // settings (receipts.h).
  std::string settings;
};

// Checks the caller makes of the archive before a file is stored in it (walpipe.json's
// encryption against the keys given): a refusal is the call's result.
using Admit = std::function<Status()>;

class PushSession {
 public:
  // `store` must outlive the session, and every worker it starts that is not forked.
  PushSession(archive::Store& store, PushOptions options, LookaheadSettings lookahead);

  // archive_command for the file at `source` (PostgreSQL's %p): push_file, after waiting (at
  // most LookaheadSettings::wait_ms) when a look-ahead worker at work on this archive is going
  // to push it, so the call confirms the file instead of compressing it a second time alongside;
  // then, once it is archived, the look-ahead. For a remote store, the worker's receipt for
  // exactly this content confirms the file with no request at all; otherwise `admit`, then
  // push_file. push_file's result and errors; a look-ahead that fails or does not start changes
  // neither.
  Result<PushResult> archive(io::Io& io, const std::string& source, const Admit& admit = {});

 private:
  void wait_for_lookahead(const std::string& source, const wal::WalFileName& name);
  std::optional<PushResult> confirm_by_receipt(io::Io& io, const std::string& source,
                                               const wal::WalFileName& name);
  bool archived_already(archive::Store& store, const std::string& path) const;
  bool push_window(archive::Store& store, const std::vector<std::string>& window) const;
  void start_lookahead(const std::string& requested);

  archive::Store& store_;
  const PushOptions options_;
  const LookaheadSettings lookahead_;
  // For a remote store only: a folder answers as cheaply as a receipt, and from the archive.
  std::optional<Receipts> receipts_;
};

}  // namespace walpipe::pipeline
