// The configuration file (tools/config.h) as an operator meets it through the real binary: which
// file is read, what the command line and WALPIPE_ARCHIVE beat, the exact message and the
// command's usage exit code for each mistake, and a secret in a file other users can read,
// refused without being shown.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "exit_codes.h"
#include "support/corpus.h"
#include "support/files.h"
#include "support/prerequisite.h"
#include "support/run_command.h"
#include "support/scratch_dir.h"

namespace walpipe::testing {
namespace {

namespace fs = std::filesystem;

using exit_code::kGetUsage;
using exit_code::kPushUsage;
constexpr int kVerifyUsage = exit_code::kUsage;
constexpr const char* kSeg = "000000010000000000000034";

std::string show(const CommandResult& r) {
  return "exit " + std::to_string(r.exit_code) + "\n--- stderr\n" + r.err;
}

class ConfigFile : public ::testing::Test {
 protected:
  void SetUp() override {
    WALPIPE_REQUIRE_CORPUS();
    segment_ =
        dir_.write(std::string("pg_wal/") + kSeg, corpus_bytes(std::string("pg16/1mb/") + kSeg));
    fs::create_directories(dir_.file("a"));
    fs::create_directories(dir_.file("b"));
  }

  // A configuration file holding `text`, with permissions `mode`.
  std::string config(const std::string& text, mode_t mode = 0600,
                     const std::string& name = "walpipe.conf") {
    const std::string path = dir_.write(name, text);
    EXPECT_EQ(::chmod(path.c_str(), mode), 0);
    return path;
  }

  // walpipe with no inherited WALPIPE_ARCHIVE or WALPIPE_CONFIG, and the given environment.
  CommandResult walpipe(const std::vector<std::string>& env, const std::vector<std::string>& args) {
    std::vector<std::string> argv{"/usr/bin/env", "-u", "WALPIPE_ARCHIVE", "-u", "WALPIPE_CONFIG"};
    argv.insert(argv.end(), env.begin(), env.end());
    argv.push_back(WALPIPE_BINARY);
    argv.insert(argv.end(), args.begin(), args.end());
    return run_command(argv);
  }

  bool archived_in(const std::string& archive) {
    return fs::exists(dir_.file(archive + "/wal/0000000100000000/" + kSeg + ".zst"));
  }

  ScratchDir dir_;
  std::string segment_;
};

TEST_F(ConfigFile, PushAndGetTakeTheArchiveFromTheFile) {
  const std::string conf =
      config("# where WAL goes\narchive = " + dir_.file("a") + "\nbatch = 1\nprefetch = 0\n");
  CommandResult r = walpipe({}, {"push", "--config", conf, segment_});
  ASSERT_EQ(r.exit_code, 0) << show(r);
  EXPECT_EQ(r.err, "");
  EXPECT_TRUE(archived_in("a"));

  const std::string dest = dir_.file("restored");
  r = walpipe({}, {"get", "--config=" + conf, kSeg, dest});
  ASSERT_EQ(r.exit_code, 0) << show(r);
  EXPECT_EQ(file_bytes(dest), corpus_bytes(std::string("pg16/1mb/") + kSeg));
  // prefetch = 0 came from the file too: no spool was made beside DEST.
  EXPECT_FALSE(fs::exists(dir_.file("walpipe_prefetch")));
}

TEST_F(ConfigFile, WalpipeConfigNamesTheFileAndConfigOptionBeatsIt) {
  const std::string conf = config("archive = " + dir_.file("a") + "\nbatch = 1\n");
  CommandResult r = walpipe({"WALPIPE_CONFIG=" + conf}, {"push", segment_});
  ASSERT_EQ(r.exit_code, 0) << show(r);
  EXPECT_TRUE(archived_in("a"));

  const std::string other = config("archive = " + dir_.file("b") + "\nbatch = 1\n", 0600, "b.conf");
  r = walpipe({"WALPIPE_CONFIG=" + conf}, {"push", "--config", other, segment_});
  ASSERT_EQ(r.exit_code, 0) << show(r);
  EXPECT_TRUE(archived_in("b"));
}

TEST_F(ConfigFile, CommandLineAndWalpipeArchiveBeatTheFile) {
  const std::string conf = config("archive = " + dir_.file("a") + "\nbatch = 1\nlevel = 99\n");
  // level = 99 from the file would be refused; --level given on the command line wins.
  CommandResult r =
      walpipe({}, {"push", "--config", conf, "--archive", dir_.file("b"), "--level=3", segment_});
  ASSERT_EQ(r.exit_code, 0) << show(r);
  EXPECT_TRUE(archived_in("b"));
  EXPECT_FALSE(archived_in("a"));

  r = walpipe({"WALPIPE_ARCHIVE=" + dir_.file("b")},
              {"push", "--config", conf, "--level=3", segment_});
  ASSERT_EQ(r.exit_code, 0) << show(r);
  EXPECT_FALSE(archived_in("a"));

  // Without --level, the file's value is the one used, and refused as the option would be.
  r = walpipe({}, {"push", "--config", conf, segment_});
  EXPECT_EQ(r.exit_code, kPushUsage) << show(r);
  EXPECT_EQ(r.err,
            "walpipe push: error: invalid value \"99\" for option --level\n"
            "walpipe push: hint: Try \"walpipe push --help\" for more information.\n");
}

TEST_F(ConfigFile, FlagsAreOnOrOff) {
  const std::string on = config("archive = " + dir_.file("a") + "\nbatch = 1\nverbose = on\n");
  CommandResult r = walpipe({}, {"push", "--config", on, segment_});
  ASSERT_EQ(r.exit_code, 0) << show(r);
  EXPECT_NE(r.err.find("walpipe push: archived \"000000010000000000000034\""), std::string::npos)
      << r.err;

  const std::string off =
      config("archive = " + dir_.file("a") + "\nbatch = 1\nverbose = OFF\n", 0600, "off.conf");
  r = walpipe({}, {"push", "--config", off, segment_});
  ASSERT_EQ(r.exit_code, 0) << show(r);
  EXPECT_EQ(r.err, "");

  const std::string loud = config("verbose = loud\n", 0600, "loud.conf");
  r = walpipe({}, {"push", "--config", loud, segment_});
  EXPECT_EQ(r.exit_code, kPushUsage);
  EXPECT_EQ(r.err, "walpipe push: error: invalid line 1 in configuration file \"" + loud +
                       "\": key \"verbose\" takes on or off\n"
                       "HINT: Write \"verbose = on\" or \"verbose = off\".\n");
}

TEST_F(ConfigFile, ANamedFileMustExist) {
  const std::string missing = dir_.file("missing.conf");
  CommandResult r = walpipe({}, {"push", "--config", missing, segment_});
  EXPECT_EQ(r.exit_code, kPushUsage);
  EXPECT_EQ(r.err, "walpipe push: error: configuration file \"" + missing +
                       "\" does not exist\nHINT: It was named by --config.\n");

  r = walpipe({"WALPIPE_CONFIG=" + missing}, {"get", kSeg, dir_.file("dest")});
  EXPECT_EQ(r.exit_code, kGetUsage);
  EXPECT_EQ(r.err, "walpipe get: error: configuration file \"" + missing +
                       "\" does not exist\nHINT: It was named by WALPIPE_CONFIG.\n");

  r = walpipe({}, {"verify", "--config", missing, segment_});
  EXPECT_EQ(r.exit_code, kVerifyUsage);
  r = walpipe({}, {"verify", "--config", dir_.path(), segment_});
  EXPECT_EQ(r.exit_code, kVerifyUsage);
  EXPECT_EQ(r.err, "walpipe verify: error: configuration file \"" + dir_.path() +
                       "\" is not a regular file\n");

  // --help still answers: it is where one reads how to fix the file.
  r = walpipe({}, {"push", "--config", missing, "--help"});
  EXPECT_EQ(r.exit_code, 0) << show(r);
}

TEST_F(ConfigFile, UnknownKeyIsAnErrorNamingTheLine) {
  const std::string conf = config("archive = " + dir_.file("a") + "\n\nlevle = 3\n");
  const std::string expected = "error: invalid line 3 in configuration file \"" + conf +
                               "\": unrecognized key \"levle\"\n"
                               "HINT: Keys are the long options of walpipe's commands without "
                               "\"--\", such as \"archive\".\n";
  CommandResult r = walpipe({}, {"push", "--config", conf, segment_});
  EXPECT_EQ(r.exit_code, kPushUsage);
  EXPECT_EQ(r.err, "walpipe push: " + expected);
  EXPECT_FALSE(archived_in("a"));
  r = walpipe({}, {"verify", "--config", conf, segment_});
  EXPECT_EQ(r.exit_code, kVerifyUsage);
  EXPECT_EQ(r.err, "walpipe verify: " + expected);
}

TEST_F(ConfigFile, AnotherCommandsKeyIsIgnored) {
  const std::string conf = config("archive = " + dir_.file("a") +
                                  "\nbatch = 1\njobs = 2\nallow-gaps = on\nprefetch = 0\n"
                                  "warn-ready = 10\ncrit-disk = 95\npg-dbname = \"host=/tmp\"\n");
  CommandResult r = walpipe({}, {"push", "--config", conf, segment_});
  ASSERT_EQ(r.exit_code, 0) << show(r);
  EXPECT_TRUE(archived_in("a"));
  r = walpipe({}, {"verify", "--config", conf, segment_});
  EXPECT_EQ(r.exit_code, 0) << show(r);
}

TEST_F(ConfigFile, ActionsOnlyOnTheCommandLine) {
  const std::string conf = config("remove-spool = " + dir_.file("spool") + "\n");
  CommandResult r = walpipe({}, {"get", "--config", conf, kSeg, dir_.file("dest")});
  EXPECT_EQ(r.exit_code, kGetUsage);
  EXPECT_EQ(r.err, "walpipe get: error: invalid line 1 in configuration file \"" + conf +
                       "\": key \"remove-spool\" can only be given on the command line\n"
                       "HINT: Give --remove-spool on the command line.\n");
}

// recovery_end_command: above 125 the server would not start; a broken file leaves the spool.
TEST_F(ConfigFile, ABrokenFileNeverKeepsTheServerFromStartingAtRecoveryEnd) {
  const std::string conf = config("archive " + dir_.file("a") + "\n");
  CommandResult r = walpipe({}, {"get", "--config", conf, "--remove-spool=" + dir_.file("spool")});
  EXPECT_EQ(r.exit_code, exit_code::kSpoolNotRemoved) << show(r);
  EXPECT_NE(r.err.find("expected \"key = value\""), std::string::npos) << r.err;
}

TEST_F(ConfigFile, SyntaxErrorsUseTheUsageCode) {
  const std::string conf = config("archive " + dir_.file("a") + "\n");
  CommandResult r = walpipe({}, {"get", "--config", conf, kSeg, dir_.file("dest")});
  EXPECT_EQ(r.exit_code, kGetUsage);
  EXPECT_EQ(r.err, "walpipe get: error: invalid line 1 in configuration file \"" + conf +
                       "\": expected \"key = value\"\n"
                       "HINT: Each line holds a setting such as \"archive = /var/lib/walpipe\", "
                       "a comment starting with \"#\", or nothing.\n");
}

TEST_F(ConfigFile, SecretReadableByOthersIsRefusedUnshown) {
  for (mode_t mode : {0640, 0604, 0620}) {
    for (const std::string& dbname :
         {std::string("\"host=/tmp password=hunter2\""), std::string("postgres://u:hunter2@h/d")}) {
      const std::string conf = config(
          "archive = " + dir_.file("a") + "\nbatch = 1\n\npg-dbname = " + dbname + "\n", mode);
      char octal[8];
      std::snprintf(octal, sizeof octal, "%04o", static_cast<unsigned>(mode));
      const std::string expected = "error: configuration file \"" + conf +
                                   "\" holds a secret and can be read by other users\n"
                                   "DETAIL: Key \"pg-dbname\" in line 4 holds a secret, and the "
                                   "file's permissions are " +
                                   octal +
                                   ".\n"
                                   "HINT: Make it readable by its owner only: chmod 600 \"" +
                                   conf + "\"\n";
      CommandResult r = walpipe({}, {"push", "--config", conf, segment_});
      EXPECT_EQ(r.exit_code, kPushUsage);
      EXPECT_EQ(r.err, "walpipe push: " + expected);
      EXPECT_FALSE(archived_in("a"));
      r = walpipe({"WALPIPE_CONFIG=" + conf}, {"get", kSeg, dir_.file("dest")});
      EXPECT_EQ(r.exit_code, kGetUsage);
      EXPECT_EQ(r.err, "walpipe get: " + expected);
      EXPECT_EQ(r.err.find("hunter2"), std::string::npos);
    }
  }
}

// Keys S3 and encryption will take are secrets already: refused for the permissions before
// being refused as unknown.
TEST_F(ConfigFile, EverySecretKeyIsChecked) {
  for (const std::string& line :
       {std::string("dbname = \"user=x PassWord=hunter2\""),
        std::string("aws-secret-access-key = hunter2"), std::string("aws-session-token = hunter2"),
        std::string("identity = hunter2")}) {
    const std::string conf = config(line + "\n", 0644);
    const std::string key = line.substr(0, line.find(' '));
    CommandResult r = walpipe({}, {"verify", "--config", conf, segment_});
    EXPECT_EQ(r.exit_code, kVerifyUsage);
    EXPECT_EQ(r.err, "walpipe verify: error: configuration file \"" + conf +
                         "\" holds a secret and can be read by other users\n"
                         "DETAIL: Key \"" +
                         key +
                         "\" in line 1 holds a secret, and the file's permissions are 0644.\n"
                         "HINT: Make it readable by its owner only: chmod 600 \"" +
                         conf + "\"\n");
  }
}

TEST_F(ConfigFile, SecretInAPrivateFileAndNoSecretInAReadableOneAreAccepted) {
  const std::string secret = config("archive = " + dir_.file("a") +
                                    "\nbatch = 1\npg-dbname = \"host=/tmp password=hunter2\"\n");
  CommandResult r = walpipe({}, {"push", "--config", secret, segment_});
  ASSERT_EQ(r.exit_code, 0) << show(r);
  EXPECT_TRUE(archived_in("a"));

  const std::string plain =
      config("archive = " + dir_.file("b") + "\nbatch = 1\npg-dbname = \"host=/tmp user=wal\"\n",
             0644, "plain.conf");
  r = walpipe({}, {"push", "--config", plain, segment_});
  ASSERT_EQ(r.exit_code, 0) << show(r);
  EXPECT_TRUE(archived_in("b"));
}

}  // namespace
}  // namespace walpipe::testing
