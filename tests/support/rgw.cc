#include "support/rgw.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include "support/run_command.h"

namespace walpipe::testing {
namespace {

std::string script() { return std::string(WALPIPE_SOURCE_DIR) + "/scripts/rgw.sh"; }

std::string random_hex(size_t bytes) {
  std::ifstream urandom("/dev/urandom", std::ios::binary);
  static const char digits[] = "0123456789abcdef";
  std::string hex;
  for (size_t i = 0; i < bytes; ++i) {
    unsigned char c = static_cast<unsigned char>(urandom.get());
    hex += digits[c >> 4];
    hex += digits[c & 15];
  }
  return hex;
}

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
  auto begin = std::chrono::steady_clock::now();
  const char* shared = std::getenv("WALPIPE_TEST_RGW");
  bool started = shared != nullptr && std::ifstream(std::string(shared) + "/env").good()
                     ? rgw->join(shared, why)
                     : rgw->start_own(why);
  rgw->start_seconds_ =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  if (!started || !rgw->read_env(why)) return nullptr;
  return rgw;
}

bool Rgw::start_own(std::string* why) {
  ceph_dir_ = dir_.file("ceph");
  owned_ = true;
  CommandResult r =
      run_command({"/bin/bash", script(), "start", ceph_dir_,
                   std::to_string(unused_loopback_port()), std::to_string(unused_loopback_port())});
  if (r.exit_code == 0) return true;
  *why = "rgw.sh start failed (exit " + std::to_string(r.exit_code) + "): " + r.err + log_tail();
  return false;
}

// A user of a tenant named after this process and this object: buckets resolve within the
// requesting user's tenant, so every program may create "pitr" or "archive" as if alone.
bool Rgw::join(const std::string& shared_dir, std::string* why) {
  static int joined = 0;
  ceph_dir_ = shared_dir;
  const std::string tenant = "t" + std::to_string(::getpid()) + "n" + std::to_string(++joined);
  settings_.credentials.access_key_id = "WALPIPE" + tenant;
  settings_.credentials.secret_access_key = "secret-" + tenant + "-" + random_hex(16);
  CommandResult r = run_command({"/usr/bin/radosgw-admin", "-c", ceph_dir_ + "/ceph.conf", "user",
                                 "create", "--tenant", tenant, "--uid", "walpipe", "--display-name",
                                 "walpipe", "--access-key", settings_.credentials.access_key_id,
                                 "--secret-key", settings_.credentials.secret_access_key});
  if (r.exit_code == 0) return true;
  *why = "radosgw-admin user create in the shared RGW " + ceph_dir_ + " failed (exit " +
         std::to_string(r.exit_code) + "): " + r.err;
  return false;
}

// Endpoint and region from DIR/env; the keys too, for a cluster started here.
bool Rgw::read_env(std::string* why) {
  std::ifstream env(ceph_dir_ + "/env");
  for (std::string line; std::getline(env, line);) {
    size_t eq = line.find('=');
    if (line.rfind("export ", 0) != 0 || eq == std::string::npos) continue;
    std::string name = line.substr(7, eq - 7), value = line.substr(eq + 1);
    if (name == "AWS_ENDPOINT_URL") settings_.endpoint = value;
    if (name == "AWS_REGION") settings_.region = value;
    if (!owned_) continue;
    if (name == "AWS_ACCESS_KEY_ID") settings_.credentials.access_key_id = value;
    if (name == "AWS_SECRET_ACCESS_KEY") settings_.credentials.secret_access_key = value;
  }
  if (!settings_.endpoint.empty() && !settings_.credentials.secret_access_key.empty()) return true;
  *why = "rgw.sh wrote no usable " + ceph_dir_ + "/env";
  return false;
}

Rgw::~Rgw() {
  if (!owned_) return;
  CommandResult r = run_command({"/bin/bash", script(), "stop", ceph_dir_});
  EXPECT_EQ(r.exit_code, 0) << "rgw.sh stop: " << r.err;
}

double Rgw::rss_mib() const {
  double kib = 0;
  for (const char* name : {"mon.a", "osd.0", "client.rgw"}) {
    std::ifstream pid_file(ceph_dir_ + "/run/" + name + ".pid");
    std::string pid;
    pid_file >> pid;
    std::ifstream status("/proc/" + pid + "/status");
    for (std::string line; std::getline(status, line);)
      if (line.rfind("VmRSS:", 0) == 0) kib += std::stod(line.substr(6));
  }
  return kib / 1024;
}

std::string Rgw::log_tail() const {
  return run_command({"/usr/bin/tail", "-n", "20", ceph_dir_ + "/log/client.rgw.log"}).out;
}

}  // namespace walpipe::testing
