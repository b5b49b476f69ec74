// --archive DIR or the WALPIPE_ARCHIVE environment variable, shared by push and get, and the one
// place that refuses an archive where a base backup would copy it.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "archive/store.h"
#include "cli.h"
#include "io/io.h"

namespace walpipe::cli {

// How a command uses an archive, which decides whether its objects are read as age files
// (archive/encrypted_store.h): a writer encrypts when it is given recipients; a reader decrypts
// when walpipe.json says the archive is encrypted (or, when it has none yet, when it is given
// identities), and reads a plain archive as it is whatever keys it holds.
enum class Access { kRead, kWrite };

// The archive of `command`: --archive, else $WALPIPE_ARCHIVE: a folder or an s3:// URL (whose
// connection settings s3_options.h checks here). nullopt,
// after printing why, when none is given, when it is a relative path, or when it lies inside the
// data directory the command runs in. PostgreSQL runs archive_command and restore_command in the
// data directory, so a relative archive lands inside it; pg_basebackup then copies the archive
// into every backup, and a restored backup reads that stale copy and takes a segment written
// after the backup for absent: recovery ends early and the server promotes without the last
// transactions. The caller exits with its usage code.
std::optional<std::string> archive_dir(const std::string& command, const Args& args);
// archive_dir for push and get, which take --archive several times (archives kept alike, the
// first one read first); each is checked the same way, and none may be given twice.
std::optional<std::vector<std::string>> archive_dirs(const std::string& command, const Args& args);
// The archives at `locations` as one that every put goes to (archive/mirror_store.h).
std::unique_ptr<archive::Store> open_mirrored(io::Io& io, const std::vector<std::string>& locations,
                                              const Args& args, Access access = Access::kRead);
std::vector<std::unique_ptr<archive::Store>> open_archives(
    io::Io& io, const std::vector<std::string>& locations, const Args& args,
    Access access = Access::kRead);
// `stores` as one, as open_mirrored() gives them.
std::unique_ptr<archive::Store> mirrored(std::vector<std::unique_ptr<archive::Store>> stores);

// Whether `location` (a folder or an s3:// URL, from `source`: "" for the command line) can be an
// archive as archive_dir() checks one; false after printing why.
bool usable_archive(const std::string& command, const std::string& location, const Args& args,
                    const std::string& source = "");

// The archive at `location` (as archive_dir gives it, from the same `args`), its local file I/O
// through `io`, encrypted as `access` says with the keys `args` holds.
std::unique_ptr<archive::Store> open_archive(io::Io& io, const std::string& location,
                                             const Args& args, Access access = Access::kRead);

// For a writer: whether the archive takes what this command writes, plain or encrypted with this
// fingerprint key (walpipe.json, archive::check_encryption); kMismatch with a HINT when not.
Status check_archive_encryption(archive::Store& store, const Args& args);

}  // namespace walpipe::cli
