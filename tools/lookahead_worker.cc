#include "lookahead_worker.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include "io/fs.h"
#include "io/uring_io.h"
#include "wal/names.h"

namespace walpipe::cli {

namespace {

// Runs in the detached process; returns its exit status.
int run_lookahead(const archive::Layout& layout, const std::vector<std::string>& paths,
                  const pipeline::PushOptions& options) {
  const std::string lock_path = layout.tmp_dir() + "/lookahead.lock";
  int lock = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock < 0 || ::flock(lock, LOCK_EX | LOCK_NB) != 0) return 0;  // another one is at work
  // A ring set up before fork() belongs to the parent: this process makes its own.
  std::string why;
  std::unique_ptr<io::Io> io = io::make_default_io(&why);
  for (const std::string& path : paths) {
    // Already archived (by an earlier look-ahead): PostgreSQL's own call confirms it.
    size_t slash = path.find_last_of('/');
    Result<wal::WalFileName> name = wal::parse_file_name(path.substr(slash + 1));
    if (!name.is_ok() || io::entry_type(layout.object_path(*name)).is_ok()) continue;
    // Failures are left for PostgreSQL's own call for that file, which reports them.
    Result<pipeline::PushResult> pushed = pipeline::push_file(*io, layout, path, options);
    (void)pushed;
  }
  return 0;
}

}  // namespace

void wait_for_lookahead(const archive::Layout& layout, const wal::WalFileName& name,
                        int max_wait_ms) {
  const std::string object = layout.object_path(name);
  if (io::entry_type(object).is_ok()) return;
  int lock = ::open((layout.tmp_dir() + "/lookahead.lock").c_str(), O_RDONLY | O_CLOEXEC);
  if (lock < 0) return;
  for (int waited = 0; waited < max_wait_ms; ++waited) {
    if (::flock(lock, LOCK_SH | LOCK_NB) == 0) break;  // no look-ahead process is running
    if (io::entry_type(object).is_ok()) break;
    ::usleep(1000);
  }
  ::close(lock);
}

void start_lookahead(const archive::Layout& layout, const std::vector<std::string>& paths,
                     const pipeline::PushOptions& options) {
  if (paths.empty()) return;
  pid_t child = ::fork();
  if (child != 0) return;  // the caller answers PostgreSQL now; a failed fork just skips this
  // Detached: its own session, no terminal, no descriptors PostgreSQL might wait on.
  ::setsid();
  int null = ::open("/dev/null", O_RDWR);
  if (null >= 0) {
    ::dup2(null, STDIN_FILENO);
    ::dup2(null, STDOUT_FILENO);
    ::dup2(null, STDERR_FILENO);
    if (null > STDERR_FILENO) ::close(null);
  }
  ::_exit(run_lookahead(layout, paths, options));
}

}  // namespace walpipe::cli
