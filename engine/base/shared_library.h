// A library opened at run time by its soname instead of being linked, for what only some
// commands need: libpq for the operator commands, libcurl, expat and libcrypto for an S3 archive,
// libcrypto for age (pg/libpq.h, s3/libcurl.h and crypt/libcrypto.h say why). Opened once and never
// closed: the functions taken from it are called until the process ends.
#pragma once

#include <string>

#include "base/status.h"

namespace walpipe {

class SharedLibrary {
 public:
  // Opens `soname` with every symbol bound now, so that a broken install fails here rather than
  // at its first call; error() then says why it could not be opened.
  explicit SharedLibrary(const char* soname);

  // Points *out at `symbol`, or sets it to nullptr and error() to the first symbol missing.
  template <typename Fn>
  void resolve(const char* symbol, Fn* out) {
    *out = reinterpret_cast<Fn>(find(symbol));
  }

  // Empty while the library is open and every symbol asked for was found.
  const std::string& error() const { return error_; }

 private:
  void* find(const char* symbol);

  const char* soname_;
  void* handle_ = nullptr;
  std::string error_;
};

// The functions `Api` lists, taken from a library once per process, or why they could not be.
// Kept in a function's static, so that every caller after the first gets the same answer.
template <typename Api>
struct LoadedApi {
  Api api{};
  Status failure;  // ok when every function resolved and the library was made ready

  Result<const Api*> get() const {
    if (!failure.is_ok()) return failure;
    return &api;
  }
};

// kUnsupported "could not load `name`: `why`", with a HINT naming `package`, the Debian package
// that installs it: what every run-time library says when it is missing or unusable.
Status not_loaded(const char* name, const std::string& why, const char* package);

// Opens `soname` and fills the functions of `Api` with resolve_all(); the failure is not_loaded()
// when the library or one of its functions is missing.
template <typename Api>
LoadedApi<Api> load_api(const char* soname, const char* name, const char* package,
                        void (*resolve_all)(SharedLibrary&, Api*)) {
  LoadedApi<Api> loaded;
  SharedLibrary lib(soname);
  resolve_all(lib, &loaded.api);
  if (!lib.error().empty()) loaded.failure = not_loaded(name, lib.error(), package);
  return loaded;
}

}  // namespace walpipe
