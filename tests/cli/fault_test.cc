// Faults against the real walpipe binary (docs/faults.md, "Fault catalogue"): SIGKILL at every I/O
// step of a push on both backends, injected I/O errors, a real full disk and inode exhaustion
// (tmpfs), power loss right after exit 0 (loop XFS + `xfs_io -x -c shutdown`), read-only and
// immutable archives, permission denied as a non-root user, concurrent pushers, damaged and hostile
// archive content on the get side, and different content or another cluster under a name. The
// invariant checked everywhere: a final object is either absent or complete, and `walpipe get`
// restores it byte for byte.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zstd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "archive/local/commit.h"
#include "codec/fingerprint.h"
#include "exit_codes.h"
#include "io/io.h"
#include "support/corpus.h"
#include "support/corrupt.h"
#include "support/mounts.h"
#include "support/prerequisite.h"
#include "support/run_command.h"
#include "support/scratch_dir.h"

extern char** environ;

namespace walpipe::testing {
namespace {

namespace fs = std::filesystem;

using exit_code::kGetCorrupt;
using exit_code::kGetIoError;
using exit_code::kGetNotFound;
using exit_code::kGetUsage;
using exit_code::kOk;
using exit_code::kPushFailed;
using exit_code::kPushRefused;
constexpr int kKilled = -1;  // run_command's code for a signal

constexpr const char* kSeg34 = "pg16/1mb/000000010000000000000034";
constexpr const char* kSeg35 = "pg16/1mb/000000010000000000000035";
constexpr const char* kSeg36 = "pg16/1mb/000000010000000000000036";
constexpr const char* kSeg39 = "pg16/1mb/000000010000000000000039";
constexpr const char* kHistory = "pg16/1mb/00000002.history";
// Other clusters: the same folder as kSeg34 (0000000100000000), and a folder the archive lacks.
constexpr const char* kOtherClusterSameFolder = "pg17/1mb/000000010000000000000020";
constexpr const char* kOtherClusterNewFolder = "pg13/1mb/00000002000000000000004A";

enum class Backend { kDefault, kSync };

std::string backend_name(Backend b) { return b == Backend::kSync ? "sync" : "default (io_uring)"; }

std::string show(const CommandResult& r) {
  return "exit " + std::to_string(r.exit_code) + "\n--- stdout\n" + r.out + "--- stderr\n" + r.err;
}

// walpipe with a controlled environment: no inherited WALPIPE_* variables, plus `env`. A run
// with a fault plan takes walpipe-fault: the shipped binary has no fault injector.
std::vector<std::string> walpipe_argv(const std::vector<std::string>& env,
                                      const std::vector<std::string>& args,
                                      std::string binary = "") {
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

std::vector<std::string> backend_env(Backend b, std::vector<std::string> more = {}) {
  if (b == Backend::kSync) more.push_back("WALPIPE_IO=sync");
  return more;
}

CommandResult walpipe(const std::vector<std::string>& env, const std::vector<std::string>& args) {
  return run_command(walpipe_argv(env, args));
}

ByteVec read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ByteVec out(s.size());
  if (!s.empty()) std::memcpy(out.data(), s.data(), s.size());
  return out;
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

// Where objects go (docs/object-format.md): segments under wal/<first 16 hex>/, history in wal/.
std::string object_path(const std::string& archive, const std::string& name) {
  if (name.ends_with(".history")) return archive + "/wal/" + name + ".zst";
  return archive + "/wal/" + name.substr(0, 16) + "/" + name + ".zst";
}

// Every entry under `root`: directories as "dir", files as their content. Compares archives
// exactly ("nothing changes").
using Tree = std::map<std::string, std::string>;
Tree snapshot(const std::string& root) {
  Tree tree;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    std::string rel = fs::relative(it->path(), root).string();
    if (it->is_directory()) {
      tree[rel] = "dir";
    } else {
      ByteVec b = read_bytes(it->path().string());
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

// `walpipe get` restores exactly `original` from the object for `name`, as a 0600 file. get
// decompresses the whole object and checks its fingerprint and page headers, so in the loops
// that kill a push at every step this is the check after each step; the records themselves
// are verified once a push has completed (expect_restores).
void expect_gets_original(const std::string& archive, const std::string& name,
                          const ByteVec& original, const std::string& scratch,
                          Backend backend = Backend::kDefault) {
  SCOPED_TRACE("object " + name + " in " + archive);
  ASSERT_TRUE(exists(object_path(archive, name))) << "no object at " << object_path(archive, name);
  std::string dest = scratch + "/restored-" + name;
  std::error_code ec;
  fs::remove(dest, ec);
  CommandResult g = walpipe(backend_env(backend), {"get", "--archive", archive, name, dest});
  ASSERT_EQ(g.exit_code, kOk) << show(g);
  ByteVec restored = read_bytes(dest);
  EXPECT_EQ(restored.size(), original.size());
  EXPECT_TRUE(restored == original) << "restored bytes differ from the original";
  struct stat st;
  ASSERT_EQ(::stat(dest.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  fs::remove(dest, ec);
}

// The object for `name` is complete: `walpipe verify` accepts it and `walpipe get` restores
// exactly `original`, as a 0600 file.
void expect_restores(const std::string& archive, const std::string& name, const ByteVec& original,
                     const std::string& scratch, Backend backend = Backend::kDefault) {
  CommandResult v = walpipe({}, {"verify", object_path(archive, name)});
  EXPECT_EQ(v.exit_code, kOk) << "object " << name << " in " << archive << "\n" << show(v);
  expect_gets_original(archive, name, original, scratch, backend);
}

// Either no object under the final name, or a complete one.
void expect_absent_or_complete(const std::string& archive, const std::string& name,
                               const ByteVec& original, const std::string& scratch) {
  if (!exists(object_path(archive, name))) return;
  expect_gets_original(archive, name, original, scratch);
}

// A copy of a segment that differs only in the alignment padding after a record: the record
// CRC does not cover it, so it is valid WAL with the same name and different content.
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

// Processes started together; stdout and stderr captured per process.
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
    ByteVec o = read_bytes(dir.file("out" + std::to_string(i)));
    ByteVec e = read_bytes(dir.file("err" + std::to_string(i)));
    results[i].out.assign(reinterpret_cast<const char*>(o.data()), o.size());
    results[i].err.assign(reinterpret_cast<const char*>(e.data()), e.size());
  }
  return results;
}

// Peak RSS is measured by a launcher, because a child's ru_maxrss includes the RSS of the process
// that spawned it (the kernel carries the old mm's high-water mark across exec), and this test
// process is large. The launcher is this test binary re-executed with kMeasureFlag: a static
// initializer runs before gtest, forks from that small process, execs the command, and writes
// "EXIT MAXRSS_KIB SECONDS" to a file.
constexpr const char* kMeasureFlag = "--fault-test-measure-launcher";

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

struct Measured {
  CommandResult result;
  long max_rss_kib = -1;
  double seconds = 0;
};

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

ByteVec zstd_compress(const ByteVec& input) {
  ByteVec out(ZSTD_compressBound(input.size()));
  size_t n = ZSTD_compress(out.data(), out.size(), input.data(), input.size(), 19);
  EXPECT_FALSE(ZSTD_isError(n));
  out.resize(ZSTD_isError(n) ? 0 : n);
  return out;
}

// `megabytes` MiB of zeros as one zstd frame, streamed so the test never holds the input.
ByteVec zstd_bomb(size_t megabytes) {
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, 3);
  ZSTD_CCtx_setPledgedSrcSize(cctx, megabytes << 20);  // the header tells the truth: it is big
  std::vector<std::byte> zeros(1 << 20);
  ByteVec out;
  std::vector<std::byte> buf(ZSTD_CStreamOutSize());
  for (size_t i = 0; i < megabytes; ++i) {
    ZSTD_inBuffer in{zeros.data(), zeros.size(), 0};
    ZSTD_EndDirective mode = i + 1 == megabytes ? ZSTD_e_end : ZSTD_e_continue;
    size_t left;
    do {
      ZSTD_outBuffer o{buf.data(), buf.size(), 0};
      left = ZSTD_compressStream2(cctx, &o, &in, mode);
      EXPECT_FALSE(ZSTD_isError(left));
      if (ZSTD_isError(left)) break;
      out.insert(out.end(), buf.begin(), buf.begin() + static_cast<ptrdiff_t>(o.pos));
    } while (mode == ZSTD_e_end ? left != 0 : in.pos < in.size);
  }
  ZSTD_freeCCtx(cctx);
  return out;
}

class FaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WALPIPE_REQUIRE_CORPUS();
    fs::create_directories(dir_.file("pg_wal"));
  }

  // Writes a corpus file into the pg_wal-like folder under its real name; returns its path.
  std::string source(const std::string& relative) {
    return dir_.write("pg_wal/" + base_name(relative), corpus_bytes(relative));
  }
  // Writes `bytes` as `name` in a folder of its own (a second "cluster" or an edited copy).
  std::string source_copy(const std::string& folder, const std::string& name,
                          const ByteVec& bytes) {
    return dir_.write(folder + "/" + name, bytes);
  }
  std::string new_archive(const std::string& name) {
    std::string path = dir_.file(name);
    fs::create_directories(path);
    return path;
  }
  CommandResult push(const std::string& archive, const std::string& path,
                     std::vector<std::string> env = {}) {
    return walpipe(env, {"push", "--archive", archive, path});
  }

  ScratchDir dir_;
};

// The shipped walpipe is built without the fault injector: a plan in its environment, even one
// walpipe-fault would refuse, changes nothing, while the same plan does stop walpipe-fault.
TEST_F(FaultTest, TheShippedBinaryCannotInjectFaults) {
  std::string src = source(kSeg34);
  std::string archive = new_archive("arch");
  for (const std::string plan : {"step:1:kill", "fsnyc:1:EIO"}) {
    CommandResult r = run_command(walpipe_argv(
        {"WALPIPE_FAULT=" + plan}, {"push", "--archive", archive, src}, WALPIPE_BINARY));
    EXPECT_EQ(r.exit_code, kOk) << plan << "\n" << show(r);
  }
  expect_restores(archive, base_name(kSeg34), corpus_bytes(kSeg34), dir_.path());
  CommandResult killed = push(new_archive("arch-fault"), src, {"WALPIPE_FAULT=step:1:kill"});
  EXPECT_EQ(killed.exit_code, kKilled) << show(killed);
}

// ---------------------------------------------------------------------------------------------
// 1. SIGKILL right before every I/O step of a push.
// ---------------------------------------------------------------------------------------------

class KillEveryStep : public FaultTest, public ::testing::WithParamInterface<Backend> {};

TEST_P(KillEveryStep, FreshArchiveNeverShowsAPartialObject) {
  const std::string name = base_name(kSeg34);
  const ByteVec& original = corpus_bytes(kSeg34);
  std::string src = source(kSeg34);
  int completed_at = 0;
  for (int n = 1; n <= 200 && completed_at == 0; ++n) {
    SCOPED_TRACE(backend_name(GetParam()) + ", killed before step " + std::to_string(n));
    std::string archive = new_archive("arch-" + std::to_string(n));
    CommandResult killed =
        push(archive, src,
             backend_env(GetParam(), {"WALPIPE_FAULT=step:" + std::to_string(n) + ":kill"}));
    if (killed.exit_code == kOk) {
      completed_at = n;  // the push needed fewer than n steps
    } else {
      ASSERT_EQ(killed.exit_code, kKilled) << show(killed);
    }
    expect_absent_or_complete(archive, name, original, dir_.path());
    // PostgreSQL retries: the plain push must succeed whatever the kill left behind.
    CommandResult again = push(archive, src, backend_env(GetParam()));
    ASSERT_EQ(again.exit_code, kOk) << show(again);
    if (completed_at != 0)
      expect_restores(archive, name, original, dir_.path(), GetParam());
    else
      expect_gets_original(archive, name, original, dir_.path(), GetParam());
    fs::remove_all(archive);
  }
  // Reading, three folders, the identity and the object take well over ten steps: a smaller
  // count means the fault injection did not reach the push.
  EXPECT_GT(completed_at, 10) << "push completed before step " << completed_at;
}

TEST_P(KillEveryStep, DedupPathLeavesTheObjectUntouched) {
  const std::string name = base_name(kSeg34);
  const ByteVec& original = corpus_bytes(kSeg34);
  std::string src = source(kSeg34);
  std::string archive = new_archive("arch");
  ASSERT_EQ(push(archive, src).exit_code, kOk);
  const Tree before = snapshot(archive);
  int completed_at = 0;
  for (int n = 1; n <= 200 && completed_at == 0; ++n) {
    SCOPED_TRACE(backend_name(GetParam()) + ", dedup push killed before step " + std::to_string(n));
    CommandResult killed =
        push(archive, src,
             backend_env(GetParam(), {"WALPIPE_FAULT=step:" + std::to_string(n) + ":kill"}));
    if (killed.exit_code == kOk) {
      completed_at = n;
    } else {
      ASSERT_EQ(killed.exit_code, kKilled) << show(killed);
    }
    Tree after = snapshot(archive);
    ASSERT_TRUE(after == before) << "before:\n"
                                 << describe(before) << "after:\n"
                                 << describe(after);
  }
  EXPECT_GT(completed_at, 5);
  CommandResult again = push(archive, src, backend_env(GetParam()));
  ASSERT_EQ(again.exit_code, kOk) << show(again);
  expect_restores(archive, name, original, dir_.path(), GetParam());
}

// The finished segment superseding a copy stored with --no-verify (archive/supersede.h), killed
// before each step: the name always holds the old object or the new one, the old one is kept
// from the moment the new one is there, and PostgreSQL's retry finishes the job. The steps of
// superseding (lock, link, the rename that replaces) are plain syscalls on both backends, and
// the writes before them are those of FreshArchiveNeverShowsAPartialObject: one backend is run.
TEST_F(FaultTest, KillingASupersedingPushAtEveryStepLosesNothing) {
  const Backend backend = Backend::kDefault;
  const std::string name = base_name(kSeg34);
  const ByteVec& full = corpus_bytes(kSeg34);
  ByteVec half = full;
  std::fill(half.begin() + 512 * 1024, half.end(), std::byte{0});
  const std::string src_half = source_copy("by-hand", name, half);
  const std::string src_full = source(kSeg34);
  const std::string seeded = new_archive("seeded");
  CommandResult stored = walpipe({}, {"push", "--no-verify", "--archive", seeded, src_half});
  ASSERT_EQ(stored.exit_code, kOk) << show(stored);
  const std::string kept_name = "superseded/" + name + "." + fingerprint_hex(half) + ".zst";
  io::SyncIo io;
  auto held = [&](const std::string& path) {
    auto meta = archive::read_object_metadata(io, path);
    return meta.is_ok() ? meta->fingerprint.hex() : "none: " + meta.status().to_string();
  };
  int completed_at = 0;
  for (int n = 1; n <= 200 && completed_at == 0; ++n) {
    SCOPED_TRACE(backend_name(backend) + ", killed before step " + std::to_string(n));
    std::string archive = dir_.file("arch-" + std::to_string(n));
    fs::copy(seeded, archive, fs::copy_options::recursive);
    CommandResult killed =
        push(archive, src_full,
             backend_env(backend, {"WALPIPE_FAULT=step:" + std::to_string(n) + ":kill"}));
    if (killed.exit_code == kOk) {
      completed_at = n;
    } else {
      ASSERT_EQ(killed.exit_code, kKilled) << show(killed);
    }
    const std::string now = held(object_path(archive, name));
    ASSERT_TRUE(now == fingerprint_hex(half) || now == fingerprint_hex(full)) << now;
    if (now == fingerprint_hex(full)) {
      ASSERT_EQ(held(archive + "/" + kept_name), fingerprint_hex(half));
    }
    CommandResult again = push(archive, src_full, backend_env(backend));
    ASSERT_EQ(again.exit_code, kOk) << show(again);
    ASSERT_EQ(held(object_path(archive, name)), fingerprint_hex(full));
    ASSERT_EQ(held(archive + "/" + kept_name), fingerprint_hex(half));
    EXPECT_EQ(entries(archive + "/superseded").size(), 1u);
    if (completed_at != 0) expect_restores(archive, name, full, dir_.path(), backend);
    fs::remove_all(archive);
  }
  // Reading, both metadata frames, the object, the lock, the link, the rename and the fsyncs.
  EXPECT_GT(completed_at, 15) << "push completed before step " << completed_at;
}

INSTANTIATE_TEST_SUITE_P(Backends, KillEveryStep,
                         ::testing::Values(Backend::kDefault, Backend::kSync),
                         [](const ::testing::TestParamInfo<Backend>& p) {
                           return std::string(p.param == Backend::kSync ? "sync" : "io_uring");
                         });

// ---------------------------------------------------------------------------------------------
// 2. Injected I/O errors while the object is written.
// ---------------------------------------------------------------------------------------------

struct InjectedError {
  const char* fault;    // WALPIPE_FAULT
  const char* message;  // expected in the error line
};

class InjectedErrors : public FaultTest,
                       public ::testing::WithParamInterface<std::tuple<Backend, InjectedError>> {};

// The archive already holds another segment (identity and folders exist), so the first write,
// close and fsync of the push are those of the new object.
TEST_P(InjectedErrors, FailCleanlyAndTheRetrySucceeds) {
  const auto& [backend, fault] = GetParam();
  SCOPED_TRACE(backend_name(backend) + std::string(", ") + fault.fault);
  const std::string name = base_name(kSeg34);
  std::string archive = new_archive("arch");
  ASSERT_EQ(push(archive, source(kSeg35)).exit_code, kOk);
  const Tree before = snapshot(archive);
  std::string src = source(kSeg34);

  CommandResult failed =
      push(archive, src, backend_env(backend, {std::string("WALPIPE_FAULT=") + fault.fault}));
  EXPECT_EQ(failed.exit_code, kPushFailed) << show(failed);
  EXPECT_NE(failed.err.find(fault.message), std::string::npos) << show(failed);
  EXPECT_NE(failed.err.find(archive), std::string::npos) << "the message names no archive path\n"
                                                         << show(failed);
  EXPECT_EQ(std::count(failed.err.begin(), failed.err.end(), '\n'), 1) << show(failed);
  EXPECT_FALSE(exists(object_path(archive, name))) << "an object appeared despite the failure";
  EXPECT_TRUE(entries(archive + "/.tmp").empty())
      << "temp left: " << join(entries(archive + "/.tmp"));
  Tree after = snapshot(archive);
  EXPECT_TRUE(after == before) << "before:\n" << describe(before) << "after:\n" << describe(after);

  CommandResult retry = push(archive, src, backend_env(backend));
  ASSERT_EQ(retry.exit_code, kOk) << show(retry);
  expect_restores(archive, name, corpus_bytes(kSeg34), dir_.path(), backend);
  EXPECT_TRUE(entries(archive + "/.tmp").empty());
}

INSTANTIATE_TEST_SUITE_P(
    Faults, InjectedErrors,
    ::testing::Combine(::testing::Values(Backend::kDefault, Backend::kSync),
                       ::testing::Values(InjectedError{"write:1:EIO", "Input/output error"},
                                         InjectedError{"write:1:ENOSPC", "No space left on device"},
                                         InjectedError{"close:1:EDQUOT", "Disk quota exceeded"},
                                         InjectedError{"rename:1:EIO", "Input/output error"},
                                         // opens: the identity (is the archive encrypted?
                                         // which cluster? read once), the source, the
                                         // existing-object check, then the temporary file
                                         InjectedError{"open:1:EIO", "Input/output error"},
                                         InjectedError{"open:1:EACCES", "Permission denied"},
                                         InjectedError{"open:3:EIO", "Input/output error"},
                                         InjectedError{"open:4:ENOSPC", "No space left on device"},
                                         InjectedError{"read:1:EIO", "Input/output error"})),
    [](const ::testing::TestParamInfo<std::tuple<Backend, InjectedError>>& p) {
      std::string s = std::string(std::get<0>(p.param) == Backend::kSync ? "sync_" : "io_uring_") +
                      std::get<1>(p.param).fault;
      for (char& c : s)
        if (!isalnum(static_cast<unsigned char>(c))) c = '_';
      return s;
    });

// FaultIo's "fsync" op is every fsync the commit protocol issues on its own: folders after a
// mkdir, the archive root after the identity, the object's folder after the rename, an existing
// object and its folder on the dedup path. (The object's own fdatasync is inside write_durably,
// whose failure is the write fault above.) Each must fail the push with exit 1; when the rename
// already happened the object is complete, and the retry makes it durable and succeeds.
TEST_F(FaultTest, FsyncErrorAtEveryFsyncFailsThePush) {
  const std::string name = base_name(kSeg34);
  const ByteVec& original = corpus_bytes(kSeg34);
  std::string src = source(kSeg34);
  for (Backend backend : {Backend::kDefault, Backend::kSync}) {
    int failures = 0;
    for (int n = 1; n <= 20; ++n) {
      SCOPED_TRACE(backend_name(backend) + ", fsync " + std::to_string(n) + " fails with EIO");
      std::string archive = new_archive("arch-fsync-" + std::to_string(n));
      CommandResult r =
          push(archive, src,
               backend_env(backend, {"WALPIPE_FAULT=fsync:" + std::to_string(n) + ":EIO"}));
      if (r.exit_code == kOk) {  // fewer than n fsyncs
        expect_restores(archive, name, original, dir_.path(), backend);
        fs::remove_all(archive);
        break;
      }
      ++failures;
      EXPECT_EQ(r.exit_code, kPushFailed) << show(r);
      EXPECT_NE(r.err.find("could not fsync"), std::string::npos) << show(r);
      EXPECT_NE(r.err.find("Input/output error"), std::string::npos) << show(r);
      EXPECT_TRUE(entries(archive + "/.tmp").empty())
          << "temp left: " << join(entries(archive + "/.tmp"));
      expect_absent_or_complete(archive, name, original, dir_.path());
      CommandResult retry = push(archive, src, backend_env(backend));
      ASSERT_EQ(retry.exit_code, kOk) << show(retry);
      expect_gets_original(archive, name, original, dir_.path(), backend);
      fs::remove_all(archive);
    }
    EXPECT_GE(failures, 4)
        << "a first push fsyncs three new folders, the root and the object's folder";
  }
}

// The same on the dedup path: an existing identical object whose fsync fails is not success.
TEST_F(FaultTest, FsyncErrorOnTheDedupPathIsNotSuccess) {
  std::string src = source(kSeg34);
  std::string archive = new_archive("arch");
  ASSERT_EQ(push(archive, src).exit_code, kOk);
  const Tree before = snapshot(archive);
  for (Backend backend : {Backend::kDefault, Backend::kSync}) {
    for (const char* fault : {"fsync:1:EIO", "fsync:2:EIO"}) {
      SCOPED_TRACE(backend_name(backend) + ", " + fault);
      CommandResult r =
          push(archive, src, backend_env(backend, {std::string("WALPIPE_FAULT=") + fault}));
      EXPECT_EQ(r.exit_code, kPushFailed) << show(r);
      EXPECT_TRUE(snapshot(archive) == before);
    }
  }
  expect_restores(archive, base_name(kSeg34), corpus_bytes(kSeg34), dir_.path());
}

// FaultIo's "short" writes the first half (4096-aligned) and returns, then the backend is asked
// for the whole buffer again from offset 0. Whatever the backend does with it, the outcome must
// be an intact object or a clean failure, never a short object under the final name.
TEST_F(FaultTest, ShortWriteNeverLeavesAShortObject) {
  const std::string name = base_name(kSeg34);
  const ByteVec& original = corpus_bytes(kSeg34);
  std::string src = source(kSeg34);
  for (Backend backend : {Backend::kDefault, Backend::kSync}) {
    for (const char* fault : {"write:1:short", "write:2:short"}) {
      SCOPED_TRACE(backend_name(backend) + ", " + fault);
      std::string archive = new_archive(std::string("arch-short-") +
                                        (backend == Backend::kSync ? "s" : "u") + fault[6]);
      CommandResult r =
          push(archive, src, backend_env(backend, {std::string("WALPIPE_FAULT=") + fault}));
      if (r.exit_code == kOk) {
        expect_restores(archive, name, original, dir_.path(), backend);
        // The identity written by the first push (write 1 on a fresh archive) must be whole.
        CommandResult other = push(archive, source(kSeg35), backend_env(backend));
        EXPECT_EQ(other.exit_code, kOk) << show(other);
      } else {
        EXPECT_EQ(r.exit_code, kPushFailed) << show(r);
        EXPECT_FALSE(exists(object_path(archive, name)));
        CommandResult retry = push(archive, src, backend_env(backend));
        ASSERT_EQ(retry.exit_code, kOk) << show(retry);
        expect_restores(archive, name, original, dir_.path(), backend);
      }
      EXPECT_TRUE(entries(archive + "/.tmp").empty()) << join(entries(archive + "/.tmp"));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// 3. A real full filesystem: tmpfs with too few blocks, then too few inodes.
// ---------------------------------------------------------------------------------------------

// Fills `dir` with files of `chunk` bytes until the filesystem refuses; returns how many.
int fill(const std::string& dir, size_t chunk, const std::string& prefix) {
  std::vector<char> data(chunk, 'x');
  int made = 0;
  for (int i = 0; i < 100000; ++i) {
    std::string path = dir + "/" + prefix + std::to_string(i);
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0) break;
    ++made;
    bool full = false;
    size_t done = 0;
    while (done < chunk) {
      ssize_t n = ::write(fd, data.data() + done, chunk - done);
      if (n <= 0) {
        full = true;
        break;
      }
      done += static_cast<size_t>(n);
    }
    ::close(fd);
    if (full) break;
  }
  return made;
}

void remove_prefixed(const std::string& dir, const std::string& prefix) {
  for (const std::string& e : entries(dir))
    if (e.rfind(prefix, 0) == 0) fs::remove(dir + "/" + e);
}

TEST_F(FaultTest, RealEnospcOnTmpfs) {
  std::string archive = new_archive("tmpfs");
  std::string why;
  std::unique_ptr<Mount> mount = Mount::tmpfs(archive, "size=2m,mode=0700", &why);
  if (!mount) WALPIPE_SKIP() << "cannot mount tmpfs: " << why;
  ASSERT_EQ(push(archive, source(kSeg35)).exit_code, kOk);
  std::string src = source(kSeg34);
  const std::string name = base_name(kSeg34);
  for (Backend backend : {Backend::kDefault, Backend::kSync}) {
    SCOPED_TRACE(backend_name(backend));
    ASSERT_GT(fill(archive, 64 << 10, "filler"), 0);
    const Tree before = snapshot(archive);
    CommandResult full = push(archive, src, backend_env(backend));
    EXPECT_EQ(full.exit_code, kPushFailed) << show(full);
    EXPECT_NE(full.err.find("No space left on device"), std::string::npos) << show(full);
    EXPECT_FALSE(exists(object_path(archive, name)));
    EXPECT_TRUE(entries(archive + "/.tmp").empty()) << join(entries(archive + "/.tmp"));
    EXPECT_TRUE(snapshot(archive) == before);
    remove_prefixed(archive, "filler");
    CommandResult freed = push(archive, src, backend_env(backend));
    ASSERT_EQ(freed.exit_code, kOk) << show(freed);
    expect_restores(archive, name, corpus_bytes(kSeg34), dir_.path(), backend);
    fs::remove(object_path(archive, name));
  }
}

TEST_F(FaultTest, InodeExhaustionOnTmpfs) {
  std::string archive = new_archive("tmpfs");
  std::string why;
  std::unique_ptr<Mount> mount = Mount::tmpfs(archive, "size=8m,nr_inodes=32,mode=0700", &why);
  if (!mount) WALPIPE_SKIP() << "cannot mount tmpfs: " << why;
  ASSERT_EQ(push(archive, source(kSeg35)).exit_code, kOk);
  std::string src = source(kSeg34);
  const std::string name = base_name(kSeg34);
  for (Backend backend : {Backend::kDefault, Backend::kSync}) {
    SCOPED_TRACE(backend_name(backend));
    ASSERT_GT(fill(archive, 0, "inode"), 0);
    const Tree before = snapshot(archive);
    CommandResult full = push(archive, src, backend_env(backend));
    EXPECT_EQ(full.exit_code, kPushFailed) << show(full);
    EXPECT_NE(full.err.find("No space left on device"), std::string::npos) << show(full);
    EXPECT_FALSE(exists(object_path(archive, name)));
    EXPECT_TRUE(snapshot(archive) == before);
    remove_prefixed(archive, "inode");
    CommandResult freed = push(archive, src, backend_env(backend));
    ASSERT_EQ(freed.exit_code, kOk) << show(freed);
    expect_restores(archive, name, corpus_bytes(kSeg34), dir_.path(), backend);
    fs::remove(object_path(archive, name));
  }
}

// ---------------------------------------------------------------------------------------------
// 4. Power loss right after exit 0: loop XFS, shutdown without log flush, remount.
// ---------------------------------------------------------------------------------------------

TEST_F(FaultTest, PowerLossRightAfterExitZeroKeepsTheObject) {
  std::string archive = new_archive("xfs");
  std::string why;
  std::unique_ptr<Mount> mount = Mount::loop_xfs(dir_.file("xfs.img"), archive, 300, &why);
  if (!mount) WALPIPE_SKIP() << "cannot make a loop XFS: " << why;
  int round = 0;
  for (const char* seg : {kSeg34, kSeg35, kSeg36, kSeg39, kHistory}) {
    Backend backend = round++ % 2 ? Backend::kSync : Backend::kDefault;
    SCOPED_TRACE(std::string(seg) + ", " + backend_name(backend));
    const std::string name = base_name(seg);
    CommandResult r = push(archive, source(seg), backend_env(backend));
    ASSERT_EQ(r.exit_code, kOk) << show(r);
    ASSERT_TRUE(mount->crash_and_remount(&why)) << why;
    expect_restores(archive, name, corpus_bytes(seg), dir_.path(), backend);
    // The identity survived too: another segment of the cluster is accepted.
    EXPECT_TRUE(exists(archive + "/walpipe.json"));
  }
  // And everything pushed before the crashes is still there.
  for (const char* seg : {kSeg34, kSeg35, kSeg36, kSeg39, kHistory})
    expect_restores(archive, base_name(seg), corpus_bytes(seg), dir_.path());
}

// The dedup answer is a durability promise too: an object found after a crash that happened
// between rename and the folder's fsync is made durable before exit 0.
TEST_F(FaultTest, PowerLossAfterADedupExitZeroKeepsTheObject) {
  std::string archive = new_archive("xfs");
  std::string why;
  std::unique_ptr<Mount> mount = Mount::loop_xfs(dir_.file("xfs.img"), archive, 300, &why);
  if (!mount) WALPIPE_SKIP() << "cannot make a loop XFS: " << why;
  std::string src = source(kSeg34);
  ASSERT_EQ(push(archive, source(kSeg35)).exit_code, kOk);
  ASSERT_TRUE(mount->crash_and_remount(&why)) << why;
  // Kill the push at each step in turn until a kill leaves the object under its final name: that
  // kill came after the rename and before the folder's fsync, so the entry is not yet durable.
  bool killed_after_rename = false;
  for (int n = 1; n <= 60 && !killed_after_rename; ++n) {
    CommandResult k = push(archive, src, {"WALPIPE_FAULT=step:" + std::to_string(n) + ":kill"});
    ASSERT_EQ(k.exit_code, kKilled) << "step " << n << "\n" << show(k);
    killed_after_rename = exists(object_path(archive, base_name(kSeg34)));
  }
  ASSERT_TRUE(killed_after_rename);
  CommandResult dedup = push(archive, src);
  ASSERT_EQ(dedup.exit_code, kOk) << show(dedup);
  ASSERT_TRUE(mount->crash_and_remount(&why)) << why;
  expect_restores(archive, base_name(kSeg34), corpus_bytes(kSeg34), dir_.path());
}

// ---------------------------------------------------------------------------------------------
// 5. Read-only and immutable archives.
// ---------------------------------------------------------------------------------------------

TEST_F(FaultTest, ReadOnlyBindMountRefusesWithThePath) {
  std::string real = new_archive("real");
  ASSERT_EQ(push(real, source(kSeg35)).exit_code, kOk);
  std::string archive = new_archive("ro");
  std::string why;
  std::unique_ptr<Mount> mount = Mount::bind(real, archive, &why);
  if (!mount) WALPIPE_SKIP() << "cannot bind-mount: " << why;
  ASSERT_TRUE(mount->remount(true, &why)) << why;
  const Tree before = snapshot(real);
  for (Backend backend : {Backend::kDefault, Backend::kSync}) {
    SCOPED_TRACE(backend_name(backend));
    CommandResult r = push(archive, source(kSeg34), backend_env(backend));
    EXPECT_EQ(r.exit_code, kPushFailed) << show(r);
    EXPECT_NE(r.err.find("Read-only file system"), std::string::npos) << show(r);
    EXPECT_NE(r.err.find(archive + "/"), std::string::npos) << show(r);
    EXPECT_TRUE(snapshot(real) == before);
  }
  // A fresh read-only archive: nothing can even be created.
  std::string empty_real = new_archive("empty-real");
  std::string empty = new_archive("empty-ro");
  std::unique_ptr<Mount> mount2 = Mount::bind(empty_real, empty, &why);
  ASSERT_TRUE(mount2) << why;
  ASSERT_TRUE(mount2->remount(true, &why)) << why;
  CommandResult r = push(empty, source(kSeg34));
  EXPECT_EQ(r.exit_code, kPushFailed) << show(r);
  EXPECT_NE(r.err.find("Read-only file system"), std::string::npos) << show(r);
  EXPECT_NE(r.err.find(empty), std::string::npos) << show(r);
  EXPECT_TRUE(entries(empty_real).empty());
}

TEST_F(FaultTest, ReadOnlyTmpfsRemountRefuses) {
  std::string archive = new_archive("tmpfs");
  std::string why;
  std::unique_ptr<Mount> mount = Mount::tmpfs(archive, "size=4m,mode=0700", &why);
  if (!mount) WALPIPE_SKIP() << "cannot mount tmpfs: " << why;
  ASSERT_EQ(push(archive, source(kSeg35)).exit_code, kOk);
  ASSERT_TRUE(mount->remount(true, &why)) << why;
  const Tree before = snapshot(archive);
  CommandResult r = push(archive, source(kSeg34));
  EXPECT_EQ(r.exit_code, kPushFailed) << show(r);
  EXPECT_NE(r.err.find("Read-only file system"), std::string::npos) << show(r);
  EXPECT_NE(r.err.find(archive + "/"), std::string::npos) << show(r);
  EXPECT_TRUE(snapshot(archive) == before);
  // What is archived stays restorable from the read-only archive.
  expect_restores(archive, base_name(kSeg35), corpus_bytes(kSeg35), dir_.path());
  ASSERT_TRUE(mount->remount(false, &why)) << why;
  CommandResult rw = push(archive, source(kSeg34));
  EXPECT_EQ(rw.exit_code, kOk) << show(rw);
}

// chattr +i on the object's folder (XFS): the rename into it fails with EPERM.
TEST_F(FaultTest, ImmutableFolderRefusesAndLeavesNoTemp) {
  std::string archive = new_archive("xfs");
  std::string why;
  std::unique_ptr<Mount> mount = Mount::loop_xfs(dir_.file("xfs.img"), archive, 300, &why);
  if (!mount) WALPIPE_SKIP() << "cannot make a loop XFS: " << why;
  ASSERT_EQ(push(archive, source(kSeg35)).exit_code, kOk);
  const std::string folder = archive + "/wal/0000000100000000";
  CommandResult chattr = run_command({"/usr/bin/chattr", "+i", folder});
  if (chattr.exit_code != 0) WALPIPE_SKIP() << "chattr +i failed: " << show(chattr);
  struct Unimmutable {
    std::string f;
    ~Unimmutable() { run_command({"/usr/bin/chattr", "-i", f}); }
  } undo{folder};
  const Tree before = snapshot(archive);
  for (Backend backend : {Backend::kDefault, Backend::kSync}) {
    SCOPED_TRACE(backend_name(backend));
    CommandResult r = push(archive, source(kSeg34), backend_env(backend));
    EXPECT_EQ(r.exit_code, kPushFailed) << show(r);
    EXPECT_NE(r.err.find("Operation not permitted"), std::string::npos) << show(r);
    EXPECT_NE(r.err.find(folder), std::string::npos) << show(r);
    EXPECT_TRUE(snapshot(archive) == before) << describe(snapshot(archive));
  }
  run_command({"/usr/bin/chattr", "-i", folder});
  CommandResult ok = push(archive, source(kSeg34));
  EXPECT_EQ(ok.exit_code, kOk) << show(ok);
}

// ---------------------------------------------------------------------------------------------
// 6. Permission denied for the PostgreSQL server's user.
// ---------------------------------------------------------------------------------------------

TEST_F(FaultTest, PermissionDeniedAsPostgres) {
  if (::geteuid() != 0) WALPIPE_SKIP() << "needs root to switch to postgres";
  if (run_command({"/usr/bin/id", "-u", "postgres"}).exit_code != 0)
    WALPIPE_SKIP() << "no postgres user";
  // The scratch folder is 0700 root: open it for traversal, and give postgres a readable source
  // and a binary it can run.
  ASSERT_EQ(::chmod(dir_.path().c_str(), 0755), 0);
  ASSERT_EQ(::chmod(dir_.file("pg_wal").c_str(), 0755), 0);
  std::string src = source(kSeg34);
  ASSERT_EQ(::chmod(src.c_str(), 0644), 0);
  std::string binary = dir_.file("walpipe");
  fs::copy_file(WALPIPE_BINARY, binary);
  ASSERT_EQ(::chmod(binary.c_str(), 0755), 0);
  auto as_postgres = [&](const std::vector<std::string>& args) {
    std::vector<std::string> argv{"/usr/sbin/runuser", "-u", "postgres", "--"};
    std::vector<std::string> rest = walpipe_argv({}, args, binary);
    argv.insert(argv.end(), rest.begin(), rest.end());
    return run_command(argv);
  };
  for (mode_t mode : {0700, 0500}) {
    SCOPED_TRACE("archive mode 0" + std::to_string(mode == 0700 ? 700 : 500));
    std::string archive = new_archive("arch-" + std::to_string(mode));
    ASSERT_EQ(::chmod(archive.c_str(), mode), 0);
    CommandResult r = as_postgres({"push", "--archive", archive, src});
    EXPECT_EQ(r.exit_code, kPushFailed) << show(r);
    EXPECT_NE(r.err.find("Permission denied"), std::string::npos) << show(r);
    EXPECT_NE(r.err.find(archive), std::string::npos) << show(r);
    EXPECT_TRUE(entries(archive).empty());
  }
  // An archive filled by root that postgres cannot read: get must not say "absent" (exit 1
  // would end recovery and promote); it must stop recovery.
  std::string archive = new_archive("arch-get");
  ASSERT_EQ(push(archive, src).exit_code, kOk);
  ASSERT_EQ(::chmod(archive.c_str(), 0755), 0);  // the root is visible, wal/ (0700) is not
  std::string dest_dir = dir_.file("restore");
  fs::create_directories(dest_dir);
  ASSERT_EQ(::chmod(dest_dir.c_str(), 0777), 0);
  std::string dest = dest_dir + "/RECOVERYXLOG";
  CommandResult g = as_postgres({"get", "--archive", archive, base_name(kSeg34), dest});
  EXPECT_GE(g.exit_code, 126) << show(g);
  EXPECT_EQ(g.exit_code, kGetIoError) << show(g);
  EXPECT_NE(g.err.find("Permission denied"), std::string::npos) << show(g);
  EXPECT_FALSE(exists(dest));
}

// ---------------------------------------------------------------------------------------------
// 7. Concurrent pushers.
// ---------------------------------------------------------------------------------------------

TEST_F(FaultTest, EightPushersOfTheSameSegment) {
  std::string src = source(kSeg34);
  const std::string name = base_name(kSeg34);
  for (int round = 0; round < 4; ++round) {
    Backend backend = round % 2 ? Backend::kSync : Backend::kDefault;
    SCOPED_TRACE("round " + std::to_string(round) + ", " + backend_name(backend));
    // Rounds 0 and 1 start on an empty archive (the identity races too), 2 and 3 on a seeded one.
    std::string archive = new_archive("arch-" + std::to_string(round));
    if (round >= 2) {
      ASSERT_EQ(push(archive, source(kSeg35)).exit_code, kOk);
    }
    std::vector<std::vector<std::string>> argvs(
        8, walpipe_argv(backend_env(backend), {"push", "--archive", archive, src}));
    std::vector<CommandResult> results = run_together(argvs);
    for (const CommandResult& r : results) EXPECT_EQ(r.exit_code, kOk) << show(r);
    EXPECT_EQ(
        entries(object_path(archive, name).substr(0, object_path(archive, name).rfind('/'))).size(),
        round >= 2 ? 2u : 1u);
    EXPECT_TRUE(entries(archive + "/.tmp").empty()) << join(entries(archive + "/.tmp"));
    expect_restores(archive, name, corpus_bytes(kSeg34), dir_.path(), backend);
  }
}

TEST_F(FaultTest, ConcurrentPushersOfDifferentContentUnderOneName) {
  const std::string name = base_name(kSeg34);
  const ByteVec& a = corpus_bytes(kSeg34);
  ByteVec b = padding_variant(a);
  ASSERT_FALSE(a == b);
  std::string src_a = source(kSeg34);
  std::string src_b = source_copy("other", name, b);
  ASSERT_EQ(walpipe({}, {"verify", src_b}).exit_code, kOk) << "the edited copy must be valid WAL";
  const std::string fp_a = fingerprint_hex(a), fp_b = fingerprint_hex(b);
  for (int round = 0; round < 6; ++round) {
    // 1 against 1, then 4 against 4.
    const int per_side = round < 4 ? 1 : 4;
    Backend backend = round % 2 ? Backend::kSync : Backend::kDefault;
    SCOPED_TRACE("round " + std::to_string(round) + ", " + std::to_string(per_side) +
                 " per side, " + backend_name(backend));
    std::string archive = new_archive("arch-" + std::to_string(round));
    std::vector<std::vector<std::string>> argvs;
    for (int i = 0; i < per_side; ++i) {
      argvs.push_back(walpipe_argv(backend_env(backend), {"push", "--archive", archive, src_a}));
      argvs.push_back(walpipe_argv(backend_env(backend), {"push", "--archive", archive, src_b}));
    }
    std::vector<CommandResult> results = run_together(argvs);
    int ok_a = 0, ok_b = 0, refused = 0;
    for (size_t i = 0; i < results.size(); ++i) {
      const CommandResult& r = results[i];
      if (r.exit_code == kOk) {
        (i % 2 == 0 ? ok_a : ok_b)++;
      } else {
        EXPECT_EQ(r.exit_code, kPushRefused) << show(r);
        ++refused;
        EXPECT_NE(r.err.find(fp_a), std::string::npos) << "loser does not name " << fp_a << "\n"
                                                       << show(r);
        EXPECT_NE(r.err.find(fp_b), std::string::npos) << "loser does not name " << fp_b << "\n"
                                                       << show(r);
      }
    }
    // One side wins entirely, the other is refused entirely.
    EXPECT_TRUE((ok_a == per_side && ok_b == 0) || (ok_b == per_side && ok_a == 0))
        << "ok_a " << ok_a << ", ok_b " << ok_b;
    EXPECT_EQ(refused, per_side);
    EXPECT_TRUE(entries(archive + "/.tmp").empty()) << join(entries(archive + "/.tmp"));
    expect_restores(archive, name, ok_b > 0 ? b : a, dir_.path(), backend);
  }
}

// Pushers of the finished segment racing onto a copy stored with --no-verify: it is superseded
// once and kept once. Racing with a different valid copy, one side wins entirely and the other
// is refused: the winner's verified object is never replaced.
TEST_F(FaultTest, ConcurrentSupersedersTakeTurns) {
  const std::string name = base_name(kSeg34);
  const ByteVec& a = corpus_bytes(kSeg34);
  ByteVec half = a;
  std::fill(half.begin() + 512 * 1024, half.end(), std::byte{0});
  ByteVec b = padding_variant(a);
  const std::string src_half = source_copy("by-hand", name, half);
  const std::string src_a = source(kSeg34);
  const std::string src_b = source_copy("other", name, b);
  for (int round = 0; round < 4; ++round) {
    const bool mixed = round >= 2;
    Backend backend = round % 2 ? Backend::kSync : Backend::kDefault;
    SCOPED_TRACE("round " + std::to_string(round) + (mixed ? ", two contents, " : ", ") +
                 backend_name(backend));
    std::string archive = new_archive("sup-" + std::to_string(round));
    CommandResult stored = walpipe({}, {"push", "--no-verify", "--archive", archive, src_half});
    ASSERT_EQ(stored.exit_code, kOk) << show(stored);
    std::vector<std::vector<std::string>> argvs;
    for (int i = 0; i < 6; ++i)
      argvs.push_back(walpipe_argv(backend_env(backend), {"push", "--batch=1", "--archive", archive,
                                                          mixed && i % 2 ? src_b : src_a}));
    std::vector<CommandResult> results = run_together(argvs);
    int superseding = 0, ok_a = 0, ok_b = 0;
    for (size_t i = 0; i < results.size(); ++i) {
      const CommandResult& r = results[i];
      if (r.exit_code != kOk) {
        EXPECT_TRUE(mixed) << show(r);
        EXPECT_EQ(r.exit_code, kPushRefused) << show(r);
        continue;
      }
      (mixed && i % 2 ? ok_b : ok_a)++;
      if (r.err.find("superseded the copy archived with --no-verify") != std::string::npos)
        ++superseding;
      else
        EXPECT_EQ(r.err, "") << show(r);
    }
    EXPECT_EQ(superseding, 1);
    EXPECT_TRUE(ok_a == 0 || ok_b == 0) << "ok_a " << ok_a << ", ok_b " << ok_b;
    EXPECT_EQ(ok_a + ok_b, mixed ? 3 : 6);
    EXPECT_EQ(entries(archive + "/superseded").size(), 1u);
    EXPECT_TRUE(exists(archive + "/superseded/" + name + "." + fingerprint_hex(half) + ".zst"));
    EXPECT_TRUE(entries(archive + "/.tmp").empty()) << join(entries(archive + "/.tmp"));
    expect_restores(archive, name, ok_b > 0 ? b : a, dir_.path(), backend);
  }
}

// ---------------------------------------------------------------------------------------------
// 8. The get side: damaged, hostile or missing archive content.
// ---------------------------------------------------------------------------------------------

class GetFaults : public FaultTest {
 protected:
  void SetUp() override {
    FaultTest::SetUp();
    if (IsSkipped()) return;
    archive_ = new_archive("arch");
    ASSERT_EQ(push(archive_, source(kSeg34)).exit_code, kOk);
    ASSERT_EQ(push(archive_, source(kSeg35)).exit_code, kOk);
    object_ = object_path(archive_, name_);
    dest_ = dir_.file("RECOVERYXLOG");
  }
  CommandResult get(const std::string& name, Backend backend = Backend::kDefault) {
    return walpipe(backend_env(backend), {"get", "--archive", archive_, name, dest_});
  }
  // Replaces the object with `bytes` and checks that get refuses it with 200 on both backends,
  // quickly, leaving no DEST.
  void expect_corrupt(const ByteVec& bytes, const std::string& what) {
    SCOPED_TRACE(what);
    write_bytes(object_, bytes);
    for (Backend backend : {Backend::kDefault, Backend::kSync}) {
      SCOPED_TRACE(backend_name(backend));
      auto start = std::chrono::steady_clock::now();
      CommandResult r = get(name_, backend);
      double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      EXPECT_EQ(r.exit_code, kGetCorrupt) << show(r);
      EXPECT_FALSE(exists(dest_)) << "DEST exists after a refused get";
      EXPECT_LT(seconds, 10.0);
      EXPECT_NE(r.err.find(name_), std::string::npos) << show(r);
    }
  }

  const std::string name_ = base_name(kSeg34);
  std::string archive_, object_, dest_;
};

TEST_F(GetFaults, FlippedByteInTheMiddle) {
  ByteVec good = read_bytes(object_);
  ByteVec bad = good;
  flip_byte(bad, bad.size() / 2, 0x01);
  expect_corrupt(bad, "one bit flipped in the middle");
  // The metadata frame's checksum and the data frames: flip a byte in each region.
  for (size_t offset : {size_t{20}, size_t{200}, good.size() / 4, good.size() * 3 / 4}) {
    bad = good;
    flip_byte(bad, offset, 0xFF);
    expect_corrupt(bad, "byte flipped at " + std::to_string(offset));
  }
}

TEST_F(GetFaults, TruncatedAndEmptyObjects) {
  ByteVec good = read_bytes(object_);
  for (size_t size :
       {good.size() / 2, good.size() - 4096, good.size() - 1, size_t{4096}, size_t{7}}) {
    ByteVec bad = good;
    truncate(bad, size);
    expect_corrupt(bad, "truncated to " + std::to_string(size));
  }
  expect_corrupt({}, "zero-length object");
  ByteVec longer = good;
  longer.resize(good.size() + 4096);
  expect_corrupt(longer, "zero bytes appended");
  ByteVec twice = good;
  twice.insert(twice.end(), good.begin(), good.end());
  expect_corrupt(twice, "object concatenated with itself");
}

TEST_F(GetFaults, PlainZstdOfTheRightBytesIsNotAnObject) {
  // A plain zstd file holding exactly the original: no metadata frame, so no fingerprint to check.
  expect_corrupt(zstd_compress(corpus_bytes(kSeg34)), "plain zstd without walpipe metadata");
}

TEST_F(GetFaults, ZstdBombIsRefusedWithBoundedMemory) {
  ByteVec bomb = zstd_bomb(256);
  ASSERT_LT(bomb.size(), 1u << 20);
  // Bare, and behind the genuine metadata frame of this very object.
  ByteVec good = read_bytes(object_);
  uint32_t meta_len = get_u32(good, 4);
  ByteVec dressed(good.begin(), good.begin() + 8 + meta_len);
  dressed.insert(dressed.end(), bomb.begin(), bomb.end());
  while (dressed.size() % 4096) dressed.push_back(std::byte{0});
  for (const ByteVec* b : {&bomb, &dressed}) {
    SCOPED_TRACE(b == &bomb ? "bare bomb" : "bomb behind real metadata");
    write_bytes(object_, *b);
    Measured m = run_measured(walpipe_argv({}, {"get", "--archive", archive_, name_, dest_}));
    EXPECT_EQ(m.result.exit_code, kGetCorrupt) << m.result.err;
    EXPECT_GT(m.max_rss_kib, 0);
    EXPECT_FALSE(exists(dest_));
    EXPECT_LT(m.seconds, 10.0);
    // 256 MiB would be decompressed if nothing bounded it; a sanitizer build peaks near 30 MiB.
    EXPECT_LT(m.max_rss_kib, 128 * 1024) << "peak RSS " << m.max_rss_kib << " KiB";
  }
}

TEST_F(GetFaults, ObjectOfAnotherSegmentUnderThisName) {
  expect_corrupt(read_bytes(object_path(archive_, base_name(kSeg35))), "the object of segment 35");
}

// DEST's disk is full: the space is asked for before any byte is written, the error names DEST,
// recovery is told it is an I/O error (not absence), and no partial DEST is left for it.
TEST_F(GetFaults, FullDestinationDiskFailsBeforeWritingAndLeavesNoDest) {
  std::string folder = dir_.file("small-pg_wal");
  fs::create_directories(folder);
  std::string why;
  std::unique_ptr<Mount> mount = Mount::tmpfs(folder, "size=512k,mode=0700", &why);
  if (!mount) WALPIPE_SKIP() << "cannot mount tmpfs: " << why;
  const std::string dest = folder + "/RECOVERYXLOG";
  for (Backend backend : {Backend::kDefault, Backend::kSync}) {
    SCOPED_TRACE(backend_name(backend));
    CommandResult r = walpipe(backend_env(backend), {"get", "--archive", archive_, name_, dest});
    EXPECT_EQ(r.exit_code, kGetIoError) << show(r);
    EXPECT_NE(r.err.find("could not allocate space for \"" + dest + "\": No space left on device"),
              std::string::npos)
        << show(r);
    EXPECT_FALSE(exists(dest));
  }
}

TEST_F(GetFaults, InjectedAllocationErrorLeavesNoDest) {
  for (Backend backend : {Backend::kDefault, Backend::kSync}) {
    SCOPED_TRACE(backend_name(backend));
    CommandResult r = walpipe(backend_env(backend, {"WALPIPE_FAULT=allocate:1:EIO"}),
                              {"get", "--archive", archive_, name_, dest_});
    EXPECT_EQ(r.exit_code, kGetIoError) << show(r);
    EXPECT_NE(r.err.find("could not allocate space for"), std::string::npos) << show(r);
    EXPECT_FALSE(exists(dest_));
  }
}

// A fault plan with a misspelt operation or count would inject nothing, and the test using it
// would pass without its fault: it is refused before anything is done.
TEST_F(GetFaults, AFaultPlanThatNamesNoOperationIsRefused) {
  for (const std::string& plan : {std::string("fsnyc:1:EIO"), std::string("fsync:1x:EIO"),
                                  std::string("fsync:0:EIO"), std::string("fsync:1:EIO,open")}) {
    CommandResult r =
        walpipe({"WALPIPE_FAULT=" + plan}, {"get", "--archive", archive_, name_, dest_});
    EXPECT_EQ(r.exit_code, kGetUsage) << plan << "\n" << show(r);
    EXPECT_FALSE(exists(dest_)) << plan;
  }
  CommandResult r =
      walpipe({"WALPIPE_FAULT=fsnyc:1:EIO"}, {"get", "--archive", archive_, name_, dest_});
  EXPECT_NE(r.err.find("unknown fault operation \"fsnyc\""), std::string::npos) << show(r);
}

TEST_F(GetFaults, MissingArchiveIsNotAbsence) {
  for (Backend backend : {Backend::kDefault, Backend::kSync}) {
    SCOPED_TRACE(backend_name(backend));
    CommandResult r = walpipe(backend_env(backend),
                              {"get", "--archive", dir_.file("no-such-archive"), name_, dest_});
    EXPECT_EQ(r.exit_code, kGetIoError) << show(r);
    EXPECT_FALSE(exists(dest_));
  }
}

TEST_F(GetFaults, AbsentNameIsExitOneWithoutDest) {
  for (Backend backend : {Backend::kDefault, Backend::kSync}) {
    SCOPED_TRACE(backend_name(backend));
    for (const std::string& name :
         {std::string("000000010000000000000077"), std::string("000000030000000000000034"),
          std::string("00000009.history"), std::string("000000010000000100000034")}) {
      CommandResult r = get(name, backend);
      EXPECT_EQ(r.exit_code, kGetNotFound) << name << "\n" << show(r);
      EXPECT_FALSE(exists(dest_)) << name;
    }
  }
}

TEST_F(GetFaults, HostileNamesAreRefusedBeforeAnyFilesystemAccess) {
  const std::string nowhere = dir_.file("no-such-archive");  // 201 if it were looked at
  for (const std::string& name :
       {std::string("../../etc/passwd"), std::string("/etc/passwd"), std::string("/abs"),
        std::string("00000001000000000000003a"), std::string("0000000100000000000000034"),
        std::string(65, '0'), std::string("000000010000000000000034/../../x"),
        std::string("000000010000000000000034\n"), std::string(""),
        std::string("../wal/0000000100000000/000000010000000000000034")}) {
    SCOPED_TRACE("name \"" + name + "\"");
    std::string dest = dir_.file("hostile-dest");
    CommandResult r = walpipe({}, {"get", "--archive", nowhere, name, dest});
    EXPECT_EQ(r.exit_code, kGetUsage) << show(r);
    EXPECT_FALSE(exists(dest));
    CommandResult r2 = walpipe({}, {"get", "--archive", archive_, name, dest});
    EXPECT_EQ(r2.exit_code, kGetUsage) << show(r2);
    EXPECT_FALSE(exists(dest));
  }
  EXPECT_FALSE(exists(nowhere));
}

TEST_F(GetFaults, DestIsPrivateWhateverTheUmask) {
  for (Backend backend : {Backend::kDefault, Backend::kSync}) {
    SCOPED_TRACE(backend_name(backend));
    std::vector<std::string> argv{"/bin/sh", "-c", "umask 000; exec \"$@\"", "sh"};
    std::vector<std::string> rest =
        walpipe_argv(backend_env(backend), {"get", "--archive", archive_, name_, dest_});
    argv.insert(argv.end(), rest.begin(), rest.end());
    CommandResult r = run_command(argv);
    ASSERT_EQ(r.exit_code, kOk) << show(r);
    struct stat st;
    ASSERT_EQ(::stat(dest_.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0600u);
    EXPECT_TRUE(read_bytes(dest_) == corpus_bytes(kSeg34));
    fs::remove(dest_);
  }
}

// ---------------------------------------------------------------------------------------------
// 9. Different content under an archived name; 10. another cluster.
// ---------------------------------------------------------------------------------------------

TEST_F(FaultTest, DifferentSegmentUnderAnArchivedNameIsRefused) {
  const std::string name = base_name(kSeg34);
  const ByteVec& a = corpus_bytes(kSeg34);
  ByteVec b = padding_variant(a);
  std::string archive = new_archive("arch");
  ASSERT_EQ(push(archive, source(kSeg34)).exit_code, kOk);
  std::string src_b = source_copy("other", name, b);
  ASSERT_EQ(walpipe({}, {"verify", src_b}).exit_code, kOk) << "the edited copy must be valid WAL";
  const Tree before = snapshot(archive);
  for (Backend backend : {Backend::kDefault, Backend::kSync}) {
    for (bool no_verify : {false, true}) {
      SCOPED_TRACE(backend_name(backend) + (no_verify ? ", --no-verify" : ""));
      std::vector<std::string> args{"push", "--archive", archive};
      if (no_verify) args.push_back("--no-verify");
      args.push_back(src_b);
      CommandResult r = walpipe(backend_env(backend), args);
      EXPECT_EQ(r.exit_code, kPushRefused) << show(r);
      EXPECT_NE(r.err.find(fingerprint_hex(a)), std::string::npos) << show(r);
      EXPECT_NE(r.err.find(fingerprint_hex(b)), std::string::npos) << show(r);
      EXPECT_TRUE(snapshot(archive) == before) << describe(snapshot(archive));
    }
  }
  expect_restores(archive, name, a, dir_.path());
  // The original still deduplicates.
  EXPECT_EQ(push(archive, source(kSeg34)).exit_code, kOk);
}

TEST_F(FaultTest, EditedHistoryFileIsAlwaysRefused) {
  const std::string name = base_name(kHistory);
  const ByteVec& original = corpus_bytes(kHistory);
  std::string archive = new_archive("arch");
  ASSERT_EQ(push(archive, source(kSeg34)).exit_code, kOk);
  CommandResult first = push(archive, source(kHistory));
  ASSERT_EQ(first.exit_code, kOk) << show(first);
  EXPECT_EQ(push(archive, source(kHistory)).exit_code, kOk) << "identical re-push";
  // Edits that keep it a valid history file: another reason text, another switch point.
  std::string text(reinterpret_cast<const char*>(original.data()), original.size());
  std::vector<std::string> edits;
  std::string reason = text;
  reason.replace(reason.find("no recovery target specified"), 28, "no recovery target SPECIFIED");
  edits.push_back(reason);
  std::string lsn = text;
  lsn.replace(lsn.find("0/55000A0"), 9, "0/55000A8");
  edits.push_back(lsn);
  edits.push_back(text + "\n");  // a trailing blank line
  const Tree before = snapshot(archive);
  int i = 0;
  for (const std::string& edit : edits) {
    SCOPED_TRACE("edit " + std::to_string(i));
    ByteVec bytes(edit.size());
    std::memcpy(bytes.data(), edit.data(), edit.size());
    std::string src = source_copy("edited" + std::to_string(i++), name, bytes);
    for (bool no_verify : {false, true}) {
      std::vector<std::string> args{"push", "--archive", archive};
      if (no_verify) args.push_back("--no-verify");
      args.push_back(src);
      CommandResult r = walpipe({}, args);
      EXPECT_EQ(r.exit_code, kPushRefused) << show(r);
      EXPECT_NE(r.err.find(fingerprint_hex(original)), std::string::npos) << show(r);
      EXPECT_NE(r.err.find(fingerprint_hex(bytes)), std::string::npos) << show(r);
      EXPECT_TRUE(snapshot(archive) == before);
    }
  }
  expect_restores(archive, name, original, dir_.path());
}

TEST_F(FaultTest, SegmentOfAnotherClusterIsRefusedBeforeAnythingIsWritten) {
  std::string archive = new_archive("arch");
  ASSERT_EQ(push(archive, source(kSeg34)).exit_code, kOk);
  const Tree before = snapshot(archive);
  for (const char* other : {kOtherClusterSameFolder, kOtherClusterNewFolder}) {
    for (Backend backend : {Backend::kDefault, Backend::kSync}) {
      SCOPED_TRACE(std::string(other) + ", " + backend_name(backend));
      std::string src = source_copy("cluster2", base_name(other), corpus_bytes(other));
      ASSERT_EQ(walpipe({}, {"verify", src}).exit_code, kOk);
      CommandResult r = walpipe(backend_env(backend), {"push", "--archive", archive, src});
      EXPECT_EQ(r.exit_code, kPushRefused) << show(r);
      EXPECT_NE(r.err.find("different database system"), std::string::npos) << show(r);
      Tree after = snapshot(archive);
      EXPECT_TRUE(after == before) << "before:\n"
                                   << describe(before) << "after:\n"
                                   << describe(after);
      // Put the listing back so the next case starts from the same archive.
      for (const auto& [path, what] : after)
        if (!before.count(path)) fs::remove_all(archive + "/" + path);
    }
  }
  expect_restores(archive, base_name(kSeg34), corpus_bytes(kSeg34), dir_.path());
}

}  // namespace
}  // namespace walpipe::testing
