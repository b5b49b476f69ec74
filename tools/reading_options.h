// What the commands that read an archive without writing it (list, restore-plan, drill) take
// alike: a time option, a recovery target, --backup DIR, and the archive opened with its
// identity. Each prints why it fails,
// PostgreSQL style, for the caller to exit with its usage code.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "archive/identity.h"
#include "archive/store.h"
#include "cli.h"
#include "io/io.h"
#include "pipeline/backups.h"
#include "pipeline/restore_plan.h"
#include "wal/time_text.h"

namespace walpipe::cli {

struct ReadingArgs {
  Args args;
  std::string archive;  // as archive_dir gives it
};

// `argv` parsed for `command` by `specs` and --archive (-a), which every such command takes; no
// positional argument. With the archive directory it names. nullopt when the command has nothing
// more to do, *exit_status saying how it ends: kOk after printing `help` for --help, `usage_code`
// after printing what is wrong.
std::optional<ReadingArgs> parse_reading_args(const std::string& command,
                                              const std::vector<std::string>& argv,
                                              const std::vector<OptionSpec>& specs,
                                              std::initializer_list<const char*> help,
                                              int usage_code, int* exit_status);

// The value of time option `name` ("since", "target-time") in *out, which stays as it is when the
// option is absent; false, after printing why, when the value does not parse (a time needs a zone).
bool time_option(const std::string& command, const Args& args, const std::string& name,
                 std::optional<wal::PgTimestamp>* out);

// The recovery target that --target-time, --target-lsn or --latest names: at most one of them;
// none is the end of the archive, or a usage error when `required`. nullopt after printing why.
std::optional<pipeline::RestoreTarget> target_option(const std::string& command, const Args& args,
                                                     bool required);

// The base backup in the folder --backup names, from its backup_label, in *out (as it is without
// --backup); false, after printing why, when the folder holds no readable backup_label.
bool backup_option(const std::string& command, const Args& args,
                   std::optional<pipeline::KnownBackup>* out);

// The options a server's restore_command gives walpipe get to read `archive` as this command
// reads it, none a secret: the --identity files of an encrypted archive and, for a bucket, the
// CA file, URI style and deadline; paths made absolute, since the server runs restore_command in
// its data directory.
std::vector<std::string> get_options_for_server(const Args& args, const std::string& archive);

struct ReadableArchive {
  std::unique_ptr<archive::Store> store;
  std::optional<archive::Identity> identity;  // nullopt before the first push
};

// The archive `parsed` names, its files read through `io`, with the identity
// its walpipe.json holds; nullopt, after printing why, when `dir` is not a directory or
// walpipe.json cannot be read.
std::optional<ReadableArchive> open_to_read(const std::string& command, io::Io& io,
                                            const ReadingArgs& parsed);

}  // namespace walpipe::cli
