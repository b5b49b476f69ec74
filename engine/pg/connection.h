// One libpq connection, for the operator commands (status, check, metrics, drill): connect with a
// bounded wait, run one statement at a time, read text results. The connection string may hold
// a password; nothing here ever puts the string, or any value from it but the host, port, user
// and database that libpq resolved, into a message.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

struct pg_conn;

namespace walpipe::pg {

struct LibPq;

struct ConnectOptions {
  // A connection string or URI as libpq takes it ("" uses the PG* variables and defaults).
  std::string conninfo;
  // Used unless the connection string or PGCONNECT_TIMEOUT sets connect_timeout.
  int connect_timeout_s = 10;
  // Every statement is cancelled by the server after this long: a command never hangs on a
  // server that accepted the connection and then stopped answering.
  int statement_timeout_ms = 10000;
  // Set by the caller when PGCONNECT_TIMEOUT is in the environment (the engine reads none).
  bool connect_timeout_from_environment = false;
};

// The text values of a result: one row per tuple, nullopt for SQL NULL.
struct Rows {
  std::vector<std::string> columns;
  std::vector<std::vector<std::optional<std::string>>> values;

  // The value of `column` in row `row`; nullopt for NULL, a missing column or row.
  std::optional<std::string> get(size_t row, std::string_view column) const;
};

class Connection {
 public:
  // Loads libpq (pg/libpq.h), connects and sets the statement timeout. On failure:
  // kInvalidArgument for a connection string libpq cannot parse, kUnsupported when libpq is not
  // installed, kIoError for everything else (refused, timed out, authentication failed), the
  // message naming the server and libpq's reason, with a HINT.
  static Result<std::unique_ptr<Connection>> connect(const ConnectOptions& options);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs one statement that returns rows. kIoError when the server answered with an error or
  // went away; last_sqlstate() then tells which error ("42501": insufficient privilege).
  Result<Rows> query(const std::string& sql);
  const std::string& last_sqlstate() const { return last_sqlstate_; }

  // server_version_num, e.g. 150018.
  int server_version() const;
  // `host "/tmp" port 5432 user "postgres" database "postgres"`, for messages.
  std::string where() const;
  // The role connected as, quoted as an SQL identifier, for hints that name a GRANT.
  std::string user() const;

 private:
  Connection(const LibPq& pq, pg_conn* conn) : pq_(pq), conn_(conn) {}

  const LibPq& pq_;
  pg_conn* conn_;
  std::string last_sqlstate_;
};

// The version of the libpq this process loads, as "15.18"; an error when it is not installed.
Result<std::string> libpq_version();

}  // namespace walpipe::pg
