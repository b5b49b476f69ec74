// `walpipe push` and `walpipe get` as an operator first meets them: --help prints the usage with
// every option the command takes and exits 0; a wrong option, a missing value or a missing
// argument prints the exact PostgreSQL-style lines and exits with the command's usage code
// (tools/exit_codes.h), which for get stops recovery instead of ending it.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "exit_codes.h"
#include "support/run_command.h"
#include "support/scratch_dir.h"

namespace walpipe::testing {
namespace {

std::string show(const CommandResult& r) {
  return "exit " + std::to_string(r.exit_code) + "\n--- stdout\n" + r.out + "--- stderr\n" + r.err;
}

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

std::string usage_lines(const std::string& command, const std::string& message) {
  return "walpipe " + command + ": error: " + message + "\nwalpipe " + command +
         ": hint: Try \"walpipe " + command + " --help\" for more information.\n";
}

struct Mistake {
  std::vector<std::string> args;
  std::string message;
};

void expect_usage_error(const CommandResult& r, const std::string& command, int code,
                        const std::string& message) {
  EXPECT_EQ(r.exit_code, code) << show(r);
  EXPECT_EQ(r.out, "") << show(r);
  EXPECT_EQ(r.err, usage_lines(command, message)) << show(r);
}

class Usage : public ::testing::Test {
 protected:
  // walpipe with neither an archive nor a configuration file from the machine it runs on: the
  // configuration it reads is an empty file of the test's own.
  CommandResult walpipe(const std::vector<std::string>& args) {
    std::vector<std::string> argv{"/usr/bin/env", "-u", "WALPIPE_ARCHIVE",
                                  "WALPIPE_CONFIG=" + empty_config_, WALPIPE_BINARY};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_command(argv);
  }

  // Each mistake, after `command`, is a usage error of that command with its message.
  void expect_mistakes(const std::string& command, int code, const std::vector<Mistake>& mistakes) {
    for (const Mistake& m : mistakes) {
      std::vector<std::string> args{command};
      args.insert(args.end(), m.args.begin(), m.args.end());
      SCOPED_TRACE(m.message);
      expect_usage_error(walpipe(args), command, code, m.message);
    }
  }

  ScratchDir dir_;
  std::string empty_config_ = dir_.write("walpipe.conf", std::string());
};

// The help is complete when it names each option the command accepts, long and short form.
void expect_help(const CommandResult& r, const std::string& first, const std::string& usage,
                 const std::vector<std::string>& options) {
  EXPECT_EQ(r.exit_code, exit_code::kOk) << show(r);
  EXPECT_EQ(r.err, "") << show(r);
  EXPECT_EQ(first_line(r.out), first) << show(r);
  EXPECT_NE(r.out.find("\nUsage:\n" + usage + "\n"), std::string::npos) << show(r);
  for (const std::string& option : options)
    EXPECT_NE(r.out.find(option), std::string::npos) << option << " is not in the help\n"
                                                     << show(r);
}

const std::vector<std::string> kPushOptions = {
    "-a, --archive=DIR", "--batch=N",     "--level=N", "--no-verify",
    "-v, --verbose",     "--config=FILE", "-?, --help"};
const std::vector<std::string> kGetOptions = {
    "-a, --archive=DIR", "--prefetch=N",  "--spool=DIR", "--remove-spool=DIR",
    "-v, --verbose",     "--config=FILE", "-?, --help"};

constexpr const char* kPushFirstLine =
    "walpipe push archives one WAL file durably: it verifies every record, compresses the file";
constexpr const char* kGetFirstLine =
    "walpipe get restores one WAL file from the archive to DEST, after checking its content";

TEST_F(Usage, PushHelpExitsZeroNamingEveryOption) {
  for (const char* help : {"--help", "-?"}) {
    SCOPED_TRACE(help);
    expect_help(walpipe({"push", help}), kPushFirstLine, "  walpipe push [OPTION]... PATH",
                kPushOptions);
  }
}

TEST_F(Usage, GetHelpExitsZeroNamingEveryOption) {
  for (const char* help : {"--help", "-?"}) {
    SCOPED_TRACE(help);
    expect_help(walpipe({"get", help}), kGetFirstLine, "  walpipe get [OPTION]... NAME DEST",
                kGetOptions);
  }
}

// Help answers whatever else is on the line: it is what an operator types after a mistake.
TEST_F(Usage, HelpWinsOverMissingArguments) {
  expect_help(walpipe({"push", "--level", "3", "--help"}), kPushFirstLine,
              "  walpipe push [OPTION]... PATH", kPushOptions);
  expect_help(walpipe({"get", "--prefetch=2", "--help", "only-a-name"}), kGetFirstLine,
              "  walpipe get [OPTION]... NAME DEST", kGetOptions);
}

TEST_F(Usage, PushMistakesAreItsUsageCode) {
  const std::string archive = dir_.file("archive");
  const std::string path = dir_.file("pg_wal/000000010000000000000034");
  const std::vector<Mistake> mistakes = {
      {{"--bogus", "--archive", archive, path}, "unrecognized option \"--bogus\""},
      {{"-x", "--archive", archive, path}, "unrecognized option \"-x\""},
      {{"--no-verify=yes", "--archive", archive, path},
       "option \"--no-verify\" does not take a value"},
      {{path, "--archive"}, "option \"--archive\" requires a value"},
      {{"--archive", archive}, "no PATH given"},
      {{"--archive", archive, path, path}, "too many arguments"},
      {{path}, "no archive directory given (--archive or WALPIPE_ARCHIVE)"},
      {{"--level", "20", "--archive", archive, path}, "invalid value \"20\" for option --level"},
      {{"--batch=0", "--archive", archive, path}, "invalid value \"0\" for option --batch"},
  };
  expect_mistakes("push", exit_code::kPushUsage, mistakes);
}

TEST_F(Usage, GetMistakesAreItsUsageCodeWhichStopsRecovery) {
  static_assert(exit_code::kGetUsage > 125, "PostgreSQL must stop recovery, not end it");
  const std::string archive = dir_.file("archive");
  const std::string name = "000000010000000000000034";
  const std::string dest = dir_.file("pg_wal/RECOVERYXLOG");
  const std::vector<Mistake> mistakes = {
      {{"--bogus", "--archive", archive, name, dest}, "unrecognized option \"--bogus\""},
      {{"-x", "--archive", archive, name, dest}, "unrecognized option \"-x\""},
      {{"--verbose=1", "--archive", archive, name, dest},
       "option \"--verbose\" does not take a value"},
      {{name, dest, "--archive"}, "option \"--archive\" requires a value"},
      {{"--archive", archive, name}, "expected NAME and DEST"},
      {{"--archive", archive}, "expected NAME and DEST"},
      {{"--archive", archive, name, dest, dest}, "expected NAME and DEST"},
      {{name, dest}, "no archive directory given (--archive or WALPIPE_ARCHIVE)"},
      {{"--prefetch=-1", "--archive", archive, name, dest},
       "invalid value \"-1\" for option --prefetch"},
  };
  expect_mistakes("get", exit_code::kGetUsage, mistakes);
}

TEST_F(Usage, DrillHelpExitsZeroNamingEveryOption) {
  for (const char* help : {"--help", "-?"}) {
    SCOPED_TRACE(help);
    expect_help(
        walpipe({"drill", help}),
        "walpipe drill tests a restore: it copies a base backup into a scratch folder, "
        "recovers it",
        "  walpipe drill [OPTION]... --backup=DIR",
        {"-a, --archive=DIR", "--backup=DIR", "--target-time=TIME", "--target-lsn=LSN", "--latest",
         "--sql=QUERY", "--database=NAME", "--db-user=ROLE", "--os-user=USER", "--pg-bin=DIR",
         "--scratch-dir=DIR", "-j, --jobs=N", "--json", "--config=FILE", "-?, --help"});
  }
}

TEST_F(Usage, DrillMistakesAreItsUsageCode) {
  const std::string archive = dir_.file("archive");
  const std::string backup = dir_.file("backup");
  const std::vector<Mistake> mistakes = {
      {{"--bogus", "--archive", archive, "--backup", backup}, "unrecognized option \"--bogus\""},
      {{"--archive", archive}, "no base backup given (--backup)"},
      {{"--archive", archive, "--backup", backup, "extra"},
       "too many command-line arguments (first is \"extra\")"},
      {{"--archive", archive, "--backup", backup, "--latest", "--target-lsn", "0/3000000"},
       "give only one of --target-time, --target-lsn and --latest"},
      {{"--archive", archive, "--backup", backup, "--jobs=0"},
       "invalid value \"0\" for option --jobs"},
  };
  expect_mistakes("drill", exit_code::kDrillUsage, mistakes);
}

TEST_F(Usage, ExpireHelpAndMistakes) {
  expect_help(
      walpipe({"expire", "--help"}),
      "walpipe expire removes the WAL a retention no longer needs from the archive, "
      "oldest first,",
      "  walpipe expire [OPTION]... "
      "{--keep-days=N | --keep-backups=N | --before=SEGMENT}...",
      {"-a, --archive=DIR", "--keep-days=N", "--keep-backups=N", "--before=SEGMENT", "--backup=DIR",
       "-n, --dry-run", "--force", "--json", "--config=FILE", "-?, --help"});
  CommandResult r = walpipe({"expire", "--bogus"});
  EXPECT_EQ(r.exit_code, exit_code::kExpireUsage) << show(r);
  EXPECT_EQ(r.err, usage_lines("expire", "unrecognized option \"--bogus\""));
}

}  // namespace
}  // namespace walpipe::testing
