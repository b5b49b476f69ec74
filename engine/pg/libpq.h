// libpq, loaded when a command first talks to a server. walpipe is one binary, and PostgreSQL
// starts it once per WAL file as archive_command and restore_command: linking libpq would make
// every one of those starts load it and its two dozen libraries (TLS, Kerberos, LDAP), which
// costs more than archiving a segment. push and get never load it; status, check and metrics do.
#pragma once

#include <libpq-fe.h>

#include "base/status.h"

namespace walpipe::pg {

// The libpq functions the operator commands use, resolved from libpq.so.5.
struct LibPq {
  decltype(&::PQconninfoParse) conninfo_parse;
  decltype(&::PQconninfoFree) conninfo_free;
  decltype(&::PQfreemem) freemem;
  decltype(&::PQconnectdbParams) connectdb_params;
  decltype(&::PQstatus) status;
  decltype(&::PQerrorMessage) error_message;
  decltype(&::PQfinish) finish;
  decltype(&::PQexec) exec;
  decltype(&::PQresultStatus) result_status;
  decltype(&::PQresultErrorField) result_error_field;
  decltype(&::PQclear) clear;
  decltype(&::PQnfields) nfields;
  decltype(&::PQfname) fname;
  decltype(&::PQntuples) ntuples;
  decltype(&::PQgetisnull) getisnull;
  decltype(&::PQgetvalue) getvalue;
  decltype(&::PQserverVersion) server_version;
  decltype(&::PQhost) host;
  decltype(&::PQport) port;
  decltype(&::PQuser) user;
  decltype(&::PQdb) db;
  decltype(&::PQescapeIdentifier) escape_identifier;
  decltype(&::PQlibVersion) lib_version;
};

// Loads libpq once per process (thread-safe) and returns its functions; kUnsupported with a
// HINT naming the package when it is not installed. The pointer lives as long as the process.
Result<const LibPq*> libpq();

}  // namespace walpipe::pg
