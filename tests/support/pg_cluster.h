// A throwaway PostgreSQL 15 cluster for integration tests. PostgreSQL refuses to run as root, so
// when the tests run as root every PostgreSQL program (and every walpipe command that touches an
// archive the server also writes) runs as the `postgres` OS user through `runuser -u postgres --`.
// Everything lives in one PgWorkspace under /tmp that `postgres` owns; each cluster listens on its
// own free loopback port with its Unix socket inside the workspace, and is stopped when the
// object goes away, also when the test failed (then the tail of its log is printed first).
#pragma once

#include <string>
#include <vector>

#include "support/run_command.h"

namespace walpipe::testing {

// The directory of PostgreSQL 15's programs, or "" when PostgreSQL 15 (or the `postgres` user,
// needed when running as root) is missing; `why` then says what is missing.
std::string pg15_bin_dir(std::string* why = nullptr);

// Runs argv as the `postgres` OS user when this process is root, otherwise as this user.
CommandResult run_as_postgres(const std::vector<std::string>& argv);

// "exit N" plus both streams, for assertion messages.
std::string describe(const CommandResult& r);

// A fresh directory /tmp/walpipe-pg-XXXXXX, owned by `postgres` with mode 0700, removed with
// everything in it on destruction (kept when WALPIPE_KEEP_PG_WORKSPACE is set in the environment).
class PgWorkspace {
 public:
  PgWorkspace();
  ~PgWorkspace();
  PgWorkspace(const PgWorkspace&) = delete;
  PgWorkspace& operator=(const PgWorkspace&) = delete;

  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  // Creates directory `name` (mode 0700, owned by `postgres`); returns its path.
  std::string make_dir(const std::string& name) const;

  // The walpipe binary as `postgres` can run it: WALPIPE_BINARY when `postgres` may execute it
  // where it is, otherwise a copy inside the workspace.
  const std::string& walpipe() const { return walpipe_; }

 private:
  std::string path_;
  std::string walpipe_;
};

// Gives `path` to the `postgres` user (a no-op unless running as root).
void chown_to_postgres(const std::string& path);

// Writes (or, with append, extends) a text file and gives it to `postgres`.
void write_text_file(const std::string& path, const std::string& text, bool append = false);

std::string read_text_file(const std::string& path);

class PgCluster {
 public:
  // A cluster named `name`: data directory WORKSPACE/name, socket directory WORKSPACE/name.sock,
  // server log WORKSPACE/name.log, and a free loopback port chosen now.
  PgCluster(const PgWorkspace& workspace, const std::string& name);
  ~PgCluster();
  PgCluster(const PgCluster&) = delete;
  PgCluster& operator=(const PgCluster&) = delete;

  // initdb with `extra_args`, then the connection settings of this cluster in postgresql.conf.
  CommandResult init(const std::vector<std::string>& extra_args);
  // Copies `source` (a base backup) to the data directory, then the connection settings.
  CommandResult init_from_backup(const std::string& source);
  // Appends lines to postgresql.conf (later settings win).
  void append_conf(const std::vector<std::string>& lines) const;
  // Creates an empty file in the data directory (recovery.signal, standby.signal).
  void touch(const std::string& name) const;

  // pg_ctl start -w, bounded by `timeout_s`.
  CommandResult start(int timeout_s = 60);
  // pg_ctl stop; "fast" falls back to "immediate" when it does not finish in time.
  void stop(const std::string& mode = "fast");
  bool running() const { return running_; }

  // psql -X -A -t -q -v ON_ERROR_STOP=1 -c SQL against database postgres.
  CommandResult psql(const std::string& sql) const;
  // The trimmed output of a query; an ADD_FAILURE (and "") when psql fails.
  std::string query(const std::string& sql) const;
  // Polls `sql` every 100 ms until its trimmed output equals `expected` or `timeout_s` passes;
  // returns whether it did. Stops early when the server has gone away.
  bool wait_for(const std::string& sql, const std::string& expected, int timeout_s = 60) const;

  // Runs a PostgreSQL program (pgbench, pg_basebackup, ...) connected to this cluster: argv[0]
  // is the program's bare name, and -h/-p are added after it.
  CommandResult run_client(std::vector<std::string> argv) const;

  const std::string& name() const { return name_; }
  const std::string& data_dir() const { return data_dir_; }
  const std::string& socket_dir() const { return socket_dir_; }
  const std::string& log_path() const { return log_path_; }
  int port() const { return port_; }
  // The last `lines` lines of the server log.
  std::string log_tail(size_t lines = 80) const;

 private:
  void write_connection_settings() const;
  bool postmaster_alive() const;

  std::string name_;
  std::string bin_;
  std::string data_dir_;
  std::string socket_dir_;
  std::string log_path_;
  int port_ = 0;
  bool running_ = false;
};

}  // namespace walpipe::testing
