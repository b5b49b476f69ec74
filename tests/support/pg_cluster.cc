#include "support/pg_cluster.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <pwd.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

namespace walpipe::testing {

namespace {

namespace fs = std::filesystem;

constexpr const char* kPg15Bin = "/usr/lib/postgresql/15/bin";
constexpr const char* kRunuser = "/usr/sbin/runuser";

bool am_root() { return ::geteuid() == 0; }

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

// A loopback TCP port nothing listens on now, never the same one twice in this process (two
// clusters pick their ports before either has started).
int free_loopback_port() {
  static std::set<int> handed_out;
  for (int attempt = 0; attempt < 50; ++attempt) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) break;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof(addr);
    int port = 0;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
      port = ntohs(addr.sin_port);
    ::close(fd);
    if (port > 0 && handed_out.insert(port).second) return port;
  }
  ADD_FAILURE() << "could not find a free loopback port";
  return 0;
}

}  // namespace

std::string pg15_bin_dir(std::string* why) {
  std::error_code ec;
  if (!fs::exists(std::string(kPg15Bin) + "/postgres", ec) ||
      !fs::exists(std::string(kPg15Bin) + "/pg_ctl", ec)) {
    if (why) *why = std::string("PostgreSQL 15 is not installed in ") + kPg15Bin;
    return "";
  }
  if (am_root() && (::getpwnam("postgres") == nullptr || !fs::exists(kRunuser, ec))) {
    if (why) *why = "running as root, but there is no `postgres` user or no runuser";
    return "";
  }
  return kPg15Bin;
}

CommandResult run_as_postgres(const std::vector<std::string>& argv) {
  if (!am_root()) return run_command(argv);
  std::vector<std::string> full{kRunuser, "-u", "postgres", "--"};
  full.insert(full.end(), argv.begin(), argv.end());
  return run_command(full);
}

std::string describe(const CommandResult& r) {
  return "exit " + std::to_string(r.exit_code) + "\n--- stdout\n" + r.out + "--- stderr\n" + r.err;
}

void chown_to_postgres(const std::string& path) {
  if (!am_root()) return;
  const passwd* pw = ::getpwnam("postgres");
  if (pw == nullptr || ::chown(path.c_str(), pw->pw_uid, pw->pw_gid) != 0)
    ADD_FAILURE() << "could not give " << path << " to postgres";
}

void write_text_file(const std::string& path, const std::string& text, bool append) {
  {
    std::ofstream out(path, append ? std::ios::app : std::ios::trunc);
    out << text;
    if (!out) ADD_FAILURE() << "could not write " << path;
  }
  ::chmod(path.c_str(), 0600);
  chown_to_postgres(path);
}

std::string read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

PgWorkspace::PgWorkspace() {
  char tmpl[] = "/tmp/walpipe-pg-XXXXXX";
  char* made = ::mkdtemp(tmpl);
  if (made == nullptr) {
    ADD_FAILURE() << "mkdtemp failed";
    path_ = "/nonexistent";
    return;
  }
  path_ = made;
  ::chmod(path_.c_str(), 0700);
  chown_to_postgres(path_);

  walpipe_ = WALPIPE_BINARY;
  if (run_as_postgres({"/usr/bin/test", "-x", walpipe_}).exit_code != 0) {
    // postgres cannot reach the build tree: run an identical copy from the workspace.
    std::string copy = make_dir("bin") + "/walpipe";
    std::error_code ec;
    fs::copy_file(walpipe_, copy, fs::copy_options::overwrite_existing, ec);
    if (ec) ADD_FAILURE() << "could not copy " << walpipe_ << ": " << ec.message();
    ::chmod(copy.c_str(), 0755);
    walpipe_ = copy;
  }
}

PgWorkspace::~PgWorkspace() {
  if (std::getenv("WALPIPE_KEEP_PG_WORKSPACE") != nullptr) {
    std::fprintf(stderr, "keeping %s\n", path_.c_str());
    return;
  }
  std::error_code ec;
  fs::remove_all(path_, ec);
}

std::string PgWorkspace::make_dir(const std::string& name) const {
  std::string p = file(name);
  if (::mkdir(p.c_str(), 0700) != 0) ADD_FAILURE() << "could not create " << p;
  chown_to_postgres(p);
  return p;
}

PgCluster::PgCluster(const PgWorkspace& workspace, const std::string& name)
    : name_(name),
      bin_(pg15_bin_dir()),
      data_dir_(workspace.file(name)),
      socket_dir_(workspace.make_dir(name + ".sock")),
      log_path_(workspace.file(name + ".log")),
      port_(free_loopback_port()) {}

PgCluster::~PgCluster() {
  if (::testing::Test::HasFailure()) {
    std::fprintf(stderr, "===== tail of the server log of \"%s\" (%s) =====\n%s=====\n",
                 name_.c_str(), log_path_.c_str(), log_tail().c_str());
  }
  if (running_) stop("immediate");
}

CommandResult PgCluster::init(const std::vector<std::string>& extra_args) {
  std::vector<std::string> argv{bin_ + "/initdb", "-D", data_dir_, "--no-sync",   "-A",
                                "trust",          "-E", "UTF8",    "--no-locale", "-U",
                                "postgres"};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  CommandResult r = run_as_postgres(argv);
  if (r.exit_code == 0) write_connection_settings();
  return r;
}

CommandResult PgCluster::init_from_backup(const std::string& source) {
  CommandResult r = run_as_postgres({"/bin/cp", "-a", source, data_dir_});
  if (r.exit_code == 0) {
    ::chmod(data_dir_.c_str(), 0700);
    write_connection_settings();
  }
  return r;
}

void PgCluster::write_connection_settings() const {
  append_conf({"port = " + std::to_string(port_), "listen_addresses = '127.0.0.1'",
               "unix_socket_directories = '" + socket_dir_ + "'"});
}

void PgCluster::append_conf(const std::vector<std::string>& lines) const {
  std::string text = "\n# walpipe integration test (" + name_ + ")\n";
  for (const std::string& line : lines) text += line + "\n";
  write_text_file(data_dir_ + "/postgresql.conf", text, /*append=*/true);
}

void PgCluster::touch(const std::string& name) const {
  write_text_file(data_dir_ + "/" + name, "");
}

CommandResult PgCluster::start(int timeout_s) {
  CommandResult r = run_as_postgres({bin_ + "/pg_ctl", "-D", data_dir_, "-l", log_path_, "-w", "-t",
                                     std::to_string(timeout_s), "start"});
  // Even a failed start may have left a postmaster behind (a timeout): stop that one too.
  running_ = r.exit_code == 0 || postmaster_alive();
  return r;
}

void PgCluster::stop(const std::string& mode) {
  CommandResult r =
      run_as_postgres({bin_ + "/pg_ctl", "-D", data_dir_, "-m", mode, "-w", "-t", "60", "stop"});
  if (r.exit_code != 0 && postmaster_alive() && mode != "immediate")
    r = run_as_postgres(
        {bin_ + "/pg_ctl", "-D", data_dir_, "-m", "immediate", "-w", "-t", "60", "stop"});
  running_ = postmaster_alive();
  if (running_) ADD_FAILURE() << "could not stop cluster " << name_ << ": " << describe(r);
}

bool PgCluster::postmaster_alive() const {
  return run_as_postgres({bin_ + "/pg_ctl", "-D", data_dir_, "status"}).exit_code == 0;
}

CommandResult PgCluster::psql(const std::string& sql) const {
  std::string conninfo = "host=" + socket_dir_ + " port=" + std::to_string(port_) +
                         " dbname=postgres connect_timeout=10"
                         " options='-c statement_timeout=60000'";
  return run_as_postgres(
      {bin_ + "/psql", "-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1", "-d", conninfo, "-c", sql});
}

std::string PgCluster::query(const std::string& sql) const {
  CommandResult r = psql(sql);
  if (r.exit_code != 0) {
    ADD_FAILURE() << "query on " << name_ << " failed: " << sql << "\n" << describe(r);
    return "";
  }
  return trim(r.out);
}

bool PgCluster::wait_for(const std::string& sql, const std::string& expected, int timeout_s) const {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  std::string last;
  for (int round = 0;; ++round) {
    CommandResult r = psql(sql);
    last = describe(r);
    if (r.exit_code == 0 && trim(r.out) == expected) return true;
    if (std::chrono::steady_clock::now() > deadline) break;
    if (r.exit_code != 0 && round % 10 == 9 && !postmaster_alive()) {
      std::fprintf(stderr, "cluster %s has stopped while waiting for: %s\n", name_.c_str(),
                   sql.c_str());
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  std::fprintf(stderr, "waited for %s = \"%s\" on %s; last answer: %s\n", sql.c_str(),
               expected.c_str(), name_.c_str(), last.c_str());
  return false;
}

CommandResult PgCluster::run_client(std::vector<std::string> argv) const {
  argv[0] = bin_ + "/" + argv[0];
  argv.insert(argv.begin() + 1, {"-h", socket_dir_, "-p", std::to_string(port_)});
  return run_as_postgres(argv);
}

std::string PgCluster::log_tail(size_t lines) const {
  std::vector<std::string> all;
  std::istringstream in(read_text_file(log_path_));
  for (std::string line; std::getline(in, line);) all.push_back(line);
  std::string out;
  for (size_t i = all.size() > lines ? all.size() - lines : 0; i < all.size(); ++i)
    out += all[i] + "\n";
  return out;
}

}  // namespace walpipe::testing
