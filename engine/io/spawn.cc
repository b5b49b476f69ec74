#include "io/spawn.h"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <thread>
#include <utility>

#include "io/fs.h"

namespace walpipe::io {

namespace {

volatile sig_atomic_t g_interrupted = 0;

void note_interrupt(int) { g_interrupted = 1; }

Result<Credentials> from_passwd(const passwd* pw) {
  Credentials c;
  c.name = pw->pw_name;
  c.uid = pw->pw_uid;
  c.gid = pw->pw_gid;
  int count = 32;
  for (;;) {
    c.groups.resize(static_cast<size_t>(count));
    int n = count;
    if (::getgrouplist(pw->pw_name, pw->pw_gid, c.groups.data(), &n) >= 0) {
      c.groups.resize(static_cast<size_t>(n));
      return c;
    }
    if (n <= count)
      return Status(Code::kIoError, "could not list the groups of user \"" + c.name + "\"");
    count = n;
  }
}

Result<Credentials> lookup(const char* name, uid_t uid) {
  passwd pw{};
  passwd* found = nullptr;
  std::vector<char> buffer(16384);
  int err = name != nullptr ? ::getpwnam_r(name, &pw, buffer.data(), buffer.size(), &found)
                            : ::getpwuid_r(uid, &pw, buffer.data(), buffer.size(), &found);
  const std::string what = name != nullptr ? "user" : "user id";
  const std::string who = name != nullptr ? std::string(name) : std::to_string(uid);
  if (err != 0) return errno_status(err, "look up " + what, who);
  if (found == nullptr) return Status(Code::kNotFound, "there is no " + what + " \"" + who + "\"");
  return from_passwd(found);
}

Ending ending_of(int wstatus) {
  Ending e;
  if (WIFSIGNALED(wstatus))
    e.signal = WTERMSIG(wstatus);
  else
    e.exit_code = WEXITSTATUS(wstatus);
  return e;
}

// What the child reports through the pipe when it cannot become the program: the step and errno.
struct ExecFailure {
  int step;
  int err;
};
constexpr const char* kSteps[] = {"set up the output of", "switch user for", "execute"};

// The child tells the parent why it could not become the program, then ends. The engine never
// exits, but a forked child that could not exec must, without running the parent's atexit
// handlers: _Exit is the async-signal-safe way.
[[noreturn]] void fail_in_child(int report, int step) {
  ExecFailure f{step, errno};
  ssize_t ignored = ::write(report, &f, sizeof f);
  (void)ignored;
  std::_Exit(127);
}

// Between fork and exec only async-signal-safe calls: everything else was prepared before.
[[noreturn]] void become(const SpawnOptions& o, char* const* argv, char* const* envp, int out,
                         int err, int report) {
  ::setpgid(0, 0);
  if (::dup2(out, STDOUT_FILENO) < 0 || ::dup2(err, STDERR_FILENO) < 0) fail_in_child(report, 0);
  if (o.as) {
    if (::setgroups(o.as->groups.size(), o.as->groups.data()) != 0 || ::setgid(o.as->gid) != 0 ||
        ::setuid(o.as->uid) != 0)
      fail_in_child(report, 1);
  }
  ::execve(argv[0], argv, envp);
  fail_in_child(report, 2);
}

// This process's environment with `set` ("NAME=value") over it, for execve; the strings live in
// `environ` and in `set`.
std::vector<char*> environment_with(const std::vector<std::string>& set) {
  std::vector<char*> envp;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string_view entry(*e);
    const bool replaced = std::any_of(set.begin(), set.end(), [&](const std::string& s) {
      const std::string_view name_eq = std::string_view(s).substr(0, s.find('=') + 1);
      return entry.starts_with(name_eq);
    });
    if (!replaced) envp.push_back(*e);
  }
  for (const std::string& s : set) envp.push_back(const_cast<char*>(s.c_str()));
  envp.push_back(nullptr);
  return envp;
}

}  // namespace

Result<Credentials> credentials_of(const std::string& name) { return lookup(name.c_str(), 0); }
Result<Credentials> credentials_of(uid_t uid) { return lookup(nullptr, uid); }

std::string Ending::text() const {
  if (signal == 0) return "exit code " + std::to_string(exit_code);
  return "signal " + std::to_string(signal) + ": " + ::strsignal(signal);
}

Child::~Child() {
  if (pid_ <= 0) return;
  ::kill(-pid_, SIGKILL);
  ::kill(pid_, SIGKILL);
  int wstatus;
  while (::waitpid(pid_, &wstatus, 0) < 0 && errno == EINTR) {
  }
}

Child::Child(Child&& other) noexcept : pid_(std::exchange(other.pid_, -1)) {}

Child& Child::operator=(Child&& other) noexcept {
  if (this != &other) {
    Child gone(std::exchange(pid_, std::exchange(other.pid_, -1)));
  }
  return *this;
}

Result<std::optional<Ending>> Child::poll() {
  if (pid_ <= 0) return Status(Code::kInvalidArgument, "no child process to wait for");
  int wstatus;
  pid_t got;
  while ((got = ::waitpid(pid_, &wstatus, WNOHANG)) < 0 && errno == EINTR) {
  }
  if (got < 0) return errno_status(errno, "wait for process", std::to_string(pid_));
  if (got == 0) return std::optional<Ending>();
  pid_ = -1;
  return std::optional<Ending>(ending_of(wstatus));
}

Result<std::optional<Ending>> Child::wait_for(std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    Result<std::optional<Ending>> ending = poll();
    if (!ending.is_ok() || *ending || std::chrono::steady_clock::now() >= deadline) return ending;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

Result<Ending> Child::wait() {
  if (pid_ <= 0) return Status(Code::kInvalidArgument, "no child process to wait for");
  int wstatus;
  while (::waitpid(pid_, &wstatus, 0) < 0) {
    if (errno != EINTR) return errno_status(errno, "wait for process", std::to_string(pid_));
  }
  pid_ = -1;
  return ending_of(wstatus);
}

Status Child::signal(int sig) {
  if (pid_ <= 0) return Status::ok();
  if (::kill(pid_, sig) != 0 && errno != ESRCH)
    return errno_status(errno, "signal process", std::to_string(pid_));
  return Status::ok();
}

Result<Child> spawn(const SpawnOptions& options) {
  WALPIPE_CHECK(!options.argv.empty());
  std::vector<char*> argv;
  for (const std::string& a : options.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (const std::string& e : options.environment) WALPIPE_CHECK(e.find('=') != std::string::npos);
  std::vector<char*> envp = environment_with(options.environment);
  Fd null(::open("/dev/null", O_RDWR | O_CLOEXEC));
  if (!null.valid()) return errno_status(errno, "open", "/dev/null");
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0)
    return errno_status(errno, "create a pipe to start", options.argv[0]);
  Fd report_read(pipe_fds[0]);
  Fd report_write(pipe_fds[1]);
  const int out = options.stdout_fd >= 0 ? options.stdout_fd : null.get();
  const int err = options.stderr_fd >= 0 ? options.stderr_fd : null.get();
  pid_t pid = ::fork();
  if (pid < 0) return errno_status(errno, "start program", options.argv[0]);
  if (pid == 0) become(options, argv.data(), envp.data(), out, err, report_write.get());
  Child child(pid);
  report_write = Fd();
  ExecFailure failure{};
  ssize_t got;
  while ((got = ::read(report_read.get(), &failure, sizeof failure)) < 0 && errno == EINTR) {
  }
  if (got == static_cast<ssize_t>(sizeof failure)) {
    Result<Ending> reaped = child.wait();
    (void)reaped;
    std::string who = options.as ? " as user \"" + options.as->name + "\"" : "";
    return Status(Code::kIoError, std::string("could not ") + kSteps[failure.step] + " program \"" +
                                      options.argv[0] + "\"" + who + ": " +
                                      std::strerror(failure.err));
  }
  return child;
}

Result<Ending> run(const SpawnOptions& options) {
  WALPIPE_ASSIGN_OR_RETURN(Child child, spawn(options));
  return child.wait();
}

Result<std::string> self_executable() {
  char path[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", path, sizeof path - 1);
  if (n < 0) return errno_status(errno, "read symbolic link", "/proc/self/exe");
  return std::string(path, static_cast<size_t>(n));
}

Status catch_interrupts() {
  struct sigaction action {};
  action.sa_handler = note_interrupt;
  sigemptyset(&action.sa_mask);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) {
    if (::sigaction(sig, &action, nullptr) != 0)
      return errno_status(errno, "catch signal", std::to_string(sig));
  }
  return Status::ok();
}

bool interrupted() { return g_interrupted != 0; }

}  // namespace walpipe::io
