// PostgreSQL's archive_command as the engine runs it, whoever calls: the walpipe command once per
// file, or a resident process or archive module for every file. A call waits for the look-ahead
// worker when that is about to deliver the file, archives the file, and then starts the
// look-ahead: once the requested file is durably archived and PostgreSQL has its answer, a
// detached worker archives the files PostgreSQL will ask for next, so those calls find them
// already archived and only confirm them.
#pragma once

#include <string>
#include <utility>

#include "archive/store.h"
#include "base/status.h"
#include "io/io.h"
#include "io/uring_io.h"
#include "pipeline/push.h"
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
};

class PushSession {
 public:
  // `store` must outlive the session, and every worker it starts that is not forked.
  PushSession(archive::Store& store, PushOptions options, LookaheadSettings lookahead)
      : store_(store), options_(options), lookahead_(std::move(lookahead)) {}

  // archive_command for the file at `source` (PostgreSQL's %p): push_file, after waiting (at
  // most LookaheadSettings::wait_ms) when a look-ahead worker at work on this archive is going
  // to push it, so the call confirms the file instead of compressing it a second time alongside;
  // then, once it is archived, the look-ahead. push_file's result and errors; a look-ahead that
  // fails or does not start changes neither.
  Result<PushResult> archive(io::Io& io, const std::string& source);

 private:
  void wait_for_lookahead(const std::string& source, const wal::WalFileName& name);
  void start_lookahead(const std::string& requested);

  archive::Store& store_;
  const PushOptions options_;
  const LookaheadSettings lookahead_;
};

}  // namespace walpipe::pipeline
