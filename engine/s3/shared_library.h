// A library opened at run time by its soname instead of being linked, for what only some
// commands need (libcurl.h says why). Opened once and never closed: the functions taken from it
// are called until the process ends.
#pragma once

#include <string>

namespace walpipe::s3 {

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

}  // namespace walpipe::s3
