#include "pg/libpq.h"

#include "base/shared_library.h"

namespace walpipe::pg {

namespace {

constexpr const char* kSoname = "libpq.so.5";  // the ABI every libpq since PostgreSQL 8.2 keeps

void resolve_all(SharedLibrary& lib, LibPq* a) {
  lib.resolve("PQconninfoParse", &a->conninfo_parse);
  lib.resolve("PQconninfoFree", &a->conninfo_free);
  lib.resolve("PQfreemem", &a->freemem);
  lib.resolve("PQconnectdbParams", &a->connectdb_params);
  lib.resolve("PQstatus", &a->status);
  lib.resolve("PQerrorMessage", &a->error_message);
  lib.resolve("PQfinish", &a->finish);
  lib.resolve("PQexec", &a->exec);
  lib.resolve("PQresultStatus", &a->result_status);
  lib.resolve("PQresultErrorField", &a->result_error_field);
  lib.resolve("PQclear", &a->clear);
  lib.resolve("PQnfields", &a->nfields);
  lib.resolve("PQfname", &a->fname);
  lib.resolve("PQntuples", &a->ntuples);
  lib.resolve("PQgetisnull", &a->getisnull);
  lib.resolve("PQgetvalue", &a->getvalue);
  lib.resolve("PQserverVersion", &a->server_version);
  lib.resolve("PQhost", &a->host);
  lib.resolve("PQport", &a->port);
  lib.resolve("PQuser", &a->user);
  lib.resolve("PQdb", &a->db);
  lib.resolve("PQescapeIdentifier", &a->escape_identifier);
  lib.resolve("PQlibVersion", &a->lib_version);
}

}  // namespace

Result<const LibPq*> libpq() {
  // C++ makes this initialisation thread-safe.
  static const LoadedApi<LibPq> loaded = load_api(kSoname, "libpq", "libpq5", resolve_all);
  return loaded.get();
}

}  // namespace walpipe::pg
