// The base backups walpipe knows: from the backup history files PostgreSQL archives when a backup
// ends (SEGMENT.OFFSET.backup objects), and from a backup's own folder, which a backup taken on
// a standby is the only record of (a standby archives no .backup file).
#pragma once

#include <cstdint>
#include <string>

#include "archive/store.h"
#include "base/status.h"
#include "pipeline/file_loader.h"
#include "wal/backup_label.h"
#include "wal/names.h"

namespace walpipe::pipeline {

struct KnownBackup {
  std::string source;  // the .backup file's WAL name, or the folder's path
  bool from_archive = false;
  wal::BackupInfo info;
};

// Reads the archive object holding the backup history file `name` (checked against its
// recorded XXH3-128) and parses it strictly; then checks it against its name: the segment and
// the offset there (at `segment_size`) are START WAL LOCATION's. Errors name the object.
Result<KnownBackup> read_backup_object(FileLoader& loader, archive::Store& store,
                                       const wal::WalFileName& name, uint64_t segment_size);

// Reads the backup_label of the base backup in folder `dir`: DIR/backup_label of a plain-format
// backup, else the member backup_label of DIR/base.tar[.gz|.zst|.lz4] of a tar-format one (read
// with tar, pipeline/backup_tar.h, whose errors name the file). A folder holding only
// backup_manifest is kUnsupported and says so; a folder with neither is kNotFound.
Result<KnownBackup> read_backup_folder(const std::string& dir);

}  // namespace walpipe::pipeline
