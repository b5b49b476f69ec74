// walpipe push: archive_command. Everything but arguments and output is
// engine/pipeline/push_session.
#include <cstdio>
#include <cstdlib>

#include "archive_option.h"
#include "cli.h"
#include "commands.h"
#include "crypt/keys.h"
#include "crypt_options.h"
#include "detach.h"
#include "exit_codes.h"
#include "io/fs.h"
#include "io_choice.h"
#include "pipeline/push_session.h"
#include "s3_options.h"

namespace walpipe::cli {

namespace {

// The look-ahead takes 7 files per window: the status folder is read once per window, and a
// window is short enough that what becomes ready meanwhile is not long left for the next.
constexpr size_t kDefaultBatch = 8;

constexpr const char* kHelp =
    "walpipe push archives one WAL file durably: it verifies every record, compresses the file\n"
    "with zstd, writes it with O_DIRECT and fsync, and links it into place without replacing\n"
    "anything. Exit status 0 means the file is durably in the archive with identical content.\n"
    "\n"
    "Usage:\n"
    "  walpipe push [OPTION]... PATH\n"
    "\n"
    "In postgresql.conf:\n"
    "  archive_command = 'walpipe push --archive /path/to/archive %p'\n"
    "\n"
    "Options:\n"
    "  -a, --archive=DIR  the archive: a directory, an absolute path outside the data\n"
    "                     directory, or s3://BUCKET/PREFIX (default: $WALPIPE_ARCHIVE);\n"
    "                     given several times, every archive must hold the file\n"
    "      --batch=N      after archiving PATH, archive in the background the files\n"
    "                     PostgreSQL marked ready, N-1 at a time, until none is left\n"
    "                     (default: 8; 1: off)\n"
    "      --level=N      zstd level, -7 to 19; lower is faster and larger (default: -1)\n"
    "      --no-verify    archive WAL that fails validation, recording the failure\n"
    "  -v, --verbose      say what was done, and which I/O backend was used\n"
    "      --config=FILE  read settings from FILE (default: $WALPIPE_CONFIG, else\n"
    "                     /etc/walpipe/walpipe.conf)\n"
    "  -?, --help         show this help, then exit\n"
    "\n"
    "Exit status: 0 archived (or already archived with identical content), 1 failed (PostgreSQL\n"
    "retries), 2 usage error or bad file name, 3 refused: another cluster, different content\n"
    "under the same name, invalid WAL, or recipients given for a plain archive (or none for\n"
    "an encrypted one).\n";

int exit_for(const Status& s) {
  switch (s.code()) {
    case Code::kMismatch:
    case Code::kCorruption:
    case Code::kUnsupported:
      return exit_code::kPushRefused;
    case Code::kInvalidArgument:
      return exit_code::kPushUsage;
    default:
      return exit_code::kPushFailed;
  }
}

// The keys files are sealed with, for the look-ahead's receipts: public keys and the file the
// fingerprint key came from, never a secret. Not the key's id: computing it loads libcrypto,
// which a call confirmed by its receipt does not otherwise need (the receipt vouches for the
// content; a key changed under the same file name between the worker and the call is found by
// the next push that asks the archive).
std::string sealing_settings(const Args& args) {
  std::string settings;
  if (!args.keys) return settings;
  for (const crypt::Recipient& recipient : args.keys->recipients)
    settings += "recipient " + crypt::format_recipient(recipient) + "\n";
  if (args.keys->fingerprint_key)
    settings += "fingerprint key file " + args.keys->fingerprint_key->source + "\n";
  return settings;
}

}  // namespace

int cmd_push(const std::string& command, const std::vector<std::string>& argv) {
  int status;
  std::optional<Args> args =
      parse_or_help(command, argv,
                    {{"archive", true, 'a'},
                     {"batch", true},
                     {"level", true},
                     {"no-verify", false},
                     {"verbose", false, 'v'}},
                    {kHelp, kEncryptHelp, kS3Help}, exit_code::kPushUsage, &status);
  if (!args) return status;
  if (args->positional.size() != 1) {
    usage_error(command, args->positional.empty() ? "no PATH given" : "too many arguments");
    return exit_code::kPushUsage;
  }
  std::optional<std::vector<std::string>> archives = archive_dirs(command, *args);
  if (!archives) return exit_code::kPushUsage;
  pipeline::PushOptions options;
  options.verify = !args->has("no-verify");
  std::optional<long> level = int_option(command, *args, "level", -7, 19, options.level);
  std::optional<long> batch_option =
      int_option(command, *args, "batch", 1, 1024, static_cast<long>(kDefaultBatch));
  if (!level || !batch_option) return exit_code::kPushUsage;
  options.level = static_cast<int>(*level);
  const size_t batch = static_cast<size_t>(*batch_option);
  const bool verbose = args->has("verbose");
  Result<std::unique_ptr<io::Io>> io = choose_io(command, verbose);
  if (!io.is_ok()) {
    print_error(command, io.status().to_string());
    return exit_code::kPushUsage;
  }
  std::vector<std::unique_ptr<archive::Store>> stores =
      open_archives(**io, *archives, *args, Access::kWrite);
  std::vector<archive::Store*> each;
  for (const auto& one : stores) each.push_back(one.get());
  // Unless the look-ahead's receipt confirms the file, each archive's walpipe.json is checked
  // before anything is stored, so that nothing plain lands in an encrypted archive or back.
  auto admit = [&]() -> Status {
    for (archive::Store* one : each) WALPIPE_TRY(check_archive_encryption(*one, *args));
    return Status::ok();
  };
  std::unique_ptr<archive::Store> store = mirrored(std::move(stores));
  pipeline::LookaheadSettings lookahead;
  lookahead.window = batch - 1;
  lookahead.io_choice = io_choice_from_env();
  lookahead.detach = detach;
  lookahead.settings = sealing_settings(*args);
  pipeline::PushSession session(*store, options, std::move(lookahead));
  Result<pipeline::PushResult> pushed = session.archive(**io, args->positional[0], admit);
  if (!pushed.is_ok()) {
    print_error(command, pushed.status().to_string());
    return exit_for(pushed.status());
  }
  // Always said: an object left the archive's content, if only for superseded/.
  if (pushed->outcome == archive::CommitOutcome::kSuperseded)
    std::fprintf(stderr,
                 "walpipe push: \"%s\" superseded the copy archived with --no-verify that failed "
                 "validation; the old copy was kept as \"%s\"\n",
                 pushed->name.c_str(), pushed->superseded.c_str());
  if (verbose) {
    if (pushed->outcome == archive::CommitOutcome::kAlreadyPresent)
      std::fprintf(stderr, "walpipe push: \"%s\" was already archived with identical content\n",
                   pushed->name.c_str());
    else
      std::fprintf(stderr, "walpipe push: archived \"%s\": %llu bytes stored as %llu\n",
                   pushed->name.c_str(), static_cast<unsigned long long>(pushed->original_size),
                   static_cast<unsigned long long>(pushed->stored_size));
  }
  return exit_code::kOk;
}

}  // namespace walpipe::cli
