// walpipe get: restore_command. Everything but arguments and output is
// engine/pipeline/restore_session.
#include <cstdio>
#include <cstdlib>

#include "archive_option.h"
#include "cli.h"
#include "commands.h"
#include "crypt_options.h"
#include "detach.h"
#include "exit_codes.h"
#include "io/paths.h"
#include "io_choice.h"
#include "pipeline/prefetch.h"
#include "pipeline/restore_session.h"
#include "s3_options.h"

namespace walpipe::cli {

namespace {

// Enough to keep recovery from waiting on decompression, little enough to bound the spool.
constexpr size_t kDefaultPrefetch = 8;

constexpr const char* kHelp =
    "walpipe get restores one WAL file from the archive to DEST, after checking its content\n"
    "fingerprint and its WAL headers against the requested name.\n"
    "\n"
    "Usage:\n"
    "  walpipe get [OPTION]... NAME DEST\n"
    "\n"
    "In postgresql.conf:\n"
    "  restore_command = 'walpipe get --archive /path/to/archive %f %p'\n"
    "  recovery_end_command = 'walpipe get --remove-spool=pg_wal/walpipe_prefetch'\n"
    "\n"
    "Options:\n"
    "  -a, --archive=DIR  the archive: a directory, an absolute path outside the data\n"
    "                     directory, or s3://BUCKET/PREFIX (default: $WALPIPE_ARCHIVE);\n"
    "                     given several times, each is tried in order when the file is\n"
    "                     absent, damaged or out of reach in the ones before\n"
    "      --prefetch=N   after restoring a segment, fetch the next N segments of its\n"
    "                     timeline in the background into a spool beside DEST, so the\n"
    "                     next calls are served by a rename (default: 8; 0: off)\n"
    "      --spool=DIR    the spool (default: walpipe_prefetch beside DEST)\n"
    "      --remove-spool=DIR\n"
    "                     instead of restoring a file, remove the spool DIR once its\n"
    "                     prefetcher has stopped (recovery_end_command; no NAME, no DEST)\n"
    "  -v, --verbose      say what was done, and which I/O backend was used\n"
    "      --config=FILE  read settings from FILE (default: $WALPIPE_CONFIG, else\n"
    "                     /etc/walpipe/walpipe.conf)\n"
    "  -?, --help         show this help, then exit\n"
    "\n"
    "Exit status: 0 restored, 1 not in the archive (recovery ends there), 200 the archived file\n"
    "is damaged (an encrypted one that fails authentication too), or the archive belongs to\n"
    "another cluster than the data directory get runs in, 201 the archive or DEST cannot be\n"
    "read or written (also: no identity given opens an encrypted object), 202 usage error\n"
    "(also a relative archive path, or one inside the data directory). Every code above 125\n"
    "makes PostgreSQL stop recovery instead of ending it early. With --remove-spool: 0 removed\n"
    "(or there was none), 1 not removed (PostgreSQL warns, and starts).\n";

int exit_for(const Status& s) {
  switch (s.code()) {
    case Code::kNotFound:
      return exit_code::kGetNotFound;
    case Code::kCorruption:
    case Code::kMismatch:
    case Code::kUnsupported:
      return exit_code::kGetCorrupt;
    case Code::kInvalidArgument:
      return exit_code::kGetUsage;
    default:
      return exit_code::kGetIoError;
  }
}

int remove_spool_command(const std::string& command, const Args& args, const std::string& spool,
                         bool verbose) {
  if (!args.positional.empty()) {
    usage_error(command, "--remove-spool takes no NAME or DEST");
    return exit_code::kSpoolNotRemoved;
  }
  Status removed = pipeline::remove_spool_when_idle(spool);
  if (!removed.is_ok()) {
    print_error(command, removed.to_string());
    return exit_code::kSpoolNotRemoved;
  }
  if (verbose)
    std::fprintf(stderr, "walpipe get: removed the prefetch spool \"%s\"\n", spool.c_str());
  return exit_code::kOk;
}

// What the restore says on the way: a cluster not compared only when asked, every archive passed
// over always.
pipeline::RestoreNotes notes_for(const std::string& command, bool verbose) {
  pipeline::RestoreNotes notes;
  notes.unchecked = [verbose](const std::string& why) {
    if (verbose)
      std::fprintf(stderr, "walpipe get: archive not compared with the data directory: %s\n",
                   why.c_str());
  };
  notes.passed_over = [command](const archive::Store& where, const Status& why) {
    print_warning(command, Status(why.code(), "archive \"" + where.location() +
                                                  "\" passed over: " + why.message())
                               .with_detail(why.detail())
                               .with_hint(why.hint()));
  };
  return notes;
}

void warn_damage(const std::string& command, const std::string& damage) {
  print_warning(command,
                Status(Code::kCorruption, damage)
                    .with_detail("The WAL it holds passed every check and was restored.")
                    .with_hint("Run walpipe verify on the archive, and replace the object with "
                               "a good copy: move it aside, then push the segment again from "
                               "another archive or from a standby's pg_wal."));
}

}  // namespace

int cmd_get(const std::string& command, const std::vector<std::string>& argv) {
  std::optional<Args> args = parse(command, argv,
                                   {{"archive", true, 'a'},
                                    {"prefetch", true},
                                    {"spool", true},
                                    {"remove-spool", true},
                                    {"verbose", false, 'v'}});
  if (!args) {
    // As recovery_end_command, a code above 125 would keep the server from starting, and a
    // spool left behind (by a broken configuration file, say) is no reason for that.
    for (const std::string& arg : argv)
      if (arg.rfind("--remove-spool", 0) == 0) return exit_code::kSpoolNotRemoved;
    return exit_code::kGetUsage;
  }
  if (args->has("help")) {
    std::fputs(kHelp, stdout);
    std::fputs(kIdentityHelp, stdout);
    std::fputs(kS3Help, stdout);
    return exit_code::kOk;
  }
  const bool verbose = args->has("verbose");
  if (std::optional<std::string> spool = args->get("remove-spool"))
    return remove_spool_command(command, *args, *spool, verbose);
  if (args->positional.size() != 2) {
    usage_error(command, "expected NAME and DEST");
    return exit_code::kGetUsage;
  }
  std::optional<std::vector<std::string>> archives = archive_dirs(command, *args);
  if (!archives) return exit_code::kGetUsage;
  std::optional<long> prefetch_option =
      int_option(command, *args, "prefetch", 0, 1024, static_cast<long>(kDefaultPrefetch));
  if (!prefetch_option) return exit_code::kGetUsage;
  const size_t prefetch = static_cast<size_t>(*prefetch_option);
  Result<std::unique_ptr<io::Io>> io = choose_io(command, verbose);
  if (!io.is_ok()) {
    print_error(command, io.status().to_string());
    return exit_code::kGetUsage;
  }
  std::vector<std::unique_ptr<archive::Store>> stores = open_archives(**io, *archives, *args);
  const std::string& name = args->positional[0];
  const std::string& dest = args->positional[1];
  pipeline::PrefetchSettings settings;
  settings.count = prefetch;
  settings.spool = args->get("spool").value_or(pipeline::default_spool_dir(dest));
  settings.io_choice = io_choice_from_env();
  settings.detach = detach;
  Result<std::string> cwd = io::current_directory();
  pipeline::RestoreSession session(stores, cwd.is_ok() ? *cwd : ".", std::move(settings));
  Result<pipeline::Restored> restored =
      session.restore(**io, name, dest, notes_for(command, verbose));
  if (!restored.is_ok()) {
    // Absence is routine during recovery; say it only when asked.
    if (restored.status().code() != Code::kNotFound || verbose)
      print_error(command, restored.status().to_string());
    return exit_for(restored.status());
  }
  if (restored->from_spool) {
    if (verbose)
      std::fprintf(stderr, "walpipe get: restored \"%s\" from the prefetch spool\n", name.c_str());
    return exit_code::kOk;
  }
  const pipeline::GetResult& got = restored->got;
  if (!got.damage.empty()) warn_damage(command, got.damage);
  if (verbose)
    std::fprintf(stderr, "walpipe get: restored \"%s\" (%llu bytes from %llu stored)\n",
                 name.c_str(), static_cast<unsigned long long>(got.original_size),
                 static_cast<unsigned long long>(got.stored_size));
  return exit_code::kOk;
}

}  // namespace walpipe::cli
