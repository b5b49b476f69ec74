#include "s3/shared_library.h"

#include <dlfcn.h>

namespace walpipe::s3 {

SharedLibrary::SharedLibrary(const char* soname) : soname_(soname) {
  handle_ = ::dlopen(soname, RTLD_NOW | RTLD_LOCAL);
  if (handle_ == nullptr) {
    const char* why = ::dlerror();
    error_ = why != nullptr ? why : std::string("could not open ") + soname;
  }
}

void* SharedLibrary::find(const char* symbol) {
  if (handle_ == nullptr) return nullptr;
  void* found = ::dlsym(handle_, symbol);
  if (found == nullptr && error_.empty()) error_ = std::string(soname_) + " has no " + symbol;
  return found;
}

}  // namespace walpipe::s3
