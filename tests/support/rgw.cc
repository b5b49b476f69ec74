#include "support/rgw.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <set>
#include <sstream>

#include "support/run_command.h"

namespace walpipe::testing {
namespace {

std::string script() { return std::string(WALPIPE_SOURCE_DIR) + "/scripts/rgw.sh"; }

bool on_path(const std::string& program) {
  return run_command({"/bin/sh", "-c", "command -v " + program}).exit_code == 0;
}

}  // namespace

std::string ceph_missing() {
  for (const char* program :
       {"ceph-mon", "ceph-osd", "radosgw", "radosgw-admin", "ceph", "monmaptool", "curl"})
    if (!on_path(program))
      return std::string(program) + " is not installed (scripts/setup.sh installs it)";
  if (geteuid() != 0) return "rgw.sh runs Ceph as root";
  return "";
}

int unused_loopback_port() {
  static std::set<int> handed_out;
  for (int attempt = 0; attempt < 100; ++attempt) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    int port = 0;
    if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
        getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
      port = ntohs(addr.sin_port);
    ::close(fd);
    if (port > 0 && handed_out.insert(port).second) return port;
  }
  ADD_FAILURE() << "could not find an unused loopback port";
  return 0;
}

std::unique_ptr<Rgw> Rgw::start(std::string* why) {
  std::unique_ptr<Rgw> rgw(new Rgw());
  std::string dir = rgw->dir_.file("ceph");
  auto begin = std::chrono::steady_clock::now();
  CommandResult r =
      run_command({"/bin/bash", script(), "start", dir, std::to_string(unused_loopback_port()),
                   std::to_string(unused_loopback_port())});
  rgw->start_seconds_ =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  if (r.exit_code != 0) {
    *why = "rgw.sh start failed (exit " + std::to_string(r.exit_code) + "): " + r.err +
           rgw->log_tail();
    return nullptr;
  }
  std::ifstream env(dir + "/env");
  for (std::string line; std::getline(env, line);) {
    size_t eq = line.find('=');
    if (line.rfind("export ", 0) != 0 || eq == std::string::npos) continue;
    std::string name = line.substr(7, eq - 7), value = line.substr(eq + 1);
    if (name == "AWS_ENDPOINT_URL") rgw->settings_.endpoint = value;
    if (name == "AWS_REGION") rgw->settings_.region = value;
    if (name == "AWS_ACCESS_KEY_ID") rgw->settings_.credentials.access_key_id = value;
    if (name == "AWS_SECRET_ACCESS_KEY") rgw->settings_.credentials.secret_access_key = value;
  }
  if (rgw->settings_.endpoint.empty() || rgw->settings_.credentials.secret_access_key.empty()) {
    *why = "rgw.sh wrote no usable " + dir + "/env";
    return nullptr;
  }
  return rgw;
}

Rgw::~Rgw() {
  CommandResult r = run_command({"/bin/bash", script(), "stop", dir_.file("ceph")});
  EXPECT_EQ(r.exit_code, 0) << "rgw.sh stop: " << r.err;
}

double Rgw::rss_mib() const {
  double kib = 0;
  for (const char* name : {"mon.a", "osd.0", "client.rgw"}) {
    std::ifstream pid_file(dir_.file("ceph/run/") + name + ".pid");
    std::string pid;
    pid_file >> pid;
    std::ifstream status("/proc/" + pid + "/status");
    for (std::string line; std::getline(status, line);)
      if (line.rfind("VmRSS:", 0) == 0) kib += std::stod(line.substr(6));
  }
  return kib / 1024;
}

std::string Rgw::log_tail() const {
  return run_command({"/usr/bin/tail", "-n", "20", dir_.file("ceph/log/client.rgw.log")}).out;
}

}  // namespace walpipe::testing
