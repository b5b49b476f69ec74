#include "base/shared_library.h"

#include <dlfcn.h>

namespace walpipe {

SharedLibrary::SharedLibrary(const char* soname) : soname_(soname) {
  handle_ = ::dlopen(soname, RTLD_NOW | RTLD_LOCAL);
  if (handle_ == nullptr) {
    const char* why = ::dlerror();
    error_ = why != nullptr ? why : std::string("could not load ") + soname;
  }
}

void* SharedLibrary::find(const char* symbol) {
  if (handle_ == nullptr) return nullptr;
  void* found = ::dlsym(handle_, symbol);
  if (found == nullptr && error_.empty()) error_ = std::string(soname_) + " has no " + symbol;
  return found;
}

Status not_loaded(const char* name, const std::string& why, const char* package) {
  return Status(Code::kUnsupported, std::string("could not load ") + name + ": " + why)
      .with_hint(std::string("install it: apt-get install ") + package);
}

}  // namespace walpipe
