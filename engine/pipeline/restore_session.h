// PostgreSQL's restore_command as the engine runs it, whoever calls: the walpipe command once per
// file, or a resident process or restore module for every file. A call is served from the
// prefetch spool when it can be, else from the first archive that holds an intact copy; after a
// segment, one detached prefetcher fills the spool with the next segments of the same timeline.
// What the operator should hear on the way comes back as notes and results: the engine prints
// nothing.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "archive/store.h"
#include "base/status.h"
#include "io/io.h"
#include "io/uring_io.h"
#include "pipeline/get.h"
#include "pipeline/get_fallback.h"
#include "pipeline/worker_lock.h"

namespace walpipe::pipeline {

struct PrefetchSettings {
  // Segments fetched ahead after a restored one; 0: no prefetch, and no spool.
  size_t count = 0;
  // The spool (prefetch.h): for restore_command, default_spool_dir of its DEST.
  std::string spool;
  // Far more than one segment takes to fetch; beyond it the call fetches the file itself.
  int wait_ms = 30000;
  // The backend the prefetcher makes for itself: the caller's belongs to the caller.
  io::IoChoice io_choice = io::IoChoice::kAuto;
  // How the prefetcher is started (worker_lock.h); unset: no prefetch.
  Detach detach;
};

// Said on the way, for the caller to show; each may be left unset.
struct RestoreNotes {
  // The archive's cluster could not be compared with the data directory: why (check_cluster).
  std::function<void(const std::string& why)> unchecked;
  // An archive passed over, and why (get_fallback.h).
  PassedOver passed_over;
};

struct Restored {
  bool from_spool = false;  // served by a rename from the prefetch spool
  GetResult got;            // what get_from_any restored, when not from the spool
};

class RestoreSession {
 public:
  // `stores`, tried in order (the spool is filled from the first), must outlive the session and
  // every prefetcher it starts that is not forked. `data_dir` is where PostgreSQL runs
  // restore_command: its pg_control says which cluster the archives must belong to.
  RestoreSession(const std::vector<std::unique_ptr<archive::Store>>& stores, std::string data_dir,
                 PrefetchSettings prefetch)
      : stores_(stores), data_dir_(std::move(data_dir)), prefetch_(std::move(prefetch)) {}

  // restore_command: restores `name` to `dest` from the spool or an archive, then starts the
  // prefetcher after a segment. Errors as check_cluster (kMismatch: another cluster's archive)
  // and get_from_any give them (kNotFound only when every archive said it holds no such file).
  Result<Restored> restore(io::Io& io, const std::string& name, const std::string& dest,
                           const RestoreNotes& notes);

 private:
  void start_prefetch(const wal::WalFileName& restored);

  const std::vector<std::unique_ptr<archive::Store>>& stores_;
  const std::string data_dir_;
  const PrefetchSettings prefetch_;
};

// Removes `spool` for good once its prefetcher, if one is at work, has stopped
// (recovery_end_command).
Status remove_spool_when_idle(const std::string& spool);

}  // namespace walpipe::pipeline
