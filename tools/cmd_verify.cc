// walpipe verify: offline verification of WAL files, folders and archives.
#include <string>
#include <vector>

#include "archive_option.h"
#include "cli.h"
#include "commands.h"
#include "crypt_options.h"
#include "decrypt_check.h"
#include "exit_codes.h"
#include "io/io.h"
#include "io/paths.h"
#include "pipeline/path_walk.h"
#include "pipeline/verify.h"
#include "pipeline/verify_walk.h"
#include "progress.h"
#include "report_output.h"
#include "s3_options.h"

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
    "or a folder, searched recursively for files with such names, or an archive in a bucket,\n"
    "s3://BUCKET/PREFIX, whose objects are listed and read one by one.\n"
    "\n"
    "A folder with walpipe.json at its root is an archive, as a bucket prefix is: a segment\n"
    "missing inside a timeline is an error there. Give an archive by its absolute path, as\n"
    "push and get must. The objects of an encrypted archive (its walpipe.json says so) are\n"
    "listed and decrypted one by one with the --identity files given.\n"
    "A folder with archive_status/ is a live pg_wal: WAL ends in the newest segment that\n"
    "holds its own pages, and the files after it, old segments PostgreSQL renamed for reuse\n"
    "or preallocated ones, are reported as recycled; everything before it is checked in full.\n"
    "\n"
    "Options:\n"
    "  -j, --jobs=N       verify N files at once (default: one per core)\n"
    "      --json         print one JSON document instead of text\n"
    "      --allow-gaps   a missing segment is a warning, in an archive too (segments\n"
    "                     removed on purpose)\n"
    "      --contiguous   a missing segment is an error in any folder, not only in an archive\n"
    "      --live         take every folder for a live pg_wal, with or without archive_status/\n"
    "      --open-end     accept WAL that ends early in every segment (a pg_wal copy)\n"
    "  -v, --verbose      also show information (end of WAL, records continuing)\n"
    "  -q, --quiet        print only invalid files, gaps and the summary\n"
    "      --config=FILE  read settings from FILE (default: $WALPIPE_CONFIG, else\n"
    "                     /etc/walpipe/walpipe.conf)\n"
    "  -?, --help         show this help, then exit\n"
    "\n"
    "Exit status: 0 all files valid or recycled, 1 an invalid file or a missing segment in an\n"
    "archive, 2 usage error, unreadable file or a bucket that cannot be reached (also: an\n"
    "encrypted archive and no --identity, or none given that opens an object).\n";

// An archive given by a relative path is refused, as push and get refuse one: PostgreSQL runs
// archive_command in the data directory, where a relative archive lands, and one rule for every
// command is the rule a DBA learns.
bool refuse_relative_archive(const std::string& command, const std::string& path) {
  if (path.empty() || path[0] == '/' || !pipeline::PathWalker::is_archive_root(path)) return false;
  std::string text = "archive directory \"" + path + "\" is a relative path";
  Result<std::string> cwd = io::current_directory();
  if (cwd.is_ok())
    text += "\nHINT: Use the absolute path \"" + io::absolute_normal(*cwd, path) + "\".";
  print_error(command, text);
  return true;
}

// The encrypted archive folder `path` opened to be read through its store, which decrypts its
// objects (a folder walk would take its .zst.age files for no WAL at all); null for any other
// folder or file, and for an archive whose walpipe.json cannot be read, which the folder walk
// verifies as it always did.
std::unique_ptr<archive::Store> open_encrypted_folder(io::Io& io, const std::string& path,
                                                      const Args& args) {
  if (!pipeline::PathWalker::is_archive_root(path)) return nullptr;
  std::unique_ptr<archive::Store> store = open_archive(io, path, args);
  Result<std::optional<archive::Identity>> identity = store->load_identity();
  if (!identity.is_ok() || !*identity || !(*identity)->encryption) return nullptr;
  return store;
}

// The positional arguments as verify's inputs, the archives in a bucket and the encrypted archive
// folders opened into *stores, checked to answer and to be readable with the identities given;
// empty, after printing why, when one cannot be used.
std::vector<pipeline::VerifyInput> open_inputs(
    const std::string& command, io::Io& io, const Args& args,
    std::vector<std::unique_ptr<archive::Store>>* stores) {
  std::vector<pipeline::VerifyInput> inputs;
  for (const std::string& path : args.positional) {
    std::unique_ptr<archive::Store> store;
    if (is_s3_location(path)) {
      if (!usable_archive(command, path, args)) return {};
      store = open_archive(io, path, args);
      Status reachable = store->check_reachable();
      if (!reachable.is_ok()) {
        print_error(command, reachable.to_string());
        return {};
      }
    } else {
      store = open_encrypted_folder(io, path, args);
      if (!store) {
        inputs.push_back({path, nullptr});
        continue;
      }
    }
    // A bucket whose walpipe.json cannot be read is listed all the same: its objects say more.
    Result<std::optional<archive::Identity>> identity = store->load_identity();
    if (identity.is_ok()) {
      Status keys = check_can_decrypt(*store, *identity, args);
      if (!keys.is_ok()) {
        print_error(command, keys.to_string());
        return {};
      }
    }
    inputs.push_back({path, store.get()});
    stores->push_back(std::move(store));
  }
  return inputs;
}

}  // namespace

int cmd_verify(const std::string& command, const std::vector<std::string>& argv) {
  std::vector<OptionSpec> specs = {
      {"jobs", true, 'j'},   {"json", false}, {"open-end", false},     {"contiguous", false},
      {"allow-gaps", false}, {"live", false}, {"verbose", false, 'v'}, {"quiet", false, 'q'}};
  for (OptionSpec& spec : s3_option_specs()) specs.push_back(std::move(spec));
  for (OptionSpec& spec : crypt_option_specs(command)) specs.push_back(std::move(spec));
  int status;
  std::optional<Args> args = parse_or_help(command, argv, specs, {kHelp, kIdentityHelp, kS3Help},
                                           exit_code::kUsage, &status);
  if (!args) return status;
  if (args->positional.empty()) {
    usage_error(command, "no PATH given");
    return exit_code::kUsage;
  }
  if (args->has("contiguous") && args->has("allow-gaps")) {
    usage_error(command, "options --contiguous and --allow-gaps cannot be used together");
    return exit_code::kUsage;
  }
  for (const std::string& path : args->positional)
    if (refuse_relative_archive(command, path)) return exit_code::kUsage;
  pipeline::VerifyOptions options;
  std::optional<long> jobs = int_option(command, *args, "jobs", 1, 1024, 0);
  if (!jobs) return exit_code::kUsage;
  options.jobs = static_cast<unsigned>(*jobs);
  if (args->has("open-end")) options.inspect.open_end = true;
  options.require_contiguous = args->has("contiguous");
  options.allow_gaps = args->has("allow-gaps");
  options.live = args->has("live");

  io::SyncIo io;
  std::vector<std::unique_ptr<archive::Store>> stores;
  std::vector<pipeline::VerifyInput> inputs = open_inputs(command, io, *args, &stores);
  if (inputs.empty()) return exit_code::kUsage;

  // A first walk over the names only: it reports unreadable paths before any output, and
  // gives the progress line its total. It costs a directory listing (a bucket's: one request
  // per 1000 objects), not a file read.
  size_t total = 0;
  pipeline::VerifyWalk names(inputs);
  while (std::optional<pipeline::WalkedItem> item = names.next()) {
    if (!item->walked.status.is_ok()) {
      print_error(command, item->walked.status.to_string());
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
  pipeline::verify_inputs(std::move(inputs), io, options, printer);
  VerifySummary summary = printer.finish();
  if (summary.unreadable) return exit_code::kUsage;
  return summary.invalid || summary.gap_errors ? exit_code::kVerifyProblems : exit_code::kOk;
}

}  // namespace walpipe::cli
