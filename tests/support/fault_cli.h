// What the fault tests of the walpipe command (tests/cli/fault_*_test.cc) share: walpipe and
// walpipe-fault run with a controlled environment on either I/O backend, where objects lie, whole
// archives compared as trees, the checks that an object restores byte for byte or is absent, and
// the fixture with a pg_wal-like folder of corpus segments.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "exit_codes.h"
#include "support/corpus.h"
#include "support/corrupt.h"
#include "support/files.h"
#include "support/prerequisite.h"
#include "support/run_command.h"
#include "support/scratch_dir.h"

namespace walpipe::testing {

using exit_code::kGetCorrupt;
using exit_code::kGetIoError;
using exit_code::kGetNotFound;
using exit_code::kGetUsage;
using exit_code::kOk;
using exit_code::kPushFailed;
using exit_code::kPushRefused;
inline constexpr int kKilled = -1;  // run_command's code for a signal

inline constexpr const char* kHistory = "pg16/1mb/00000002.history";
// Other clusters: the same folder as kSeg34 (0000000100000000), and a folder the archive lacks.
inline constexpr const char* kOtherClusterSameFolder = "pg17/1mb/000000010000000000000020";
inline constexpr const char* kOtherClusterNewFolder = "pg13/1mb/00000002000000000000004A";

enum class Backend { kDefault, kSync };

std::string backend_name(Backend b);

std::string show(const CommandResult& r);

// walpipe with a controlled environment: no inherited WALPIPE_* variables, plus `env`. A run
// with a fault plan takes walpipe-fault: the shipped binary has no fault injector.
std::vector<std::string> walpipe_argv(const std::vector<std::string>& env,
                                      const std::vector<std::string>& args,
                                      std::string binary = "");

std::vector<std::string> backend_env(Backend b, std::vector<std::string> more = {});

CommandResult walpipe(const std::vector<std::string>& env, const std::vector<std::string>& args);

void write_bytes(const std::string& path, const ByteVec& bytes);
bool exists(const std::string& path);

// Where objects go (docs/object-format.md): segments under wal/<first 16 hex>/, history in wal/.
std::string object_path(const std::string& archive, const std::string& name);

// Every entry under `root`: directories as "dir", files as their content. Compares archives
// exactly ("nothing changes").
using Tree = std::map<std::string, std::string>;
Tree snapshot(const std::string& root);
std::string describe(const Tree& tree);

std::vector<std::string> entries(const std::string& dir);
std::string join(const std::vector<std::string>& v);
std::string fingerprint_hex(const ByteVec& bytes);

// `walpipe get` restores exactly `original` from the object for `name`, as a 0600 file. get
// decompresses the whole object and checks its fingerprint and page headers, so in the loops
// that kill a push at every step this is the check after each step; the records themselves
// are verified once a push has completed (expect_restores).
void expect_gets_original(const std::string& archive, const std::string& name,
                          const ByteVec& original, const std::string& scratch,
                          Backend backend = Backend::kDefault);

// The object for `name` is complete: `walpipe verify` accepts it and `walpipe get` restores
// exactly `original`, as a 0600 file.
void expect_restores(const std::string& archive, const std::string& name, const ByteVec& original,
                     const std::string& scratch, Backend backend = Backend::kDefault);

// Either no object under the final name, or a complete one.
void expect_absent_or_complete(const std::string& archive, const std::string& name,
                               const ByteVec& original, const std::string& scratch);

// A copy of a segment that differs only in the alignment padding after a record: the record
// CRC does not cover it, so it is valid WAL with the same name and different content.
ByteVec padding_variant(const ByteVec& segment);

// Processes started together; stdout and stderr captured per process.
std::vector<CommandResult> run_together(const std::vector<std::vector<std::string>>& argvs);

// Each fault test program names it FaultTest (docs/faults.md names the tests Suite.Test).
class FaultFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    WALPIPE_REQUIRE_CORPUS();
    std::filesystem::create_directories(dir_.file("pg_wal"));
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
    std::filesystem::create_directories(path);
    return path;
  }
  CommandResult push(const std::string& archive, const std::string& path,
                     std::vector<std::string> env = {}) {
    return walpipe(env, {"push", "--archive", archive, path});
  }

  ScratchDir dir_;
};

}  // namespace walpipe::testing
