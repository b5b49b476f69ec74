#include "support/measured.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>

#include "support/scratch_dir.h"

namespace walpipe::testing {
namespace {

constexpr const char* kMeasureFlag = "--walpipe-test-measure-launcher";

[[maybe_unused]] const bool measure_launcher = [] {
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::string> argv;
  for (size_t start = 0; start < all.size();) {
    size_t end = all.find('\0', start);
    if (end == std::string::npos) end = all.size();
    argv.push_back(all.substr(start, end - start));
    start = end + 1;
  }
  if (argv.size() < 4 || argv[1] != kMeasureFlag) return false;
  const std::string report = argv[2];
  std::vector<char*> args;
  for (size_t i = 3; i < argv.size(); ++i) args.push_back(argv[i].data());
  args.push_back(nullptr);
  auto start = std::chrono::steady_clock::now();
  pid_t pid = ::fork();
  if (pid == 0) {
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  int status = 0;
  struct rusage usage {};
  ::wait4(pid, &status, 0, &usage);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::ofstream out(report);
  out << (WIFEXITED(status) ? WEXITSTATUS(status) : -1) << " " << usage.ru_maxrss << " " << seconds
      << "\n";
  out.close();
  ::_exit(0);
}();

}  // namespace

Measured run_measured(const std::vector<std::string>& argv) {
  ScratchDir dir;
  std::vector<std::string> launcher{"/proc/self/exe", kMeasureFlag, dir.file("report")};
  launcher.insert(launcher.end(), argv.begin(), argv.end());
  Measured m;
  m.result = run_command(launcher);
  std::ifstream in(dir.file("report"));
  int code = -2;
  if (!(in >> code >> m.max_rss_kib >> m.seconds))
    ADD_FAILURE() << "launcher wrote no report\n" << m.result.err;
  m.result.exit_code = code;
  return m;
}

}  // namespace walpipe::testing
