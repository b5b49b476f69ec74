#include "pg/libpq.h"

#include <dlfcn.h>

#include <string>

namespace walpipe::pg {

namespace {

constexpr const char* kSoname = "libpq.so.5";  // the ABI every libpq since PostgreSQL 8.2 keeps

struct Loaded {
  LibPq api{};
  std::string error;  // empty when every function resolved
};

template <typename Fn>
bool resolve(void* handle, const char* symbol, Fn* out, std::string* error) {
  *out = reinterpret_cast<Fn>(::dlsym(handle, symbol));
  if (*out == nullptr && error->empty()) *error = std::string(kSoname) + " has no " + symbol;
  return *out != nullptr;
}

Loaded load() {
  Loaded loaded;
  // Never closed: the functions are used until the process ends.
  void* handle = ::dlopen(kSoname, RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = ::dlerror();
    loaded.error = why != nullptr ? why : std::string("could not load ") + kSoname;
    return loaded;
  }
  LibPq& a = loaded.api;
  std::string* e = &loaded.error;
  resolve(handle, "PQconninfoParse", &a.conninfo_parse, e);
  resolve(handle, "PQconninfoFree", &a.conninfo_free, e);
  resolve(handle, "PQfreemem", &a.freemem, e);
  resolve(handle, "PQconnectdbParams", &a.connectdb_params, e);
  resolve(handle, "PQstatus", &a.status, e);
  resolve(handle, "PQerrorMessage", &a.error_message, e);
  resolve(handle, "PQfinish", &a.finish, e);
  resolve(handle, "PQexec", &a.exec, e);
  resolve(handle, "PQresultStatus", &a.result_status, e);
  resolve(handle, "PQresultErrorField", &a.result_error_field, e);
  resolve(handle, "PQclear", &a.clear, e);
  resolve(handle, "PQnfields", &a.nfields, e);
  resolve(handle, "PQfname", &a.fname, e);
  resolve(handle, "PQntuples", &a.ntuples, e);
  resolve(handle, "PQgetisnull", &a.getisnull, e);
  resolve(handle, "PQgetvalue", &a.getvalue, e);
  resolve(handle, "PQserverVersion", &a.server_version, e);
  resolve(handle, "PQhost", &a.host, e);
  resolve(handle, "PQport", &a.port, e);
  resolve(handle, "PQuser", &a.user, e);
  resolve(handle, "PQdb", &a.db, e);
  resolve(handle, "PQescapeIdentifier", &a.escape_identifier, e);
  resolve(handle, "PQlibVersion", &a.lib_version, e);
  return loaded;
}

}  // namespace

Result<const LibPq*> libpq() {
  static const Loaded loaded = load();  // C++ makes this initialisation thread-safe
  if (!loaded.error.empty())
    return Status(Code::kUnsupported, "could not load libpq: " + loaded.error)
        .with_hint("install it: apt-get install libpq5");
  return &loaded.api;
}

}  // namespace walpipe::pg
