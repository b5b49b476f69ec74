// A throwaway PostgreSQL server that recovers a restored base backup (walpipe drill): started as a
// child process with its settings on the command line, watched through its log (which segments
// restore_command brought, which one it could not) and through libpq (whether recovery has
// ended), then stopped. Knows nothing of archives or plans: the caller prepares the data
// directory and the settings.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"
#include "io/fs.h"
#include "io/spawn.h"
#include "pg/connection.h"

namespace walpipe::pg {

struct ServerSetup {
  std::string bin_dir;     // holds the postgres program
  std::string data_dir;    // a restored base backup with recovery.signal
  std::string socket_dir;  // the only place it listens: no TCP port, nothing to collide with
  int port = 5432;         // names the socket file
  std::string log_path;    // the server's stderr, also that of its restore_command
  // Given as -c name=value: they win over the backup's postgresql.conf and postgresql.auto.conf.
  std::vector<std::pair<std::string, std::string>> settings;
  std::optional<io::Credentials> as;  // run as this user (when walpipe runs as root)
  // "NAME=value" set in the server's environment, which restore_command inherits: the way to
  // give it a secret that must not be on a command line or in a file.
  std::vector<std::string> environment;
  std::string dbname = "postgres";
  std::string user;  // the role to connect as
};

// What the server log says about recovery so far.
struct LogFindings {
  // "restored log file" lines naming a segment after the last one counted (PostgreSQL reads the
  // last segment again when recovery ends).
  uint64_t segments_restored = 0;
  std::string last_restored;
  bool accepting = false;           // "ready to accept (read-only) connections": worth connecting
  std::string failed_file;          // "could not restore file "X" from archive" (fatal)
  std::vector<std::string> errors;  // FATAL and PANIC lines and walpipe's error lines
};

// Adds what the complete lines of `text` say to *findings. Pure, for the tests.
void scan_log(std::string_view text, LogFindings* findings);

class RecoveryServer {
 public:
  // Starts the server; errors are those of starting the program.
  static Result<std::unique_ptr<RecoveryServer>> start(const ServerSetup& setup);
  // Stops the server if it still runs, as stop() does but with less patience.
  ~RecoveryServer();
  RecoveryServer(const RecoveryServer&) = delete;
  RecoveryServer& operator=(const RecoveryServer&) = delete;

  // Polls every 100 ms until the server has left recovery and answers queries. `progress` is
  // called when the log names a newly restored segment; `give_up` is asked at every poll (an
  // interrupt). Fails when the server stops first, naming the file restore_command could not
  // bring and walpipe get's own words from the log, or when `give_up` says so.
  Status wait_for_recovery_end(const std::function<void(const LogFindings&)>& progress,
                               const std::function<bool()>& give_up);

  // The connection wait_for_recovery_end made; only after it succeeded.
  Connection& connection() { return *connection_; }
  const LogFindings& findings() const { return findings_; }
  // From the start to the first poll that found recovery ended.
  std::chrono::steady_clock::duration recovery_time() const { return recovery_time_; }

  // An immediate shutdown (the copy is thrown away: a shutdown checkpoint would only cost time),
  // then SIGKILL after `patience`; waits for the end.
  Status stop(std::chrono::seconds patience = std::chrono::seconds(60));

 private:
  RecoveryServer(const ServerSetup& setup, io::Child child, io::Fd log);
  void read_log();
  Status stopped_early(const io::Ending& ending);

  ServerSetup setup_;
  io::Child child_;
  io::Fd log_;
  uint64_t log_offset_ = 0;
  std::string partial_line_;
  LogFindings findings_;
  std::unique_ptr<Connection> connection_;
  std::chrono::steady_clock::time_point started_;
  std::chrono::steady_clock::duration recovery_time_{};
};

}  // namespace walpipe::pg
