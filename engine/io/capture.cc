#include "io/capture.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <utility>

#include "io/fs.h"

namespace walpipe::io {

namespace {

struct Pipe {
  Fd read;
  Fd write;
};

Result<Pipe> make_pipe(const std::string& program) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return errno_status(errno, "create a pipe to read", program);
  return Pipe{Fd(fds[0]), Fd(fds[1])};
}

// One stream of the child: kept up to `limit`, then read and dropped (or, for `kill_past`, the
// child is killed).
struct Stream {
  Fd fd;
  std::string* text;
  size_t limit;
  bool kill_past;
};

}  // namespace

Result<Captured> run_captured(SpawnOptions options, size_t out_limit, size_t err_limit) {
  WALPIPE_CHECK(!options.argv.empty());
  const std::string& program = options.argv[0];
  WALPIPE_ASSIGN_OR_RETURN(Pipe out, make_pipe(program));
  WALPIPE_ASSIGN_OR_RETURN(Pipe err, make_pipe(program));
  options.stdout_fd = out.write.get();
  options.stderr_fd = err.write.get();
  WALPIPE_ASSIGN_OR_RETURN(Child child, spawn(options));
  // Only the child holds the writing ends now: the pipes reach end of file when it ends.
  out.write = Fd();
  err.write = Fd();

  Captured captured;
  Stream streams[2] = {{std::move(out.read), &captured.out, out_limit, true},
                       {std::move(err.read), &captured.err, err_limit, false}};
  char buffer[16384];
  for (;;) {
    pollfd polled[2];
    nfds_t count = 0;
    Stream* which[2];
    for (Stream& s : streams) {
      if (!s.fd.valid()) continue;
      polled[count] = pollfd{s.fd.get(), POLLIN, 0};
      which[count++] = &s;
    }
    if (count == 0) break;
    if (::poll(polled, count, -1) < 0) {
      if (errno == EINTR) continue;
      return errno_status(errno, "wait for the output of", program);
    }
    for (nfds_t i = 0; i < count; ++i) {
      if (polled[i].revents == 0) continue;
      Stream& s = *which[i];
      ssize_t n = ::read(s.fd.get(), buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return errno_status(errno, "read the output of", program);
      if (n == 0) {
        s.fd = Fd();
        continue;
      }
      const size_t room = s.limit - s.text->size();
      s.text->append(buffer, std::min(room, static_cast<size_t>(n)));
      if (static_cast<size_t>(n) > room && s.kill_past && !captured.out_cut) {
        captured.out_cut = true;
        ::kill(-child.pid(), SIGKILL);
        WALPIPE_TRY(child.signal(SIGKILL));
        s.fd = Fd();
      }
    }
  }
  WALPIPE_ASSIGN_OR_RETURN(Ending ended, child.wait());
  captured.ending = ended;
  return captured;
}

}  // namespace walpipe::io
