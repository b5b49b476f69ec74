// PostgreSQL's archiver, as far as an archive_command sees it, for benchmarks: while
// PG_WAL/archive_status holds .ready files, take timeline history files first and then the
// oldest name (pgarch.c), run COMMAND with %p and %f filled in through /bin/sh (system(), as
// the archiver does), and on exit status 0 rename the .ready file to .done in this process.
// A bash loop would rename with a forked mv, a cost the archiver does not pay.
//
// Usage: archive_loop PG_WAL COMMAND
// Prints "files wall_seconds children_cpu_seconds"; exits 1 when a command fails (a benchmark
// must not count a retried file twice), 2 on bad usage.
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <string>
#include <vector>

namespace {

constexpr std::string_view kReady = ".ready";

bool is_history(const std::string& name) { return name.ends_with(".history"); }

// The names PostgreSQL would archive, in its order (none when nothing is ready); false when the
// folder cannot be read.
bool ready_files(const std::string& status_dir, std::vector<std::string>* names) {
  names->clear();
  DIR* dir = opendir(status_dir.c_str());
  if (dir == nullptr) {
    fprintf(stderr, "archive_loop: could not open directory \"%s\": %s\n", status_dir.c_str(),
            strerror(errno));
    return false;
  }
  while (struct dirent* e = readdir(dir)) {
    std::string name = e->d_name;
    if (name.size() > kReady.size() && name.ends_with(kReady))
      names->push_back(name.substr(0, name.size() - kReady.size()));
  }
  closedir(dir);
  std::sort(names->begin(), names->end(), [](const std::string& a, const std::string& b) {
    if (is_history(a) != is_history(b)) return is_history(a);
    return a < b;
  });
  return true;
}

std::string fill_in(const std::string& command, const std::string& path, const std::string& name) {
  std::string out;
  for (size_t i = 0; i < command.size(); ++i) {
    if (command[i] == '%' && i + 1 < command.size() &&
        (command[i + 1] == 'p' || command[i + 1] == 'f')) {
      out += command[i + 1] == 'p' ? path : name;
      ++i;
    } else {
      out += command[i];
    }
  }
  return out;
}

double seconds(const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; }

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: archive_loop PG_WAL COMMAND\n");
    return 2;
  }
  const std::string pg_wal = argv[1];
  const std::string command = argv[2];
  const std::string status_dir = pg_wal + "/archive_status";
  const auto start = std::chrono::steady_clock::now();
  size_t archived = 0;
  std::vector<std::string> names;
  for (;;) {
    if (!ready_files(status_dir, &names)) return 1;
    if (names.empty()) break;
    for (const std::string& name : names) {
      const std::string line = fill_in(command, pg_wal + "/" + name, name);
      int rc = system(line.c_str());
      if (rc != 0) {
        fprintf(stderr, "archive_loop: archive command failed with status %d: %s\n",
                WIFEXITED(rc) ? WEXITSTATUS(rc) : rc, line.c_str());
        return 1;
      }
      const std::string ready = status_dir + "/" + name + std::string(kReady);
      const std::string done = status_dir + "/" + name + ".done";
      if (rename(ready.c_str(), done.c_str()) != 0) {
        fprintf(stderr, "archive_loop: could not rename \"%s\": %s\n", ready.c_str(),
                strerror(errno));
        return 1;
      }
      ++archived;
    }
  }
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  struct rusage children;
  getrusage(RUSAGE_CHILDREN, &children);
  printf("%zu %.6f %.6f\n", archived, wall,
         seconds(children.ru_utime) + seconds(children.ru_stime));
  return 0;
}
