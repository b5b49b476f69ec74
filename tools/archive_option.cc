#include "archive_option.h"

#include <cstdlib>

#include "archive/auto_seal_store.h"
#include "archive/encrypted_store.h"
#include "archive/local/local_store.h"
#include "archive/mirror_store.h"
#include "archive/s3/s3_store.h"
#include "base/status.h"
#include "io/fs.h"
#include "io/paths.h"
#include "s3_options.h"

namespace walpipe::cli {

namespace {

constexpr const char* kBackupCopies =
    "pg_basebackup copies it into every backup, and a restored backup would read a stale "
    "archive.";

// Whether `dir` is a PostgreSQL data directory: what initdb creates first and the server reads
// first.
bool is_data_directory(const std::string& dir) {
  Result<io::EntryType> version = io::entry_type(dir + "/PG_VERSION");
  Result<io::EntryType> control = io::entry_type(dir + "/global/pg_control");
  return version.is_ok() && *version == io::EntryType::kFile && control.is_ok() &&
         *control == io::EntryType::kFile;
}

Status relative_archive(const std::string& quoted, const std::string& dir,
                        const Result<std::string>& cwd) {
  std::string hint;
  if (cwd.is_ok())
    hint = "Here \"" + dir + "\" means \"" + io::absolute_normal(cwd.value(), dir) + "\". ";
  hint += "Give the archive as an absolute path outside the data directory.";
  return Status(Code::kInvalidArgument, "archive directory " + quoted + " is a relative path")
      .with_detail(
          "PostgreSQL runs archive_command and restore_command in the data directory, so a "
          "relative archive lies inside it: " +
          std::string(kBackupCopies))
      .with_hint(hint);
}

// The archive `dir` (from `source`) as push and get may use it: absolute, and not inside the
// data directory the command runs in. Symbolic links are resolved on both sides: pg_basebackup
// copies the tree below the data directory, not what links in it point to, so what counts is
// where the archive really is.
Status check_archive_location(const std::string& dir, const std::string& source) {
  const std::string quoted = "\"" + dir + "\"" + source;
  Result<std::string> cwd = io::current_directory();
  if (dir[0] != '/') return relative_archive(quoted, dir, cwd);
  if (!cwd.is_ok() || !is_data_directory(*cwd)) return Status::ok();
  const std::string data_dir = io::resolve_existing_prefix(*cwd);
  const std::string archive = io::resolve_existing_prefix(dir);
  if (!io::is_within(archive, data_dir)) return Status::ok();
  const std::string really =
      archive == io::absolute_normal("/", dir) ? "" : " (that is, \"" + archive + "\")";
  return Status(Code::kInvalidArgument, "archive directory " + quoted + really +
                                            " is inside the data directory \"" + data_dir + "\"")
      .with_detail(kBackupCopies)
      .with_hint("Put the archive outside the data directory.");
}

}  // namespace

std::optional<std::vector<std::string>> archive_dirs(const std::string& command, const Args& args) {
  std::vector<std::string> dirs;
  std::string source;
  for (const std::string& option : args.all("archive"))
    if (!option.empty()) dirs.push_back(option);
  if (dirs.empty()) {
    const char* env = std::getenv("WALPIPE_ARCHIVE");
    if (env == nullptr || *env == '\0') {
      usage_error(command, "no archive directory given (--archive or WALPIPE_ARCHIVE)");
      return std::nullopt;
    }
    dirs.push_back(env);
    source = " (from WALPIPE_ARCHIVE)";
  }
  for (size_t i = 0; i < dirs.size(); ++i) {
    const std::string& dir = dirs[i];
    for (size_t j = 0; j < i; ++j)
      if (dirs[j] == dir) {
        usage_error(command, "archive \"" + dir + "\" is given twice");
        return std::nullopt;
      }
    if (!usable_archive(command, dir, args, source)) return std::nullopt;
  }
  return dirs;
}

bool usable_archive(const std::string& command, const std::string& location, const Args& args,
                    const std::string& source) {
  Status usable;
  if (is_s3_location(location)) {
    Result<archive::S3StoreSettings> settings = s3_store_settings(location, args);
    if (!settings.is_ok()) usable = settings.status();
  } else {
    usable = check_archive_location(location, source);
  }
  if (usable.is_ok()) return true;
  print_error(command, usable.to_string());
  return false;
}

std::optional<std::string> archive_dir(const std::string& command, const Args& args) {
  std::optional<std::vector<std::string>> dirs = archive_dirs(command, args);
  if (!dirs) return std::nullopt;
  if (dirs->size() > 1) {
    usage_error(command, "--archive is given " + std::to_string(dirs->size()) +
                             " times, and walpipe " + command + " works on one archive");
    return std::nullopt;
  }
  return dirs->front();
}

namespace {

std::unique_ptr<archive::Store> open_store(io::Io& io, const std::string& location,
                                           const Args& args, archive::Sealing sealing) {
  if (!is_s3_location(location))
    return std::make_unique<archive::LocalStore>(io, location, sealing);
  Result<archive::S3StoreSettings> settings = s3_store_settings(location, args);
  WALPIPE_CHECK(settings.is_ok());  // archive_dir() refused the location otherwise
  settings->sealing = sealing;
  return std::make_unique<archive::S3Store>(io, std::move(*settings));
}

}  // namespace

std::unique_ptr<archive::Store> open_archive(io::Io& io, const std::string& location,
                                             const Args& args, Access access) {
  std::shared_ptr<const archive::SealingKeys> keys =
      args.keys ? args.keys : std::make_shared<const archive::SealingKeys>();
  if (access == Access::kRead) {
    archive::StoreOpener opener = [location, args](io::Io& on, archive::Sealing sealing) {
      return open_store(on, location, args, sealing);
    };
    return std::make_unique<archive::AutoSealStore>(io, std::move(opener), std::move(keys));
  }
  if (keys->recipients.empty()) return open_store(io, location, args, archive::Sealing::kPlain);
  return std::make_unique<archive::EncryptedStore>(
      open_store(io, location, args, archive::Sealing::kAge), std::move(keys));
}

Status check_archive_encryption(archive::Store& store, const Args& args) {
  std::optional<archive::Encryption> mine;
  if (args.keys && !args.keys->recipients.empty()) {
    WALPIPE_ASSIGN_OR_RETURN(std::string id, archive::key_id(*args.keys->fingerprint_key));
    mine = archive::Encryption{std::move(id)};
  }
  Result<std::optional<archive::Identity>> identity = store.load_identity();
  if (!identity.is_ok()) return store.explain(identity.status());
  return archive::check_encryption(*identity, mine, store.location());
}

std::unique_ptr<archive::Store> mirrored(std::vector<std::unique_ptr<archive::Store>> stores) {
  if (stores.size() == 1) return std::move(stores.front());
  return std::make_unique<archive::MirrorStore>(std::move(stores));
}

std::unique_ptr<archive::Store> open_mirrored(io::Io& io, const std::vector<std::string>& locations,
                                              const Args& args, Access access) {
  return mirrored(open_archives(io, locations, args, access));
}

std::vector<std::unique_ptr<archive::Store>> open_archives(
    io::Io& io, const std::vector<std::string>& locations, const Args& args, Access access) {
  std::vector<std::unique_ptr<archive::Store>> stores;
  for (const std::string& location : locations)
    stores.push_back(open_archive(io, location, args, access));
  return stores;
}

}  // namespace walpipe::cli
