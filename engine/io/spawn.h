// Child processes for the commands that run other programs (drill runs cp and a PostgreSQL
// server): start one, optionally as another user, watch it, signal it, reap it. errno becomes a
// Status here; a Child that goes away while its process still runs kills and reaps it, so no
// error path leaves a server behind.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"

namespace walpipe::io {

// Who a child runs as: the user, their primary group and every group they belong to.
struct Credentials {
  std::string name;
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;
};

// The credentials of the user named `name`, or of the user `uid`; kNotFound when there is no
// such user.
Result<Credentials> credentials_of(const std::string& name);
Result<Credentials> credentials_of(uid_t uid);

struct SpawnOptions {
  std::vector<std::string> argv;  // argv[0] is the program's path (no PATH search)
  std::optional<Credentials> as;  // run as this user (needs root); nullopt: as this process
  int stdout_fd = -1;             // where the child's output goes; -1: /dev/null
  int stderr_fd = -1;
  // "NAME=value" entries set in the child's environment over what it inherits from this process.
  // The way to hand a child a secret: unlike its argv, only its own user and root can read it.
  std::vector<std::string> environment;
};

// How a process ended: its exit code, or the signal that ended it.
struct Ending {
  int exit_code = 0;
  int signal = 0;  // 0 when it exited
  bool ok() const { return signal == 0 && exit_code == 0; }
  std::string text() const;  // "exit code 1", "signal 9 (Killed)"
};

class Child {
 public:
  Child() = default;
  explicit Child(pid_t pid) : pid_(pid) {}
  ~Child();
  Child(Child&& other) noexcept;
  Child& operator=(Child&& other) noexcept;
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  pid_t pid() const { return pid_; }
  bool running() const { return pid_ > 0; }

  // How the process ended, once it has (it is then reaped and running() is false); nullopt while
  // it runs. wait_for waits at most `limit`.
  Result<std::optional<Ending>> poll();
  Result<std::optional<Ending>> wait_for(std::chrono::milliseconds limit);
  Result<Ending> wait();
  // Sends `sig` to the process (a no-op once it has been reaped).
  Status signal(int sig);

 private:
  pid_t pid_ = -1;
};

// Starts argv[0] with the options, in a process group of its own (a Ctrl-C on the terminal
// reaches walpipe, which then stops its children in order, not the children directly). Errors
// of the exec itself (no such program, permission) come back as a Status naming the program.
Result<Child> spawn(const SpawnOptions& options);

// Runs a program to its end; its ending, or why it could not be started.
Result<Ending> run(const SpawnOptions& options);

// The absolute path of the program this process runs (/proc/self/exe resolved).
Result<std::string> self_executable();

// From now on SIGINT, SIGTERM and SIGHUP set a flag instead of ending the process, for a command
// that must clean up whatever happens; interrupted() tells whether one has arrived.
Status catch_interrupts();
bool interrupted();

}  // namespace walpipe::io
