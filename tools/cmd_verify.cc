// walpipe verify: offline verification of WAL files, folders and archives.
#include <cstdio>
#include <string>
#include <vector>

#include "cli.h"
#include "commands.h"
#include "exit_codes.h"
#include "pipeline/path_walk.h"
#include "pipeline/verify.h"
#include "progress.h"
#include "report_output.h"

namespace walpipe::cli {

namespace {

constexpr const char* kHelp =
    "walpipe verify checks WAL files offline: every page header, every record and its CRC-32C,\n"
    "and, across the files given, that segments connect and timeline histories agree.\n"
    "\n"
    "Usage:\n"
    "  walpipe verify [OPTION]... PATH...\n"
    "\n"
    "PATH is a WAL segment, .partial, .history or .backup file, raw or zstd-compressed (.zst),\n"
    "or a folder, searched recursively for files with such names.\n"
    "\n"
    "Options:\n"
    "  -j, --jobs=N       verify N files at once (default: one per core)\n"
    "      --json         print one JSON document instead of text\n"
    "      --contiguous   a missing segment between two present ones is an error\n"
    "                     (default: a warning, for samples of segments)\n"
    "      --open-end     accept WAL that ends early in every segment (a pg_wal copy)\n"
    "  -v, --verbose      also show information (end of WAL, records continuing)\n"
    "  -q, --quiet        print only invalid files and the summary\n"
    "  -?, --help         show this help, then exit\n"
    "\n"
    "Exit status: 0 all files valid, 1 a problem was found, 2 usage error or unreadable file.\n";

}  // namespace

int cmd_verify(const std::vector<std::string>& argv) {
  const std::string command = "verify";
  std::optional<Args> args = parse(command, argv,
                                   {{"jobs", true, 'j'},
                                    {"json", false},
                                    {"open-end", false},
                                    {"contiguous", false},
                                    {"verbose", false, 'v'},
                                    {"quiet", false, 'q'},
                                    {"help", false, '?'}});
  if (!args) return exit_code::kUsage;
  if (args->has("help")) {
    std::fputs(kHelp, stdout);
    return exit_code::kOk;
  }
  if (args->positional.empty()) {
    usage_error(command, "no PATH given");
    return exit_code::kUsage;
  }
  pipeline::VerifyOptions options;
  std::optional<long> jobs = int_option(command, *args, "jobs", 1, 1024, 0);
  if (!jobs) return exit_code::kUsage;
  options.jobs = static_cast<unsigned>(*jobs);
  if (args->has("open-end")) options.inspect.open_end = true;
  options.require_contiguous = args->has("contiguous");

  // A first walk over the names only: it reports unreadable paths before any output, and
  // gives the progress line its total. It costs a directory listing, not a file read.
  size_t total = 0;
  pipeline::PathWalker names(args->positional);
  while (std::optional<pipeline::WalkedPath> walked = names.next()) {
    if (!walked->status.is_ok()) {
      print_error(command, walked->status.to_string());
      return exit_code::kUsage;
    }
    ++total;
  }
  if (total == 0) {
    print_error(command, "no WAL files found");
    return exit_code::kUsage;
  }
  Progress progress("verifying", stderr_is_terminal() && total > 1);
  options.progress = [&](size_t done) { progress.update(done, total); };
  PrintOptions print{args->has("json"), args->has("verbose"), args->has("quiet")};
  VerifyPrinter printer(print, &progress);
  pipeline::verify_files(args->positional, options, printer);
  VerifySummary summary = printer.finish();
  if (summary.unreadable) return exit_code::kUsage;
  return summary.invalid ? exit_code::kVerifyProblems : exit_code::kOk;
}

}  // namespace walpipe::cli
