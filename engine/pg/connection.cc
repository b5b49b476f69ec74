#include "pg/connection.h"

#include <cstring>
#include <string>

#include "pg/libpq.h"

namespace walpipe::pg {

namespace {

// libpq ends its messages with a newline and indents its own hints with a tab; one line each.
std::string tidy(const char* text) {
  std::string out = text != nullptr ? text : "";
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  for (size_t at; (at = out.find("\n\t")) != std::string::npos;) out.replace(at, 2, "; ");
  for (char& c : out)
    if (c == '\n') c = ' ';
  return out;
}

// Every value that could be a secret in the connection string, to be masked should libpq ever
// echo one back: the password, and the whole string in case it is not key=value at all.
std::vector<std::string> secrets_of(const LibPq& pq, const std::string& conninfo) {
  std::vector<std::string> out;
  if (!conninfo.empty()) out.push_back(conninfo);
  PQconninfoOption* options = pq.conninfo_parse(conninfo.c_str(), nullptr);
  if (options == nullptr) return out;
  for (PQconninfoOption* o = options; o->keyword != nullptr; ++o)
    if (o->val != nullptr && *o->val != '\0' && std::string(o->keyword) == "password")
      out.push_back(o->val);
  pq.conninfo_free(options);
  return out;
}

std::string masked(std::string text, const std::vector<std::string>& secrets) {
  for (const std::string& secret : secrets)
    for (size_t at; (at = text.find(secret)) != std::string::npos;)
      text.replace(at, secret.size(), "********");
  return text;
}

std::string hint_for(const std::string& reason, int timeout_s) {
  auto has = [&](const char* what) { return reason.find(what) != std::string::npos; };
  if (has("timeout expired"))
    return "the server did not answer within " + std::to_string(timeout_s) +
           " s; check the host, the port and any firewall between, or raise connect_timeout";
  if (has("password authentication failed") || has("no password supplied"))
    return "put the password in ~/.pgpass (or the file PGPASSFILE names), readable by this user "
           "only; walpipe never prints it";
  if (has("does not exist"))
    return "name an existing role and database, for example \"user=postgres dbname=postgres\"";
  if (has("no pg_hba.conf entry"))
    return "allow this user and host in the server's pg_hba.conf, then reload the server";
  return "is the server running and accepting connections there? Name the server with --dbname "
         "(for example \"host=/var/run/postgresql port=5432\") or the PG* variables";
}

}  // namespace

std::optional<std::string> Rows::get(size_t row, std::string_view column) const {
  if (row >= values.size()) return std::nullopt;
  for (size_t c = 0; c < columns.size() && c < values[row].size(); ++c)
    if (columns[c] == column) return values[row][c];
  return std::nullopt;
}

Result<std::unique_ptr<Connection>> Connection::connect(const ConnectOptions& options) {
  WALPIPE_ASSIGN_OR_RETURN(const LibPq* loaded, libpq());
  const LibPq& pq = *loaded;
  char* parse_error = nullptr;
  PQconninfoOption* parsed = pq.conninfo_parse(options.conninfo.c_str(), &parse_error);
  if (parsed == nullptr) {
    // libpq's parse message quotes the string it choked on, which may be a password.
    pq.freemem(parse_error);
    return Status(Code::kInvalidArgument,
                  "invalid connection string (not shown: it may hold a password)")
        .with_hint(
            "give key=value pairs (\"host=/var/run/postgresql port=5432 dbname=postgres\") "
            "or a postgresql:// URI");
  }
  pq.conninfo_free(parsed);

  const std::string timeout = std::to_string(options.connect_timeout_s);
  // Earlier keywords are defaults that the expanded connection string (dbname) overrides.
  std::vector<const char*> keywords, values;
  if (!options.connect_timeout_from_environment) {
    keywords.push_back("connect_timeout");
    values.push_back(timeout.c_str());
  }
  keywords.insert(keywords.end(), {"application_name", "dbname", nullptr});
  values.insert(values.end(), {"walpipe", options.conninfo.c_str(), nullptr});
  PGconn* conn = pq.connectdb_params(keywords.data(), values.data(), 1);
  if (conn == nullptr)
    return Status(Code::kIoError, "could not connect to PostgreSQL: out of memory");
  auto connection = std::unique_ptr<Connection>(new Connection(pq, conn));
  if (pq.status(conn) != CONNECTION_OK) {
    std::string reason = masked(tidy(pq.error_message(conn)), secrets_of(pq, options.conninfo));
    return Status(Code::kIoError, "could not connect to PostgreSQL at " + connection->where())
        .with_detail(reason)
        .with_hint(hint_for(reason, options.connect_timeout_s));
  }
  WALPIPE_ASSIGN_OR_RETURN(
      Rows set,
      connection->query("SET statement_timeout = " + std::to_string(options.statement_timeout_ms)));
  return connection;
}

Connection::~Connection() { pq_.finish(conn_); }

Result<Rows> Connection::query(const std::string& sql) {
  last_sqlstate_.clear();
  PGresult* result = pq_.exec(conn_, sql.c_str());
  ExecStatusType status = result != nullptr ? pq_.result_status(result) : PGRES_FATAL_ERROR;
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
    const char* state =
        result != nullptr ? pq_.result_error_field(result, PG_DIAG_SQLSTATE) : nullptr;
    const char* primary =
        result != nullptr ? pq_.result_error_field(result, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
    last_sqlstate_ = state != nullptr ? state : "";
    std::string reason = primary != nullptr ? primary : tidy(pq_.error_message(conn_));
    pq_.clear(result);
    if (pq_.status(conn_) != CONNECTION_OK)
      return Status(Code::kIoError, "lost the connection to PostgreSQL at " + where())
          .with_detail(reason);
    return Status(Code::kIoError, "query failed on PostgreSQL at " + where() + ": " + reason);
  }
  Rows rows;
  const int fields = pq_.nfields(result);
  for (int f = 0; f < fields; ++f) rows.columns.emplace_back(pq_.fname(result, f));
  for (int t = 0; t < pq_.ntuples(result); ++t) {
    auto& row = rows.values.emplace_back();
    for (int f = 0; f < fields; ++f)
      row.push_back(pq_.getisnull(result, t, f)
                        ? std::nullopt
                        : std::optional<std::string>(pq_.getvalue(result, t, f)));
  }
  pq_.clear(result);
  return rows;
}

int Connection::server_version() const { return pq_.server_version(conn_); }

std::string Connection::where() const {
  auto text = [](const char* s) { return std::string(s != nullptr ? s : ""); };
  return "host \"" + text(pq_.host(conn_)) + "\" port " + text(pq_.port(conn_)) + " user \"" +
         text(pq_.user(conn_)) + "\" database \"" + text(pq_.db(conn_)) + "\"";
}

std::string Connection::user() const {
  const char* name = pq_.user(conn_) != nullptr ? pq_.user(conn_) : "";
  char* quoted = pq_.escape_identifier(conn_, name, std::strlen(name));
  std::string out = quoted != nullptr ? quoted : "";
  pq_.freemem(quoted);
  return out;
}

Result<std::string> libpq_version() {
  WALPIPE_ASSIGN_OR_RETURN(const LibPq* pq, libpq());
  const int v = (pq)->lib_version();  // 150018 for 15.18; 10 and later have two parts
  return std::to_string(v / 10000) + "." + std::to_string(v % 10000);
}

}  // namespace walpipe::pg
