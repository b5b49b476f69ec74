#include "io/process.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace walpipe::io {

Forked fork_detached() {
  pid_t child = ::fork();
  if (child < 0) return Forked::kFailed;
  if (child > 0) return Forked::kParent;
  ::setsid();
  int null = ::open("/dev/null", O_RDWR);
  if (null >= 0) {
    ::dup2(null, STDIN_FILENO);
    ::dup2(null, STDOUT_FILENO);
    ::dup2(null, STDERR_FILENO);
    if (null > STDERR_FILENO) ::close(null);
  }
  return Forked::kChild;
}

Status lower_priority(int nice) {
  if (::setpriority(PRIO_PROCESS, 0, nice) != 0)
    return Status(Code::kIoError, std::string("could not lower the priority of this process: ") +
                                      std::strerror(errno));
  return Status::ok();
}

}  // namespace walpipe::io
