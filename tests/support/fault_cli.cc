#include "support/fault_cli.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstring>
#include <fstream>

#include "codec/fingerprint.h"
#include "support/corrupt.h"
#include "support/files.h"

extern char** environ;

namespace walpipe::testing {

namespace fs = std::filesystem;

std::string backend_name(Backend b) { return b == Backend::kSync ? "sync" : "default (io_uring)"; }

std::string show(const CommandResult& r) {
  return "exit " + std::to_string(r.exit_code) + "\n--- stdout\n" + r.out + "--- stderr\n" + r.err;
}

std::vector<std::string> walpipe_argv(const std::vector<std::string>& env,
                                      const std::vector<std::string>& args, std::string binary) {
  std::vector<std::string> argv{"/usr/bin/env", "-u", "WALPIPE_FAULT",  "-u",
                                "WALPIPE_IO",   "-u", "WALPIPE_ARCHIVE"};
  argv.insert(argv.end(), env.begin(), env.end());
  if (binary.empty()) {
    bool faults = std::any_of(env.begin(), env.end(), [](const std::string& setting) {
      return setting.starts_with("WALPIPE_FAULT=");
    });
    binary = faults ? WALPIPE_FAULT_BINARY : WALPIPE_BINARY;
  }
  argv.push_back(binary);
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

std::vector<std::string> backend_env(Backend b, std::vector<std::string> more) {
  if (b == Backend::kSync) more.push_back("WALPIPE_IO=sync");
  return more;
}

CommandResult walpipe(const std::vector<std::string>& env, const std::vector<std::string>& args) {
  return run_command(walpipe_argv(env, args));
}

void write_bytes(const std::string& path, const ByteVec& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  ASSERT_TRUE(out.good()) << "could not write " << path;
}

bool exists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

std::string object_path(const std::string& archive, const std::string& name) {
  if (name.ends_with(".history")) return archive + "/wal/" + name + ".zst";
  return archive + "/wal/" + name.substr(0, 16) + "/" + name + ".zst";
}

Tree snapshot(const std::string& root) {
  Tree tree;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    std::string rel = fs::relative(it->path(), root).string();
    if (it->is_directory()) {
      tree[rel] = "dir";
    } else {
      ByteVec b = file_bytes(it->path().string());
      tree[rel] = "file:" + std::string(reinterpret_cast<const char*>(b.data()), b.size());
    }
  }
  return tree;
}

std::string describe(const Tree& tree) {
  std::string s;
  for (const auto& [path, what] : tree)
    s += "  " + path + (what == "dir" ? "/" : " (" + std::to_string(what.size() - 5) + " bytes)") +
         "\n";
  return s.empty() ? "  (empty)\n" : s;
}

std::vector<std::string> entries(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator();
       it.increment(ec))
    out.push_back(it->path().filename().string());
  return out;
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& e : v) s += (s.empty() ? "" : ", ") + e;
  return s;
}

std::string fingerprint_hex(const ByteVec& bytes) {
  return fingerprint_of(Bytes(bytes.data(), bytes.size())).hex();
}

void expect_gets_original(const std::string& archive, const std::string& name,
                          const ByteVec& original, const std::string& scratch, Backend backend) {
  SCOPED_TRACE("object " + name + " in " + archive);
  ASSERT_TRUE(exists(object_path(archive, name))) << "no object at " << object_path(archive, name);
  std::string dest = scratch + "/restored-" + name;
  std::error_code ec;
  fs::remove(dest, ec);
  CommandResult g = walpipe(backend_env(backend), {"get", "--archive", archive, name, dest});
  ASSERT_EQ(g.exit_code, kOk) << show(g);
  ByteVec restored = file_bytes(dest);
  EXPECT_EQ(restored.size(), original.size());
  EXPECT_TRUE(restored == original) << "restored bytes differ from the original";
  struct stat st;
  ASSERT_EQ(::stat(dest.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  fs::remove(dest, ec);
}

void expect_restores(const std::string& archive, const std::string& name, const ByteVec& original,
                     const std::string& scratch, Backend backend) {
  CommandResult v = walpipe({}, {"verify", object_path(archive, name)});
  EXPECT_EQ(v.exit_code, kOk) << "object " << name << " in " << archive << "\n" << show(v);
  expect_gets_original(archive, name, original, scratch, backend);
}

void expect_absent_or_complete(const std::string& archive, const std::string& name,
                               const ByteVec& original, const std::string& scratch) {
  if (!exists(object_path(archive, name))) return;
  expect_gets_original(archive, name, original, scratch);
}

ByteVec padding_variant(const ByteVec& segment) {
  for (const RecordLocation& r : records_within_one_page(segment)) {
    if (r.tot_len % 8 == 0) continue;
    ByteVec copy = segment;
    flip_byte(copy, r.offset + r.tot_len, 0x5A);
    return copy;
  }
  ADD_FAILURE() << "no record with alignment padding found";
  return segment;
}

std::vector<CommandResult> run_together(const std::vector<std::vector<std::string>>& argvs) {
  ScratchDir dir;
  std::vector<pid_t> pids;
  for (size_t i = 0; i < argvs.size(); ++i) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    std::string out = dir.file("out" + std::to_string(i)),
                err = dir.file("err" + std::to_string(i));
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    std::vector<char*> args;
    for (const auto& a : argvs[i]) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    pid_t pid = -1;
    if (posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ) != 0) pid = -1;
    posix_spawn_file_actions_destroy(&actions);
    pids.push_back(pid);
  }
  std::vector<CommandResult> results(argvs.size());
  for (size_t i = 0; i < pids.size(); ++i) {
    if (pids[i] < 0) {
      results[i].err = "could not start";
      continue;
    }
    int status = 0;
    ::waitpid(pids[i], &status, 0);
    results[i].exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    ByteVec o = file_bytes(dir.file("out" + std::to_string(i)));
    ByteVec e = file_bytes(dir.file("err" + std::to_string(i)));
    results[i].out.assign(reinterpret_cast<const char*>(o.data()), o.size());
    results[i].err.assign(reinterpret_cast<const char*>(e.data()), e.size());
  }
  return results;
}
}  // namespace walpipe::testing
