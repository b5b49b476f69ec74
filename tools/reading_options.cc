#include "reading_options.h"

#include "archive_option.h"
#include "io/paths.h"
#include "s3_options.h"

namespace walpipe::cli {

std::optional<ReadingArgs> parse_reading_args(const std::string& command,
                                              const std::vector<std::string>& argv,
                                              const std::vector<OptionSpec>& specs,
                                              std::initializer_list<const char*> help,
                                              int usage_code, int* exit_status) {
  std::vector<OptionSpec> with_archive = {{"archive", true, 'a'}};
  with_archive.insert(with_archive.end(), specs.begin(), specs.end());
  std::optional<Args> args =
      parse_or_help(command, argv, with_archive, help, usage_code, exit_status);
  if (!args) return std::nullopt;
  if (!args->positional.empty()) {
    usage_error(command,
                "too many command-line arguments (first is \"" + args->positional[0] + "\")");
    return std::nullopt;
  }
  std::optional<std::string> dir = archive_dir(command, *args);
  if (!dir) return std::nullopt;
  return ReadingArgs{std::move(*args), std::move(*dir)};
}

bool time_option(const std::string& command, const Args& args, const std::string& name,
                 std::optional<wal::PgTimestamp>* out) {
  std::optional<std::string> text = args.get(name);
  if (!text) return true;
  Result<wal::PgTimestamp> t = wal::parse_time(*text);
  if (!t.is_ok()) {
    std::string message =
        "invalid value \"" + *text + "\" for option --" + name + ": " + t.status().message();
    if (!t.status().hint().empty()) message += "\nHINT: " + t.status().hint();
    print_error(command, message);
    return false;
  }
  *out = *t;
  return true;
}

std::optional<pipeline::RestoreTarget> target_option(const std::string& command, const Args& args,
                                                     bool required) {
  const int given = args.has("target-time") + args.has("target-lsn") + args.has("latest");
  if (given > 1 || (given == 0 && required)) {
    usage_error(command, given == 0 ? "no target given (--target-time, --target-lsn or --latest)"
                                    : "give only one of --target-time, --target-lsn and --latest");
    return std::nullopt;
  }
  pipeline::RestoreTarget target;
  if (args.has("target-time")) {
    std::optional<wal::PgTimestamp> time;
    if (!time_option(command, args, "target-time", &time)) return std::nullopt;
    target.kind = pipeline::RestoreTarget::Kind::kTime;
    target.time = *time;
  } else if (std::optional<std::string> text = args.get("target-lsn")) {
    std::optional<wal::Lsn> lsn = wal::parse_lsn(*text);
    if (!lsn) {
      print_error(command, "invalid value \"" + *text +
                               "\" for option --target-lsn: not an LSN\nHINT: Write it as "
                               "PostgreSQL prints one, such as 0/3A001B0.");
      return std::nullopt;
    }
    target.kind = pipeline::RestoreTarget::Kind::kLsn;
    target.lsn = *lsn;
  }
  return target;
}

bool backup_option(const std::string& command, const Args& args,
                   std::optional<pipeline::KnownBackup>* out) {
  std::optional<std::string> dir = args.get("backup");
  if (!dir) return true;
  Result<pipeline::KnownBackup> backup = pipeline::read_backup_folder(*dir);
  if (!backup.is_ok()) {
    print_error(command, backup.status().to_string());
    return false;
  }
  *out = std::move(*backup);
  return true;
}

std::optional<ReadableArchive> open_to_read(const std::string& command, io::Io& io,
                                            const ReadingArgs& parsed) {
  const std::string& dir = parsed.archive;
  ReadableArchive archive{open_archive(io, dir, parsed.args), std::nullopt};
  Status reachable = archive.store->check_reachable();
  if (!reachable.is_ok()) {
    print_error(command, reachable.to_string());
    return std::nullopt;
  }
  Result<std::optional<archive::Identity>> identity = archive.store->load_identity();
  if (!identity.is_ok()) {
    print_error(command, identity.status().to_string());
    return std::nullopt;
  }
  archive.identity = std::move(*identity);
  return archive;
}

std::vector<std::string> get_options_for_server(const Args& args, const std::string& archive) {
  Result<std::string> cwd = io::current_directory();
  auto absolute = [&](const std::string& path) {
    return io::absolute_normal(cwd.is_ok() ? *cwd : "/", path);
  };
  std::vector<std::string> words;
  for (const std::string& path : args.all("identity"))
    words.insert(words.end(), {"--identity", absolute(path)});
  if (!is_s3_location(archive)) return words;
  if (std::optional<std::string> ca = args.get("s3-ca-file"); ca && !ca->empty())
    words.insert(words.end(), {"--s3-ca-file", absolute(*ca)});
  for (const char* name : {"s3-uri-style", "s3-deadline"})
    if (std::optional<std::string> value = args.get(name))
      words.insert(words.end(), {std::string("--") + name, *value});
  return words;
}

}  // namespace walpipe::cli
