#include "io/sockets.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

namespace walpipe::io {

void acknowledge_now(int fd) {
  const int now = 1;
  // Not checked: a socket that is closing, or that is not TCP, has nothing to acknowledge.
  (void)::setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &now, sizeof now);
}

bool close_socket(int fd) { return ::close(fd) == 0; }

}  // namespace walpipe::io
