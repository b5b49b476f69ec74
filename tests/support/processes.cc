#include "support/processes.h"

#include <signal.h>

#include <chrono>
#include <filesystem>
#include <set>
#include <string>
#include <thread>

namespace walpipe::testing {

namespace fs = std::filesystem;

std::set<int> holders(const std::string& path) {
  std::set<int> pids;
  std::error_code ec;
  const fs::path target = fs::weakly_canonical(path, ec);
  for (const auto& proc : fs::directory_iterator("/proc", ec)) {
    const std::string pid = proc.path().filename().string();
    if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
    std::error_code fd_ec;
    for (const auto& fd : fs::directory_iterator(proc.path() / "fd", fd_ec)) {
      std::error_code link_ec;
      if (fs::read_symlink(fd.path(), link_ec) == target) pids.insert(std::stoi(pid));
    }
  }
  return pids;
}

int holder_count(const std::string& path) { return static_cast<int>(holders(path).size()); }

int kill_holders(const std::string& path) {
  std::set<int> pids = holders(path);
  for (int pid : pids) ::kill(pid, SIGKILL);
  for (int i = 0; i < 500 && !holders(path).empty(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  return static_cast<int>(pids.size());
}

}  // namespace walpipe::testing
