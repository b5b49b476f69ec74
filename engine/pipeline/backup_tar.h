// A base backup in tar format, as pg_basebackup -Ft writes it: base.tar (the data directory, with
// backup_label and, when there are tablespaces, tablespace_map as its first members), pg_wal.tar
// when WAL was streamed, and OID.tar for each tablespace; each may be compressed, its name then
// ending in .gz, .zst or .lz4. walpipe reads them with GNU tar (/bin/tar), which knows every
// header layout and, through gzip, zstd and lz4, every compression pg_basebackup writes.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"

namespace walpipe::pipeline {

inline constexpr const char* kTarProgram = "/bin/tar";

struct TarFile {
  std::string path;
  std::vector<std::string> options;  // tar's options to decompress it ("--gzip", ...)
};

struct TarBackup {
  struct Tablespace {
    std::string oid;
    TarFile file;
  };
  TarFile base;
  std::optional<TarFile> wal;
  std::vector<Tablespace> tablespaces;  // in the order of their file names
};

// The tar files of the base backup in folder `dir`; nullopt when `dir` holds no
// base.tar[.gz|.zst|.lz4], or a backup_label of its own (a plain backup, or one extracted there).
// kInvalidArgument when it holds more than one base.tar*; errors listing the folder otherwise.
Result<std::optional<TarBackup>> find_tar_backup(const std::string& dir);

// tar's command line that extracts `file` into the existing folder `into`.
std::vector<std::string> tar_extract_argv(const TarFile& file, const std::string& into);

// The environment tar runs in: messages in English, for the DETAIL lines that quote it.
std::vector<std::string> tar_environment();

// The member `member` of `file` (its first, tar reading no further), at most `limit` bytes.
// Errors name the file and give tar's words as DETAIL, with a HINT: kNotFound when the file has
// no such member, kCorruption when tar could not read it (damaged, truncated, not a tar of this
// compression) or the member is larger than `limit`, kIoError when tar or the decompressor
// could not be started or the file opened.
Result<std::string> read_tar_member(const TarFile& file, const std::string& member, size_t limit);

}  // namespace walpipe::pipeline
