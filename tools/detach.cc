#include "detach.h"

#include <cstdlib>

#include "io/process.h"

namespace walpipe::cli {

bool detach(const std::function<void()>& work) {
  io::Forked forked = io::fork_detached();
  if (forked != io::Forked::kChild) return forked == io::Forked::kParent;
  work();
  // Ends the copy of this process without running what the command's exit would (atexit
  // handlers, static destructors, stdio flushes that belong to the parent).
  std::_Exit(0);
}

}  // namespace walpipe::cli
