// walpipe: dispatch to a command. Everything else lives in the engine and in cmd_*.cc.
#include <cstdio>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "cli.h"
#include "commands.h"
#include "exit_codes.h"
#include "version.h"

namespace {

constexpr const char* kUsage =
    "walpipe is a PostgreSQL WAL archiver and verifier.\n"
    "\n"
    "Usage:\n"
    "  walpipe COMMAND [OPTION]... [ARG]...\n"
    "\n"
    "Commands:\n"
    "  push      archive one WAL file durably (archive_command)\n"
    "  get       restore one WAL file from the archive (restore_command)\n"
    "  verify    verify WAL segments, history files and whole archives offline\n"
    "  status    whether archiving works, as a monitoring plugin (through libpq)\n"
    "  metrics   the same figures for Prometheus (node_exporter's textfile collector)\n"
    "  check     prove archiving works: the settings, a WAL switch, the segment archived\n"
    "  list      every object of an archive, its base backups and last restorable time\n"
    "  restore-plan  the backup to restore for a target, and whether WAL reaches it\n"
    "  drill     a restore test: recover a copy of a base backup on a throwaway server\n"
    "  expire    remove the WAL a retention no longer needs, oldest first\n"
    "  copy      bring an archive into another (a folder into a bucket), checking each object\n"
    "\n"
    "Options:\n"
    "  -V, --version  output version information and library versions, then exit\n"
    "  -?, --help     show this help, then exit\n"
    "\n"
    "Run \"walpipe COMMAND --help\" for a command's options.\n";

// Each command by the name the operator types, which it is given for its messages.
using Command = int (*)(const std::string& command, const std::vector<std::string>& args);
constexpr std::pair<const char*, Command> kCommands[] = {
    {"verify", walpipe::cli::cmd_verify},   {"push", walpipe::cli::cmd_push},
    {"get", walpipe::cli::cmd_get},         {"status", walpipe::cli::cmd_status},
    {"metrics", walpipe::cli::cmd_metrics}, {"check", walpipe::cli::cmd_check},
    {"list", walpipe::cli::cmd_list},       {"restore-plan", walpipe::cli::cmd_restore_plan},
    {"drill", walpipe::cli::cmd_drill},     {"expire", walpipe::cli::cmd_expire},
    {"copy", walpipe::cli::cmd_copy},
};

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    std::fprintf(stderr, "walpipe: error: no command given\n");
    std::fprintf(stderr, "walpipe: hint: Try \"walpipe --help\" for more information.\n");
    return walpipe::exit_code::kUsage;
  }
  const std::string command = args.front();
  std::vector<std::string> rest(args.begin() + 1, args.end());
  if (command == "--help" || command == "-?" || command == "help") {
    std::fputs(kUsage, stdout);
    return walpipe::exit_code::kOk;
  }
  if (command == "--version" || command == "-V") {
    std::fputs(walpipe::cli::version_text().c_str(), stdout);
    return walpipe::exit_code::kOk;
  }
  for (const auto& [name, run] : kCommands)
    if (command == name) return run(command, rest);
  std::fprintf(stderr, "walpipe: error: unknown command \"%s\"\n", command.c_str());
  std::fprintf(stderr, "walpipe: hint: Try \"walpipe --help\" for more information.\n");
  return walpipe::exit_code::kUsage;
}
